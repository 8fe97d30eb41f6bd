"""A diagnostic Scrapy extension: log live Request/Response/Selector counts and RSS every 2 s.

Enable it on a benchmark crawl to see what holds memory::

    -s 'EXTENSIONS={"ecss_crawler.extensions.CrawlProgress": 500,
                    "ecss_crawler.monitoring.LayoutAlarm": 510,
                    "benchmarks.support.liverefs.LiveRefs": 900}'

(run from the repository root so ``benchmarks`` is importable). Uses Scrapy's own
``trackref`` bookkeeping, which is always on.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from scrapy import signals
from scrapy.utils.trackref import live_refs
from twisted.internet import task

logger = logging.getLogger("ecss_bench.liverefs")


class LiveRefs:
    """Every 2 s: RSS, scheduler queue length and live object counts by class."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.loop = task.LoopingCall(self.log)

    @classmethod
    def from_crawler(cls, crawler: Any) -> LiveRefs:
        extension = cls(crawler)
        crawler.signals.connect(extension.opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.closed, signal=signals.spider_closed)
        return extension

    def opened(self) -> None:
        self.loop.start(2.0, now=False)

    def closed(self) -> None:
        if self.loop.running:
            self.loop.stop()

    def log(self) -> None:
        with open(f"/proc/{os.getpid()}/status", encoding="ascii") as status:
            rss = next(int(line.split()[1]) // 1024 for line in status if line.startswith("VmRSS"))
        counts = {cls.__name__: len(refs) for cls, refs in live_refs.items() if refs}
        scheduler = getattr(self.crawler.engine, "scheduler", None)
        queued = len(scheduler) if scheduler is not None else -1
        logger.info("liverefs rss=%dMB queued=%d %s", rss, queued, counts)
