"""Datasette plugin: the archive's Arabic/English query analysis in Datasette.

Registered through the ``datasette`` entry point (``pyproject.toml``), so
``datasette data/ecss.db`` loads it once the package is installed. On every
connection to a database whose search columns are analysed (its
``_migrations`` holds :data:`~ecss_crawler.archive.migrations.ANALYSIS_MIGRATION`),
Datasette's own ``escape_fts()`` SQL function, through which its search box and
``?_search=`` go, is replaced by :func:`~ecss_crawler.archive.queries.fts_query`:
the search box then finds exactly what ``ecss-crawler search`` finds. Every
connection also gets ``ecss_match(text)``, the same function, for SQL queries.
(``?_searchmode=raw`` still sends the text to ``MATCH`` unchanged.)
"""

from __future__ import annotations

import sqlite3

import pluggy

from ecss_crawler.archive.migrations import ANALYSIS_MIGRATION, MIGRATIONS_TABLE
from ecss_crawler.archive.queries import match_expression

hookimpl = pluggy.HookimplMarker("datasette")


def is_analysed_archive(conn: sqlite3.Connection) -> bool:
    """Whether ``conn`` is an archive whose search columns use the current analysis."""
    try:
        row = conn.execute(
            f"SELECT 1 FROM {MIGRATIONS_TABLE} WHERE name = ?", [ANALYSIS_MIGRATION]
        ).fetchone()
    except sqlite3.Error:
        return False
    return row is not None


# trylast: run after Datasette's own sql_functions plugin, whose escape_fts this replaces.
@hookimpl(trylast=True)
def prepare_connection(conn: sqlite3.Connection) -> None:
    """Register ``ecss_match``; on an analysed archive, replace ``escape_fts``."""
    conn.create_function("ecss_match", 1, match_expression, deterministic=True)
    if is_analysed_archive(conn):
        conn.create_function("escape_fts", 1, match_expression, deterministic=True)
