"""Where a crawl writes the archive: a child process of its own, or a thread.

Storing an article costs CPU: the body's compression and hash, the search columns
(Arabic folding and stems), SQLite and its full-text index. On a writer thread in
the crawl's process that work competes with the crawl for the GIL: each time the
writer comes back from compression or SQLite it takes the GIL from the crawl's
thread, and the crawl ran at half the speed of a bare spider (docs/benchmarks.md).
:class:`ProcessWriter` runs the :class:`~ecss_crawler.archive.store.Archive` in a
child process (``python -m ecss_crawler.archive.writer``: a fresh interpreter, as
for document reading, with no copy of the crawl's reactor or threads); the crawl
only pickles each job onto a pipe, and the writes run on the other core.
:class:`ThreadWriter` is the in-process variant (``ECSS_ARCHIVE_PROCESS = False``).

Both run *jobs*: functions called as ``job(archive, *args, **kwargs)``, such as
``Archive.flush`` or :func:`ecss_crawler.archive.jobs.store_item`, one at a time
and in the order submitted; each call returns a :class:`~concurrent.futures.Future`
of the job's result or exception. A process writer's jobs and arguments must be
picklable; its child's log records are logged again in the crawl's process.

The child ignores SIGINT, SIGTERM and SIGHUP: a Ctrl-C in a terminal, or a service
manager stopping the whole group, reaches the crawl, which then finishes and closes
the archive in order. A child whose crawl dies sees the end of its input, commits
the articles written so far (each one was written atomically) and exits; a child
that dies fails every job that was waiting, as a storage error.
"""

from __future__ import annotations

import logging
import sys
from abc import ABC, abstractmethod
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from ecss_crawler.archive.db import ArchiveError
from ecss_crawler.archive.store import Archive
from ecss_crawler.childproc import ChildGone, ChildWorker, serve

logger = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")


class WriterGone(ArchiveError, ChildGone):
    """The archive writer process stopped before it answered (killed, out of memory)."""


class ArchiveHost:
    """The archive where the jobs run (in the child process, or on the writer thread)."""

    def __init__(self) -> None:
        self.archive: Archive | None = None

    def handle(self, message: tuple[Any, ...]) -> Any:
        """Carry out one message: ``("open", path, batch_size)``, ``("close",)``,
        ``("abandon",)`` or ``("job", function, args, kwargs)``."""
        kind = message[0]
        if kind == "open":
            self.archive = Archive(message[1], batch_size=message[2])
            return None
        if kind == "close":
            self.close()
            return None
        if kind == "abandon":
            self.abandon()
            return None
        if self.archive is None:
            raise ArchiveError("the archive is not open")
        function, args, kwargs = message[1:]
        return function(self.archive, *args, **kwargs)

    def close(self) -> None:
        """Commit the open batch and close (nothing happens if nothing is open)."""
        archive, self.archive = self.archive, None
        if archive is not None:
            archive.close()

    def abandon(self) -> None:
        """Close an archive whose storage failed, without committing.

        The failed write may have left its article half-done if even the rollback of
        its savepoint failed, so the open batch is rolled back as a whole (its articles
        are not in the archive, so the next crawl fetches them again); committed
        batches stay.
        """
        archive, self.archive = self.archive, None
        if archive is None:
            return
        connection = archive.db.conn
        try:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
        except Exception as error:  # the storage failed already; close what can be
            logger.debug("Rolling back after a storage error: %s", error)
        finally:
            connection.close()  # a transaction still open is rolled back here


class ArchiveWriter(ABC):
    """Runs archive jobs one at a time, in order, away from the crawl's thread."""

    def open(self, path: str, batch_size: int) -> Future[None]:
        """Open (create, migrate) the archive at ``path``."""
        return self._post(("open", str(Path(path).resolve()), batch_size))

    def submit(
        self, job: Callable[Concatenate[Archive, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> Future[T]:
        """Run ``job(archive, *args, **kwargs)`` after every job submitted before."""
        return self._post(("job", job, args, kwargs))

    def close(self) -> Future[None]:
        """Commit the open batch and close the archive."""
        return self._post(("close",))

    def abandon(self) -> Future[None]:
        """Roll back the open batch and close the archive (after a storage error)."""
        return self._post(("abandon",))

    @abstractmethod
    def _post(self, message: tuple[Any, ...]) -> Future[Any]: ...

    @abstractmethod
    def shutdown(self) -> None:
        """Wait for the jobs submitted, then stop (the archive is closed if still open)."""


class ThreadWriter(ArchiveWriter):
    """Jobs on one thread of this process (``ECSS_ARCHIVE_PROCESS = False``)."""

    def __init__(self) -> None:
        self.host = ArchiveHost()
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ecss-archive")
        self._stopped = False

    def _post(self, message: tuple[Any, ...]) -> Future[Any]:
        if self._stopped:
            future: Future[Any] = Future()
            future.set_exception(WriterGone("the archive writer stopped"))
            return future
        return self._thread.submit(self.host.handle, message)

    def shutdown(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._thread.submit(self.host.close)
        self._thread.shutdown(wait=True)


class ProcessWriter(ArchiveWriter):
    """Jobs in a child process (:class:`~ecss_crawler.childproc.ChildWorker`); see the
    module's docstring. A child that dies is not restarted: the archive's state died with
    it, so every later job fails with :class:`WriterGone`."""

    def __init__(self, log_level: int = logging.INFO, command: list[str] | None = None) -> None:
        """``command`` replaces the child's command line (tests use it)."""
        self.worker = ChildWorker(
            command or [sys.executable, "-m", __name__, str(log_level)],
            "archive writer",
            gone=WriterGone,
        )

    @property
    def pid(self) -> int | None:
        """The child's process id (None before the first job)."""
        return self.worker.pid

    def _post(self, message: tuple[Any, ...]) -> Future[Any]:
        return self.worker.post(message)

    def shutdown(self) -> None:
        self.worker.shutdown()


def main() -> None:
    """Entry point of the child process: messages on stdin, answers on stdout; at the end
    of input (the crawl closed it, or died), commit what was written and exit."""
    host = ArchiveHost()
    try:
        serve(host.handle, "archive writer", ArchiveError)
    finally:
        host.close()


if __name__ == "__main__":
    main()
