"""Opening the archive database: one place that sets the connection pragmas.

Every connection (the crawler's writer, the CLI, tests) goes through
:func:`connect`, so they all agree on:

* ``journal_mode=WAL`` – readers never block the writer and the writer never
  blocks readers; a reader sees the last committed batch;
* ``busy_timeout`` of 30 s – a second writer (e.g. ``reparse`` during a crawl)
  waits for the lock instead of failing with "database is locked";
* ``synchronous=NORMAL`` – safe with WAL (a power cut can lose the last
  commits but never corrupts the file), much faster than ``FULL``;
* ``foreign_keys=ON`` – m2m rows, revisions and crawl ids must point at real rows.

The underlying ``sqlite3`` connection is in autocommit mode
(``isolation_level=None``): transactions are only ever opened explicitly, by
:class:`~ecss_crawler.archive.store.Archive` or sqlite-utils' ``atomic()``.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

BUSY_TIMEOUT_SECONDS = 30.0
DEFAULT_DB_PATH = "data/ecss.db"


class ArchiveError(Exception):
    """The archive cannot be opened or used as asked."""


def connect(path: str | Path, *, create: bool = True) -> sqlite_utils.Database:
    """Open (or create) the archive at ``path`` with the archive's pragmas.

    Does not create or upgrade the schema: see :func:`ecss_crawler.archive.migrations.migrate`.
    With ``create=False`` a missing file is an :class:`ArchiveError` rather than
    a new empty database.
    """
    path = Path(path)
    if not create and not path.exists():
        raise ArchiveError(f"no archive database at {path}")
    if create and path.parent != Path():
        path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
    db = sqlite_utils.Database(conn)
    if db.journal_mode != "wal":
        db.enable_wal()
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    return db


def utcnow() -> str:
    """Current UTC time as ISO 8601 with microseconds and a ``Z`` (sorts as text)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# ---------------------------------------------------------------------------------- checking

#: The FTS5 index over ``articles`` (see migration ``0002_articles_fts``).
FTS_TABLE = "articles_fts"
_M2M_CHECKS: tuple[tuple[str, str, str], ...] = (
    ("authors", "articles_authors", "authors"),
    ("categories", "articles_categories", "categories"),
    ("tags", "articles_tags", "tags"),
)


def check_archive(path: str | Path, *, captures: bool = True) -> list[str]:
    """Problems found in the archive at ``path``; an empty list means it is sound.

    Checks SQLite's own ``integrity_check`` and ``foreign_key_check``, the FTS index
    against the articles, and every stored version: required fields present, content
    hash matching the content, m2m links matching the JSON lists (no half-written
    article), revisions readable; with ``captures``, every capture body inflates to
    its recorded digest. Changes nothing (a write transaction is opened only to run
    the FTS check, and rolled back).
    """
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    try:
        problems = _sqlite_problems(conn)
        if problems:
            return problems  # a corrupt file: the row checks would only add noise
        problems += _fts_problems(conn)
        problems += _article_problems(conn)
        problems += _revision_problems(conn)
        if captures:
            problems += _capture_problems(conn)
        return problems
    finally:
        conn.close()


def _sqlite_problems(conn: sqlite3.Connection) -> list[str]:
    rows = [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]
    problems = [] if rows == ["ok"] else [f"integrity_check: {row}" for row in rows]
    dangling = conn.execute("PRAGMA foreign_key_check").fetchall()
    problems += [f"foreign_key_check: {tuple(row)}" for row in dangling]
    return problems


def _fts_problems(conn: sqlite3.Connection) -> list[str]:
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [FTS_TABLE]
    ).fetchone()
    if not exists:
        return []
    conn.execute("BEGIN")
    try:
        # rank=1: also compare the index with the content table (SQLite >= 3.44; older
        # versions ignore it and check the index's own structure).
        conn.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rank) VALUES ('integrity-check', 1)")
    except sqlite3.DatabaseError as error:
        return [f"{FTS_TABLE}: {error}"]
    finally:
        conn.execute("ROLLBACK")
    return []


def _article_problems(conn: sqlite3.Connection) -> list[str]:
    from ecss_crawler.archive.hashing import content_hash
    from ecss_crawler.archive.records import clean_names, row_to_record
    from ecss_crawler.items import REQUIRED_FIELDS

    links = _linked_names(conn)
    problems: list[str] = []
    cursor = conn.execute("SELECT * FROM articles")
    names = [d[0] for d in cursor.description]
    for values in cursor:
        row = dict(zip(names, values, strict=True))
        record = row_to_record(row)
        where = f"article {row['id']}"
        missing = [name for name in REQUIRED_FIELDS if not str(record.get(name) or "").strip()]
        if missing:
            problems.append(f"{where}: empty {', '.join(missing)}")
        if row["content_hash"] != content_hash(record):
            problems.append(f"{where}: content_hash does not match the stored content")
        for _lookup, _table, field in _M2M_CHECKS:
            stored = set(clean_names(record.get(field)))
            linked = links.get((field, row["id"]), set())
            if stored != linked:
                problems.append(f"{where}: {field} {sorted(stored)} but linked {sorted(linked)}")
    return problems


def _linked_names(conn: sqlite3.Connection) -> dict[tuple[str, str], set[str]]:
    """(field, article id) -> names linked through the m2m tables."""
    linked: dict[tuple[str, str], set[str]] = {}
    for lookup, table, field in _M2M_CHECKS:
        query = (
            f"SELECT m.articles_id, l.name FROM {table} m JOIN {lookup} l ON l.id = m.{lookup}_id"
        )
        for article, name in conn.execute(query):
            linked.setdefault((field, article), set()).add(name)
    return linked


def _revision_problems(conn: sqlite3.Connection) -> list[str]:
    from ecss_crawler.archive.hashing import content_hash

    problems: list[str] = []
    query = "SELECT article_id, revision, record, content_hash FROM revisions"
    for article, number, record, digest in conn.execute(query):
        where = f"revision {number} of {article}"
        try:
            data = json.loads(record)
        except (TypeError, ValueError):
            problems.append(f"{where}: record is not JSON")
            continue
        if digest != content_hash(data):
            problems.append(f"{where}: content_hash does not match the record")
    return problems


def _capture_problems(conn: sqlite3.Connection) -> list[str]:
    problems: list[str] = []
    query = (
        "SELECT c.id, c.body_sha256, coalesce(c.body, h.body) FROM captures c"
        " LEFT JOIN captures h ON h.id = c.body_capture_id"
    )
    for capture_id, digest, blob in conn.execute(query):
        try:
            body = zlib.decompress(blob) if blob is not None else b""
        except zlib.error as error:
            problems.append(f"capture {capture_id}: body does not inflate ({error})")
            continue
        if hashlib.sha256(body).hexdigest() != digest:
            problems.append(f"capture {capture_id}: body does not match its sha256")
    return problems
