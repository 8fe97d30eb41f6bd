"""Serve a replica site over real HTTP on the loopback interface, with a request log and faults.

>>> with serve_replica(ReplicaConfig(n_articles=20)) as server:
...     urllib.request.urlopen(server.base_url + "robots.txt").status
200

The server binds first (port 0 picks a free port), then the site is built with
the real base URL, so every absolute link on every page points back at it.
"""

from __future__ import annotations

import gzip
import socket
import struct
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from ecss_crawler.replica.faults import Fault
from ecss_crawler.replica.model import ReplicaConfig, Response
from ecss_crawler.replica.site import ReplicaSite

LOGGED_HEADERS = (
    "User-Agent",
    "Accept-Encoding",
    "If-None-Match",
    "If-Modified-Since",
    "Referer",
    "Host",
    "Cookie",
)
_COMPRESSIBLE = (
    "text/html",
    "application/xml",
    "application/rss+xml",
    "application/json",
    "text/plain",
)


def _is_loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")


@dataclass(frozen=True)
class RequestRecord:
    """One request the server answered."""

    method: str
    target: str
    path: str
    headers: dict[str, str]
    status: int
    time: float
    duration: float
    fault: str = ""


@dataclass
class RequestLog:
    """A thread-safe list of :class:`RequestRecord`, in arrival order."""

    _records: list[RequestRecord] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def append(self, record: RequestRecord) -> None:
        """Add one record."""
        with self._lock:
            self._records.append(record)

    def clear(self) -> None:
        """Forget every record."""
        with self._lock:
            self._records.clear()

    def snapshot(self) -> list[RequestRecord]:
        """A copy of the records so far."""
        with self._lock:
            return list(self._records)

    def __iter__(self) -> Iterator[RequestRecord]:
        return iter(self.snapshot())

    def __len__(self) -> int:
        with self._lock:
            return len(self._records)

    def __getitem__(self, item: int) -> RequestRecord:
        with self._lock:
            return self._records[item]

    def targets(self) -> list[str]:
        """Request targets (path and query) in order."""
        return [record.target for record in self.snapshot()]

    def count(self, path: str) -> int:
        """How many requests asked for ``path`` (compared decoded, with or without the query)."""
        wanted = unquote(path)
        return sum(
            1 for r in self.snapshot() if unquote(r.path) == wanted or unquote(r.target) == wanted
        )


class _Exchange:
    """The server side of one request: what :class:`Fault` objects act through."""

    def __init__(self, handler: _Handler, target: str, head: bool) -> None:
        self.handler = handler
        self.server = handler.replica
        self.base_url = self.server.base_url
        self.method = handler.command
        self.target = target
        self.head = head
        self.started = time.time()
        self.fault: Fault | None = None
        self.status = 0
        self.logged = False
        self.headers = dict(handler.headers.items())

    def render(self, target: str | None = None) -> Response:
        """The site's normal answer (for ``target``, default this request's)."""
        return self.server.site.render(target or self.target, self.headers)

    def _maybe_gzip(self, response: Response) -> Response:
        """Compress HTML and XML for clients that accept gzip (the ETag gets Apache's suffix)."""
        kind = response.header("Content-Type") or ""
        accepts = "gzip" in self.handler.headers.get("Accept-Encoding", "").lower()
        etag = response.header("ETag")
        if response.status == 304 and accepts and self.server.gzip and etag:
            return Response(304, {**response.headers, "ETag": etag[:-1] + '-gzip"'}, b"")
        if not kind.startswith(_COMPRESSIBLE) or response.header("Content-Encoding"):
            return response
        headers = {**response.headers, "Vary": "Accept-Encoding"}
        if not (self.server.gzip and accepts and response.body):
            return Response(response.status, headers, response.body)
        headers["Content-Encoding"] = "gzip"
        if etag:
            headers["ETag"] = etag[:-1] + '-gzip"'
        return Response(response.status, headers, gzip.compress(response.body, 6, mtime=0))

    def send_headers(self, response: Response, length: int) -> None:
        """Status line and headers, with ``Content-Length: length``.

        The request is logged here, before the body goes out, so that a client that has
        read its response always finds the request in the log.
        """
        self.status = response.status
        self.server.log(self)
        handler = self.handler
        handler.send_response(response.status)
        for key, value in response.headers.items():
            if key.lower() != "content-length":
                handler.send_header(key, value)
        handler.send_header("Content-Length", str(length))
        handler.end_headers()

    def send(
        self,
        response: Response,
        *,
        compress: bool = True,
        declared_length: int | None = None,
        body_limit: int | None = None,
    ) -> int:
        """Send a response; see :class:`ecss_crawler.replica.faults.Exchange`."""
        if compress:
            response = self._maybe_gzip(response)
        body = response.body
        self.send_headers(response, len(body) if declared_length is None else declared_length)
        if not self.head and response.status not in (204, 304):
            self.write(body if body_limit is None else body[:body_limit])
        return response.status

    def write(self, data: bytes) -> None:
        """Raw body bytes."""
        self.handler.wfile.write(data)
        self.handler.wfile.flush()

    def reset(self) -> None:
        """Abort with RST: linger 0, then close."""
        connection = self.handler.connection
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.handler.close_connection = True
        connection.close()

    def close(self) -> None:
        """Close after this response."""
        self.handler.close_connection = True
        self.handler.wfile.flush()
        self.handler.connection.shutdown(socket.SHUT_WR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Apache/2.4.58"
    sys_version = ""
    timeout = 30

    @property
    def replica(self) -> ReplicaServer:
        server: Any = self.server
        return server.replica  # type: ignore[no-any-return]

    def do_GET(self) -> None:
        self._serve(self._target())

    def do_HEAD(self) -> None:
        self._serve(self._target(), head=True)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        target = self._target()
        if "form-urlencoded" in self.headers.get("Content-Type", "") and data:
            joiner = "&" if "?" in target else "?"
            target += joiner + urlencode(parse_qsl(data, keep_blank_values=True))
        self._serve(target)

    def _target(self) -> str:
        parts = urlsplit(self.path)
        if parts.scheme:
            return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return self.path

    def _serve(self, target: str, head: bool = False) -> None:
        exchange = _Exchange(self, target, head)
        exchange.fault = self.replica.fault_for(target)
        try:
            if exchange.fault is not None:
                exchange.fault.serve(exchange)
            else:
                exchange.send(exchange.render())
        except OSError:
            self.close_connection = True
        except Exception:  # a bug in a page must not kill the server
            self.close_connection = True
            if not exchange.logged:
                exchange.send(
                    Response(500, {"Content-Type": "text/plain"}, b"Internal Server Error")
                )
        self.replica.log(exchange)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default stderr logging."""


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    replica: ReplicaServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up (or is killed) mid-request is normal here, not an error."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


class ReplicaServer:
    """A threaded HTTP server for a :class:`ReplicaSite`, bound to a loopback address."""

    def __init__(
        self,
        site: ReplicaSite | ReplicaConfig | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        if not _is_loopback(host):
            raise ValueError(f"the replica only binds to loopback addresses, not {host!r}")
        self._httpd = _HTTPServer((host, port), _Handler)
        self._httpd.replica = self
        self.host = host
        self.port = int(self._httpd.server_address[1])
        self.base_url = f"http://{host}:{self.port}/"
        if isinstance(site, ReplicaSite):
            site.base_url = self.base_url
            self.site = site
        else:
            self.site = ReplicaSite(site or ReplicaConfig(), self.base_url)
        self.faults: dict[str, Fault] = {}
        self.requests = RequestLog()
        self.gzip = True
        self._thread: threading.Thread | None = None

    @classmethod
    def start(
        cls,
        config: ReplicaSite | ReplicaConfig | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> ReplicaServer:
        """Bind, build the site with the real base URL, and serve in a background thread."""
        return cls(config, host, port).serve_in_background()

    def serve_in_background(self) -> ReplicaServer:
        """Start the daemon serving thread (idempotent)."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                name="replica-server",
                kwargs={"poll_interval": 0.05},
                daemon=True,
            )
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted."""
        self._httpd.serve_forever(poll_interval=0.2)

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> ReplicaServer:
        return self.serve_in_background()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def url(self, path: str = "/") -> str:
        """Absolute URL on this server for an (encoded) path."""
        return self.base_url.rstrip("/") + path

    def reset_log(self) -> None:
        """Forget logged requests."""
        self.requests.clear()

    def fault_for(self, target: str) -> Fault | None:
        """The fault registered for ``target`` that still applies, if any.

        Keys are matched against the full target, then its path, then the decoded path.
        """
        path = target.split("?", 1)[0]
        for key in (target, path, unquote(path)):
            fault = self.faults.get(key)
            if fault is not None and fault.take():
                return fault
        return None

    def log(self, exchange: _Exchange) -> None:
        """Record one request (once), with the status it got (0 when none was sent)."""
        if exchange.logged:
            return
        exchange.logged = True
        headers = {k: v for k, v in exchange.headers.items() if k.title() in LOGGED_HEADERS}
        path = exchange.target.split("?", 1)[0]
        label = exchange.fault.label if exchange.fault else ""
        record = RequestRecord(
            exchange.method,
            exchange.target,
            path,
            headers,
            exchange.status,
            exchange.started,
            time.time() - exchange.started,
            label,
        )
        self.requests.append(record)


@contextmanager
def serve_replica(
    config: ReplicaSite | ReplicaConfig | None = None, *, host: str = "127.0.0.1", port: int = 0
) -> Iterator[ReplicaServer]:
    """Run a replica server for the duration of a ``with`` block."""
    server = ReplicaServer.start(config, host=host, port=port)
    try:
        yield server
    finally:
        server.stop()
