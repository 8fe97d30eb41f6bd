"""The ``ecss`` spider: categories, every listing page, every article, once.

Discovery: the home page's menus and every ``/category/`` link (the category
tree; on a site without ``/category/`` links, the menus' links), each
category's listing pages (next links, or ``/page/N/`` probing where the theme
paginates by script), and the sitemaps named in robots.txt (else
``/wp-sitemap.xml``, ``/sitemap_index.xml`` and ``/sitemap.xml``). Article links
come only from listings' main blocks and sitemaps, never from sidebar widgets.
The sitemaps are read first; in a whole-site crawl a listing stops paging at a
page whose cards they all list, for as long as they can be trusted to list every
article (:mod:`ecss_crawler.discovery`); "Show More" listings are probed while
their pages are full.

Arguments (``-a name=value``):

* ``site``: a site profile's name (shipped, or a ``*.toml`` in ``ECSS_SITES_DIR``); the
  crawl starts at its first base URL and applies its politeness settings.
* ``base_url``: the site (default: the profile's, else ``https://en.ecss.com.eg/``); no
  request ever leaves its host. Without ``site``, the profile whose base URL is on this
  host is used, else a generic one (theme detected per page, generic layers). Without
  either, a start URL of another site (``scrapy parse --spider ecss URL``) makes that URL's
  site the one crawled.
* ``categories``: comma-separated category slugs; only their listings are walked.
* ``since``: ``YYYY-MM-DD``; listings stop paging once a whole page is older.
* ``max_articles``: stop scheduling article pages after this many.
* ``incremental``: ``1`` for scheduled runs: archived articles are fetched again
  only when their card/sitemap date moved (or ``recheck_older_than`` days
  passed), with conditional requests; listings stop paging at the first page
  that holds only archived, unchanged articles; a few of the newest archived
  articles are re-read in full as canaries for the layout-break alarm.
* ``recheck_older_than``: days after which an archived article is fetched again anyway.
* ``documents``: ``0`` to skip downloading the articles' PDF/DOC(X) attachments
  (setting ``ECSS_DOCUMENTS``); see :mod:`ecss_crawler.documents.crawl`.

Removed articles: after the sitemaps are read, archived articles that no longer
appear in them are requested once; a 404/410 marks them removed.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import scrapy
from parsel import Selector
from scrapy import signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from twisted.python.failure import Failure

from ecss_crawler.archive.lookup import ArchiveReader, Known
from ecss_crawler.childproc import ChildGone
from ecss_crawler.discovery import NextPage, SitemapVouch
from ecss_crawler.documents import crawl as documents_module
from ecss_crawler.extract import (
    NotAnArticle,
    NotHTMLError,
    extract_from_selector,
    page_kind,
    parse_html,
)
from ecss_crawler.extract.listing import (
    Card,
    Listing,
    category_links,
    matching_links,
    parse_listing,
    section_links,
)
from ecss_crawler.extract.pagetype import ARTICLE
from ecss_crawler.extract.urls import (
    clean_url,
    is_never_follow,
    listing_page_number,
    listing_page_url,
    same_site,
    url_key,
)
from ecss_crawler.feeds import article_record
from ecss_crawler.incremental import Decision, Freshness
from ecss_crawler.items import (
    Article,
    ArticleGone,
    ArticleUnchanged,
    Capture,
    CapturedArticle,
    PageFailure,
)
from ecss_crawler.offload import PageReader, ThreadReader, page_reader
from ecss_crawler.sites import (
    ProfileError,
    SiteProfile,
    ThemeMemo,
    generic_profile,
    load_registry,
)

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://en.ecss.com.eg/"
KIND = "ecss_kind"
_SITEMAP_CANDIDATES = ("wp-sitemap.xml", "sitemap_index.xml", "sitemap.xml")
_GONE = (404, 410)
#: Stats set before the start when the crawl must do nothing.
_STOP_BEFORE_START = ("ecss/locked", "ecss/storage_error", "ecss/profile_error")
#: Sitemaps go first: once they are read, listings that repeat them stop paging.
_SITEMAP_PRIORITY = 30
ArticleItem = CapturedArticle | PageFailure | ArticleUnchanged | ArticleGone


class EcssSpider(scrapy.Spider):
    """Crawl a Foxiz/WordPress site's categories, listings and articles."""

    name = "ecss"

    def __init__(
        self,
        base_url: str | None = None,
        site: str | None = None,
        categories: str | None = None,
        since: str | None = None,
        max_articles: str | int | None = None,
        incremental: str | bool = False,
        recheck_older_than: str | float | None = None,
        canaries: str | int = 3,
        documents: str | bool | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.site_name = site
        self.base_url = _normal_base_url(base_url or DEFAULT_BASE_URL)
        self.explicit_base_url = base_url is not None
        #: Set from the site profiles in :meth:`from_crawler` (settings name the user's folder).
        self.profile: SiteProfile = SiteProfile(name="unset")
        #: The theme each page is read with (detected until the site settles on one).
        self.themes = ThemeMemo(self.profile)
        #: Reads article pages off the crawl's thread (set from the settings).
        self.pages: PageReader = ThreadReader()
        self.category_slugs = _split_slugs(categories)
        self.since = date.fromisoformat(since) if since else None
        self.max_articles = int(max_articles) if max_articles else None
        self.incremental = str(incremental).lower() in ("1", "true", "yes", "on")
        self.recheck_older_than = float(recheck_older_than) if recheck_older_than else None
        self.canaries = int(canaries) if self.incremental else 0
        #: Fingerprints of article requests, kept only to count ``max_articles`` exactly
        #: (Scrapy's duplicate filter already drops repeats).
        self.scheduled: set[bytes] | None = set() if self.max_articles else None
        self.articles_requested = 0
        self.seen_post_ids: set[int] = set()
        self.categories_seen: set[str] = set()
        self.reader: ArchiveReader | None = None
        self.freshness: Freshness | None = None
        #: URL keys listed by the post sitemaps, for the removal check (None: not collected).
        self.sitemap_keys: set[int] | None = None
        self.sitemaps_complete = True
        self.removal_checked = False
        self.documents_arg = documents
        self.documents = documents_module.DocumentRequests(False, 0, None)
        #: Whether the sitemaps list every article (then listings stop paging early).
        self.vouch = SitemapVouch(None)

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> EcssSpider:
        spider: EcssSpider = super().from_crawler(crawler, *args, **kwargs)
        try:
            profile = spider.resolve_profile(crawler.settings)
        except ProfileError as error:  # one line, no traceback; the crawl does nothing
            logger.error("%s", error)
            crawler.stats.set_value("ecss/profile_error", str(error))
            profile = generic_profile(spider.base_url)
        spider.use_profile(profile)
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider.close_reader, signal=signals.spider_closed)
        spider.pages = page_reader(crawler.settings)
        spider.documents = documents_module.DocumentRequests.from_settings(
            crawler.settings, spider.documents_arg, spider.incremental
        )
        return spider

    def resolve_profile(self, settings: Any) -> SiteProfile:
        """The ``site`` argument's profile, else the one for ``base_url``'s host, else generic.

        Raises :class:`ProfileError` (one line) for a bad or unknown profile.
        """
        registry = load_registry([settings.get("ECSS_SITES_DIR") or ""])
        if self.site_name:
            return registry.get(self.site_name)
        return registry.profile_for(self.base_url)

    def use_profile(self, profile: SiteProfile, apply_settings: bool = True) -> None:
        """Crawl with ``profile``: its base URL (unless one was given) and its politeness
        settings at "spider" priority, so ``-s`` on the command line still wins (settings
        can change only before the crawl starts)."""
        self.profile = profile
        self.themes = ThemeMemo(profile)
        if profile.base_url and not self.explicit_base_url:
            self.base_url = _normal_base_url(profile.base_url)
        for name, value in profile.politeness if apply_settings else ():
            self.settings.set(name, value, priority="spider")
        logger.info("Site profile: %s (%s)", profile.name, profile.source or "generic")

    def follow_start_url(self, url: str) -> None:
        """Without ``base_url`` or ``site``, a first start URL of another site (``scrapy
        parse --spider ecss URL``) makes its site the crawled one: the off-site guard and
        the site profile follow it. (Called by ``StartSiteMiddleware``.)"""
        if self.explicit_base_url or self.site_name:
            return
        self.explicit_base_url = True
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or same_site(url, self.base_url):
            return
        self.base_url = _normal_base_url(f"{parts.scheme}://{parts.netloc}/")
        self.use_profile(self.resolve_profile(self.settings), apply_settings=False)
        logger.info("No base_url given: the site is %s, from the start URL", self.base_url)

    @property
    def site(self) -> str:
        """The host the archive files this site's articles under."""
        return urlsplit(self.base_url).netloc.lower()

    def _open_archive_reader(self) -> None:
        db = self.settings.get("ECSS_DB")
        if db:
            self.reader = ArchiveReader(str(db))
            if self.incremental:
                self.freshness = Freshness(self.reader, self.recheck_older_than)
        state = getattr(self, "state", None)  # persisted across runs with JOBDIR
        resumed = bool(state and state.get("started"))
        if state is not None:
            state["started"] = True
        if resumed:
            logger.info("Resuming a stopped crawl from its job directory")
        whole_site = not (self.category_slugs or self.max_articles or self.since)
        if whole_site and not resumed:
            self.sitemap_keys = set()  # a resumed crawl has not read every sitemap
            self.vouch = SitemapVouch(self.sitemap_keys)

    def close_reader(self) -> None:
        """Close the read-only archive connection and the page reader at the end."""
        if self.reader is not None:
            self.reader.close()
        self.pages.close()

    # -- start -----------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """The home page, robots.txt for sitemaps (unless categories are chosen), canaries."""
        stats = self.crawler.stats
        if any(stats.get_value(key) for key in _STOP_BEFORE_START):
            return  # the archive is locked or unwritable, or the profile is bad (logged)
        self._open_archive_reader()
        self.crawler.stats.set_value("ecss/site", self.site)
        self.crawler.stats.set_value("ecss/site_name", self.profile.name)
        yield self._listing_request(self.base_url, page=1, home=True)

    def _discover_sitemaps(self) -> Iterator[scrapy.Request]:
        """After the home page: the sitemaps robots.txt names (read once, by the robots
        middleware, when it is on), else robots.txt fetched here, else the WordPress defaults."""
        if self.category_slugs:
            return
        named = _robots_sitemaps(self.crawler, self.base_url)
        if named is not None:
            allowed = [url for url in named if same_site(url, self.base_url)]
            yield from self._sitemap_requests(allowed or self._default_sitemaps(), optional=False)
            return
        yield scrapy.Request(
            urljoin(self.base_url, "robots.txt"),
            callback=self.parse_robots,
            errback=self.sitemap_fallback,
            meta={KIND: "robots", "handle_httpstatus_all": True},
            priority=_SITEMAP_PRIORITY,
        )

    def _default_sitemaps(self) -> list[str]:
        """WordPress core's and the SEO plugins' sitemap index locations (either may 404)."""
        return [urljoin(self.base_url, name) for name in _SITEMAP_CANDIDATES]

    # -- sitemaps --------------------------------------------------------------------------

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        """Follow the sitemaps robots.txt names, else the WordPress defaults."""
        urls = []
        if response.status == 200 and isinstance(response, TextResponse):
            urls = [
                u
                for u in sitemap_urls_from_robots(response.body, base_url=response.url)
                if same_site(u, self.base_url)
            ]
        if urls:
            yield from self._sitemap_requests(urls, optional=False)
        else:
            yield from self._sitemap_requests(self._default_sitemaps())

    def sitemap_fallback(self, failure: Failure) -> Iterator[scrapy.Request]:
        """robots.txt could not be fetched: try the usual sitemap locations."""
        yield from self._sitemap_requests(self._default_sitemaps())

    def _sitemap_requests(
        self, urls: Iterable[str], optional: bool = True
    ) -> Iterator[scrapy.Request]:
        """``optional``: guessed locations, which may well not exist. Each sitemap is
        requested once."""
        for url in urls:
            if not self.vouch.request(url_key(url)):
                continue
            yield scrapy.Request(
                url,
                callback=self.parse_sitemap,
                errback=self.sitemap_failed,
                meta={KIND: "sitemap", "ecss_optional": optional},
                priority=_SITEMAP_PRIORITY,
            )

    def sitemap_failed(self, failure: Failure) -> None:
        """A named sitemap that fails makes absence from the sitemaps prove nothing."""
        request = failure.request  # type: ignore[attr-defined]
        optional = bool(request.meta.get("ecss_optional"))
        if not optional:
            self.sitemaps_complete = False
        self.vouch.answered(url_key(_listed_url(request)), ok=optional)
        logger.debug("Sitemap request failed: %s (%s)", request.url, failure.getErrorMessage())

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        """Sitemap index: follow post and category sitemaps. URL set: articles or listings."""
        key = url_key(_first_url(response.meta, response.url))
        try:
            sitemap = Sitemap(response.body)
        except Exception:  # lxml raises several types on garbage
            logger.warning("Unreadable sitemap %s", response.url)
            self.sitemaps_complete = False
            self.vouch.answered(key, ok=False)
            return
        entries = [entry for entry in sitemap if entry.get("loc")]
        if sitemap.type == "sitemapindex":
            wanted = [
                entry["loc"]
                for entry in entries
                if same_site(entry["loc"], self.base_url) and _wanted_sitemap(entry["loc"])
            ]
            requests = list(self._sitemap_requests(wanted, optional=False))
            self.vouch.answered(key, ok=True)
            yield from requests
            return
        taxonomy = _is_category_sitemap(response.url)
        if not taxonomy:
            self.vouch.read_post_url_set()
        yield from self._sitemap_entries(entries, taxonomy)
        self.vouch.answered(key, ok=True)
        yield from self._resume_listings()

    def _sitemap_entries(
        self, entries: list[dict[str, Any]], taxonomy: bool
    ) -> Iterator[scrapy.Request]:
        """Listing requests for a category sitemap, article requests for a post sitemap."""
        for entry in entries:
            url = entry["loc"]
            if not self._allowed(url):
                continue
            if taxonomy:
                yield self._listing_request(url, page=1)
                continue
            if self.sitemap_keys is not None:
                self.sitemap_keys.add(_short_key(url))
            if self._older_than_since(entry.get("lastmod")):
                continue
            decision = self._decide(url, None, entry.get("lastmod"))
            if decision is None or decision.fetch:
                known = decision.known if decision else None
                request = self._article_request(url, source="sitemap", known=known)
                if request is not None:
                    yield request

    # -- listings --------------------------------------------------------------------------

    def parse_listing(
        self, response: Response
    ) -> Iterator[scrapy.Request | ArticleItem | documents_module.DocumentItem]:
        """Cards of the main block, more listing pages, and the category tree."""
        if response.status == 404 or not isinstance(response, TextResponse):
            return
        self.crawler.stats.inc_value("ecss/listing_pages")
        if response.meta.get("ecss_home") and listing_page_number(response.url) == 1:
            yield from self._discover_sitemaps()
        try:  # the extractor's decoding and markup repair, as for articles
            sel = parse_html(response.body, response.url, _header(response, "Content-Type"))
        except NotHTMLError as error:
            logger.warning("Unreadable listing page %s: %s", response.url, error)
            return
        profile = self.themes.profile_for_page(sel)
        if response.meta.get("ecss_guess") and page_kind(sel, profile) == ARTICLE:
            # A menu link to an article: read it here, as its URL is now taken (the
            # sitemap's request for it would be dropped as a duplicate).
            yield from self._read_here(response, sel, profile)
            return
        if not self._listing_wanted(response):
            yield from self._category_requests(sel, response.url)
            return
        listing = parse_listing(sel, response.url, profile)
        self._count_first_page(response, bool(listing.cards))
        yield from self._home_count(response, listing)
        fresh = [card for card in listing.cards if not self._older_than_since(card.date)]
        unchanged = 0
        for card in fresh:
            decision = self._decide(card.url, card.post_id, card.date)
            if decision is not None and not decision.fetch:
                unchanged += 1
                continue
            known = decision.known if decision else None
            request = self._article_request(card.url, source="listing", card=card, known=known)
            if request is not None:
                yield request
        yield from self._category_requests(sel, response.url)
        all_old = bool(listing.cards) and (not fresh or unchanged == len(listing.cards))
        next_page = self._next_listing(response, listing, all_old)
        if next_page is not None and self._sitemaps_vouch_for(listing.cards):
            self.vouch.stop(next_page)
            self.crawler.stats.inc_value("ecss/listings_stopped_by_sitemaps")
            return
        if next_page is not None:
            yield self._page_request(next_page)
        yield from self._resume_listings()

    def _home_count(self, response: Response, listing: Listing) -> Iterator[scrapy.Request]:
        """The home listing holds every article: from its first page, ask for its last page,
        whose cards give their number, for the sitemaps to be checked against."""
        counted = response.meta.get("ecss_count_of")
        if counted is not None:
            pages, per_page = counted
            self.vouch.expect_total((pages - 1) * per_page + len(listing.cards))
            return
        first_home_page = response.meta.get("ecss_home") and listing_page_number(response.url) == 1
        if not (self.vouch.enabled and first_home_page and not self.incremental):
            return
        if listing.cards and listing.last_page and listing.last_page > 1:
            url = listing_page_url(response.url, listing.last_page)
            request = self._listing_request(url, page=listing.last_page, home=True)
            request.meta["ecss_count_of"] = (listing.last_page, len(listing.cards))
            yield request.replace(priority=_SITEMAP_PRIORITY)

    def _sitemaps_vouch_for(self, cards: list[Card]) -> bool:
        """Every card of this page is listed by the (complete) sitemaps: the pages after
        it cannot lead to an article not already scheduled."""
        keys = [_short_key(card.url) for card in cards if self._allowed(card.url)]
        return self.vouch.vouches_for(keys)

    def _resume_listings(self) -> Iterator[scrapy.Request]:
        """The sitemaps turned out to miss articles: every stopped listing goes on."""
        stopped = self.vouch.resume()
        if stopped:
            logger.info(
                "The sitemaps miss articles the listings show; %d stopped listings resume",
                len(stopped),
            )
            self.crawler.stats.set_value("ecss/sitemaps_incomplete", True)
        for page in stopped:
            yield self._page_request(page)

    def _count_first_page(self, response: Response, has_cards: bool) -> None:
        """First pages of listings that show no cards: evidence for the layout-break alarm.

        A menu link only guessed to be a listing (a site without ``/category/``) that
        shows no cards is some other page (About, Contact), not evidence.
        """
        if listing_page_number(response.url) != 1:
            return
        if response.meta.get("ecss_guess") and not has_cards:
            return
        stats = self.crawler.stats
        stats.inc_value("ecss/listing_first_pages")
        if not has_cards:
            stats.inc_value("ecss/listing_first_pages_empty")
            samples = stats.get_value("ecss/missing/listing") or []
            if len(samples) < 5:
                stats.set_value("ecss/missing/listing", [*samples, response.url])

    def _next_listing(self, response: Response, listing: Listing, all_old: bool) -> NextPage | None:
        """The listing's next page, if it has one worth asking for.

        Where the theme paginates by script, ``/page/N/`` is probed while pages are full:
        a page with fewer cards than the first is the last one.
        """
        if all_old or self._budget_spent():
            return None
        page = listing_page_number(response.url)
        home = bool(response.meta.get("ecss_home", False))
        size = int(response.meta.get("ecss_page_size") or len(listing.cards))
        if listing.next_url and self._allowed(listing.next_url):
            return NextPage(listing.next_url, page + 1, home, False, size)
        probing = listing.scripted_pagination or response.meta.get("ecss_probe")
        if listing.cards and probing and len(listing.cards) >= size:
            return NextPage(listing_page_url(response.url, page + 1), page + 1, home, True, size)
        return None

    def _page_request(self, page: NextPage) -> scrapy.Request:
        request = self._listing_request(page.url, page=page.page, home=page.home, probe=page.probe)
        request.meta["ecss_page_size"] = page.page_size
        return request

    def _category_requests(self, sel: Selector, page_url: str) -> Iterator[scrapy.Request]:
        """The category tree, read from first listing pages only (later pages repeat the
        same menus); each category is requested once (a set bounded by the tree)."""
        if listing_page_number(page_url) != 1:
            return
        urls, guess = category_links(sel, page_url), False
        if self.profile.urls.listing:
            urls += matching_links(sel, page_url, self.profile.urls.is_listing)
        if not urls and not self.category_slugs:
            # No /category/ convention (another CMS): the menus name the sections.
            urls, guess = section_links(sel, page_url), True
        for url in urls:
            key = url_key(url)
            if key in self.categories_seen:
                continue
            self.categories_seen.add(key)
            if self._allowed(url) and listing_page_number(url) == 1 and self._category_wanted(url):
                yield self._listing_request(url, page=1, guess=guess)

    def _listing_request(
        self, url: str, page: int, home: bool = False, probe: bool = False, guess: bool = False
    ) -> scrapy.Request:
        return scrapy.Request(
            clean_url(url),
            callback=self.parse_listing,
            errback=self.listing_failed,
            meta={
                KIND: "listing",
                "ecss_home": home,
                "ecss_probe": probe,
                "ecss_guess": guess,
                "handle_httpstatus_list": [404],
            },
            priority=max(0, 10 - page),
        )

    def listing_failed(self, failure: Failure) -> None:
        """A listing page could not be fetched: logged and counted, the crawl goes on."""
        request = failure.request  # type: ignore[attr-defined]
        self.crawler.stats.inc_value("ecss/listing_failures")
        logger.warning("Listing page failed: %s (%s)", request.url, failure.getErrorMessage())

    # -- articles --------------------------------------------------------------------------

    def _decide(self, url: str, post_id: int | None, shown: str | None) -> Decision | None:
        """Incremental crawls: fetch this article again? (None: not an incremental crawl.)"""
        if self.freshness is None or not self._allowed(url):
            return None
        decision = self.freshness.decide(url, post_id, shown)
        if not decision.fetch:
            self.crawler.stats.inc_value("ecss/incremental/unchanged")
        return decision

    def _article_request(
        self, url: str, source: str, card: Card | None = None, known: Known | None = None
    ) -> scrapy.Request | None:
        """A request for an article page, unless off-site, over budget or already scheduled.

        ``known`` (the archived version) adds conditional request headers.
        """
        if not self._allowed(url) or self._budget_spent() or not self.profile.urls.is_article(url):
            return None
        if card is not None and card.post_id is not None and card.post_id in self.seen_post_ids:
            return None
        request = scrapy.Request(
            clean_url(url),
            callback=self.parse_article,
            errback=self.article_failed,
            headers=_conditional_headers(known),
            meta={
                KIND: "article",
                "ecss_source": source,
                "ecss_known_id": known.id if known else None,
                "handle_httpstatus_list": [304] if known else [],
            },
            priority=20,
        )
        if self.scheduled is not None:
            fingerprint = self.crawler.request_fingerprinter.fingerprint(request)
            if fingerprint in self.scheduled:
                return None
            self.scheduled.add(fingerprint)
        self.articles_requested += 1
        return request

    async def parse_article(
        self, response: Response
    ) -> AsyncIterator[ArticleItem | documents_module.DocumentItem | scrapy.Request]:
        """Extract the record; non-articles are counted and skipped, problems recorded.
        The page is read off the crawl's thread (``ECSS_READ_PROCESS``: in a child
        process), with our own decoding (not ``response.selector``): it repairs Arabic
        pages served in Windows-1256 that declare UTF-8 or nothing."""
        early = self._before_parsing(response)
        if early is not None:
            for unparsed in early:
                yield unparsed
            return
        content_type = _header(response, "Content-Type")
        try:
            article = await self.pages.read(response.body, response.url, content_type, self.profile)
        except Exception as error:
            article = None
            failure = self._read_failure(response, error)
            if failure is not None:
                yield failure
        if article is not None:
            for item in self._article_items(response, article):
                yield item

    def _before_parsing(self, response: Response) -> list[ArticleItem] | None:
        """The items of an article response that needs no parsing (304, not HTML), else None."""
        if response.status == 304:
            self.crawler.stats.inc_value("ecss/incremental/not_modified")
            return [
                ArticleUnchanged(
                    response.url,
                    response.meta["ecss_known_id"],
                    _header(response, "ETag"),
                    _header(response, "Last-Modified"),
                )
            ]
        if not isinstance(response, TextResponse):
            capture = _capture(response)
            return [
                PageFailure(
                    response.url, "extract", "not an HTML response", response.status, capture
                )
            ]
        return None

    def _read_failure(self, response: Response, error: Exception) -> PageFailure | None:
        """What reading an article page that raised ``error`` leaves: nothing for a page
        that is not an article (counted), a recorded failure for unreadable input or a
        page reader that died on it; anything else is a bug and is raised."""
        if isinstance(error, NotAnArticle):
            self.crawler.stats.inc_value(f"ecss/not_article/{error.kind}")
            return None
        if isinstance(error, NotHTMLError | ValueError | ChildGone):
            capture = _capture(response)
            return PageFailure(response.url, "extract", str(error), response.status, capture)
        raise error

    def _read_here(
        self, response: Response, sel: Selector, profile: SiteProfile
    ) -> Iterator[ArticleItem | Any]:
        """The items of an article page already parsed in this process, read with
        ``profile`` (its theme already chosen for this page)."""
        try:
            article = extract_from_selector(sel, response.url, profile=profile)
        except Exception as error:
            failure = self._read_failure(response, error)
            if failure is not None:
                yield failure
            return
        yield from self._article_items(response, article)

    def _article_items(
        self, response: Response, article: Article
    ) -> Iterator[ArticleItem | documents_module.DocumentItem | scrapy.Request]:
        """The record of an article page, then requests for its documents."""
        if article.post_id is not None:
            if article.post_id in self.seen_post_ids:
                self.crawler.stats.inc_value("ecss/duplicate_post_id")
                return
            self.seen_post_ids.add(article.post_id)
        yield CapturedArticle(article, _capture(response))
        yield from self.documents.for_article(
            article, self._same_site, self.parse_document, self.document_failed
        )

    def parse_document(self, response: Response) -> Iterator[documents_module.DocumentItem]:
        """A downloaded PDF/DOC(X) attachment (its text is read by the document pipeline)."""
        yield from documents_module.parse_document(response)

    def document_failed(self, failure: Failure) -> Iterator[documents_module.DocumentItem]:
        """A document that could not be downloaded: recorded, the crawl goes on."""
        yield from documents_module.document_failed(failure)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """The default callback, which only ``scrapy parse --spider ecss URL`` uses (the
        crawl names its callbacks): an article page gives its clean record, as feeds
        export it; another page, the article and listing requests it leads to."""
        extracted = False
        items: list[Any] | None = self._before_parsing(response)
        if items is None:
            try:
                content_type = _header(response, "Content-Type")
                sel = parse_html(response.body, response.url, content_type)
            except (NotHTMLError, ValueError):
                return
            items = list(self._read_here(response, sel, self.themes.profile_for_page(sel)))
        for item in items:
            extracted = True
            if isinstance(item, CapturedArticle):
                yield article_record(item.article, fetched_at=item.capture.fetched_at)
            elif isinstance(item, PageFailure):
                logger.warning("No article record from %s: %s", item.url, item.reason)
        if not extracted:
            yield from self.parse_listing(response)

    def article_failed(self, failure: Failure) -> Iterator[ArticleItem]:
        """Record why an article page could not be fetched (never silently dropped).

        A 404/410 for an article the archive holds marks it removed.
        """
        request = failure.request  # type: ignore[attr-defined]
        error = failure.value
        if isinstance(error, HttpError):
            status = error.response.status
            known_id = request.meta.get("ecss_known_id")
            if status in _GONE and known_id is None and self.reader is not None:
                known = self.reader.find(request.url)
                known_id = known.id if known else None
            if status in _GONE and known_id is not None:
                yield ArticleGone(request.url, status, known_id)
            else:
                yield PageFailure(request.url, "fetch", f"HTTP {status}", status)
        elif isinstance(error, IgnoreRequest):
            # An off-site redirect, the size limit, robots.txt: the article is not archived,
            # so it is a failure like any other (recorded under the URL the listing named).
            self.crawler.stats.inc_value("ecss/article_ignored")
            logger.info("Article request ignored: %s (%s)", request.url, failure.getErrorMessage())
            yield PageFailure(_listed_url(request), "fetch", _failure_reason(failure))
        else:
            yield PageFailure(_listed_url(request), "fetch", _failure_reason(failure))

    # -- removals --------------------------------------------------------------------------

    def on_idle(self) -> None:
        """Work left for the end: the removal check, then canaries (each once per crawl)."""
        scheduled = self._schedule(self._removal_candidates(), "removal-check")
        scheduled += self._schedule(self._canaries(), "canary")
        if scheduled:
            raise DontCloseSpider

    def _schedule(self, urls: list[str], source: str) -> int:
        count = 0
        for url in urls:
            request = self._article_request(url, source=source)
            if request is not None:
                self.crawler.engine.crawl(request)
                count += 1
        self.crawler.stats.inc_value(f"ecss/{source}s", count)
        return count

    def _canaries(self) -> list[str]:
        """Incremental runs that fetched too few articles to judge the layout re-read a few
        of the newest archived ones in full, so a redesign is caught by the first run."""
        if not self.canaries or self.reader is None:
            return []
        wanted = self.settings.getint("ECSS_ALARM_MIN_ARTICLES", 3)
        extracted = int(self.crawler.stats.get_value("ecss/articles_extracted", 0))
        count, self.canaries = (max(0, min(self.canaries, wanted - extracted)), 0)
        return self.reader.newest(self.site, count) if count else []

    def _removal_candidates(self) -> list[str]:
        """Archived articles that the (completely read) sitemaps no longer list."""
        if self.removal_checked or self.reader is None or not self.sitemap_keys:
            return []
        self.removal_checked = True
        if not self.sitemaps_complete:
            logger.info("Removal check skipped: not every sitemap could be read")
            return []
        limit = self.settings.getint("ECSS_REMOVAL_CHECK_MAX", 50)
        missing = [
            url
            for _id, url in self.reader.live_articles(self.site)
            if _short_key(url) not in self.sitemap_keys
        ]
        self.sitemap_keys = None
        if len(missing) > limit:
            logger.warning(
                "%d archived articles are missing from the sitemaps; checking the first %d",
                len(missing),
                limit,
            )
        return missing[:limit]

    # -- rules -----------------------------------------------------------------------------

    def _allowed(self, url: str) -> bool:
        return (
            same_site(url, self.base_url)
            and not is_never_follow(url)
            and not self.profile.urls.never(url)
        )

    def _same_site(self, url: str) -> bool:
        return same_site(url, self.base_url)

    def _budget_spent(self) -> bool:
        return self.max_articles is not None and self.articles_requested >= self.max_articles

    def _older_than_since(self, iso: str | None) -> bool:
        if self.since is None or not iso:
            return False
        try:
            when = datetime.fromisoformat(iso.replace("Z", "+00:00"))
        except ValueError:
            return False
        return when.date() < self.since

    def _listing_wanted(self, response: Response) -> bool:
        """With ``categories``, only the chosen categories' listings give articles."""
        return not self.category_slugs or (
            not response.meta.get("ecss_home") and self._category_wanted(response.url)
        )

    def _category_wanted(self, url: str) -> bool:
        if not self.category_slugs:
            return True
        path = unquote(urlsplit(url).path).strip("/").split("/")
        return bool(self.category_slugs & {segment.lower() for segment in path[1:]})


def _normal_base_url(url: str) -> str:
    if urlsplit(url).scheme not in ("http", "https"):
        raise ValueError(f"base_url must be an http(s) URL: {url!r}")
    return url if url.endswith("/") else url + "/"


def _split_slugs(value: str | None) -> set[str]:
    return {
        unquote(slug).strip().strip("/").lower()
        for slug in (value or "").split(",")
        if slug.strip()
    }


def _wanted_sitemap(url: str) -> bool:
    """Post and category sitemaps; not pages, tags, users or attachments."""
    name = urlsplit(url).path.rsplit("/", 1)[-1].lower()
    if any(word in name for word in ("page", "user", "author", "tag", "attachment", "format")):
        return False
    return "post" in name or _is_category_sitemap(url) or name.startswith("sitemap")


def _is_category_sitemap(url: str) -> bool:
    name = urlsplit(url).path.rsplit("/", 1)[-1].lower()
    return "category" in name


def _short_key(url: str) -> int:
    """A 64-bit digest of :func:`url_key`: a quarter of the memory of the key itself."""
    digest = hashlib.blake2b(url_key(url).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _robots_sitemaps(crawler: Any, base_url: str) -> list[str] | None:
    """Sitemap URLs from the robots.txt that Scrapy's robots middleware already parsed.

    None when the middleware is off or has no parsed file for the site (then the
    spider fetches robots.txt itself); reading its cache saves a second request.
    """
    engine = getattr(crawler, "engine", None)
    downloader = getattr(engine, "downloader", None)
    middlewares = getattr(getattr(downloader, "middleware", None), "middlewares", ())
    for middleware in middlewares:
        if isinstance(middleware, RobotsTxtMiddleware):
            parser = getattr(middleware, "_parsers", {}).get(urlsplit(base_url).netloc)
            protego = getattr(parser, "rp", None)
            if protego is not None and hasattr(protego, "sitemaps"):
                return [str(url) for url in protego.sitemaps]
    return None


def _conditional_headers(known: Known | None) -> dict[str, str]:
    """``If-None-Match`` / ``If-Modified-Since`` from the archived validators."""
    headers: dict[str, str] = {}
    if known is not None and known.etag:
        headers["If-None-Match"] = known.etag
    if known is not None and known.last_modified:
        headers["If-Modified-Since"] = known.last_modified
    return headers


def _listed_url(request: scrapy.Request) -> str:
    """The URL first requested (before any redirect): the one a listing or sitemap named."""
    return _first_url(request.meta, request.url)


def _first_url(meta: dict[str, Any], url: str) -> str:
    redirects = meta.get("redirect_urls") or [url]
    return str(redirects[0])


def _failure_reason(failure: Failure) -> str:
    """``ErrorType: message``, or just the type when the message is empty."""
    name = type(failure.value).__name__
    message = failure.getErrorMessage().strip()
    return f"{name}: {message}" if message else name


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _capture(response: Response) -> Capture:
    headers = {
        key.decode("latin-1").lower(): b", ".join(values).decode("latin-1")
        for key, values in response.headers.items()
    }
    return Capture(
        url=response.url,
        status=response.status,
        headers=headers,
        body=response.body,
        fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
