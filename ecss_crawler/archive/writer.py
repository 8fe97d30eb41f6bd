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

import contextlib
import logging
import os
import pickle
import queue
import signal
import subprocess
import sys
import threading
import traceback
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from ecss_crawler.archive.db import ArchiveError
from ecss_crawler.archive.store import Archive

logger = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

#: Seconds a stopping child may take to commit and exit before it is killed.
STOP_TIMEOUT = 60.0


class WriterGone(ArchiveError):
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
    """Jobs in a child process; see the module's docstring.

    Jobs are pickled on the caller's thread (an unpicklable job fails there, at
    once); a sender thread writes them to the child's pipe, so the caller never
    waits for the child, and a receiver thread reads the answers, which come in the
    order the jobs were sent.
    """

    def __init__(self, log_level: int = logging.INFO, command: list[str] | None = None) -> None:
        """``command`` replaces the child's command line (tests use it)."""
        self.command = command or [sys.executable, "-m", __name__, str(log_level)]
        self._lock = threading.Lock()
        self._waiting: deque[Future[Any]] = deque()
        self._outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._process: subprocess.Popen[bytes] | None = None
        self._send: Connection | None = None
        self._threads: list[threading.Thread] = []
        self._failure: str | None = None
        self._stopping = False

    @property
    def pid(self) -> int | None:
        """The child's process id (None before the first job)."""
        return self._process.pid if self._process is not None else None

    def _start(self) -> None:
        process = subprocess.Popen(
            self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, close_fds=True
        )
        assert process.stdin is not None
        assert process.stdout is not None
        self._send = Connection(os.dup(process.stdin.fileno()), readable=False)
        receive = Connection(os.dup(process.stdout.fileno()), writable=False)
        process.stdin.close()
        process.stdout.close()
        self._process = process
        self._threads = [
            threading.Thread(target=self._send_loop, name="ecss-archive-send", daemon=True),
            threading.Thread(
                target=self._receive_loop, args=(receive,), name="ecss-archive-receive", daemon=True
            ),
        ]
        for thread in self._threads:
            thread.start()

    def _post(self, message: tuple[Any, ...]) -> Future[Any]:
        payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        future: Future[Any] = Future()
        with self._lock:
            if self._failure is None and not self._stopping and self._process is None:
                self._start()
            if self._failure is not None or self._stopping:
                future.set_exception(WriterGone(self._failure or "the archive writer stopped"))
                return future
            self._waiting.append(future)
            self._outbox.put(payload)
        return future

    def _send_loop(self) -> None:
        assert self._send is not None
        while (payload := self._outbox.get()) is not None:
            try:
                self._send.send_bytes(payload)
            except OSError:
                return  # the child is gone: the receiver reports it
        self._send.close()  # the child's end of input: it commits, closes and exits

    def _receive_loop(self, receive: Connection) -> None:
        with receive:
            while True:
                try:
                    answer = receive.recv()
                except (EOFError, OSError):
                    break
                if answer[0] == "log":
                    _, level, name, text = answer
                    logging.getLogger(name).log(level, "%s", text)
                    continue
                with self._lock:
                    future = self._waiting.popleft()
                if answer[0] == "ok":
                    future.set_result(answer[1])
                else:
                    future.set_exception(answer[1])
        self._child_gone()

    def _child_gone(self) -> None:
        """Fail every job still waiting: the child's output ended."""
        code = None
        if self._process is not None:
            try:
                code = self._process.wait(STOP_TIMEOUT if self._stopping else 5)
            except subprocess.TimeoutExpired:
                code = None
        with self._lock:
            if self._waiting or not self._stopping:
                self._failure = f"the archive writer process stopped (exit code {code})"
            waiting, self._waiting = list(self._waiting), deque()
        for future in waiting:
            future.set_exception(WriterGone(self._failure or "the archive writer stopped"))

    def shutdown(self) -> None:
        with self._lock:
            if self._stopping:
                return
            self._stopping = True
        if self._process is None:
            return
        self._outbox.put(None)
        for thread in self._threads:
            thread.join(STOP_TIMEOUT)
        if self._process.poll() is None:
            logger.warning("The archive writer process did not stop; killing it")
            self._process.kill()
            self._process.wait(5)


# -- the child process -----------------------------------------------------------------------


class _ForwardLogs(logging.Handler):
    """Send the child's log records to the crawl's process (as ``("log", ...)`` answers)."""

    def __init__(self, connection: Connection, level: int) -> None:
        super().__init__(level)
        self.connection = connection

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + "".join(traceback.format_exception(*record.exc_info)).rstrip()
        with contextlib.suppress(OSError, ValueError):  # the crawl is gone: nobody reads it
            self.connection.send(("log", record.levelno, record.name, text))


def _portable(error: Exception) -> Exception:
    """``error`` as it can cross the pipe, with the child's traceback as a note."""
    error.add_note("In the archive writer process:\n" + "".join(traceback.format_exception(error)))
    try:
        copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes, just made
    except Exception:
        copy = ArchiveError(f"{type(error).__name__}: {error}")
    assert isinstance(copy, Exception)
    return copy


def serve(receive: Connection, send: Connection) -> None:
    """The child's loop: carry out each message, answer ``("ok", value)`` or
    ``("error", exception)``; at the end of input, commit and close."""
    host = ArchiveHost()
    try:
        while True:
            try:
                message = receive.recv()
            except EOFError:
                break
            try:
                answer: tuple[str, Any] = ("ok", host.handle(message))
            except Exception as error:
                answer = ("error", _portable(error))
            send.send(answer)
    finally:
        host.close()


def main() -> None:
    """Entry point of the child process: messages on stdin, answers on stdout."""
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_IGN)
    receive = Connection(os.dup(0), writable=False)
    send = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)  # a library that prints must not corrupt the answer channel
    level = int(sys.argv[1]) if len(sys.argv) > 1 else logging.INFO
    root = logging.getLogger()
    root.setLevel(level)
    root.addHandler(_ForwardLogs(send, level))
    serve(receive, send)


if __name__ == "__main__":
    main()
