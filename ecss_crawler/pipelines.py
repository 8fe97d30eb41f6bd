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
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, Self

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro

from ecss_crawler.archive.db import ArchiveError
from ecss_crawler.archive.jobs import store_item
from ecss_crawler.archive.store import Archive
from ecss_crawler.archive.writer import ArchiveWriter, ProcessWriter, ThreadWriter, WriterGone
from ecss_crawler.extract.urls import bare_host, url_key
from ecss_crawler.items import CapturedArticle, PageFailure
from ecss_crawler.offload import log_level
from ecss_crawler.outcome import (
    LOCK_HOLDER_STAT,
    LOCKED_STAT,
    STORAGE_ADVICE_STAT,
    STORAGE_ERROR_STAT,
)

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

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

    The writes run in the archive writer (:mod:`ecss_crawler.archive.writer`): a child
    process of its own (``ECSS_ARCHIVE_PROCESS``, the default), so compression, the
    search columns and SQLite run on another core and never take the GIL from the
    crawl, or one thread of the crawl's process. Items still reach the archive one at
    a time, in order.
    """

    def __init__(
        self, crawler: Crawler, db_path: str, batch_size: int, writer: ArchiveWriter
    ) -> None:
        self.crawler = crawler
        self.db_path = db_path
        self.batch_size = batch_size
        self.writer = writer
        #: Whether the archive is open and the crawl recorded (jobs are accepted).
        self.crawl_id: int | None = None
        self.lock: ArchiveLock | None = None
        self._stop_when_started = False
        self._closing = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        db_path = settings.get("ECSS_DB")
        if not db_path:
            raise NotConfigured("ECSS_DB is empty: no archive")
        writer: ArchiveWriter
        if settings.getbool("ECSS_ARCHIVE_PROCESS", True):
            writer = ProcessWriter(log_level=log_level(settings.get("LOG_LEVEL")))
        else:
            writer = ThreadWriter()
        pipeline = cls(crawler, str(db_path), settings.getint("ECSS_BATCH_SIZE", 100), writer)
        crawler.signals.connect(pipeline.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipeline.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(pipeline.request_dropped, signal=signals.request_dropped)
        crawler.signals.connect(pipeline.engine_started, signal=signals.engine_started)
        return pipeline

    def spider_idle(self) -> None:
        """Commit the open batch while the crawl waits, so readers see fresh data."""
        if self.crawl_id is not None:
            self._guarded("commit a batch", lambda: self.writer.submit(Archive.flush))

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

    def _open_archive(self) -> Future[Any]:
        spider = self.crawler.spider
        opened = self.writer.open(self.db_path, self.batch_size)
        opened.result()
        profile = getattr(spider, "profile", None)
        began = self.writer.submit(
            Archive.begin_crawl,
            bare_host(getattr(spider, "base_url", "")),
            {"spider": getattr(spider, "name", ""), **_spider_args(spider)},
            site_name=profile.name if profile is not None else None,
            profile=profile.source if profile is not None else None,
        )
        self.crawl_id = began.result()
        self.stats.set_value("ecss/crawl_id", self.crawl_id)
        self.stats.set_value("ecss/arguments", _spider_args(spider))
        return began

    async def process_item(self, item: Any) -> Any:
        if self.crawl_id is None:
            return item  # locked out, or the archive failed: nothing is written
        try:
            stored = await asyncio.wrap_future(self.writer.submit(store_item, self.crawl_id, item))
        except STORAGE_ERRORS as error:
            self._storage_failed(f"store {_item_url(item)}", error)
            return item
        if isinstance(item, CapturedArticle):
            item.outcome, item.article_id = stored.outcome, stored.article_id
        for key in stored.counted:
            self.stats.inc_value(key)
        return item

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
        if self.crawl_id is None:
            return
        reason = "redirect loop: " + " -> ".join([*chain, request.url])
        self.stats.inc_value("ecss/failures/fetch")
        logger.warning("Article not fetched: %s", reason)
        crawl_id = self.crawl_id
        self._guarded(
            f"record a failure for {chain[0]}",
            lambda: self.writer.submit(Archive.record_failure, chain[0], crawl_id, "fetch", reason),
        )

    def spider_closed(self, reason: str) -> None:
        """Record the end of the crawl, commit, close; release the lock."""
        self._closing = True
        try:
            if self.crawl_id is not None:
                self._guarded("finish the crawl record", lambda: self._finish(reason))
            if self.crawl_id is not None:
                self.crawl_id = None
                self._guarded("commit the last batch", self.writer.close)
        finally:
            self.writer.shutdown()
            if self.lock is not None:
                self.lock.release()

    def _finish(self, reason: str) -> Future[None]:
        from ecss_crawler.report import crawl_counts, field_coverage

        assert self.crawl_id is not None
        stats = self.stats.get_stats()
        verdict = str((stats.get("ecss/verdict") or {}).get("status") or "ok")
        status = verdict if verdict != "ok" else "finished" if reason == "finished" else reason
        if stats.get(STORAGE_ERROR_STAT):
            status = "storage_error"
        return self.writer.submit(
            Archive.finish_crawl,
            self.crawl_id,
            reason,
            crawl_counts(stats),
            field_coverage(stats),
            status=status,
        )

    # -- storage errors ----------------------------------------------------------------------

    def _guarded(self, action: str, write: Callable[[], Future[Any]]) -> None:
        """Run one archive write and wait for it; a storage error stops the crawl instead of
        being raised."""
        try:
            write().result()
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
        if self.crawl_id is not None:
            self.crawl_id = None
            try:
                self.writer.abandon().result()
            except STORAGE_ERRORS as abandon_error:
                logger.debug("Closing the archive after a storage error: %s", abandon_error)
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
    if isinstance(error, WriterGone):
        return (
            "The archive writer process was killed (out of memory, or by a signal): "
            "see the system log."
        )
    code = getattr(error, "errno", None)
    text = str(error).lower()
    if code in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT) or "full" in text:
        return "The disk (or a size limit) is full: free some space."
    if code in (errno.EROFS, errno.EACCES, errno.EPERM) or ("read" in text and "only" in text):
        return "The archive (or its folder) is read-only: make it writable."
    if "disk i/o" in text:
        return "The disk failed a write: check free space, quotas and the device."
    return "Check the archive file and its folder."


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
