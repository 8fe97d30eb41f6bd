"""Retries with exponential backoff that honour ``Retry-After`` (429 and 5xx).

Scrapy's ``RetryMiddleware`` retries at once. A polite crawler waits: the
server's ``Retry-After`` (seconds or an HTTP date) when given, else
``base * 2**attempt`` seconds, capped. The wait also slows the whole download
slot while it lasts, so other requests to the same site back off too.
"""

from __future__ import annotations

import logging
import time
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Self

from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import task

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)
_WAIT_UNTIL = "ecss_retry_not_before"
#: Request meta: the longest this request's retry may wait (seconds), if shorter than usual.
BACKOFF_CAP = "ecss_backoff_cap"


def retry_after_seconds(value: str | bytes | None, now: float | None = None) -> float | None:
    """Parse a ``Retry-After`` header: delta seconds or an HTTP date."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


class BackoffRetryMiddleware(RetryMiddleware):
    """Retry like Scrapy, but wait before each retry."""

    def __init__(self, settings: Any, crawler: Crawler | None = None) -> None:
        super().__init__(settings)
        if crawler is not None:
            self.crawler = crawler
        self.base_delay = settings.getfloat("ECSS_RETRY_BACKOFF_BASE", 2.0)
        self.max_delay = settings.getfloat("ECSS_RETRY_MAX_DELAY", 120.0)
        #: Per download slot: its delay before a backoff slowed it, and until when.
        self._normal_delays: dict[str, float] = {}
        self._slowed_until: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler.settings, crawler)

    def backoff(self, request: Request, response: Response | None) -> float:
        """Seconds to wait before retrying ``request``."""
        attempt = int(request.meta.get("retry_times", 0))
        advised = retry_after_seconds(response.headers.get("Retry-After")) if response else None
        delay = advised if advised is not None else self.base_delay * (2**attempt)
        cap = float(request.meta.get(BACKOFF_CAP, self.max_delay))
        return float(min(delay, self.max_delay, cap))

    def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        return self._retry(request, f"HTTP {response.status}", response) or response

    def process_exception(self, request: Request, exception: Exception) -> Request | None:  # type: ignore[override]
        if isinstance(exception, self.exceptions_to_retry) and not request.meta.get(
            "dont_retry", False
        ):
            return self._retry(request, exception)
        return None

    def _retry(
        self, request: Request, reason: Any, response: Response | None = None
    ) -> Request | None:
        """Scrapy's retry request (None once the retries are spent), held back by the backoff."""
        retry = get_retry_request(
            request,
            reason=reason,
            spider=self._spider(),
            max_retry_times=self._max_times(request),
            priority_adjust=self.priority_adjust,
        )
        if retry is not None:
            self._schedule(retry, self.backoff(request, response), request)
        return retry

    def _schedule(self, retry: Request, delay: float, original: Request) -> None:
        retry.meta[_WAIT_UNTIL] = time.time() + delay
        self._slow_slot(original, delay)
        logger.info("Retrying %s in %.1f s", original.url, delay)

    def _slow_slot(self, request: Request, delay: float) -> None:
        """Make the site's download slot at least as slow as the server asked, for that long.

        The slot's own delay comes back once the wait is over: one ``Retry-After: 120``
        must not slow the rest of the crawl to a page every two minutes.
        """
        engine = getattr(self.crawler, "engine", None)
        downloader = getattr(engine, "downloader", None)
        if downloader is None:
            return
        key = request.meta.get("download_slot") or downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        if slot is None:
            return
        wanted = min(max(slot.delay, delay), self.max_delay)
        if wanted <= slot.delay:
            return
        normal = self._normal_delays.setdefault(key, slot.delay)
        slot.delay = wanted
        until = time.monotonic() + delay
        self._slowed_until[key] = max(self._slowed_until.get(key, 0.0), until)
        call_later(delay, self._restore_slot, downloader, key, normal)

    def _restore_slot(self, downloader: Any, key: str, normal: float) -> None:
        """Give a slot its normal delay back once the last backoff on it has passed."""
        if time.monotonic() < self._slowed_until.get(key, 0.0) - 0.01:
            return  # a later retry slowed it for longer; its own call restores it
        self._normal_delays.pop(key, None)
        self._slowed_until.pop(key, None)
        slot = downloader.slots.get(key)
        if slot is not None:
            slot.delay = normal

    async def process_request(self, request: Request) -> None:
        """Hold a retried request until its backoff has passed."""
        wait = float(request.meta.get(_WAIT_UNTIL, 0)) - time.time()
        if wait > 0:
            from twisted.internet import reactor  # the one the crawl installed

            await maybe_deferred_to_future(task.deferLater(reactor, wait, lambda: None))

    def _spider(self) -> Spider:
        spider = self.crawler.spider
        assert spider is not None, "retry outside a running crawl"
        return spider

    def _max_times(self, request: Request) -> int:
        return int(request.meta.get("max_retry_times", self.max_retry_times))
