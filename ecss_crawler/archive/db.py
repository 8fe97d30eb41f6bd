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

import sqlite3
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
