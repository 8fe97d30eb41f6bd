"""Child processes that serve a pipe: the archive writer, the page reader, the document reader.

Each is a fresh interpreter (``python -m module``), not a ``multiprocessing`` fork
or spawn: no copy of the crawl's reactor, threads or open files, and no re-import
of the caller's ``__main__``. Parent and child talk through
:class:`multiprocessing.connection.Connection` objects over the child's standard
input and output (pickled messages).

:class:`ChildWorker` is the parent's side of a child that answers every message in
order (:func:`serve`): messages are pickled on the caller's thread (an unpicklable
one fails there, at once), a sender thread writes them to the pipe (the caller
never waits for the child) and a receiver thread reads the answers, resolving one
:class:`~concurrent.futures.Future` per message. The child's log records are logged
again in the parent. A child that dies fails every message still waiting with
:class:`ChildGone`, never a hang.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import pickle
import queue
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from multiprocessing.connection import Connection
from typing import Any

logger = logging.getLogger(__name__)

#: Signals a child ignores: a Ctrl-C in a terminal, or a service manager stopping the
#: whole group, goes to the crawl, which then stops its children in order.
STOP_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")
#: Bytes a pipe to or from a child may hold (Linux's default limit for a process).
PIPE_BUFFER = 1 << 20
#: Seconds a stopping child may take to finish and exit before it is killed.
STOP_TIMEOUT = 60.0


class ChildGone(RuntimeError):
    """The child process stopped before it answered (killed, crashed, out of memory)."""


def start_child(command: list[str]) -> tuple[subprocess.Popen[bytes], Connection, Connection]:
    """Start ``command``; return the process, the connection to send on and the one to
    receive from."""
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        close_fds=True,
        env=_child_environment(),
    )
    assert process.stdin is not None
    assert process.stdout is not None
    for pipe in (process.stdin, process.stdout):
        _widen(pipe.fileno())
    send = Connection(os.dup(process.stdin.fileno()), readable=False)
    receive = Connection(os.dup(process.stdout.fileno()), writable=False)
    process.stdin.close()
    process.stdout.close()
    return process, send, receive


def _child_environment() -> dict[str, str]:
    """This environment, with ``PYTHONPATH`` set to this process's ``sys.path``: the child
    imports the same code, also where the project was put on the path at run time (a
    Scrapyd egg) rather than installed."""
    paths = [path for path in sys.path if path]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


def _widen(fd: int) -> None:
    """Give a pipe a 1 MiB buffer (Linux; 64 KiB otherwise), so a page and its record
    pass in one write instead of a dozen that each wait for the other side to read."""
    with contextlib.suppress(AttributeError, OSError):
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BUFFER)


def child_connections() -> tuple[Connection, Connection]:
    """In the child: ignore the stop signals and return the connections to receive from
    and to send on. Standard output then goes to standard error, so a library that
    prints cannot corrupt the answers."""
    for name in STOP_SIGNALS:
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_IGN)
    receive = Connection(os.dup(0), writable=False)
    send = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)
    return receive, send


class ChildWorker:
    """The parent's side of one child serving messages (see the module's docstring).

    ``gone`` makes the exception for messages the child can no longer answer. With
    ``restart``, the next message after the child's death starts a new child;
    otherwise every later message fails at once. With ``timeout``, a child that has
    work and answers nothing for that many seconds is killed (its messages fail).
    """

    def __init__(
        self,
        command: list[str],
        name: str,
        gone: Callable[[str], Exception] = ChildGone,
        restart: bool = False,
        timeout: float | None = None,
    ) -> None:
        self.command = command
        self.name = name
        self.gone = gone
        self.restart = restart
        self.timeout = timeout
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._waiting: deque[Future[Any]] = deque()
        self._outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._failure: str | None = None
        self._stopping = False

    @property
    def pid(self) -> int | None:
        """The current child's process id (None before the first message)."""
        return self._process.pid if self._process is not None else None

    def post(self, message: object) -> Future[Any]:
        """Send ``message``; the future gets the child's answer (or its exception)."""
        payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        future: Future[Any] = Future()
        with self._lock:
            if self._stopping or (self._failure is not None and not self.restart):
                future.set_exception(self.gone(self._failure or f"the {self.name} stopped"))
                return future
            if self._process is None:
                self._start()
            self._waiting.append(future)
            self._outbox.put(payload)
        return future

    def _start(self) -> None:
        """Start a child and its two threads (called with the lock held)."""
        process, send, receive = start_child(self.command)
        self._process, self._failure = process, None
        outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        waiting: deque[Future[Any]] = deque()
        self._outbox, self._waiting = outbox, waiting
        self._threads = [
            threading.Thread(
                target=self._send_loop, args=(send, outbox), name=f"{self.name}-send", daemon=True
            ),
            threading.Thread(
                target=self._receive_loop,
                args=(receive, process, waiting),
                name=f"{self.name}-receive",
                daemon=True,
            ),
        ]
        for thread in self._threads:
            thread.start()

    @staticmethod
    def _send_loop(send: Connection, outbox: queue.SimpleQueue[bytes | None]) -> None:
        with send:  # closing it is the child's end of input: it finishes and exits
            while (payload := outbox.get()) is not None:
                try:
                    send.send_bytes(payload)
                except OSError:
                    return  # the child is gone: the receiver reports it

    def _receive_loop(
        self,
        receive: Connection,
        process: subprocess.Popen[bytes],
        waiting: deque[Future[Any]],
    ) -> None:
        timed_out = ready = False
        since = time.monotonic()  # when the child last answered, or was last idle
        with receive:
            while True:
                if self.timeout is not None and not receive.poll(min(self.timeout, 0.5)):
                    with self._lock:
                        busy = bool(waiting)
                    now = time.monotonic()
                    if not busy or not ready:  # idle, or still starting (imports)
                        since = now
                    elif now - since > self.timeout and not timed_out:
                        timed_out = True
                        process.kill()  # its output then ends
                    continue
                try:
                    answer = receive.recv()
                except (EOFError, OSError):
                    break
                if answer[0] == "log":
                    _, level, name, text = answer
                    logging.getLogger(name).log(level, "%s", text)
                    continue
                since = time.monotonic()
                if answer[0] == "ready":
                    ready = True
                    continue
                with self._lock:
                    future = waiting.popleft()
                if answer[0] == "ok":
                    future.set_result(answer[1])
                else:
                    future.set_exception(answer[1])
        self._child_gone(process, waiting, timed_out)

    def _child_gone(
        self, process: subprocess.Popen[bytes], waiting: deque[Future[Any]], timed_out: bool
    ) -> None:
        """The child's output ended: fail every message still waiting for it."""
        try:
            code = process.wait(STOP_TIMEOUT if self._stopping else 5)
        except subprocess.TimeoutExpired:
            code = None
        with self._lock:
            failure = f"the {self.name} process stopped (exit code {code})"
            if timed_out:
                failure = f"the {self.name} process took over {self.timeout:g} s: stopped"
            if self._process is process:
                if waiting or not self._stopping:
                    self._failure = failure
                self._process = None
                if self.restart and not self._stopping:
                    self._outbox.put(None)  # the dead child's sender stops
            left = list(waiting)
            waiting.clear()
        for future in left:
            future.set_exception(self.gone(failure))

    def shutdown(self) -> None:
        """Let the child answer what was sent, then stop it (killed if it does not stop)."""
        with self._lock:
            if self._stopping:
                return
            self._stopping = True
            process, threads = self._process, self._threads
            self._outbox.put(None)
        if process is None:
            return
        for thread in threads:
            thread.join(STOP_TIMEOUT)
        if process.poll() is None:
            logger.warning("The %s process did not stop; killing it", self.name)
            process.kill()
            process.wait(5)


# -- the child's side ------------------------------------------------------------------------


def send_message(connection: Connection, message: object) -> None:
    """``connection.send(message)`` with the plain pickler: ``Connection.send`` makes a
    ``ForkingPickler``, which copies the whole reducer table for every message."""
    connection.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))


class _ForwardLogs(logging.Handler):
    """Send the child's log records to the parent (as ``("log", ...)`` answers)."""

    def __init__(self, connection: Connection, level: int) -> None:
        super().__init__(level)
        self.connection = connection

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + "".join(traceback.format_exception(*record.exc_info)).rstrip()
        with contextlib.suppress(OSError, ValueError):  # the parent is gone: nobody reads it
            send_message(self.connection, ("log", record.levelno, record.name, text))


def portable(
    error: Exception, where: str, fallback: Callable[[str], Exception] = RuntimeError
) -> Exception:
    """``error`` as it can cross the pipe, with the child's traceback as a note (``fallback``
    with its name and message when it cannot be pickled)."""
    error.add_note(f"In the {where} process:\n" + "".join(traceback.format_exception(error)))
    try:
        copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes, just made
    except Exception:
        copy = fallback(f"{type(error).__name__}: {error}")
    assert isinstance(copy, Exception)
    return copy


def serve(
    handle: Callable[[Any], Any], where: str, fallback: Callable[[str], Exception] = RuntimeError
) -> None:
    """The child's loop on standard input and output: say ``("ready",)``, then answer each
    message with ``("ok", handle(message))`` or ``("error", exception)``, forward log
    records, return at the end of input. ``sys.argv[1]``, when given, is the log level to
    forward."""
    receive, send = child_connections()
    level = int(sys.argv[1]) if len(sys.argv) > 1 else logging.INFO
    root = logging.getLogger()
    root.setLevel(level)
    root.addHandler(_ForwardLogs(send, level))
    send_message(send, ("ready",))  # imports done: the parent's time limit starts counting
    while True:
        try:
            message = receive.recv()
        except EOFError:
            return
        try:
            answer: tuple[str, Any] = ("ok", handle(message))
        except Exception as error:
            answer = ("error", portable(error, where, fallback))
        send_message(send, answer)
