"""Item pipelines: thin, one job each, configured from ``ECSS_*`` settings.

Order (see ``settings.ITEM_PIPELINES``): coverage counting
(:class:`ecss_crawler.monitoring.CoveragePipeline`), validation, archive.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured

from ecss_crawler.extract.urls import bare_host
from ecss_crawler.items import ArticleGone, ArticleUnchanged, CapturedArticle, PageFailure

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from ecss_crawler.archive import Archive
    from ecss_crawler.archive.lock import ArchiveLock

logger = logging.getLogger(__name__)


class ValidatePipeline:
    """Turn a record that lacks a required field into a recorded failure, never a silent drop."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, CapturedArticle):
            return item
        missing = item.article.missing_required()
        if not missing:
            return item
        self.stats.inc_value("ecss/articles_invalid")
        reason = "missing " + ", ".join(missing)
        logger.warning("Extraction failed for %s: %s", item.capture.url, reason)
        return PageFailure(item.capture.url, "extract", reason, item.capture.status, item.capture)


class ArchivePipeline:
    """Store records, captures and failures in the SQLite archive (``ECSS_DB``)."""

    def __init__(self, crawler: Crawler, db_path: str, batch_size: int) -> None:
        self.crawler = crawler
        self.db_path = db_path
        self.batch_size = batch_size
        self.archive: Archive | None = None
        self.crawl_id: int | None = None
        self.lock: ArchiveLock | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        db_path = crawler.settings.get("ECSS_DB")
        if not db_path:
            raise NotConfigured("ECSS_DB is empty: no archive")
        pipeline = cls(crawler, str(db_path), crawler.settings.getint("ECSS_BATCH_SIZE", 100))
        crawler.signals.connect(pipeline.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipeline.spider_idle, signal=signals.spider_idle)
        return pipeline

    def spider_idle(self) -> None:
        """Commit the open batch while the crawl waits, so readers see fresh data."""
        if self.archive is not None:
            self.archive.flush()

    @property
    def stats(self) -> StatsCollector:
        assert self.crawler.stats is not None
        return self.crawler.stats

    def spider_opened(self) -> None:
        from ecss_crawler.archive import Archive
        from ecss_crawler.archive.lock import ArchiveLock

        spider = self.crawler.spider
        self.lock = ArchiveLock(self.db_path)
        if not self.lock.acquire():
            self.stats.set_value("ecss/locked", True)
            logger.error(
                "Another crawl (process %s) is writing %s; this run stops without writing. "
                "Lock file: %s",
                self.lock.holder(),
                self.db_path,
                self.lock.path,
            )
            return
        self.archive = Archive(self.db_path, batch_size=self.batch_size)
        self.crawl_id = self.archive.begin_crawl(
            bare_host(getattr(spider, "base_url", "")),
            {"spider": getattr(spider, "name", ""), **_spider_args(spider)},
        )
        self.stats.set_value("ecss/crawl_id", self.crawl_id)
        self.stats.set_value("ecss/arguments", _spider_args(spider))

    def process_item(self, item: Any) -> Any:
        if self.archive is None or self.crawl_id is None:
            return item  # locked out: nothing is written

        if isinstance(item, CapturedArticle):
            capture = item.capture
            capture_id = self.archive.store_capture(
                capture.url,
                capture.status,
                capture.headers,
                capture.body,
                self.crawl_id,
                fetched_at=capture.fetched_at,
            )
            result = self.archive.store_article(
                item.article,
                self.crawl_id,
                etag=capture.etag,
                last_modified=capture.last_modified,
                capture_id=capture_id,
            )
            self.stats.inc_value(f"ecss/stored/{result.outcome}")
            if result.outcome == "rejected":
                logger.warning(
                    "Kept the archived version of %s: %s", item.article.url, result.reason
                )
        elif isinstance(item, ArticleUnchanged):
            self.archive.mark_seen(
                item.article_id, etag=item.etag, last_modified=item.last_modified
            )
            self.stats.inc_value("ecss/stored/not_modified")
        elif isinstance(item, ArticleGone):
            if self.archive.mark_removed(item.article_id or item.url, self.crawl_id):
                self.stats.inc_value("ecss/removed")
                logger.info("Marked removed (HTTP %s): %s", item.status, item.url)
        elif isinstance(item, PageFailure):
            if item.capture is not None:
                c = item.capture
                self.archive.store_capture(
                    c.url, c.status, c.headers, c.body, self.crawl_id, fetched_at=c.fetched_at
                )
            self.archive.record_failure(
                item.url, self.crawl_id, item.stage, item.reason, item.status
            )
            self.stats.inc_value(f"ecss/failures/{item.stage}")
        return item

    def spider_closed(self, reason: str) -> None:
        if self.archive is None or self.crawl_id is None:
            return
        from ecss_crawler.report import crawl_counts, field_coverage

        stats = self.stats.get_stats()
        verdict = str((stats.get("ecss/verdict") or {}).get("status") or "ok")
        status = verdict if verdict != "ok" else "finished" if reason == "finished" else reason
        self.archive.finish_crawl(
            self.crawl_id, reason, crawl_counts(stats), field_coverage(stats), status=status
        )
        self.archive.close()
        if self.lock is not None:
            self.lock.release()


def _spider_args(spider: Any) -> dict[str, Any]:
    return {
        "categories": sorted(getattr(spider, "category_slugs", set()) or []),
        "since": str(getattr(spider, "since", None) or "") or None,
        "max_articles": getattr(spider, "max_articles", None),
        "incremental": getattr(spider, "incremental", False),
        "recheck_older_than": getattr(spider, "recheck_older_than", None),
    }
