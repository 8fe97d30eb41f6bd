"""sqlite-utils plugin: the ``ecss_match(text)`` SQL function in ``sqlite-utils query``.

Registered through the ``sqlite_utils`` entry point (``pyproject.toml``).
``sqlite-utils search`` sends its text to ``MATCH`` unchanged (no plugin hook
can reach it), but a query can analyse its text like ``ecss-crawler search``::

    sqlite-utils query data/ecss.db "select id, title from articles where rowid in
      (select rowid from articles_fts where articles_fts match ecss_match(:q))" -p q والسياسات
"""

from __future__ import annotations

import sqlite3

import pluggy

from ecss_crawler.archive.queries import match_expression

hookimpl = pluggy.HookimplMarker("sqlite_utils")


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    """Register ``ecss_match(text)``: the FTS5 expression ``ecss-crawler search`` would use."""
    conn.create_function("ecss_match", 1, match_expression, deterministic=True)
