"""WARC records rebuilt from the archive's stored captures (``ecss-crawler export --format warc``).

A capture keeps what the extractor needed, not the whole exchange, so a record rebuilt
from it differs from one written during the crawl (``--warc``):

- the payload is the *decoded* body (the capture is stored after gzip decoding), so
  ``Content-Encoding`` is left out and ``Content-Length`` is the decoded length;
- header names are lower case, and repeated headers are joined by ``", "``;
- the reason phrase is the standard one, the protocol is given as HTTP/1.1;
- ``WARC-Date`` has whole seconds (the capture's ``fetched_at``); there is no
  ``WARC-IP-Address``;
- there are no ``request`` records (request headers are not stored);
- only pages whose capture was archived are there: article pages (and pages that failed
  extraction), not listings, sitemaps or robots.txt.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from io import BytesIO
from pathlib import Path
from typing import IO

import sqlite_utils
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from ecss_crawler.warc.files import (
    DEFAULT_MAX_SIZE,
    SUFFIX,
    WARC_VERSION,
    WarcFile,
    WarcFileSet,
    crawl_info,
    response_headers,
    status_line,
    warc_date,
)

#: Stored headers that describe the encoded transfer, not the decoded payload exported.
_ENCODING_HEADERS = frozenset({"content-encoding", "content-length"})

_CAPTURES_SQL = (
    "SELECT c.id, c.url, c.status, c.headers, c.fetched_at, c.article_id,"
    " coalesce(c.body, h.body) FROM captures c"
    " LEFT JOIN captures h ON h.id = c.body_capture_id ORDER BY c.id"
)


@dataclass(frozen=True)
class StoredCapture:
    """One row of ``captures``, its body decompressed."""

    id: int
    url: str
    status: int
    headers: dict[str, str]
    fetched_at: str
    article_id: str | None
    body: bytes


def iter_captures(
    db: sqlite_utils.Database, article_ids: set[str] | None = None
) -> Iterator[StoredCapture]:
    """Every capture, oldest first (only those of ``article_ids`` when given)."""
    for row in db.conn.execute(_CAPTURES_SQL):
        if article_ids is not None and row[5] not in article_ids:
            continue
        yield StoredCapture(
            id=int(row[0]),
            url=str(row[1]),
            status=int(row[2] or 0),
            headers=json.loads(row[3]) if row[3] else {},
            fetched_at=str(row[4]),
            article_id=row[5],
            body=zlib.decompress(row[6]) if row[6] is not None else b"",
        )


def capture_headers(capture: StoredCapture) -> list[tuple[str, str]]:
    """The stored headers fitted to the decoded body."""
    kept = [(k, v) for k, v in capture.headers.items() if k.lower() not in _ENCODING_HEADERS]
    return [*response_headers(kept), ("content-length", str(len(capture.body)))]


def write_capture(writer: WARCWriter, capture: StoredCapture) -> None:
    """One ``response`` record for a stored capture."""
    fetched = datetime.fromisoformat(capture.fetched_at.replace("Z", "+00:00"))
    record = writer.create_warc_record(
        capture.url,
        "response",
        payload=BytesIO(capture.body),
        length=len(capture.body),
        warc_headers_dict={"WARC-Type": "response", "WARC-Date": warc_date(fetched)},
        http_headers=StatusAndHeaders(
            status_line(capture.status), capture_headers(capture), protocol="HTTP/1.1"
        ),
    )
    writer.write_record(record)


def export_info(db_path: Path) -> dict[str, str]:
    """The ``warcinfo`` of an export: says where the records come from."""
    return crawl_info(
        description=f"response records rebuilt from the captures of the ecss-crawler "
        f"archive {db_path.name}: decoded bodies, no request records",
    )


def export_warc(
    captures: Iterable[StoredCapture],
    output: str,
    info: dict[str, str],
    *,
    stdout: Callable[[], IO[bytes]] | None = None,
    max_size: int = DEFAULT_MAX_SIZE,
) -> tuple[int, list[Path]]:
    """Write ``captures`` to ``output``; return (records, files written).

    ``output`` is ``-`` (standard output, through ``stdout()``), a ``*.warc.gz`` file (one
    file, never overwritten), or a directory (numbered files, rotated at ``max_size``).
    """
    count = 0
    if output == "-":
        assert stdout is not None
        writer = WARCWriter(stdout(), gzip=True, warc_version=WARC_VERSION)
        writer.write_record(writer.create_warcinfo_record("", info))
        for capture in captures:
            write_capture(writer, capture)
            count += 1
        return count, []
    if output.endswith(SUFFIX):
        file = WarcFile(Path(output), info)
        try:
            for capture in captures:
                write_capture(file.writer, capture)
                count += 1
        except BaseException:
            file.abandon()
            raise
        return count, [file.finish()]
    files = WarcFileSet(Path(output), prefix="ECSS-export", max_size=max_size, info=info)
    try:
        for capture in captures:
            files.write(partial(write_capture, capture=capture))
            count += 1
    except BaseException:
        files.abandon()
        raise
    return count, files.close()
