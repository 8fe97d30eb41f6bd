"""Fail fast when the site does not answer at all, and say why in one line.

Until the site has answered once, a request that fails for a reason that is
about reaching the site (DNS, a refused or unroutable connection, a TLS
handshake, a timeout) counts as a *contact failure*. After
``ECSS_UNREACHABLE_AFTER`` of them (default 3: robots.txt and two retries,
each after at most a second) the crawl stops with the finish reason
``unreachable`` and the stat ``ecss/unreachable`` naming the host and the
cause, instead of retrying every request with growing waits. Once any
response has arrived, failures are ordinary ones again (retried, recorded).

These errors are expected conditions: the log gets one line for each, never a
traceback (:class:`ExpectedErrorFilter` strips the traceback Scrapy's
robots.txt middleware attaches to them).
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    NotConfigured,
)
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import error as tx_error

from ecss_crawler.middlewares.retry import BACKOFF_CAP
from ecss_crawler.outcome import UNREACHABLE_STAT

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

#: Loggers that attach tracebacks to download errors (expected conditions here).
NOISY_LOGGERS = ("scrapy.downloadermiddlewares.robotstxt", "scrapy.core.scraper")
UNREACHABLE_REASON = "unreachable"
#: Seconds a retry waits at most while the site has never answered.
FIRST_CONTACT_BACKOFF = 1.0


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error, its causes, and the failures wrapped by Twisted's ``ResponseFailed``."""
    seen: set[int] = set()
    todo = [error]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if current.__cause__ is not None:
            todo.append(current.__cause__)
        for reason in getattr(current, "reasons", None) or []:
            value = getattr(reason, "value", reason)
            if isinstance(value, BaseException):
                todo.append(value)


def _is_tls_error(error: BaseException) -> bool:
    if isinstance(error, ssl.SSLError):
        return True
    kind = type(error)
    return kind.__module__.startswith("OpenSSL") or "SSL" in kind.__name__


def _tls_detail(error: BaseException) -> str:
    """OpenSSL's reasons (``wrong version number``), else the error's text."""
    reasons = error.args[0] if error.args and isinstance(error.args[0], list) else None
    if reasons and all(isinstance(r, tuple) and r for r in reasons):
        return "; ".join(str(r[-1]) for r in reasons if r[-1])
    return str(error).strip()


def contact_failure(error: BaseException, port: int | None = None) -> str | None:
    """Why ``error`` means the site could not be reached, in words; None when it does not."""
    causes = list(_chain(error))
    for found in causes:
        if isinstance(found, (CannotResolveHostError, tx_error.DNSLookupError)):
            return "DNS lookup failed: the host name does not resolve (no network, or a wrong URL)"
        if isinstance(found, (DownloadConnectionRefusedError, tx_error.ConnectionRefusedError)):
            where = f" on port {port}" if port else ""
            return f"connection refused: nothing answers{where}"
        if isinstance(found, tx_error.NoRouteError):
            return "no route to the host (is the network down?)"
        if _is_tls_error(found):
            detail = _tls_detail(found)
            return "TLS handshake failed" + (f": {detail}" if detail else "")
        if isinstance(
            found, (DownloadTimeoutError, tx_error.TimeoutError, tx_error.TCPTimedOutError)
        ):
            return "timed out: no answer"
    for found in causes:
        if isinstance(found, (tx_error.ConnectError, tx_error.ConnectionLost)):
            detail = str(found).strip()
            return "could not connect" + (f": {detail}" if detail else "")
    return None


class ExpectedErrorFilter(logging.Filter):
    """Drop the traceback from log records about expected download errors."""

    def filter(self, record: logging.LogRecord) -> bool:
        info = record.exc_info
        if info and info[1] is not None and contact_failure(info[1]) is not None:
            record.exc_info = None
            record.exc_text = None
        return True


def quiet_expected_errors() -> None:
    """Install :class:`ExpectedErrorFilter` on the loggers that need it (once)."""
    for name in NOISY_LOGGERS:
        target = logging.getLogger(name)
        if not any(isinstance(f, ExpectedErrorFilter) for f in target.filters):
            target.addFilter(ExpectedErrorFilter())


class ReachabilityMiddleware:
    """Stop the crawl after a few contact failures while the site has never answered.

    Sits after the retry middleware in the chain (a higher order number), so it sees
    each download error first; the failure that reaches the limit is not retried.
    """

    def __init__(self, crawler: Crawler, limit: int) -> None:
        self.crawler = crawler
        self.limit = limit
        self.answered = False
        self.failures = 0
        self.stopped = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        limit = crawler.settings.getint("ECSS_UNREACHABLE_AFTER", 3)
        quiet_expected_errors()
        if limit <= 0:
            raise NotConfigured("ECSS_UNREACHABLE_AFTER is 0")
        return cls(crawler, limit)

    def process_response(self, request: Request, response: Response) -> Response:
        self.answered = True
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if self.answered:
            return
        parts = urlsplit(request.url)
        cause = contact_failure(exception, parts.port)
        if cause is None:
            return
        self.failures += 1
        if self.stopped:
            request.meta["dont_retry"] = True
            return
        logger.warning("Could not reach %s: %s", request.url, cause)
        if self.failures < self.limit:
            request.meta[BACKOFF_CAP] = FIRST_CONTACT_BACKOFF  # a blip, or nothing there?
            return
        request.meta["dont_retry"] = True
        self.stopped = True
        stats = self.crawler.stats
        assert stats is not None
        host = parts.hostname or parts.netloc
        stats.set_value(
            UNREACHABLE_STAT,
            {"host": host, "url": request.url, "cause": cause, "error": _describe(exception)},
        )
        logger.error(
            "SITE UNREACHABLE: %s: %s (%d attempts, no answer); stopping.",
            host,
            cause,
            self.failures,
        )
        engine = self.crawler.engine
        if engine is not None:
            deferred_from_coro(engine.close_spider_async(reason=UNREACHABLE_REASON))


def _describe(error: Any) -> str:
    message = str(error).strip()
    return f"{type(error).__name__}: {message}" if message else type(error).__name__
