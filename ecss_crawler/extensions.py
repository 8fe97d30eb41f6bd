"""Crawl progress lines and the end-of-crawl summary."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from ecss_crawler.report import summary, summary_text

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger("ecss_crawler.progress")


class CrawlProgress:
    """Log a progress line every ``ECSS_PROGRESS_INTERVAL`` seconds and a summary at the end."""

    def __init__(self, crawler: Crawler, interval: float, log_summary: bool = True) -> None:
        self.crawler = crawler
        self.interval = interval
        self.log_summary = log_summary
        self.started = time.monotonic()
        self._loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        interval = crawler.settings.getfloat("ECSS_PROGRESS_INTERVAL", 30.0)
        if interval <= 0:
            raise NotConfigured("ECSS_PROGRESS_INTERVAL is 0")
        extension = cls(crawler, interval, crawler.settings.getbool("ECSS_LOG_SUMMARY", True))
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self) -> None:
        self.started = time.monotonic()
        self._loop = task.LoopingCall(self.log_progress)
        self._loop.start(self.interval, now=False)

    def progress_line(self) -> str:
        """``pages N, articles N, failures N, N pages/min``."""
        assert self.crawler.stats is not None
        stats = self.crawler.stats
        pages = int(stats.get_value("response_received_count", 0))
        articles = int(stats.get_value("ecss/articles_extracted", 0))
        failures = sum(
            int(stats.get_value(f"ecss/failures/{s}", 0)) for s in ("fetch", "extract", "store")
        )
        minutes = max((time.monotonic() - self.started) / 60, 1e-9)
        return (
            f"progress: pages {pages}, articles {articles}, failures {failures}, "
            f"{pages / minutes:.0f} pages/min, {articles / minutes:.0f} articles/min"
        )

    def log_progress(self) -> None:
        logger.info(self.progress_line())

    def spider_closed(self, reason: str) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self.log_progress()
        assert self.crawler.stats is not None
        stats = dict(self.crawler.stats.get_stats())
        stats.setdefault("finish_reason", reason)
        data = summary(stats)
        self.crawler.stats.set_value("ecss/summary", data)
        if self.log_summary:
            logger.info("\n%s", summary_text(data))
