"""Scrapy's scheduler with the request frontier on disk, with or without ``JOBDIR``.

A site's sitemaps name every article at once, so a full crawl schedules tens of
thousands of requests long before it fetches them. Scrapy keeps those in memory
unless ``JOBDIR`` is set, which makes the crawl's memory peak grow with the size
of the site. :class:`DiskFrontierScheduler` gives every crawl a scratch
directory for Scrapy's own disk queues (removed when the crawl closes), so the
frontier costs disk, not memory. With ``JOBDIR`` it behaves exactly like
Scrapy's scheduler (the queue lives there and survives for resuming).

Settings: ``ECSS_DISK_FRONTIER`` (default on) and ``ECSS_FRONTIER_DIR`` (where
scratch directories go; default: the system temporary directory). A crawl killed
outright (SIGKILL, power loss) cannot remove its scratch directory; the next crawl
using the same place removes it, since its name holds the PID of a process that is gone.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from scrapy.core.scheduler import Scheduler
from scrapy.dupefilters import BaseDupeFilter
from twisted.internet.defer import Deferred

SCRATCH_PREFIX = "ecss-frontier-"


class DiskFrontierScheduler(Scheduler):
    """Keeps scheduled requests in Scrapy's disk queues, in a scratch directory when
    no ``JOBDIR`` is given. Requests that cannot be serialized stay in memory, as
    in Scrapy."""

    def __init__(
        self, dupefilter: BaseDupeFilter, jobdir: str | None = None, **kwargs: Any
    ) -> None:
        crawler = kwargs.get("crawler")
        self.scratch_dir: str | None = None
        if not jobdir and crawler is not None and crawler.settings.getbool("ECSS_DISK_FRONTIER"):
            parent = crawler.settings.get("ECSS_FRONTIER_DIR") or tempfile.gettempdir()
            remove_orphans(parent)
            prefix = f"{SCRATCH_PREFIX}{os.getpid()}-"
            self.scratch_dir = tempfile.mkdtemp(prefix=prefix, dir=parent)
            jobdir = self.scratch_dir
        super().__init__(dupefilter, jobdir=jobdir, **kwargs)

    def close(self, reason: str) -> Deferred[None] | None:
        """Close the queues, then remove the scratch directory (never a ``JOBDIR``)."""
        try:
            return super().close(reason)
        finally:
            if self.scratch_dir is not None:
                shutil.rmtree(self.scratch_dir, ignore_errors=True)


def remove_orphans(parent: str) -> list[Path]:
    """Remove the scratch directories under ``parent`` whose crawl process is gone."""
    removed = []
    for path in Path(parent).glob(f"{SCRATCH_PREFIX}*"):
        owner = path.name[len(SCRATCH_PREFIX) :].split("-", 1)[0]
        if path.is_dir() and owner.isdigit() and not _process_alive(int(owner)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True
