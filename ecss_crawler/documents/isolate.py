"""Run document extraction in a child process with a time limit.

A hostile PDF can make any parser loop for a long time, exhaust memory or, in
native code, crash the process. The crawl must survive all three, so
:class:`IsolatedExtractor` sends each document to one long-lived child process
(``python -m ecss_crawler.documents.isolate``: a fresh interpreter, no copy of
the crawler's state, threads or reactor, and no re-import of the caller's
``__main__`` as ``multiprocessing`` would do) over a pipe, and waits at most
``timeout`` seconds. A child that takes longer is killed, one
that dies is noticed; either way the document becomes a
:class:`~ecss_crawler.documents.text.DocumentError` and the next document gets
a fresh child. The child's address space can also be capped (``memory_limit``).
"""

from __future__ import annotations

import subprocess
import sys
import threading
from multiprocessing.connection import Connection
from typing import Any

from ecss_crawler.childproc import child_connections, start_child
from ecss_crawler.documents.text import DocumentError, DocumentText, extract_document

#: Seconds one document may take before its child process is killed.
DEFAULT_TIMEOUT = 60.0
#: Address-space cap of the child process, in bytes (0: none).
DEFAULT_MEMORY_LIMIT = 2 * 1024**3


def _serve(conn_in: Connection, conn_out: Connection, memory_limit: int) -> None:
    """The child's loop: read ``(data, type, url, max_pages)``, answer with a result tuple."""
    if memory_limit:
        try:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
        except (ImportError, ValueError, OSError):  # not on this platform
            pass
    while True:
        try:
            job = conn_in.recv()
        except EOFError:
            return
        data, declared, url, max_pages = job
        try:
            found = extract_document(data, declared, url, max_pages=max_pages)
            result: tuple[str, Any] = ("ok", found)
        except DocumentError as error:
            result = ("error", str(error))
        except MemoryError:
            result = ("error", "ran out of memory while reading the document")
        except RecursionError:
            result = ("error", "nested too deeply to read (recursion limit)")
        except Exception as error:  # a library bug on odd input is still only this document's
            result = ("error", f"unreadable ({type(error).__name__}: {error})")
        conn_out.send(result)


class IsolatedExtractor:
    """Extract documents in a child process, killed after ``timeout`` seconds.

    Thread-safe (one document at a time). Call :meth:`close` at the end.
    """

    def __init__(
        self,
        timeout: float = DEFAULT_TIMEOUT,
        memory_limit: int = DEFAULT_MEMORY_LIMIT,
        max_pages: int | None = None,
        command: list[str] | None = None,
    ) -> None:
        """``command`` replaces the child's command line (tests use it to make a child die)."""
        from ecss_crawler.documents.text import DEFAULT_MAX_PAGES

        self.timeout = timeout
        self.memory_limit = memory_limit
        self.max_pages = max_pages or DEFAULT_MAX_PAGES
        self.command = command or [sys.executable, "-m", __name__, str(memory_limit)]
        self._process: subprocess.Popen[bytes] | None = None
        self._send: Connection | None = None
        self._recv: Connection | None = None
        self._lock = threading.Lock()

    def _start(self) -> tuple[Connection, Connection]:
        if self._process is not None and self._process.poll() is None:
            assert self._send is not None
            assert self._recv is not None
            return self._send, self._recv
        self._stop()
        process, self._send, self._recv = start_child(self.command)
        self._process = process
        return self._send, self._recv

    def extract(self, data: bytes, declared_type: str | None = None, url: str = "") -> DocumentText:
        """Like :func:`~ecss_crawler.documents.text.extract_document`, but isolated."""
        with self._lock:
            send, recv = self._start()
            try:
                send.send((data, declared_type, url, self.max_pages))
                if not recv.poll(self.timeout):
                    self._stop()
                    raise DocumentError(f"took longer than {self.timeout:g} s to read; stopped")
                status, value = recv.recv()
            except (EOFError, OSError):
                code = self._process.wait(5) if self._process is not None else None
                self._stop()
                raise DocumentError(f"the reader process died (exit code {code})") from None
        if status == "ok":
            assert isinstance(value, DocumentText)
            return value
        raise DocumentError(str(value))

    def _stop(self) -> None:
        for conn in (self._send, self._recv):
            if conn is not None:
                conn.close()
        if self._process is not None:
            if self._process.poll() is None:
                self._process.kill()
            self._process.wait(5)
        self._process, self._send, self._recv = None, None, None

    def close(self) -> None:
        """Stop the child process."""
        with self._lock:
            self._stop()


def main() -> None:
    """Entry point of the child process: serve jobs on stdin, answer on stdout."""
    conn_in, conn_out = child_connections()
    _serve(conn_in, conn_out, int(sys.argv[1]) if len(sys.argv) > 1 else 0)


if __name__ == "__main__":
    main()
