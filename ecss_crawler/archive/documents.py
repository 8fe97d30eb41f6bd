"""Documents in the archive: each file once by SHA-256, its URLs, the articles that link it.

Mixed into :class:`~ecss_crawler.archive.store.Archive`; the same batching and
atomic units as articles. Rules (see docs/data-model.md, "documents"):

* a document's bytes are stored once, zlib-compressed, keyed by their SHA-256,
  with the text and metadata read from them; the same file under a second URL
  only adds a ``document_urls`` row;
* a URL that now serves other bytes points at the new document; the old one is
  kept (nothing is deleted or overwritten);
* the search columns are made by the very function that makes the articles'
  (:func:`~ecss_crawler.archive.records.document_search_columns`), so documents get
  whatever Arabic normalisation and analysis articles get.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, is_dataclass
from typing import Any, Literal

from ecss_crawler.archive import hashing
from ecss_crawler.archive.records import document_search_columns

DocumentOutcome = Literal["new", "changed", "linked", "unchanged"]
DOCUMENT_ENCODING = "zlib"
#: ``failures.stage`` of a document that could not be fetched or read.
DOCUMENT_STAGE = "document"
#: Fields of the extracted text (a ``DocumentText`` or a dict) that are stored.
_TEXT_FIELDS = ("kind", "content_type", "pages", "title", "author", "created", "language", "text")


@dataclass(frozen=True)
class DocumentResult:
    """What :meth:`DocumentStore.store_document` did."""

    outcome: DocumentOutcome
    sha256: str
    linked_articles: int = 0


class DocumentStore:
    """Document methods of the Archive (which provides the connection and batching)."""

    _conn: sqlite3.Connection
    _now: Callable[[], str]
    _tallies: defaultdict[int, Counter[str]]

    def _atomic(self) -> AbstractContextManager[None]:
        raise NotImplementedError

    def _written(self) -> None:
        raise NotImplementedError

    def store_document(
        self,
        url: str,
        body: bytes,
        crawl_id: int | None,
        *,
        extracted: Any = None,
        article_ids: Iterable[str] = (),
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        extractor_version: str = "",
    ) -> DocumentResult:
        """Store one downloaded document (bytes once by SHA-256) and link it to its articles.

        ``extracted`` is a ``DocumentText`` (or a dict with its fields) or None
        when the text could not be read. ``article_ids`` are the spellings one
        linking article may be stored under; the first that exists is linked.
        """
        digest = hashing.body_sha256(body)
        fields = _text_fields(extracted)
        head = {k.lower(): v for k, v in (headers or {}).items()}
        now = self._now()
        with self._atomic():
            known = self._conn.execute(
                "SELECT 1 FROM documents WHERE sha256 = ?", [digest]
            ).fetchone()
            if known:
                self._conn.execute(
                    "UPDATE documents SET last_seen = ? WHERE sha256 = ?", [now, digest]
                )
            else:
                self._insert_document(digest, body, fields, crawl_id, now, extractor_version)
            previous = self._conn.execute(
                "SELECT sha256 FROM document_urls WHERE url = ?", [url]
            ).fetchone()
            self._upsert_url(url, digest, status, head, crawl_id, now, previous is not None)
            linked = self._link_articles(url, article_ids, now)
        outcome: DocumentOutcome
        if previous is not None and previous[0] == digest:
            outcome = "unchanged"
        elif previous is not None:
            outcome = "changed"
        else:
            outcome = "linked" if known else "new"
        if crawl_id is not None:
            self._tallies[crawl_id][f"documents_{outcome}"] += 1
        self._written()
        return DocumentResult(outcome, digest, linked)

    def _insert_document(
        self,
        digest: str,
        body: bytes,
        fields: dict[str, Any],
        crawl_id: int | None,
        now: str,
        extractor_version: str,
    ) -> None:
        values = {
            "sha256": digest,
            **{name: fields.get(name) for name in _TEXT_FIELDS},
            "kind": fields.get("kind") or "unknown",
            "size": len(body),
            "warnings": json.dumps(fields.get("warnings") or [], ensure_ascii=False),
            "extractor": fields.get("extractor"),
            "extractor_version": extractor_version or None,
            "body_encoding": DOCUMENT_ENCODING,
            "body": zlib.compress(body, 6),
            "first_seen": now,
            "last_seen": now,
            "crawl_id": crawl_id,
            **document_search_columns(fields.get("title"), fields.get("text")),
        }
        names = list(values)
        self._conn.execute(
            f"INSERT INTO documents ({', '.join(names)}) "
            f"VALUES ({', '.join(':' + n for n in names)})",
            values,
        )

    def _upsert_url(
        self,
        url: str,
        digest: str,
        status: int,
        headers: Mapping[str, str],
        crawl_id: int | None,
        now: str,
        exists: bool,
    ) -> None:
        values = [
            digest,
            status,
            headers.get("content-type"),
            headers.get("etag"),
            headers.get("last-modified"),
            now,
            crawl_id,
            url,
        ]
        if exists:
            self._conn.execute(
                "UPDATE document_urls SET last_changed = CASE WHEN sha256 = ?1 THEN last_changed"
                " ELSE ?6 END, sha256 = ?1, status = ?2, content_type = ?3, etag = ?4,"
                " last_modified = ?5, last_seen = ?6, crawl_id = ?7 WHERE url = ?8",
                values,
            )
        else:
            self._conn.execute(
                "INSERT INTO document_urls (sha256, status, content_type, etag, last_modified,"
                " last_seen, crawl_id, url, first_seen, last_changed)"
                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?6, ?6)",
                values,
            )

    def _link_articles(self, url: str, article_ids: Iterable[str], now: str) -> int:
        """Link ``url`` to the article stored under the first of ``article_ids`` that exists."""
        for candidate in article_ids:
            if self._conn.execute("SELECT 1 FROM articles WHERE id = ?", [candidate]).fetchone():
                cursor = self._conn.execute(
                    "INSERT OR IGNORE INTO document_links (article_id, url, first_seen)"
                    " VALUES (?, ?, ?)",
                    [candidate, url, now],
                )
                return cursor.rowcount
        return 0

    def link_documents(self, article_ids: Iterable[str], urls: Iterable[str]) -> int:
        """Record that one article (stored under the first existing id of ``article_ids``)
        links the document ``urls``; return the number of new links."""
        now = self._now()
        with self._atomic():
            ids = list(article_ids)
            linked = sum(self._link_articles(url, ids, now) for url in urls)
        self._written()
        return linked

    def mark_document_seen(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        article_ids: Iterable[str] = (),
        crawl_id: int | None = None,
    ) -> bool:
        """The document URL answered "not modified" (HTTP 304); ``True`` if it was known."""
        now = self._now()
        with self._atomic():
            cursor = self._conn.execute(
                "UPDATE document_urls SET last_seen = ?, etag = coalesce(?, etag),"
                " last_modified = coalesce(?, last_modified) WHERE url = ?",
                [now, etag, last_modified, url],
            )
            if cursor.rowcount:
                self._conn.execute(
                    "UPDATE documents SET last_seen = ? WHERE sha256 ="
                    " (SELECT sha256 FROM document_urls WHERE url = ?)",
                    [now, url],
                )
                self._link_articles(url, article_ids, now)
        if crawl_id is not None:
            self._tallies[crawl_id]["documents_not_modified"] += 1
        self._written()
        return cursor.rowcount > 0

    def record_document_failure(
        self, url: str, crawl_id: int | None, reason: str, status: int | None = None
    ) -> None:
        """A document that could not be fetched or read: a ``failures`` row, stage ``document``.

        Counted as ``document_failures`` (not ``failed``: article failures feed the alarm).
        """
        with self._atomic():
            self._conn.execute(
                "INSERT INTO failures (url, crawl_id, stage, reason, status, at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [url, crawl_id, DOCUMENT_STAGE, reason, status, self._now()],
            )
        if crawl_id is not None:
            self._tallies[crawl_id]["document_failures"] += 1
        self._written()

    def document_body(self, sha256: str) -> bytes:
        """The decompressed bytes of a stored document."""
        row = self._conn.execute("SELECT body FROM documents WHERE sha256 = ?", [sha256]).fetchone()
        if row is None:
            raise KeyError(sha256)
        return zlib.decompress(row[0])


def _text_fields(extracted: Any) -> dict[str, Any]:
    if extracted is None:
        return {}
    if is_dataclass(extracted) and not isinstance(extracted, type):
        return asdict(extracted)
    if isinstance(extracted, Mapping):
        return dict(extracted)
    raise TypeError(f"expected DocumentText or mapping, got {type(extracted).__name__}")
