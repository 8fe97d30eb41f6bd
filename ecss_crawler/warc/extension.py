"""The Scrapy extension that writes every fetched response to WARC files (``ECSS_WARC_DIR``).

It listens to ``response_downloaded``, which Scrapy sends as soon as the download
handler returns: before any downloader middleware has seen the response, so the body is
still content-encoded (gzip) and every header is as received, and after every
middleware has seen the request, so its headers are the ones sent. Redirects, 304s, 404s
and 5xx answers (each retry too) are responses like any other. Responses served from
Scrapy's HTTP cache were not fetched and are not written.

Records are built and compressed on a writer thread of its own (hashing and zlib release
the GIL), fed through a queue bounded in bytes (``PENDING_BYTES``), so a slow disk slows
the crawl instead of filling memory. A write error stops the crawl like an archive storage
error (exit code 7).
"""

from __future__ import annotations

import logging
import queue
import threading
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro

from ecss_crawler.warc.files import (
    DEFAULT_MAX_SIZE,
    Exchange,
    Headers,
    WarcFileSet,
    crawl_info,
    warc_date,
    write_exchange,
)

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.http.headers import Headers as ScrapyHeaders

logger = logging.getLogger("ecss_crawler.warc")

#: Body bytes that may wait for the writer thread (one larger body may always wait alone).
PENDING_BYTES = 32 * 1024 * 1024
_STOP = None
T = TypeVar("T")


class ByteBoundedQueue(Generic[T]):
    """A FIFO whose waiting items' sizes add up to at most ``limit`` (unless just one waits).

    A count limit alone would let a few 16 MB documents take gigabytes.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.pending = 0
        self._last = 0
        self._items: queue.SimpleQueue[tuple[T, int]] = queue.SimpleQueue()
        self._room = threading.Condition()

    def put(self, item: T, size: int, *, block: bool = True) -> bool:
        """Add ``item``, waiting for room; without ``block``, return False when there is none."""
        with self._room:
            while self.pending and self.pending + size > self.limit:
                if not block:
                    return False
                self._room.wait()
            self.pending += size
        self._items.put((item, size))
        return True

    def get(self) -> T:
        """The oldest item (waits for one); its size stops counting once :meth:`done`."""
        item, size = self._items.get()
        self._last = size
        return item

    def done(self) -> None:
        """The item last got is written: free its room."""
        with self._room:
            self.pending -= self._last
            self._room.notify_all()


def scrapy_headers(headers: ScrapyHeaders) -> Headers:
    """Scrapy headers as ``(name, value)`` pairs, one per value, in arrival order."""
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in headers.items()
        for value in values
    ]


def exchange_from(request: Request, response: Response) -> Exchange:
    """The :class:`Exchange` behind a freshly downloaded response."""
    ip_address = getattr(response, "ip_address", None)
    return Exchange(
        url=response.url,
        method=request.method,
        request_headers=scrapy_headers(request.headers),
        request_body=request.body,
        status=response.status,
        protocol=getattr(response, "protocol", None) or "HTTP/1.1",
        response_headers=scrapy_headers(response.headers),
        body=response.body,
        date=warc_date(),
        ip_address=str(ip_address) if ip_address is not None else None,
    )


class WarcWriter:
    """Write each downloaded response, with its request, to ``ECSS_WARC_DIR``."""

    def __init__(self, crawler: Crawler, directory: Path, prefix: str, max_size: int) -> None:
        self.crawler = crawler
        self.directory = directory
        self.prefix = prefix
        self.max_size = max_size
        self.files: WarcFileSet | None = None
        self.error: BaseException | None = None
        self._failed = False
        self._queue: ByteBoundedQueue[tuple[Exchange, WarcFileSet] | None]
        self._queue = ByteBoundedQueue(PENDING_BYTES)
        self._thread: threading.Thread | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        directory = settings.get("ECSS_WARC_DIR")
        if not directory:
            raise NotConfigured("ECSS_WARC_DIR is not set")
        max_size = settings.getint("ECSS_WARC_MAX_SIZE", DEFAULT_MAX_SIZE)
        prefix = settings.get("ECSS_WARC_PREFIX") or "ECSS"
        extension = cls(crawler, Path(directory), str(prefix), max_size)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self) -> None:
        self._thread = threading.Thread(target=self._run, name="warc-writer", daemon=True)
        self._thread.start()

    def response_downloaded(self, response: Response, request: Request) -> None:
        """Queue the exchange for the writer thread (blocks while the queue is full)."""
        if self._failed:
            return
        if self.error is not None:
            self._fail(self.error)
            return
        files = self.files or self._open_files()
        self._queue.put((exchange_from(request, response), files), len(response.body))
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("ecss/warc/responses")

    def _open_files(self) -> WarcFileSet:
        """The file set, made at the first response (the crawl id is known by then)."""
        settings, stats, spider = self.crawler.settings, self.crawler.stats, self.crawler.spider
        assert stats is not None
        info = crawl_info(
            isPartOf=f"ecss-crawl-{stats.get_value('ecss/crawl_id')}"
            if stats.get_value("ecss/crawl_id") is not None
            else None,
            description=f"ecss-crawler crawl of {getattr(spider, 'base_url', '')}".strip(),
            robots="obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            **{"http-header-user-agent": settings.get("USER_AGENT")},
        )
        self.files = WarcFileSet(
            self.directory, prefix=self.prefix, max_size=self.max_size, info=info
        )
        return self.files

    def _run(self) -> None:
        """The writer thread: write exchanges until told to stop; after an error, drain."""
        while True:
            entry = self._queue.get()
            if entry is _STOP:
                return
            exchange, files = entry
            if self.error is None:
                try:
                    files.write(partial(write_exchange, exchange=exchange))
                except Exception as error:
                    self.error = error
                    files.abandon()
            self._queue.done()

    def spider_closed(self) -> None:
        """Write what is queued, finish the open file, report the files."""
        if self._thread is not None:
            self._queue.put(_STOP, 0)
            self._thread.join()
        if self.error is not None:
            self._fail(self.error, stop=False)
            return
        if self.files is None:
            return
        try:
            finished = self.files.close()
        except OSError as error:
            self.files.abandon()
            self._fail(error, stop=False)
            return
        assert self.crawler.stats is not None
        self.crawler.stats.set_value("ecss/warc/files", len(finished))
        logger.info(
            "WARC: %d responses in %d file(s) in %s",
            self.crawler.stats.get_value("ecss/warc/responses", 0),
            len(finished),
            self.directory,
        )

    def _fail(self, error: BaseException, *, stop: bool = True) -> None:
        """Log one clear error, flag the crawl (exit code 7) and stop it (unless closing)."""
        from ecss_crawler.pipelines import STORAGE_ERROR_STAT

        if self._failed:
            return
        self._failed = True
        stats = self.crawler.stats
        assert stats is not None
        message = f"could not write WARC files in {self.directory}: {type(error).__name__}: {error}"
        if not stats.get_value(STORAGE_ERROR_STAT):
            stats.set_value(STORAGE_ERROR_STAT, message)
        logger.error("STORAGE ERROR: %s. The crawl stops here.", message)
        if stop:
            self._stop_crawl()

    def _stop_crawl(self) -> None:
        try:
            engine: Any = self.crawler.engine
        except RuntimeError:  # no crawl running (the extension driven on its own)
            return
        if engine.running:
            deferred_from_coro(engine.close_spider_async(reason="storage_error"))
