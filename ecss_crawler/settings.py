"""Scrapy settings for ecss-crawler: polite defaults a site owner would accept.

Every project-specific setting is named ``ECSS_*``; override any with ``-s NAME=VALUE``.
"""

from ecss_crawler import __version__
from ecss_crawler.monitoring import DEFAULT_MIN_COVERAGE

BOT_NAME = "ecss_crawler"
SPIDER_MODULES = ["ecss_crawler.spiders"]
NEWSPIDER_MODULE = "ecss_crawler.spiders"

# -- ecss-crawler ----------------------------------------------------------------------------
#: The SQLite archive every crawl writes.
ECSS_DB = "data/ecss.db"
#: Articles per committed transaction.
ECSS_BATCH_SIZE = 100
#: Write the archive in a child process of its own, on another core (False: on a thread
#: of the crawl's process, competing with the crawl for the GIL).
ECSS_ARCHIVE_PROCESS = True
#: Read article pages (parse and extract) in a child process of their own, on another core
#: (False: parse on a pool thread and extract on the crawl's thread).
ECSS_READ_PROCESS = True
#: ... where one page may take this many seconds before the reader is stopped and the page
#: recorded as a failure (0: no limit).
ECSS_READ_TIMEOUT = 60.0
#: Seconds between progress lines (0 turns them off).
ECSS_PROGRESS_INTERVAL = 30.0
#: Where progress goes: "log" (Scrapy's log), "lines" (stderr) or "live" (a terminal display).
ECSS_PROGRESS_DISPLAY = "log"
#: Log the end-of-crawl summary (the ecss-crawler command prints it to stdout instead).
ECSS_LOG_SUMMARY = True
#: Where site owners can read what this crawler is and whom to contact.
ECSS_CONTACT_URL = "https://github.com/ecss-crawler/ecss-crawler#contact"
#: Refuse every request off the crawled site (host and port), redirects included.
ECSS_ALLOWED_SITE_ONLY = True
#: Where each crawl's JSON report goes (default: ``reports/`` beside ECSS_DB).
ECSS_REPORTS_DIR = None
#: Layout-break alarm: minimum share of articles that must have each field ...
ECSS_ALARM_MIN_COVERAGE = dict(DEFAULT_MIN_COVERAGE)
#: ... the most field values that may come only from these fallback layers ...
ECSS_ALARM_FALLBACK_LAYERS = ["generic"]
#: For fields a site's profile does not declare: alarm when coverage falls below this share
#: of the site's own average over its last ECSS_ALARM_BASELINE_CRAWLS judged crawls.
ECSS_ALARM_BASELINE_RATIO = 0.5
ECSS_ALARM_BASELINE_CRAWLS = 5
ECSS_ALARM_MAX_FALLBACK_SHARE = 0.5
#: ... the most listing first pages that may show no post cards ...
ECSS_ALARM_MAX_EMPTY_LISTING_SHARE = 0.5
#: ... and the fewest articles (or listing pages) a verdict needs.
ECSS_ALARM_MIN_ARTICLES = 3
#: More article pages failing than this share exits with "too many failures".
ECSS_MAX_FAILURE_SHARE = 0.2
#: Archived articles missing from the sitemaps that one crawl re-checks at most.
ECSS_REMOVAL_CHECK_MAX = 50
#: The user's site profiles (``*.toml``) and themes (``themes/*.toml``); skipped if absent.
ECSS_SITES_DIR = "sites"
#: Retry backoff: base * 2**attempt seconds unless Retry-After says otherwise, capped.
ECSS_RETRY_BACKOFF_BASE = 2.0
ECSS_RETRY_MAX_DELAY = 120.0
#: Stop after this many failures to reach the site before it ever answered (0: never).
ECSS_UNREACHABLE_AFTER = 3
#: Keep scheduled requests on disk even without JOBDIR (flat memory on large sites) ...
ECSS_DISK_FRONTIER = True
#: ... in a scratch directory created here (default: the system temporary directory) ...
ECSS_FRONTIER_DIR = None
#: ... once this many requests wait in memory (the rest go to disk; 0: all on disk).
ECSS_FRONTIER_MEMORY = 1000
#: Download the PDF/DOC(X) attachments of archived articles (same site only) and read their text.
ECSS_DOCUMENTS = True
#: Bytes read at most per document (a larger one is recorded as a document failure).
ECSS_DOCUMENT_MAXSIZE = 32 * 1024 * 1024
#: Seconds the isolated reader may spend on one document before it is stopped.
ECSS_DOCUMENT_TIMEOUT = 60.0
#: Pages read from one PDF at most.
ECSS_DOCUMENT_MAX_PAGES = 2000
#: Write every fetched response, with its request, as WARC/1.1 files in this directory
#: (off when unset) ...
ECSS_WARC_DIR = None
#: ... beginning a new file once one reaches this many bytes (0: one file) ...
ECSS_WARC_MAX_SIZE = 1_000_000_000
#: ... named ``{prefix}-{start}-{serial}-{pid}~{host}.warc.gz``.
ECSS_WARC_PREFIX = "ECSS"

# -- politeness ------------------------------------------------------------------------------
USER_AGENT = f"ecss-crawler/{__version__} (+{ECSS_CONTACT_URL})"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
#: Scrapy starts this many tasks for every callback's output; our callbacks yield a few
#: items or requests each, so the default (100) only costs time (measured: -22 % crawl time).
CONCURRENT_ITEMS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 4
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
REDIRECT_MAX_TIMES = 10
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

#: Opt-in HTTP cache for development: ``-s HTTPCACHE_ENABLED=1``.
HTTPCACHE_ENABLED = False
HTTPCACHE_DIR = "httpcache"
HTTPCACHE_EXPIRATION_SECS = 0
HTTPCACHE_IGNORE_HTTP_CODES = [429, 500, 502, 503, 504]

# -- components ------------------------------------------------------------------------------
REQUEST_FINGERPRINTER_CLASS = "ecss_crawler.fingerprint.UrlKeyFingerprinter"
SCHEDULER = "ecss_crawler.scheduler.DiskFrontierScheduler"
#: Scrapy's pickled LIFO disk queue, serializing requests without a scan of the spider.
SCHEDULER_DISK_QUEUE = "ecss_crawler.scheduler.RequestDiskQueue"
STATS_CLASS = "ecss_crawler.stats.FastStatsCollector"
#: Scrapy components this crawl does not need, each a cost on every request or response
#: (docs/benchmarks.md, "Crawl throughput"): the off-site filter (AllowedSiteMiddleware
#: does that job for every request, redirects included), meta-refresh redirects (it
#: decodes every page a second time), and the request depth and URL length checks and
#: meta-copy detection, each a layer around every callback's output. (The Referer
#: middleware stays: Scrapy's redirect middleware warns on every crawl without it.)
DOWNLOADER_MIDDLEWARES: dict[str, int | None] = {
    "ecss_crawler.middlewares.AllowedSiteMiddleware": 50,
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "ecss_crawler.middlewares.BackoffRetryMiddleware": 550,
    "ecss_crawler.middlewares.ReachabilityMiddleware": 560,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
}
SPIDER_MIDDLEWARES: dict[str, int | None] = {
    "ecss_crawler.middlewares.StartSiteMiddleware": 50,
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
}
#: Scrapy parses a callback's source (ast) to warn about generators returning values,
#: again whenever a request comes back from the disk queue with a new bound method.
WARN_ON_GENERATOR_RETURN_VALUE = False
ITEM_PIPELINES = {
    "ecss_crawler.monitoring.CoveragePipeline": 100,
    "ecss_crawler.pipelines.ValidatePipeline": 200,
    "ecss_crawler.documents.pipeline.DocumentTextPipeline": 250,
    "ecss_crawler.pipelines.ArchivePipeline": 300,
    "ecss_crawler.feeds.RecordPipeline": 900,
}
EXTENSIONS = {
    "ecss_crawler.extensions.CrawlProgress": 500,
    "ecss_crawler.monitoring.LayoutAlarm": 510,
    "ecss_crawler.warc.extension.WarcWriter": 520,
}
LOG_LEVEL = "INFO"
#: The end-of-crawl summary replaces the raw stats dump.
STATS_DUMP = False

# -- feed exports (-o/-O, FEEDS): clean article records only; see ecss_crawler/feeds.py -------
FEED_EXPORT_ENCODING = "utf-8"
FEED_EXPORTERS = {
    "csv": "ecss_crawler.feeds.RecordCsvExporter",
    "xml": "ecss_crawler.feeds.RecordXmlExporter",
}
ADDONS = {"ecss_crawler.feeds.RecordFeeds": 0}
