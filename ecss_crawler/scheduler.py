"""Scrapy's scheduler with the request frontier on disk, with or without ``JOBDIR``.

A site's sitemaps name every article at once, so a full crawl schedules tens of
thousands of requests long before it fetches them. Scrapy keeps those in memory
unless ``JOBDIR`` is set, which makes the crawl's memory peak grow with the size
of the site. :class:`DiskFrontierScheduler` gives every crawl a scratch
directory for Scrapy's own disk queues (removed when the crawl closes), so the
frontier costs disk, not memory. With ``JOBDIR`` it behaves exactly like
Scrapy's scheduler (the queue lives there and survives for resuming).

Settings: ``ECSS_DISK_FRONTIER`` (default on), ``ECSS_FRONTIER_DIR`` (where
scratch directories go, created if missing; default: the system temporary
directory, which some systems keep in memory: point it at a disk there) and
``ECSS_FRONTIER_MEMORY``: with a scratch directory, requests stay in memory
while fewer than this many wait there, and only the overflow goes to disk (a
disk push and pop costs a serialization and several system calls, and a queue
that keeps emptying and refilling its priority level costs a directory made and
removed each time). With ``JOBDIR`` every request goes to disk, as in Scrapy.

:class:`RequestDiskQueue` is Scrapy's pickled LIFO disk queue, serializing a
request without Scrapy's scan of every spider attribute to name its callback.

A crawl holds an exclusive ``flock`` on ``owner.lock`` inside its scratch directory
for as long as it runs; the operating system drops it when the process dies, even
by SIGKILL. A crawl starting in the same place removes every scratch directory
whose lock it can take: those of crawls that are gone, never a running one's (in
any PID namespace sharing the directory).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from scrapy import Request, Spider
from scrapy.core.scheduler import Scheduler
from scrapy.dupefilters import BaseDupeFilter
from scrapy.squeues import PickleLifoDiskQueue
from twisted.internet.defer import Deferred

from ecss_crawler.archive.lock import ArchiveLock

logger = logging.getLogger(__name__)

SCRATCH_PREFIX = "ecss-frontier-"
#: ``ecss-frontier-<pid>-<random>``: only directories named so are ever removed.
_SCRATCH_NAME = re.compile(rf"^{SCRATCH_PREFIX}[0-9]+-[A-Za-z0-9_]+$")
#: A scratch directory gets its final name only once its owner holds the lock.
_UNLOCKED_PREFIX = ".ecss-frontier-new-"


class DiskFrontierScheduler(Scheduler):
    """Keeps scheduled requests in Scrapy's disk queues, in a scratch directory when
    no ``JOBDIR`` is given. Requests that cannot be serialized stay in memory, as
    in Scrapy; so does the whole frontier when no scratch directory can be made."""

    def __init__(
        self, dupefilter: BaseDupeFilter, jobdir: str | None = None, **kwargs: Any
    ) -> None:
        crawler = kwargs.get("crawler")
        self.scratch_dir: str | None = None
        self._owner_lock: ArchiveLock | None = None
        #: Requests kept in memory before the disk is used (only without JOBDIR).
        self.memory_limit = 0
        if not jobdir and crawler is not None and crawler.settings.getbool("ECSS_DISK_FRONTIER"):
            parent = crawler.settings.get("ECSS_FRONTIER_DIR") or tempfile.gettempdir()
            jobdir = self._make_scratch(Path(parent))
            if jobdir is not None:
                self.memory_limit = crawler.settings.getint("ECSS_FRONTIER_MEMORY", 1000)
        super().__init__(dupefilter, jobdir=jobdir, **kwargs)

    def _dqpush(self, request: Request) -> bool:
        """To disk only once ``memory_limit`` requests wait in memory (False: memory)."""
        if self.memory_limit and len(self.mqs) < self.memory_limit:
            return False
        return bool(super()._dqpush(request))

    def _make_scratch(self, parent: Path) -> str | None:
        """A new, locked scratch directory under ``parent``; None (with a warning) if the
        place is not writable."""
        try:
            parent.mkdir(parents=True, exist_ok=True)
            remove_orphans(parent)
            fresh = Path(tempfile.mkdtemp(prefix=_UNLOCKED_PREFIX, dir=parent))
            lock = ArchiveLock(fresh / "owner")
            lock.acquire()  # a directory nobody else knows of yet: always free
            scratch = (
                parent / f"{SCRATCH_PREFIX}{os.getpid()}-{fresh.name[len(_UNLOCKED_PREFIX) :]}"
            )
            fresh.rename(scratch)
        except OSError as error:
            logger.warning(
                "request queue kept in memory: no scratch directory in %s (%s)", parent, error
            )
            return None
        self.scratch_dir, self._owner_lock = str(scratch), lock
        return self.scratch_dir

    def close(self, reason: str) -> Deferred[None] | None:
        """Close the queues, then remove the scratch directory (never a ``JOBDIR``)."""
        try:
            return super().close(reason)
        finally:
            if self.scratch_dir is not None:
                shutil.rmtree(self.scratch_dir, ignore_errors=True)
            if self._owner_lock is not None:
                self._owner_lock.release()


class RequestDiskQueue(PickleLifoDiskQueue):  # type: ignore[misc,valid-type]
    """``scrapy.squeues.PickleLifoDiskQueue`` (same files, same resumable format) whose
    requests are turned into dicts by :func:`request_to_dict`."""

    def push(self, request: Request) -> None:
        # Skip PickleLifoDiskQueue.push (Request.to_dict) for the pickling queue below it.
        super(PickleLifoDiskQueue, self).push(request_to_dict(request, self.spider))  # type: ignore[misc]


def request_to_dict(request: Request, spider: Spider) -> dict[str, Any]:
    """``request.to_dict(spider=spider)``, naming a callback or errback that is a method
    of the spider by its own name (checked) instead of Scrapy's ``inspect.getmembers``
    over the spider, which evaluates every attribute and property it has."""
    callback = _method_name(spider, request.callback)
    errback = _method_name(spider, request.errback)
    if callback is None or errback is None:
        return dict(request.to_dict(spider=spider))
    data: dict[str, Any] = {
        "url": request.url,
        "callback": callback or None,
        "errback": errback or None,
        "headers": dict(request.headers),
    }
    for attribute in request.attributes:
        data.setdefault(attribute, getattr(request, attribute))
    if type(request) is not Request:
        data["_class"] = type(request).__module__ + "." + type(request).__name__
    return data


def _method_name(spider: Spider, method: Any) -> str | None:
    """The spider attribute naming bound ``method`` ('' for no method; None: not found)."""
    if method is None:
        return ""
    function = getattr(method, "__func__", None)
    if function is None or getattr(method, "__self__", None) is not spider:
        return None
    name = str(function.__name__)
    found = getattr(spider, name, None)
    return name if getattr(found, "__func__", None) is function else None


def remove_orphans(parent: Path) -> list[Path]:
    """Remove the scratch directories under ``parent`` that no running crawl holds."""
    removed = []
    for path in parent.glob(f"{SCRATCH_PREFIX}*"):
        if not _SCRATCH_NAME.match(path.name) or path.is_symlink() or not path.is_dir():
            continue
        lock = ArchiveLock(path / "owner")
        try:
            if not lock.acquire():
                continue  # its crawl is running
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
        except OSError:
            continue
        finally:
            lock.release()
    return removed
