"""WARC files and records, built with warcio (no Scrapy here).

A crawl writes numbered files ``{prefix}-{start}-{serial}-{pid}~{host}.warc.gz`` (the
Heritrix naming scheme: the crawl's start time to the millisecond, a five-digit serial,
the writing process and machine), each opened as ``*.warc.gz.open`` and renamed once it
is complete, flushed and synced, so a name ending in ``.warc.gz`` always means a whole
file. Each file starts with its own ``warcinfo`` record; a file is closed once it reaches
the size limit, between two exchanges (a request and its response stay in one file).
Every record is its own gzip member, as the WARC spec's annex recommends.
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from ecss_crawler import __version__

WARC_VERSION = "1.1"
#: What the ``warcinfo`` records say the files conform to.
CONFORMS_TO = "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
SUFFIX = ".warc.gz"
OPEN_SUFFIX = ".open"
#: Default size at which a file is closed and the next one begun (1 GB, as Heritrix).
DEFAULT_MAX_SIZE = 1_000_000_000
#: Connection-level headers: they describe a transfer encoding the stored payload no
#: longer has (the HTTP client removed it), so they are not written with the response.
HOP_BY_HOP = frozenset({"transfer-encoding", "connection", "keep-alive"})

Headers = list[tuple[str, str]]


@dataclass(frozen=True)
class Exchange:
    """One HTTP request and the response to it, as it went over the wire.

    ``body`` is the payload as received: still content-encoded (gzip), transfer
    encoding (chunking) removed. ``date`` is the WARC date of the fetch.
    """

    url: str
    method: str
    request_headers: Headers
    request_body: bytes
    status: int
    protocol: str
    response_headers: Headers
    body: bytes
    date: str
    ip_address: str | None = None


def warc_date(moment: datetime | None = None) -> str:
    """A WARC/1.1 date (UTC, microseconds) for ``moment`` (default: now)."""
    moment = (moment or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
    return str(datetime_to_iso_date(moment, use_micros=True))


def status_line(status: int) -> str:
    """``"200 OK"``: the reason phrase is the standard one (HTTP clients do not keep it)."""
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def response_headers(headers: Headers) -> Headers:
    """The response headers to record: all but the connection-level ones."""
    return [(name, value) for name, value in headers if name.lower() not in HOP_BY_HOP]


def request_target(url: str) -> str:
    """The request line's target: path and query, as sent to an origin server."""
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def with_host(url: str, headers: Headers) -> Headers:
    """The request headers with the ``Host`` header the HTTP client adds when sending."""
    if any(name.lower() == "host" for name, _ in headers):
        return headers
    return [("Host", urlsplit(url).netloc), *headers]


def write_exchange(writer: WARCWriter, exchange: Exchange) -> None:
    """Write the ``response`` record, then its ``request`` record (``WARC-Concurrent-To``)."""
    warc_headers = {"WARC-Type": "response", "WARC-Date": exchange.date}
    if exchange.ip_address:
        warc_headers["WARC-IP-Address"] = exchange.ip_address
    response = writer.create_warc_record(
        exchange.url,
        "response",
        payload=BytesIO(exchange.body),
        length=len(exchange.body),
        warc_headers_dict=warc_headers,
        http_headers=StatusAndHeaders(
            status_line(exchange.status),
            response_headers(exchange.response_headers),
            protocol=exchange.protocol,
        ),
    )
    request_line = f"{exchange.method} {request_target(exchange.url)} {exchange.protocol}"
    request = writer.create_warc_record(
        exchange.url,
        "request",
        payload=BytesIO(exchange.request_body),
        length=len(exchange.request_body),
        warc_headers_dict={**warc_headers, "WARC-Type": "request"},
        http_headers=StatusAndHeaders(
            request_line,
            with_host(exchange.url, exchange.request_headers),
            is_http_request=True,
        ),
    )
    writer.write_request_response_pair(request, response)


def crawl_info(**fields: Any) -> dict[str, str]:
    """The ``warcinfo`` fields every file gets: software, format, host, and ``fields``."""
    import warcio

    info = {
        "software": f"ecss-crawler/{__version__} (warcio/{_version(warcio)})",
        "format": f"WARC File Format {WARC_VERSION}",
        "conformsTo": CONFORMS_TO,
        "hostname": socket.gethostname(),
    }
    info.update({name: str(value) for name, value in fields.items() if value not in (None, "")})
    return info


def _version(module: Any) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(module.__name__)
    except PackageNotFoundError:  # pragma: no cover - installed from a tree
        return "unknown"


class WarcFile:
    """One ``.warc.gz`` file: written as ``<path>.open``, renamed to ``path`` when finished."""

    def __init__(self, path: Path, info: Mapping[str, str]) -> None:
        self.path = path
        self.open_path = path.with_name(path.name + OPEN_SUFFIX)
        if path.exists():
            raise FileExistsError(f"{path} exists already")
        self._file: IO[bytes] = open(self.open_path, "xb")  # noqa: SIM115 - closed in finish()
        self.writer = WARCWriter(self._file, gzip=True, warc_version=WARC_VERSION)
        self.writer.write_record(self.writer.create_warcinfo_record(path.name, dict(info)))

    @property
    def size(self) -> int:
        """Bytes written so far (every record is flushed as soon as it is written)."""
        return self._file.tell()

    def finish(self) -> Path:
        """Flush, sync and close the file, then give it its final name."""
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self.open_path.replace(self.path)
        return self.path

    def abandon(self) -> None:
        """Close without renaming (after a write error): the ``.open`` name stays."""
        with contextlib.suppress(OSError):
            self._file.close()


class WarcFileSet:
    """Numbered WARC files in ``directory``, a new one begun at ``max_size`` bytes (0: never)."""

    def __init__(
        self,
        directory: Path,
        *,
        prefix: str = "ECSS",
        max_size: int = DEFAULT_MAX_SIZE,
        info: Mapping[str, str] | None = None,
        started: datetime | None = None,
    ) -> None:
        self.directory = directory
        self.prefix = prefix
        self.max_size = max_size
        self.info = dict(info or crawl_info())
        stamp = (started or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%d%H%M%S%f")[:17]
        self._stem = f"{prefix}-{stamp}"
        self._tail = f"{os.getpid()}~{socket.gethostname()}"
        self.serial = 0
        self.finished: list[Path] = []
        self._current: WarcFile | None = None

    def next_path(self) -> Path:
        """The name of the next file: ``{prefix}-{start}-{serial:05d}-{pid}~{host}.warc.gz``."""
        return self.directory / f"{self._stem}-{self.serial:05d}-{self._tail}{SUFFIX}"

    def current(self) -> WarcFile:
        """The open file, beginning a new one (with its warcinfo) if none is open."""
        if self._current is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._current = WarcFile(self.next_path(), self.info)
            self.serial += 1
        return self._current

    def write(self, write: Callable[[WARCWriter], None]) -> None:
        """Call ``write`` with the current file's writer; rotate once the file is full."""
        current = self.current()
        write(current.writer)
        if 0 < self.max_size <= current.size:
            self._finish()

    def _finish(self) -> None:
        if self._current is not None:
            current, self._current = self._current, None
            self.finished.append(current.finish())

    def close(self) -> list[Path]:
        """Finish the open file; return every finished file's path."""
        self._finish()
        return self.finished

    def abandon(self) -> None:
        """Stop after an error: the open file keeps its ``.open`` name."""
        if self._current is not None:
            current, self._current = self._current, None
            current.abandon()
