"""Crawl progress (log lines, plain lines or a live display) and the end-of-crawl summary."""

from __future__ import annotations

import logging
import sys
import time
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from ecss_crawler.outcome import outcome_for
from ecss_crawler.progress import LiveDisplay, RequestTally, Snapshot, plain_line
from ecss_crawler.report import summary, summary_text

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

logger = logging.getLogger("ecss_crawler.progress")

#: ``ECSS_PROGRESS_DISPLAY`` values: log lines (Scrapy's log), plain lines on stderr,
#: or a live display on stderr (a terminal).
DISPLAYS = ("log", "lines", "live")
#: Seconds between redraws of the live display.
LIVE_REFRESH = 0.5


class CrawlProgress:
    """Report progress every ``ECSS_PROGRESS_INTERVAL`` seconds, and the summary at the end.

    ``ECSS_PROGRESS_DISPLAY``: ``log`` (default) logs a line; ``lines`` writes the
    same line to stderr (when Scrapy's log goes to a file); ``live`` redraws a
    live display on stderr (``ecss-crawler`` chooses it on a terminal).
    """

    def __init__(
        self, crawler: Crawler, interval: float, display: str = "log", log_summary: bool = True
    ) -> None:
        if display not in DISPLAYS:
            logger.warning("ECSS_PROGRESS_DISPLAY=%r is not one of %s: log", display, DISPLAYS)
            display = "log"
        self.crawler = crawler
        self.interval = interval
        self.display = display
        self.log_summary = log_summary
        self.started = time.monotonic()
        self.tally = RequestTally()
        self.live: LiveDisplay | None = None
        self._loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        interval = crawler.settings.getfloat("ECSS_PROGRESS_INTERVAL", 30.0)
        if interval <= 0:
            raise NotConfigured("ECSS_PROGRESS_INTERVAL is 0")
        extension = cls(
            crawler,
            interval,
            str(crawler.settings.get("ECSS_PROGRESS_DISPLAY") or "log"),
            crawler.settings.getbool("ECSS_LOG_SUMMARY", True),
        )
        connect = crawler.signals.connect
        connect(extension.spider_opened, signal=signals.spider_opened)
        connect(extension.spider_closed, signal=signals.spider_closed)
        connect(extension.engine_stopped, signal=signals.engine_stopped)
        connect(extension.request_scheduled, signal=signals.request_scheduled)
        connect(extension.request_dropped, signal=signals.request_dropped)
        connect(extension.request_left_downloader, signal=signals.request_left_downloader)
        return extension

    # -- counting ----------------------------------------------------------------------------

    def request_scheduled(self, request: Request) -> None:
        self.tally.scheduled(request.meta)

    def request_dropped(self, request: Request) -> None:
        self.tally.dropped(request.meta)

    def request_left_downloader(self, request: Request) -> None:
        self.tally.left_downloader(request.meta)

    def snapshot(self) -> Snapshot:
        assert self.crawler.stats is not None
        stats = self.crawler.stats.get_stats()
        return Snapshot.read(self.tally, stats, time.monotonic() - self.started)

    def progress_line(self) -> str:
        """``progress: pages N/N, articles N/N known, failures N, rates, elapsed, left``."""
        return plain_line(self.snapshot())

    # -- reporting ---------------------------------------------------------------------------

    def spider_opened(self) -> None:
        self.started = time.monotonic()
        interval = self.interval
        if self.display == "live":
            site = getattr(self.crawler.spider, "base_url", "")
            self.live = LiveDisplay(sys.stderr, f"Crawling {site}")
            self.live.start()
            interval = min(interval, LIVE_REFRESH)
        self._loop = task.LoopingCall(self.report)
        self._loop.start(interval, now=False)

    def report(self) -> None:
        """One progress report, in the chosen display."""
        if self.live is not None:
            self.live.update(self.snapshot())
        elif self.display == "lines":
            sys.stderr.write(self.progress_line() + "\n")
            sys.stderr.flush()
        else:
            logger.info(self.progress_line())

    def spider_closed(self, reason: str) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self.report()
        if self.live is not None:
            self.live.stop()
            self.live = None
        if self.display != "log":
            logger.info(self.progress_line())  # the last figures in the log file too
        assert self.crawler.stats is not None
        stats = dict(self.crawler.stats.get_stats())
        stats.setdefault("finish_reason", reason)
        self.crawler.stats.set_value("ecss/summary", summary(stats))

    def engine_stopped(self) -> None:
        """Log the summary and the outcome once every component has had its say."""
        if not self.log_summary:
            return
        assert self.crawler.stats is not None
        stats: dict[str, Any] = dict(self.crawler.stats.get_stats())
        outcome = outcome_for(stats)
        text = summary_text(summary(stats))
        log = logger.info if outcome.code == 0 else logger.error
        log("\n%s\n%s", text, "\n".join(outcome.lines()))
