"""Fault injection for the replica server: misbehaviours keyed by path.

>>> server.faults["/robots.txt"] = Status(503, retry_after=2, times=1)   # one 503, then normal
>>> server.faults[path] = Delay(5.0)                                     # a time-out
>>> server.faults[path] = Reset(after_bytes=200)                         # RST mid-body
>>> server.faults[path] = Truncate(keep=0.5)                             # short body
>>> server.faults[path] = Redirect("https://example.org/")              # off-site redirect
>>> server.faults[path] = Body(b"", headers={"Content-Type": "text/html"})  # empty 200
>>> server.faults[path] = Stream(200 * 1024**2, b"%PDF-1.4")               # a 200 MB body
>>> server.faults["/copy/"] = Mirror("/real-article/")                   # same page, two URLs
>>> server.faults[path] = rewrite(lambda html: html.replace("</head>", "<base href=...></head>"))

A fault is a small object with :meth:`Fault.serve`, which answers the request
through an :class:`Exchange` (the server's side of one request). New kinds
subclass :class:`Fault`. ``times=N`` applies a fault to the first N matching
requests only; ``None`` (the default) applies it forever.
"""

from __future__ import annotations

import gzip
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urljoin

from ecss_crawler.replica.model import Response

HTML = "text/html; charset=UTF-8"


class Exchange(Protocol):
    """What a fault may do with the request it answers."""

    base_url: str
    method: str
    target: str

    def render(self, target: str | None = None) -> Response:
        """The response the site would normally give (for ``target``, default this request's)."""

    def send(
        self,
        response: Response,
        *,
        compress: bool = True,
        declared_length: int | None = None,
        body_limit: int | None = None,
    ) -> int:
        """Send a response (optionally declaring a length other than the body's, or sending only
        ``body_limit`` bytes of it); returns the status."""

    def send_headers(self, response: Response, length: int) -> None:
        """Send only the status line and headers."""

    def write(self, data: bytes) -> None:
        """Write raw body bytes."""

    def reset(self) -> None:
        """Abort the connection with a TCP reset."""

    def close(self) -> None:
        """Close the connection after this response."""


@dataclass(eq=False)
class Fault:
    """Base class: counts its uses and decides whether it still applies."""

    times: int | None = field(default=None, kw_only=True)
    hits: int = field(default=0, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def take(self) -> bool:
        """Claim one use; ``False`` once ``times`` uses are spent (the path has recovered)."""
        with self._lock:
            if self.times is not None and self.hits >= self.times:
                return False
            self.hits += 1
            return True

    @property
    def label(self) -> str:
        """Name shown in the request log."""
        return type(self).__name__.lower()

    def serve(self, exchange: Exchange) -> int:
        """Answer the request; return the status sent (0 when none was)."""
        raise NotImplementedError


@dataclass(eq=False)
class Status(Fault):
    """An error status (500, 502, 503, 429, 404, 410...), with an optional ``Retry-After``."""

    status: int = 503
    retry_after: int | str | None = None
    body: bytes = b"<html><body><h1>Service Unavailable</h1></body></html>"

    def serve(self, exchange: Exchange) -> int:
        """Send the status."""
        headers = {"Content-Type": HTML}
        if self.retry_after is not None:
            headers["Retry-After"] = str(self.retry_after)
        return exchange.send(Response(self.status, headers, self.body))


@dataclass(eq=False)
class Delay(Fault):
    """Answer normally after ``seconds``; with ``after_headers`` the pause falls mid-response."""

    seconds: float = 5.0
    after_headers: bool = False

    def serve(self, exchange: Exchange) -> int:
        """Sleep, then send the normal response."""
        response = exchange.render()
        if not self.after_headers:
            time.sleep(self.seconds)
            return exchange.send(response, compress=False)
        exchange.send_headers(response, len(response.body))
        time.sleep(self.seconds)
        exchange.write(response.body)
        return response.status


@dataclass(eq=False)
class Reset(Fault):
    """Send the headers and ``after_bytes`` of the body, then reset the connection."""

    after_bytes: int = 256

    def serve(self, exchange: Exchange) -> int:
        """Start the normal response, then abort it."""
        status = exchange.send(exchange.render(), compress=False, body_limit=self.after_bytes)
        exchange.reset()
        return status


@dataclass(eq=False)
class Truncate(Fault):
    """Declare the full ``Content-Length`` but send only ``keep`` (a share) of the body."""

    keep: float = 0.5

    def serve(self, exchange: Exchange) -> int:
        """Send a short body and close."""
        response = exchange.render()
        limit = int(len(response.body) * self.keep)
        status = exchange.send(response, compress=False, body_limit=limit)
        exchange.close()
        return status


@dataclass(eq=False)
class Redirect(Fault):
    """Redirect to a site path or to an absolute URL (another site, or a loop)."""

    location: str = "/"
    status: int = 302

    def serve(self, exchange: Exchange) -> int:
        """Send the redirect."""
        target = urljoin(exchange.base_url, self.location)
        return exchange.send(Response(self.status, {"Location": target, "Content-Type": HTML}, b""))


@dataclass(eq=False)
class Body(Fault):
    """A custom response: any status, headers and bytes, sent as given (never re-compressed)."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": HTML})

    def serve(self, exchange: Exchange) -> int:
        """Send the custom response."""
        return exchange.send(Response(self.status, dict(self.headers), self.body), compress=False)


@dataclass(eq=False)
class Stream(Fault):
    """A 200 response of ``size`` bytes (``head``, then zeros) made while it is sent, never
    held in memory; ``sent`` counts the bytes that left before the client hung up."""

    size: int = 0
    head: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/pdf"})
    chunk: int = 64 * 1024
    sent: int = field(default=0, init=False)

    def serve(self, exchange: Exchange) -> int:
        """Send the headers, then the body a chunk at a time until done or disconnected."""
        exchange.send_headers(Response(200, dict(self.headers), b""), self.size)
        if exchange.method == "HEAD":
            return 200
        block, first, remaining = bytes(self.chunk), self.head, self.size
        try:
            while remaining > 0:
                data = (first + block)[: min(self.chunk, remaining)]
                first = b""
                exchange.write(data)
                self.sent += len(data)
                remaining -= len(data)
        except OSError:  # the client stopped reading: the size limit worked
            exchange.close()
        return 200


@dataclass(eq=False)
class Transform(Fault):
    """The normal response passed through ``func`` (e.g. re-encoded in another charset)."""

    func: Callable[[Response], Response] = field(default=lambda response: response)

    def serve(self, exchange: Exchange) -> int:
        """Send the transformed response."""
        return exchange.send(self.func(exchange.render()), compress=False)


@dataclass(eq=False)
class Mirror(Fault):
    """Serve the page of another path (``source``) here: the same post at two URLs."""

    source: str = "/"

    def serve(self, exchange: Exchange) -> int:
        """Send ``source``'s normal response as this URL's."""
        return exchange.send(exchange.render(self.source))


# Ready-made faults for the cases the reliability tests name. -----------------------------------


def empty_200(times: int | None = None) -> Body:
    """A 200 ``text/html`` response with no body at all."""
    return Body(b"", times=times)


def binary_html(size: int = 4096, times: int | None = None) -> Body:
    """Binary bytes labelled ``text/html``."""
    return Body(bytes(range(256)) * (size // 256 + 1), times=times)


def huge_page(megabytes: int = 20, times: int | None = None) -> Body:
    """A valid but enormous HTML page."""
    filler = b"<p>" + b"x" * 1020 + b"</p>\n"
    body = b"<!DOCTYPE html><html><body>" + filler * (megabytes * 1024) + b"</body></html>"
    return Body(body, times=times)


def gzip_bomb(megabytes: int = 200, times: int | None = None) -> Body:
    """A small gzip body that inflates to ``megabytes`` of zeros, sent with ``Content-Encoding``."""
    body = gzip.compress(b"\0" * (megabytes * 1024 * 1024), compresslevel=9, mtime=0)
    headers = {"Content-Type": HTML, "Content-Encoding": "gzip"}
    return Body(body, headers=headers, times=times)


def huge_document(megabytes: int = 200, times: int | None = None) -> Stream:
    """A ``megabytes``-sized "PDF", streamed (for the document size limit)."""
    return Stream(megabytes * 1024 * 1024, b"%PDF-1.4\n", times=times)


def recode(
    encoding: str = "cp1256", declared: str | None = "UTF-8", times: int | None = None
) -> Transform:
    """The real page re-encoded in ``encoding`` while declaring ``declared`` (or no charset)."""

    def change(response: Response) -> Response:
        text = response.body.decode("utf-8")
        text = text.replace(
            '<meta charset="UTF-8" />', f'<meta charset="{declared}" />' if declared else ""
        )
        headers = dict(response.headers)
        headers["Content-Type"] = f"text/html; charset={declared}" if declared else "text/html"
        headers.pop("ETag", None)
        return Response(response.status, headers, text.encode(encoding, errors="replace"))

    return Transform(change, times=times)


def rewrite(edit: Callable[[str], str], times: int | None = None) -> Transform:
    """The real page (UTF-8 text) passed through ``edit``; validators are dropped."""

    def change(response: Response) -> Response:
        text = edit(response.body.decode("utf-8"))
        headers = {k: v for k, v in response.headers.items() if k not in ("ETag", "Last-Modified")}
        return Response(response.status, headers, text.encode("utf-8"))

    return Transform(change, times=times)


def _malform(html: str) -> str:
    """Unclosed tags, nested forms and a stray ``</html>`` before the content."""
    # End tags that HTML lets a browser infer: a paragraph before the next block, list items.
    html = re.sub(r"</p>(\s*<(?:p|div|ul|ol|h[2-6]|blockquote|table|figure)\b)", r"\1", html)
    html = html.replace("</li>", "")
    forms = '<form action="/subscribe/"><div><form action="/search/"><input name="s">'
    html = re.sub(r"(<body\b[^>]*>)", lambda m: m.group(1) + forms, html, count=1)
    return re.sub(r"(<header\b)", r"</body></html>\1", html, count=1)


def malformed_html(times: int | None = None) -> Transform:
    """The real page with unclosed tags, nested ``<form>``s and an early ``</html>``."""
    return rewrite(_malform, times=times)


def _scripted(html: str) -> str:
    """Keep the head and ``<body class>``; move everything shown into a script."""
    match = re.search(r"(<body[^>]*>)(.*)(</body>)", html, flags=re.S)
    if match is None:
        return html
    payload = json.dumps(match.group(2)).replace("</", "<\\/")
    shell = f'<div id="app"></div><script>app.innerHTML = {payload};</script>'
    return html[: match.start(2)] + shell + html[match.end(2) :]


def script_only(times: int | None = None) -> Transform:
    """The real page whose content exists only inside a ``<script>`` (rendered by JavaScript)."""
    return rewrite(_scripted, times=times)
