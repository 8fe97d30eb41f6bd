"""Item pipelines: thin, one job each, configured from ``ECSS_*`` settings.

Order (see ``settings.ITEM_PIPELINES``): coverage counting
(:class:`ecss_crawler.monitoring.CoveragePipeline`), validation, archive, then the
clean records for feed exports (:class:`ecss_crawler.feeds.RecordPipeline`).

Storage errors (a full disk, a read-only file or file system, a broken file) stop
the crawl at once: the archive pipeline logs one clear error, sets the
``ecss/storage_error`` stat (``ecss-crawler crawl`` exits 7) and closes the
spider. Each article is written atomically and committed batches are never
touched, so nothing already stored is lost.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Self

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro

from ecss_crawler.archive.db import ArchiveError
from ecss_crawler.documents.items import DOCUMENT_ITEMS
from ecss_crawler.documents.pipeline import store_document_item
from ecss_crawler.extract.urls import bare_host, url_key
from ecss_crawler.items import ArticleGone, ArticleUnchanged, CapturedArticle, PageFailure
from ecss_crawler.outcome import (
    LOCK_HOLDER_STAT,
    LOCKED_STAT,
    STORAGE_ADVICE_STAT,
    STORAGE_ERROR_STAT,
)

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from ecss_crawler.archive import Archive
    from ecss_crawler.archive.lock import ArchiveLock

logger = logging.getLogger(__name__)

#: What writing the archive can raise when the storage itself fails.
STORAGE_ERRORS: tuple[type[BaseException], ...] = (sqlite3.Error, OSError, ArchiveError)
__all__ = ["STORAGE_ERROR_STAT", "ArchivePipeline", "ValidatePipeline", "storage_hint"]


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
    """Store records, captures and failures in the SQLite archive (``ECSS_DB``).

    Every archive call runs on one writer thread of its own (the archive's single
    connection lives there). Compression and SQLite release the GIL, so storing an
    article overlaps with parsing and extracting the next ones; items still reach
    the archive one at a time, in order.
    """

    def __init__(self, crawler: Crawler, db_path: str, batch_size: int) -> None:
        self.crawler = crawler
        self.db_path = db_path
        self.batch_size = batch_size
        self.archive: Archive | None = None
        self.crawl_id: int | None = None
        self.lock: ArchiveLock | None = None
        self._stop_when_started = False
        self._closing = False
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ecss-archive")

    def _call(self, write: Callable[[], Any]) -> Any:
        """Run ``write`` on the writer thread and wait for it (rare, blocking calls)."""
        return self._writer.submit(write).result()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        db_path = crawler.settings.get("ECSS_DB")
        if not db_path:
            raise NotConfigured("ECSS_DB is empty: no archive")
        pipeline = cls(crawler, str(db_path), crawler.settings.getint("ECSS_BATCH_SIZE", 100))
        crawler.signals.connect(pipeline.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipeline.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(pipeline.request_dropped, signal=signals.request_dropped)
        crawler.signals.connect(pipeline.engine_started, signal=signals.engine_started)
        return pipeline

    def spider_idle(self) -> None:
        """Commit the open batch while the crawl waits, so readers see fresh data."""
        if self.archive is not None:
            self._guarded("commit a batch", self.archive.flush)

    @property
    def stats(self) -> StatsCollector:
        assert self.crawler.stats is not None
        return self.crawler.stats

    def spider_opened(self) -> None:
        """Take the archive lock, open (create, migrate) the archive, record the crawl."""
        from ecss_crawler.archive.lock import ArchiveLock

        self.lock = ArchiveLock(self.db_path)
        try:
            acquired = self.lock.acquire()
        except OSError as error:
            self.lock = None
            self._storage_failed("take the archive lock", error)
            return
        if not acquired:
            self.stats.set_value(LOCKED_STAT, True)
            self.stats.set_value(LOCK_HOLDER_STAT, self.lock.holder())
            logger.error(
                "Another crawl (process %s) is writing %s; this run stops without writing. "
                "Lock file: %s",
                self.lock.holder(),
                self.db_path,
                self.lock.path,
            )
            return
        self._guarded("open the archive", self._open_archive)

    def _open_archive(self) -> None:
        from ecss_crawler.archive import Archive

        spider = self.crawler.spider
        self.archive = Archive(self.db_path, batch_size=self.batch_size)
        profile = getattr(spider, "profile", None)
        self.crawl_id = self.archive.begin_crawl(
            bare_host(getattr(spider, "base_url", "")),
            {"spider": getattr(spider, "name", ""), **_spider_args(spider)},
            site_name=profile.name if profile is not None else None,
            profile=profile.source if profile is not None else None,
        )
        self.stats.set_value("ecss/crawl_id", self.crawl_id)
        self.stats.set_value("ecss/arguments", _spider_args(spider))

    async def process_item(self, item: Any) -> Any:
        if self.archive is None or self.crawl_id is None:
            return item  # locked out, or the archive failed: nothing is written
        try:
            counted = await asyncio.wrap_future(self._writer.submit(self._store, item))
        except STORAGE_ERRORS as error:
            self._storage_failed(f"store {_item_url(item)}", error)
            return item
        for key in counted:
            self.stats.inc_value(key)
        return item

    def _store(self, item: Any) -> list[str]:
        """Write one item on the writer thread (each ``Archive`` call is atomic); return
        the stats keys to count (the stats are only touched on the crawl's thread)."""
        archive, crawl_id = self.archive, self.crawl_id
        if archive is None or crawl_id is None:
            return []  # the archive failed while this item was queued
        if isinstance(item, CapturedArticle):
            capture = item.capture
            capture_id = archive.store_capture(
                capture.url,
                capture.status,
                capture.headers,
                capture.body,
                crawl_id,
                fetched_at=capture.fetched_at,
            )
            result = archive.store_article(
                item.article,
                crawl_id,
                etag=capture.etag,
                last_modified=capture.last_modified,
                capture_id=capture_id,
            )
            item.outcome, item.article_id = result.outcome, result.article_id
            if result.outcome == "rejected":
                logger.warning(
                    "Kept the archived version of %s: %s", item.article.url, result.reason
                )
            return [f"ecss/stored/{result.outcome}"]
        if isinstance(item, ArticleUnchanged):
            archive.mark_seen(item.article_id, etag=item.etag, last_modified=item.last_modified)
            return ["ecss/stored/not_modified"]
        if isinstance(item, ArticleGone):
            if archive.mark_removed(item.article_id or item.url, crawl_id):
                logger.info("Marked removed (HTTP %s): %s", item.status, item.url)
                return ["ecss/removed"]
            return []
        if isinstance(item, DOCUMENT_ITEMS):
            return store_document_item(archive, crawl_id, item)
        if isinstance(item, PageFailure):
            if item.capture is not None:
                c = item.capture
                archive.store_capture(
                    c.url, c.status, c.headers, c.body, crawl_id, fetched_at=c.fetched_at
                )
            archive.record_failure(item.url, crawl_id, item.stage, item.reason, item.status)
            return [f"ecss/failures/{item.stage}"]
        return []

    def request_dropped(self, request: Request) -> None:
        """A redirected article request that the duplicate filter dropped because it
        redirects back into its own chain is a redirect loop (A -> B -> A): record it, or
        the article would vanish without a trace. (A redirect to a page fetched through
        another link is a plain duplicate, not a failure.)"""
        chain = request.meta.get("redirect_urls") or []
        if not chain or request.meta.get("ecss_kind") != "article":
            return
        if url_key(request.url) not in {url_key(url) for url in chain}:
            return
        if self.archive is None or self.crawl_id is None:
            return
        reason = "redirect loop: " + " -> ".join([*chain, request.url])
        self.stats.inc_value("ecss/failures/fetch")
        logger.warning("Article not fetched: %s", reason)
        archive, crawl_id = self.archive, self.crawl_id
        self._guarded(
            f"record a failure for {chain[0]}",
            lambda: archive.record_failure(chain[0], crawl_id, "fetch", reason),
        )

    def spider_closed(self, reason: str) -> None:
        """Record the end of the crawl, commit, close; release the lock."""
        self._closing = True
        try:
            if self.archive is not None and self.crawl_id is not None:
                self._guarded("finish the crawl record", lambda: self._finish(reason))
        finally:
            if self.archive is not None:
                self._close_archive()
            if self.lock is not None:
                self.lock.release()
            self._writer.shutdown(wait=True)

    def _finish(self, reason: str) -> None:
        from ecss_crawler.report import crawl_counts, field_coverage

        assert self.archive is not None
        assert self.crawl_id is not None
        stats = self.stats.get_stats()
        verdict = str((stats.get("ecss/verdict") or {}).get("status") or "ok")
        status = verdict if verdict != "ok" else "finished" if reason == "finished" else reason
        if stats.get(STORAGE_ERROR_STAT):
            status = "storage_error"
        self.archive.finish_crawl(
            self.crawl_id, reason, crawl_counts(stats), field_coverage(stats), status=status
        )

    def _close_archive(self) -> None:
        """Commit what is pending and close; after a storage error, whatever can be."""
        assert self.archive is not None
        archive, self.archive = self.archive, None
        try:
            self._call(archive.close)
        except STORAGE_ERRORS as error:
            self._storage_failed("commit the last batch", error)

    # -- storage errors ----------------------------------------------------------------------

    def _guarded(self, action: str, write: Callable[[], object]) -> None:
        """Run one archive write; a storage error stops the crawl instead of being raised."""
        try:
            self._call(write)
        except STORAGE_ERRORS as error:
            self._storage_failed(action, error)

    def _storage_failed(self, action: str, error: BaseException) -> None:
        """Log one clear error, flag the crawl (exit code 7) and stop it. Committed batches
        stay as they are; the batch in progress is rolled back."""
        if self.stats.get_value(STORAGE_ERROR_STAT):
            logger.debug("Further storage error (could not %s): %s", action, error)
            return
        self.stats.set_value(
            STORAGE_ERROR_STAT, f"could not {action} (archive {self.db_path}): {error}"
        )
        self.stats.set_value(STORAGE_ADVICE_STAT, storage_hint(error))
        logger.error(
            "STORAGE ERROR: could not %s (archive %s): %s: %s. %s The crawl stops here; "
            "everything committed before is kept, and once this is fixed the next run "
            "fetches the rest.",
            action,
            self.db_path,
            type(error).__name__,
            error,
            storage_hint(error),
        )
        if self.archive is not None:
            archive, self.archive = self.archive, None
            self._call(lambda: _abandon(archive))
        self._stop_crawl()

    def _stop_crawl(self) -> None:
        """Close the spider; if the engine is not running yet (the archive failed to open),
        as soon as it starts."""
        if self._closing:
            return  # the spider is closing already
        try:
            engine = self.crawler.engine
        except RuntimeError:  # not set before the crawl starts
            engine = None
        if engine is None or not engine.running:
            self._stop_when_started = True
            return
        self._stop_when_started = False
        deferred_from_coro(engine.close_spider_async(reason="storage_error"))

    def engine_started(self) -> None:
        """Carry out a stop asked for before the engine ran."""
        if self._stop_when_started:
            self._stop_crawl()


def storage_hint(error: BaseException) -> str:
    """What the user can do about a storage error, judged from its errno or message."""
    code = getattr(error, "errno", None)
    text = str(error).lower()
    if code in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT) or "full" in text:
        return "The disk (or a size limit) is full: free some space."
    if code in (errno.EROFS, errno.EACCES, errno.EPERM) or ("read" in text and "only" in text):
        return "The archive (or its folder) is read-only: make it writable."
    if "disk i/o" in text:
        return "The disk failed a write: check free space, quotas and the device."
    return "Check the archive file and its folder."


def _abandon(archive: Archive) -> None:
    """Close an archive whose storage failed, without committing.

    The failed write may have left its article half-done if even the rollback of its
    savepoint failed, so the open batch is rolled back as a whole (its articles are not
    in the archive, so the next crawl fetches them again); committed batches stay.
    """
    connection = archive.db.conn
    try:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
    except sqlite3.Error as error:
        logger.debug("Rolling back after a storage error: %s", error)
    finally:
        connection.close()  # a transaction still open is rolled back here


def _item_url(item: Any) -> str:
    for value in (getattr(item, "url", None), getattr(getattr(item, "article", None), "url", None)):
        if value:
            return str(value)
    return "an item"


def _spider_args(spider: Any) -> dict[str, Any]:
    return {
        "categories": sorted(getattr(spider, "category_slugs", set()) or []),
        "since": str(getattr(spider, "since", None) or "") or None,
        "max_articles": getattr(spider, "max_articles", None),
        "incremental": getattr(spider, "incremental", False),
        "recheck_older_than": getattr(spider, "recheck_older_than", None),
    }
