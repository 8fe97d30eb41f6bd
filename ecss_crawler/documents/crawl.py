"""The spider's side of documents: which attachments to fetch, and how.

After an article page is extracted, :class:`DocumentRequests` turns its
same-site PDF/DOC/DOCX attachments into polite requests (low priority, the
document size limit, the usual retries and off-site guard) plus one
:class:`~ecss_crawler.documents.items.DocumentLinks` item, so the archive
records which article links which document even if a download fails. A URL is
requested once per crawl; an archived one is asked for conditionally
(``If-None-Match`` / ``If-Modified-Since``), so its bytes travel again only
when the server says they changed. Incremental crawls do not ask again for an
archived document whose server gave no validators (nothing could say it changed).

Settings: ``ECSS_DOCUMENTS`` (on), ``ECSS_DOCUMENT_MAXSIZE`` (bytes read at
most per document). Spider argument ``documents=0`` turns fetching off too.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from ecss_crawler.archive.records import article_id
from ecss_crawler.documents.items import (
    DocumentFailure,
    DocumentLinks,
    DocumentNotModified,
    FetchedDocument,
)
from ecss_crawler.extract.urls import clean_url, url_key
from ecss_crawler.items import Article

logger = logging.getLogger(__name__)

#: Attachments that are fetched: PDFs, and Word files (cheap to read).
DOCUMENT_EXTENSIONS = (".pdf", ".docx", ".doc")
DEFAULT_MAXSIZE = 32 * 1024 * 1024
KIND = "ecss_kind"
DocumentItem = DocumentLinks | FetchedDocument | DocumentNotModified | DocumentFailure


def is_document_url(url: str) -> bool:
    """Whether an attachment URL names a document this crawler downloads."""
    return urlsplit(url).path.lower().endswith(DOCUMENT_EXTENSIONS)


def enabled(setting: bool, argument: str | bool | None) -> bool:
    """The ``documents`` spider argument, when given, wins over ``ECSS_DOCUMENTS``."""
    if argument is None or argument == "":
        return setting
    return str(argument).lower() not in ("0", "false", "no", "off")


class DocumentRequests:
    """Build document requests for one spider; remembers what this crawl asked for."""

    def __init__(
        self, enabled: bool, maxsize: int, db_path: str | None, incremental: bool = False
    ) -> None:
        self.enabled = enabled
        self.incremental = incremental
        self.maxsize = maxsize
        self.db_path = db_path
        self.requested: set[str] = set()
        self._known: dict[str, tuple[str | None, str | None]] | None = None

    @classmethod
    def from_settings(
        cls, settings: Any, argument: str | bool | None, incremental: bool = False
    ) -> DocumentRequests:
        return cls(
            enabled(settings.getbool("ECSS_DOCUMENTS", True), argument),
            settings.getint("ECSS_DOCUMENT_MAXSIZE", DEFAULT_MAXSIZE),
            settings.get("ECSS_DB") or None,
            incremental,
        )

    def for_article(
        self, article: Article, allowed: Any, callback: Any, errback: Any
    ) -> Iterator[scrapy.Request | DocumentLinks]:
        """The links item and the new requests for ``article``'s documents."""
        if not self.enabled:
            return
        urls = [clean_url(u) for u in article.attachments if is_document_url(u) and allowed(u)]
        if not urls:
            return
        ids = [article_id(article.site, article.post_id, article.url)]
        if article.post_id is not None:
            ids.append(article_id(article.site, None, article.url))
        yield DocumentLinks(ids, urls)
        for url in urls:
            key = url_key(url)
            if key in self.requested:
                continue
            self.requested.add(key)
            if self.incremental and self.known().get(url) == (None, None):
                continue  # archived, and the server gives nothing to ask "changed?" with
            yield self.request(url, callback, errback)

    def request(self, url: str, callback: Any, errback: Any) -> scrapy.Request:
        etag, last_modified = self.known().get(url, (None, None))
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return scrapy.Request(
            url,
            callback=callback,
            errback=errback,
            headers=headers,
            priority=-5,
            meta={
                KIND: "document",
                "download_maxsize": self.maxsize,
                "download_warnsize": self.maxsize,
                "handle_httpstatus_list": [304],
            },
        )

    def known(self) -> dict[str, tuple[str | None, str | None]]:
        """Every archived document URL with its validators (read once, read-only)."""
        if self._known is None:
            self._known = _read_known(self.db_path)
        return self._known


def _read_known(db_path: str | None) -> dict[str, tuple[str | None, str | None]]:
    if not db_path or not Path(db_path).exists():
        return {}
    try:
        conn = sqlite3.connect(f"{Path(db_path).resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    except sqlite3.Error:
        return {}
    try:
        rows = conn.execute("SELECT url, etag, last_modified FROM document_urls").fetchall()
    except sqlite3.Error:  # an archive from before documents: nothing known
        return {}
    finally:
        conn.close()
    return {row[0]: (row[1], row[2]) for row in rows}


def parse_document(response: Response) -> Iterator[DocumentItem]:
    """A document response: 304 means unchanged; anything else carries the bytes."""
    if response.status == 304:
        yield DocumentNotModified(
            response.url, _header(response, "ETag"), _header(response, "Last-Modified")
        )
        return
    headers = {
        key.decode("latin-1").lower(): b", ".join(values).decode("latin-1")
        for key, values in response.headers.items()
    }
    yield FetchedDocument(
        url=response.url,
        status=response.status,
        headers=headers,
        body=response.body,
        fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def document_failed(failure: Failure) -> Iterator[DocumentItem]:
    """Why a document could not be downloaded (HTTP error, size limit, off-site, network)."""
    request = failure.request  # type: ignore[attr-defined]
    url = str((request.meta.get("redirect_urls") or [request.url])[0])
    error = failure.value
    if isinstance(error, HttpError):
        status = error.response.status
        yield DocumentFailure(url, f"HTTP {status}", status)
        return
    message = failure.getErrorMessage().strip()
    if "max size" in message or "maxsize" in message:
        limit = request.meta.get("download_maxsize")
        yield DocumentFailure(url, f"larger than the document size limit ({limit} bytes)")
        return
    name = type(error).__name__
    if isinstance(error, IgnoreRequest):
        logger.info("Document request ignored: %s (%s)", url, message)
    yield DocumentFailure(url, f"{name}: {message}" if message else name)


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
