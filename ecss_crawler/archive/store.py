"""The :class:`Archive`: the only writer of the archive database.

Design notes (see ``docs/data-model.md`` for the full rules):

* One connection for the Archive's life. Writes are grouped in batches: a
  batch is one ``BEGIN IMMEDIATE`` transaction, committed every
  ``batch_size`` writes, when a batch is older than ``max_batch_seconds``
  (checked after each write), and on :meth:`Archive.flush` /
  :meth:`Archive.close`. A crash loses at most the uncommitted batch, never
  part of an article.
* Each article (row + m2m links + revision) is written inside its own
  ``SAVEPOINT``: an error rolls back just that article and is re-raised.
* Stored versions are never clobbered by a worse extraction (``rejected``).
"""

from __future__ import annotations

import json
import sqlite3
import time
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self
from urllib.parse import quote, unquote

import sqlite_utils

from ecss_crawler.archive import hashing
from ecss_crawler.archive.db import connect, utcnow
from ecss_crawler.archive.documents import DocumentStore
from ecss_crawler.archive.migrations import M2M, migrate
from ecss_crawler.archive.records import (
    ARTICLE_FIELDS,
    article_id,
    clean_record,
    coerce_article,
    record_to_columns,
    row_to_record,
)
from ecss_crawler.items import REQUIRED_FIELDS, Article

Outcome = Literal["new", "changed", "unchanged", "rejected"]
ExtractFn = Callable[[bytes, str], Article | Mapping[str, Any]]

#: A new body shorter than this fraction of the stored one is a broken extraction.
MIN_BODY_RATIO = 0.5
#: A new extraction that empties one of these fields, which the stored version
#: has, is taken for a layout break and never replaces the stored version.
LOSABLE_FIELDS: tuple[str, ...] = ("authors", "modified", "categories", "tags")
CAPTURE_ENCODING = "zlib"
#: Keys of each :meth:`Archive.known_articles` value.
KNOWN_ARTICLE_KEYS: tuple[str, ...] = (
    "id",
    "modified",
    "etag",
    "last_modified",
    "content_hash",
    "last_seen",
    "removed_at",
)

#: Columns written for an article's content (Article fields, year, search columns).
_CONTENT_COLUMNS: tuple[str, ...] = (
    *ARTICLE_FIELDS,
    "year",
    "search_title",
    "search_summary",
    "search_body",
    "search_variants",
    "search_title_variants",
)


@dataclass(frozen=True)
class StoreResult:
    """What :meth:`Archive.store_article` did with one record."""

    outcome: Outcome
    reason: str | None = None
    article_id: str | None = None
    #: Number of the revision written (the superseded version), for ``changed``.
    revision: int | None = None


@dataclass(frozen=True)
class _Stored:
    """The parts of the stored row needed to decide what to do with a new record."""

    id: str
    content_hash: str
    body_length: int
    #: Losable fields (see :data:`LOSABLE_FIELDS`) that the stored version has.
    present: frozenset[str] = frozenset()


class Archive(DocumentStore):
    """Read/write access to the archive database (SQLite via sqlite-utils).

    ``Archive(path)`` creates the database if needed and applies pending
    migrations. Use it as a context manager, or call :meth:`close`, so the
    last batch is committed.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        batch_size: int = 100,
        max_batch_seconds: float = 2.0,
        clock: Callable[[], str] = utcnow,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        self.path = Path(path)
        self.batch_size = batch_size
        self.max_batch_seconds = max_batch_seconds
        self._now = clock
        self.db: sqlite_utils.Database = connect(self.path)
        try:
            migrate(self.db)
        except BaseException:
            self.db.close()
            raise
        self._conn: sqlite3.Connection = self.db.conn
        self._pending = 0
        self._batch_started = 0.0
        self._closed = False
        self._lookup_ids: dict[tuple[str, str], int] = {}
        self._tallies: defaultdict[int, Counter[str]] = defaultdict(Counter)
        self._field_counts: defaultdict[int, Counter[str]] = defaultdict(Counter)

    # ------------------------------------------------------------------ lifecycle

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Commit even on error: every article in the batch was written atomically.
        self.close()

    def flush(self) -> None:
        """Commit the open batch, if any."""
        if self._conn.in_transaction:
            self._conn.execute("COMMIT")
        self._pending = 0

    def close(self) -> None:
        """Commit and close the connection (idempotent)."""
        if self._closed:
            return
        try:
            self.flush()
            # Keep query-planner statistics fresh; the limit bounds the cost on big files.
            self._conn.execute("PRAGMA analysis_limit = 400")
            self._conn.execute("PRAGMA optimize")
        finally:
            self._closed = True
            self.db.close()

    # ------------------------------------------------------------------ transactions

    def _begin(self) -> None:
        if not self._conn.in_transaction:
            # IMMEDIATE: take the write lock now (waiting up to busy_timeout), so a
            # concurrent writer cannot make our read-then-write fail with SQLITE_BUSY.
            self._conn.execute("BEGIN IMMEDIATE")
            self._batch_started = time.monotonic()

    @contextmanager
    def _atomic(self) -> Iterator[None]:
        """One unit of work inside the current batch: all of it is stored, or none."""
        self._begin()
        self._conn.execute("SAVEPOINT archive_item")
        try:
            yield
        except BaseException:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK TO SAVEPOINT archive_item")
                self._conn.execute("RELEASE SAVEPOINT archive_item")
            self._lookup_ids.clear()  # ids inserted in the rolled-back unit are gone
            raise
        self._conn.execute("RELEASE SAVEPOINT archive_item")

    def _written(self) -> None:
        self._pending += 1
        too_old = time.monotonic() - self._batch_started >= self.max_batch_seconds
        if self._pending >= self.batch_size or too_old:
            self.flush()

    # ------------------------------------------------------------------ crawls

    def begin_crawl(
        self,
        site: str,
        args: dict[str, Any],
        *,
        site_name: str | None = None,
        profile: str | None = None,
    ) -> int:
        """Record the start of a crawl of ``site``; return its id.

        A crawl still marked ``running`` belongs to a process that died without
        finishing (one writer per archive: the crawl holds ``<db>.lock``); it becomes
        ``interrupted``, so reports never show a run that no longer exists as running.
        ``site_name`` (the site profile's name, and the ``profile`` file) tags the site's
        host in ``sites``, so every article of the host is found under that name.
        """
        with self._atomic():
            self._conn.execute("UPDATE crawls SET status = 'interrupted' WHERE status = 'running'")
            cursor = self._conn.execute(
                "INSERT INTO crawls (site, site_name, started, args, status)"
                " VALUES (?, ?, ?, ?, 'running')",
                [site, site_name, self._now(), _dumps(args)],
            )
            if site_name:
                self._conn.execute(
                    "INSERT INTO sites (host, name, profile, first_crawl_id, last_crawl_id)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT(host) DO UPDATE SET name = excluded.name,"
                    " profile = excluded.profile, last_crawl_id = excluded.last_crawl_id",
                    [site, site_name, profile, cursor.lastrowid, cursor.lastrowid],
                )
        self.flush()
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def finish_crawl(
        self,
        crawl_id: int,
        finish_reason: str,
        counts: dict[str, Any],
        coverage: dict[str, Any],
        status: str,
    ) -> None:
        """Record the end of a crawl.

        ``counts`` and ``coverage`` are stored as given, on top of the Archive's
        own tallies for this crawl (outcomes of ``store_article``, failures, and
        the share of stored records that had each field), so a key the caller
        does not provide is still filled in.
        """
        merged_counts = {**self.crawl_tallies(crawl_id), **counts}
        merged_coverage = {**self._coverage(crawl_id), **coverage}
        with self._atomic():
            self._conn.execute(
                "UPDATE crawls SET finished = ?, finish_reason = ?, counts = ?, coverage = ?,"
                " status = ? WHERE id = ?",
                [
                    self._now(),
                    finish_reason,
                    _dumps(merged_counts),
                    _dumps(merged_coverage),
                    status,
                    crawl_id,
                ],
            )
        self.flush()

    def crawl_tallies(self, crawl_id: int) -> dict[str, int]:
        """This Archive's counts of outcomes and failures for ``crawl_id`` so far."""
        return dict(self._tallies[crawl_id])

    def _coverage(self, crawl_id: int) -> dict[str, float]:
        fields = self._field_counts[crawl_id]
        total = fields["__records__"]
        if not total:
            return {}
        return {name: round(fields[name] / total, 4) for name in ARTICLE_FIELDS}

    # ------------------------------------------------------------------ articles

    def store_article(
        self,
        article: Article | Mapping[str, Any],
        crawl_id: int,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        seen: bool = True,
        capture_id: int | None = None,
    ) -> StoreResult:
        """Store one extracted article; see :class:`StoreResult` for the outcomes.

        * ``new``: first version of the article;
        * ``unchanged``: same content hash – only ``last_seen`` (and the HTTP
          validators, when given) are updated and ``removed_at`` is cleared;
        * ``changed``: the previous version goes to ``revisions`` and the row is replaced;
        * ``rejected``: the record lacks a required field, or would replace a
          stored body with one less than half as long; nothing is replaced and a
          ``failures`` row (stage ``store``) says why.

        ``seen=False`` (used by :meth:`reparse`) leaves ``last_seen`` and
        ``removed_at`` alone: the page was not fetched. ``capture_id`` (from
        :meth:`store_capture`) links that capture to the article, so
        :meth:`reparse` finds it even if the fetched URL differs from ``url``.
        Raises (after rolling back this article only) on database errors.
        """
        item = coerce_article(article)
        record = clean_record(item)
        self._count_fields(crawl_id, record)
        with self._atomic():
            result = self._store(record, crawl_id, etag, last_modified, seen)
            if capture_id is not None and result.article_id is not None:
                self._conn.execute(
                    "UPDATE captures SET article_id = ? WHERE id = ?",
                    [result.article_id, capture_id],
                )
        self._tallies[crawl_id][result.outcome] += 1
        self._written()
        return result

    def _store(
        self,
        record: dict[str, Any],
        crawl_id: int,
        etag: str | None,
        last_modified: str | None,
        seen: bool,
    ) -> StoreResult:
        now = self._now()
        stored = self._find(record["site"], record["post_id"], record["url"])
        missing = missing_required(record)
        if missing:
            reason = "missing required field(s): " + ", ".join(missing)
            return self._reject(record, stored, crawl_id, reason, now, seen)
        if stored is None:
            new_id = article_id(record["site"], record["post_id"], record["url"])
            self._insert(new_id, record, crawl_id, etag, last_modified, now)
            return StoreResult("new", article_id=new_id)
        new_hash = hashing.content_hash(record)
        if new_hash == stored.content_hash:
            self._touch(stored.id, record["url"], etag, last_modified, now, seen)
            return StoreResult("unchanged", article_id=stored.id)
        clobber = clobber_reason(stored.body_length, record) or lost_fields_reason(
            stored.present, record
        )
        if clobber:
            return self._reject(record, stored, crawl_id, clobber, now, seen)
        number = self._replace(
            stored.id, record, new_hash, crawl_id, etag, last_modified, now, seen
        )
        return StoreResult("changed", article_id=stored.id, revision=number)

    def _find(self, site: str, post_id: int | None, url: str) -> _Stored | None:
        """The stored row for this record: by its id, else (post id newly known) by ``site:url``."""
        candidates = [article_id(site, post_id, url)]
        if post_id is not None:
            candidates.append(article_id(site, None, url))
        columns = ", ".join(LOSABLE_FIELDS)
        for candidate in candidates:
            row = self._conn.execute(
                f"SELECT id, content_hash, coalesce(length(body), 0), {columns}"
                " FROM articles WHERE id = ?",
                [candidate],
            ).fetchone()
            if row:
                present = frozenset(
                    name
                    for name, value in zip(LOSABLE_FIELDS, row[3:], strict=True)
                    if value not in (None, "", "[]")
                )
                return _Stored(row[0], row[1], row[2], present)
        return None

    def _reject(
        self,
        record: dict[str, Any],
        stored: _Stored | None,
        crawl_id: int,
        reason: str,
        now: str,
        seen: bool,
    ) -> StoreResult:
        if stored is not None:
            reason += "; stored version kept"
            # The page is still online even though this extraction is unusable.
            self._touch(stored.id, record["url"], None, None, now, seen)
        self._insert_failure(record["url"], crawl_id, "store", reason, None, now)
        return StoreResult("rejected", reason=reason, article_id=stored.id if stored else None)

    def _insert(
        self,
        new_id: str,
        record: dict[str, Any],
        crawl_id: int,
        etag: str | None,
        last_modified: str | None,
        now: str,
    ) -> None:
        columns = record_to_columns(record)
        values: dict[str, Any] = {name: columns[name] for name in _CONTENT_COLUMNS}
        values |= {
            "id": new_id,
            "content_hash": hashing.content_hash(record),
            "first_seen": now,
            "last_seen": now,
            "last_changed": now,
            "crawl_id": crawl_id,
            "etag": etag,
            "last_modified": last_modified,
        }
        names = list(values)
        self._conn.execute(
            f"INSERT INTO articles ({', '.join(names)}) "
            f"VALUES ({', '.join(':' + n for n in names)})",
            values,
        )
        self._link(new_id, record)

    def _touch(
        self,
        stored_id: str,
        url: str,
        etag: str | None,
        last_modified: str | None,
        now: str,
        seen: bool,
    ) -> None:
        """Unchanged content: bookkeeping only (does not fire the FTS trigger)."""
        if not seen:
            return
        self._conn.execute(
            "UPDATE articles SET last_seen = ?, removed_at = NULL, removed_crawl_id = NULL,"
            " url = ?, etag = coalesce(?, etag), last_modified = coalesce(?, last_modified)"
            " WHERE id = ?",
            [now, url, etag, last_modified, stored_id],
        )

    def _replace(
        self,
        stored_id: str,
        record: dict[str, Any],
        new_hash: str,
        crawl_id: int,
        etag: str | None,
        last_modified: str | None,
        now: str,
        seen: bool,
    ) -> int:
        """Changed content: archive the current version as a revision, then overwrite the row."""
        number = self._write_revision(stored_id, now)
        columns = record_to_columns(record)
        values: dict[str, Any] = {name: columns[name] for name in _CONTENT_COLUMNS}
        values |= {
            "content_hash": new_hash,
            "last_changed": now,
            "crawl_id": crawl_id,
        }
        assignments = [f"{name} = :{name}" for name in values]
        assignments += [
            "etag = coalesce(:etag, etag)",
            "last_modified = coalesce(:last_modified, last_modified)",
        ]
        if seen:
            assignments += ["last_seen = :now", "removed_at = NULL", "removed_crawl_id = NULL"]
        values |= {"etag": etag, "last_modified": last_modified, "now": now, "_id": stored_id}
        self._conn.execute(
            f"UPDATE articles SET {', '.join(assignments)} WHERE id = :_id",
            values,
        )
        for _lookup, m2m_table, _field in M2M:
            self._conn.execute(f"DELETE FROM {m2m_table} WHERE articles_id = ?", [stored_id])
        self._link(stored_id, record)
        return number

    def _write_revision(self, stored_id: str, now: str) -> int:
        """Copy the current version of ``stored_id`` into ``revisions``; return its number."""
        cursor = self._conn.execute("SELECT * FROM articles WHERE id = ?", [stored_id])
        names = [d[0] for d in cursor.description]
        row = dict(zip(names, cursor.fetchone(), strict=True))
        (number,) = self._conn.execute(
            "SELECT coalesce(max(revision), 0) + 1 FROM revisions WHERE article_id = ?",
            [stored_id],
        ).fetchone()
        self._conn.execute(
            "INSERT INTO revisions"
            " (article_id, revision, record, content_hash, valid_from, valid_to, crawl_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                stored_id,
                number,
                _dumps(row_to_record(row)),
                row["content_hash"],
                row["last_changed"],
                now,
                row["crawl_id"],
            ],
        )
        return int(number)

    def _link(self, stored_id: str, record: Mapping[str, Any]) -> None:
        """Insert the m2m rows for authors, categories and tags."""
        for lookup, m2m_table, field in M2M:
            for name in record.get(field) or ():
                self._conn.execute(
                    f"INSERT OR IGNORE INTO {m2m_table} (articles_id, {lookup}_id) VALUES (?, ?)",
                    [stored_id, self._lookup_id(lookup, name)],
                )

    def _lookup_id(self, lookup: str, name: str) -> int:
        key = (lookup, name)
        cached = self._lookup_ids.get(key)
        if cached is not None:
            return cached
        row = self._conn.execute(f"SELECT id FROM {lookup} WHERE name = ?", [name]).fetchone()
        if row:
            found = int(row[0])
        else:
            cursor = self._conn.execute(f"INSERT INTO {lookup} (name) VALUES (?)", [name])
            assert cursor.lastrowid is not None
            found = cursor.lastrowid
        self._lookup_ids[key] = found
        return found

    def _count_fields(self, crawl_id: int, record: Mapping[str, Any]) -> None:
        counts = self._field_counts[crawl_id]
        counts["__records__"] += 1
        for name in ARTICLE_FIELDS:
            if record.get(name) not in (None, "", [], {}, 0):
                counts[name] += 1

    def mark_removed(self, article_id_or_url: str, crawl_id: int) -> bool:
        """Flag an article (by id or URL) as gone from the site; ``True`` if one was flagged.

        Nothing is deleted; storing the article again clears the flag.
        """
        with self._atomic():
            cursor = self._conn.execute(
                "UPDATE articles SET removed_at = ?, removed_crawl_id = ?"
                " WHERE (id = ? OR url = ?) AND removed_at IS NULL",
                [self._now(), crawl_id, article_id_or_url, article_id_or_url],
            )
        self._written()
        return cursor.rowcount > 0

    def mark_seen(
        self,
        article_id_or_url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> bool:
        """The page answered "not modified" (HTTP 304): it is still online and unchanged."""
        with self._atomic():
            cursor = self._conn.execute(
                "UPDATE articles SET last_seen = ?, removed_at = NULL, removed_crawl_id = NULL,"
                " etag = coalesce(?, etag), last_modified = coalesce(?, last_modified)"
                " WHERE id = ? OR url = ?",
                [self._now(), etag, last_modified, article_id_or_url, article_id_or_url],
            )
        self._written()
        return cursor.rowcount > 0

    def known_articles(self, site: str) -> dict[str, dict[str, Any]]:
        """Every stored article of ``site`` by URL, with what an incremental crawl needs."""
        cursor = self._conn.execute(
            "SELECT url, id, modified, etag, last_modified, content_hash, last_seen, removed_at"
            " FROM articles WHERE site = ?",
            [site],
        )
        keys = KNOWN_ARTICLE_KEYS
        return {row[0]: dict(zip(keys, row[1:], strict=True)) for row in cursor}

    # ------------------------------------------------------------------ captures & failures

    def store_capture(
        self,
        url: str,
        status: int,
        headers: dict[str, str],
        body: bytes,
        crawl_id: int,
        fetched_at: str | None = None,
    ) -> int:
        """Archive one raw response; return the capture id.

        The body is zlib-compressed. If it is byte-identical to the latest
        capture of the same URL, no new blob is stored: ``body_capture_id``
        points at the capture that holds it.
        """
        digest = hashing.body_sha256(body)
        with self._atomic():
            latest = self._conn.execute(
                "SELECT id, body_sha256, body_capture_id FROM captures"
                " WHERE url = ? ORDER BY id DESC LIMIT 1",
                [url],
            ).fetchone()
            blob: bytes | None = None
            holder: int | None = None
            if latest is not None and latest[1] == digest:
                holder = latest[2] or latest[0]
            else:  # compressed only when it is stored (not for an unchanged page)
                blob = zlib.compress(body, 6)
            cursor = self._conn.execute(
                "INSERT INTO captures (url, status, headers, fetched_at, crawl_id, body_sha256,"
                " body_size, body_encoding, body, body_capture_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    url,
                    status,
                    _dumps(dict(headers)),
                    fetched_at or self._now(),
                    crawl_id,
                    digest,
                    len(body),
                    CAPTURE_ENCODING,
                    blob,
                    holder,
                ],
            )
        self._tallies[crawl_id]["captures"] += 1
        self._written()
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def capture_body(self, capture_id: int) -> bytes:
        """The decompressed body of a capture (following a de-duplication reference)."""
        row = self._conn.execute(
            "SELECT coalesce(c.body, h.body) FROM captures c"
            " LEFT JOIN captures h ON h.id = c.body_capture_id WHERE c.id = ?",
            [capture_id],
        ).fetchone()
        if row is None:
            raise KeyError(capture_id)
        return zlib.decompress(row[0]) if row[0] is not None else b""

    def latest_capture(
        self, url: str, *, article_id: str | None = None, status: int = 200
    ) -> tuple[int, str] | None:
        """``(capture id, fetched url)`` of the newest capture of an article.

        A capture matches if it was linked to ``article_id`` or fetched from
        ``url`` or a spelling of it (trailing slash, percent-encoding).
        """
        variants = url_variants(url)
        marks = ", ".join("?" for _ in variants)
        row = self._conn.execute(
            f"SELECT id, url FROM captures WHERE (article_id = ? OR url IN ({marks}))"
            " AND status = ? ORDER BY id DESC LIMIT 1",
            [article_id, *variants, status],
        ).fetchone()
        return (int(row[0]), str(row[1])) if row else None

    def record_failure(
        self,
        url: str,
        crawl_id: int | None,
        stage: str,
        reason: str,
        status: int | None = None,
    ) -> int:
        """Record a page that could not be fetched, extracted or stored; return the row id."""
        with self._atomic():
            failure_id = self._insert_failure(url, crawl_id, stage, reason, status, self._now())
        if crawl_id is not None:
            self._tallies[crawl_id]["failed"] += 1
        self._written()
        return failure_id

    def _insert_failure(
        self,
        url: str,
        crawl_id: int | None,
        stage: str,
        reason: str,
        status: int | None,
        now: str,
    ) -> int:
        cursor = self._conn.execute(
            "INSERT INTO failures (url, crawl_id, stage, reason, status, at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [url, crawl_id, stage, reason, status, now],
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    # ------------------------------------------------------------------ reparse

    def reparse(self, extract_fn: ExtractFn, *, site: str | None = None) -> dict[str, int]:
        """Re-extract every stored article from its latest 200 capture, with no network.

        Runs as one ``reparse`` crawl per site; results go through
        :meth:`store_article` (``seen=False``), so only real changes add
        revisions and a worse extraction is rejected. Extraction errors are
        recorded as ``extract`` failures. Returns counts of outcomes plus
        ``failed`` and ``no_capture``.
        """
        self.flush()
        sites = [
            row[0]
            for row in self._conn.execute(
                "SELECT DISTINCT site FROM articles WHERE ? IS NULL OR site = ? ORDER BY site",
                [site, site],
            )
        ]
        totals: Counter[str] = Counter()
        for name in sites:
            totals.update(self._reparse_site(name, extract_fn))
        return dict(totals)

    def _reparse_site(self, site: str, extract_fn: ExtractFn) -> Counter[str]:
        crawl_id = self.begin_crawl(site, {"mode": "reparse"})
        counts: Counter[str] = Counter()
        articles = self._conn.execute(
            "SELECT id, url FROM articles WHERE site = ? ORDER BY rowid", [site]
        ).fetchall()
        for stored_id, url in articles:
            capture = self.latest_capture(url, article_id=stored_id)
            if capture is None:
                counts["no_capture"] += 1
                continue
            capture_id, fetched_url = capture
            try:
                extracted = extract_fn(self.capture_body(capture_id), fetched_url)
            except Exception as exc:  # the extractor's bug must not stop the reparse
                self.record_failure(url, crawl_id, "extract", f"{type(exc).__name__}: {exc}")
                counts["failed"] += 1
                continue
            counts[self.store_article(extracted, crawl_id, seen=False).outcome] += 1
        self.finish_crawl(crawl_id, "reparse", dict(counts), {}, "finished")
        return counts


def missing_required(record: Mapping[str, Any]) -> list[str]:
    """Required fields that are empty or blank."""
    return [name for name in REQUIRED_FIELDS if not str(record.get(name) or "").strip()]


def clobber_reason(stored_body_length: int, record: Mapping[str, Any]) -> str | None:
    """Why ``record`` must not replace a stored version whose body has that length, if so."""
    new_length = len(record.get("body") or "")
    if stored_body_length and new_length < stored_body_length * MIN_BODY_RATIO:
        return (
            f"body shrank from {stored_body_length} to {new_length} characters"
            f" (less than {MIN_BODY_RATIO:.0%} of the stored version)"
        )
    return None


def lost_fields_reason(present: frozenset[str], record: Mapping[str, Any]) -> str | None:
    """Why ``record`` must not replace a version that has the ``present`` fields, if so."""
    lost = [name for name in LOSABLE_FIELDS if name in present and not record.get(name)]
    return f"lost field(s) the stored version has: {', '.join(lost)}" if lost else None


def url_variants(url: str) -> list[str]:
    """``url`` plus the spellings a fetch may have used: trailing slash, percent-encoding."""
    forms = [url, unquote(url), quote(unquote(url), safe=":/?#[]@!$&'()*+,;=%~")]
    variants: dict[str, None] = {}
    for form in forms:
        variants.setdefault(form, None)
        variants.setdefault(form[:-1] if form.endswith("/") else form + "/", None)
    return list(variants)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
