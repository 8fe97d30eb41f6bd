"""The article archive: SQLite (via sqlite-utils) storage with revisions, captures and FTS.

No Scrapy import anywhere in this package: the crawler's pipeline, the CLI,
tests and benchmarks all use :class:`Archive` directly. See ``docs/data-model.md``.
"""

from __future__ import annotations

from ecss_crawler.archive.db import DEFAULT_DB_PATH, ArchiveError, connect
from ecss_crawler.archive.migrations import migrate
from ecss_crawler.archive.store import Archive, StoreResult

__all__ = ["DEFAULT_DB_PATH", "Archive", "ArchiveError", "StoreResult", "connect", "migrate"]
