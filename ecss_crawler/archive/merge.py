"""Merge per-worker archives into one: ``ecss-crawler merge OUT.db IN1.db IN2.db ...``.

When several crawl workers share a frontier (scrapy-redis, see ``docs/scaling.md``)
each writes its own SQLite archive, so there is never more than one writer per
file. This module folds those archives into one, over sqlite-utils / SQL with
each input ``ATTACH``-ed read-only in turn (inputs are never written):

* **articles**: union keyed by ``articles.id``. When both sides hold an
  article, the version with the newer ``last_seen`` becomes the current row
  (ties: the output's row stays); ``first_seen`` is the earliest of the two.
  If the two versions differ in content, the losing one is kept as a revision.
* **revisions**: every revision of every input is kept (deduplicated on
  ``article_id, content_hash, valid_from``). Revisions are immutable, so new
  ones are numbered after those already in the output, in ``valid_from`` order.
* **crawls, captures, failures**: all rows, their ids renumbered and every
  reference (``crawl_id``, ``removed_crawl_id``, ``body_capture_id``) remapped.
  Rows already present (same natural key) are not copied again.
* **authors, categories, tags**: lookup rows by name; m2m links follow the
  current version of each article.
* **documents**: files by SHA-256 (copied once; ``last_seen`` the latest), document URLs
  (the side that saw a URL last decides which file it serves now; ``first_seen`` the
  earliest), article links (union).
* **FTS**: kept in sync by the archive's triggers while merging, then rebuilt
  once (``articles_fts`` ``rebuild``) so the index is exactly the table.

Merging is idempotent: merging the same input again changes nothing (apart
from the FTS rebuild). Each input is merged in one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from ecss_crawler.archive.db import ArchiveError, connect
from ecss_crawler.archive.migrations import ANALYSIS_MIGRATION, M2M, migrate, reanalyse_articles
from ecss_crawler.archive.records import row_to_record

#: Natural key of a crawl (its id is local to each archive).
_CRAWL_KEY = ("site", "started", "args")
_SRC = "merge_src"


@dataclass
class InputStats:
    """What merging one input added to the output."""

    path: str
    crawls: int = 0
    articles_new: int = 0
    articles_updated: int = 0
    revisions: int = 0
    captures: int = 0
    failures: int = 0


@dataclass
class MergeStats:
    """The result of :func:`merge_archives`."""

    output: str
    inputs: list[InputStats] = field(default_factory=list)
    articles: int = 0
    revisions: int = 0
    captures: int = 0
    crawls: int = 0
    failures: int = 0


def merge_archives(
    output: str | Path, inputs: Sequence[str | Path], *, rebuild_fts: bool = True
) -> MergeStats:
    """Merge ``inputs`` into ``output`` (created and migrated if needed); see the module doc."""
    out_path = Path(output)
    sources = [Path(p) for p in inputs]
    _check_paths(out_path, sources)
    db = connect(out_path)
    try:
        migrate(db)
        stats = MergeStats(str(out_path))
        for source in sources:
            stats.inputs.append(_merge_one(db, source))
        if rebuild_fts:
            db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')")
        for table in ("articles", "revisions", "captures", "crawls", "failures"):
            setattr(stats, table, int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]))
    finally:
        db.close()
    return stats


def _check_paths(output: Path, sources: Sequence[Path]) -> None:
    if not sources:
        raise ArchiveError("nothing to merge: give at least one input archive")
    for source in sources:
        if not source.is_file():
            raise ArchiveError(f"no archive database at {source}")
        if output.exists() and source.resolve() == output.resolve():
            raise ArchiveError(f"{source} is the output; merge into a different file")


def _merge_one(db: sqlite_utils.Database, source: Path) -> InputStats:
    """Merge one input archive inside a single transaction."""
    stats = InputStats(str(source))
    conn = db.conn
    conn.execute(f"ATTACH DATABASE ? AS {_SRC}", [str(source)])
    try:
        _check_source(db)
        conn.execute("BEGIN IMMEDIATE")
        try:
            _create_temp_tables(db)
            stats.crawls = _merge_crawls(db)
            _merge_lookups(db)
            stats.articles_new = _insert_new_articles(db)
            stats.articles_updated = _reconcile_articles(db)
            stats.revisions = _insert_revisions(db)
            stats.captures = _merge_captures(db)
            stats.failures = _merge_failures(db)
            _merge_sites(db)
            _merge_documents(db)
            _reanalyse_if_stale(db)
            _drop_temp_tables(db)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    finally:
        conn.execute(f"DETACH DATABASE {_SRC}")
    return stats


def _reanalyse_if_stale(db: sqlite_utils.Database) -> None:
    """An input from before :data:`ANALYSIS_MIGRATION` has search columns in the old
    analysis (copied with its rows): recompute them for its articles."""
    theirs = {
        row[0] for row in db.execute(f"SELECT name FROM {_SRC}.sqlite_master WHERE type = 'table'")
    }
    if "_migrations" in theirs:
        done = {row[0] for row in db.execute(f"SELECT name FROM {_SRC}._migrations")}
        if ANALYSIS_MIGRATION in done:
            return
    reanalyse_articles(db, f"id IN (SELECT id FROM {_SRC}.articles)")


def _check_source(db: sqlite_utils.Database) -> None:
    tables = {
        row[0] for row in db.execute(f"SELECT name FROM {_SRC}.sqlite_master WHERE type = 'table'")
    }
    needed = {"articles", "crawls", "revisions", "captures", "failures"}
    if not needed <= tables:
        missing = ", ".join(sorted(needed - tables))
        raise ArchiveError(f"not an ecss-crawler archive (missing tables: {missing})")


def _columns(db: sqlite_utils.Database, table: str) -> list[str]:
    """Columns ``table`` has in both the output and the input (schemas may differ by a
    migration); ``id`` excluded."""
    mine = [row[1] for row in db.execute(f"PRAGMA main.table_info({table})")]
    theirs = {row[1] for row in db.execute(f"PRAGMA {_SRC}.table_info({table})")}
    return [name for name in mine if name in theirs and name != "id"]


_TEMP_TABLES = (
    "crawl_map (old INTEGER PRIMARY KEY, new INTEGER NOT NULL)",
    "capture_map (old INTEGER PRIMARY KEY, new INTEGER NOT NULL)",
    "new_articles (id TEXT PRIMARY KEY)",
    "rev_candidates (article_id TEXT, record TEXT, content_hash TEXT, valid_from TEXT,"
    " valid_to TEXT, crawl_id INTEGER, sort_key INTEGER)",
)


def _create_temp_tables(db: sqlite_utils.Database) -> None:
    # One statement at a time: executescript() would commit the open transaction.
    for definition in _TEMP_TABLES:
        db.execute(f"CREATE TEMP TABLE {definition}")


def _drop_temp_tables(db: sqlite_utils.Database) -> None:
    for name in ("crawl_map", "capture_map", "new_articles", "rev_candidates"):
        db.execute(f"DROP TABLE temp.{name}")


# --------------------------------------------------------------------------- crawls


def _merge_crawls(db: sqlite_utils.Database) -> int:
    """Copy crawls not yet in the output; fill ``temp.crawl_map`` (input id -> output id)."""
    columns = _columns(db, "crawls")
    added = 0
    cursor = db.execute(f"SELECT id, {', '.join(columns)} FROM {_SRC}.crawls ORDER BY id")
    for row in cursor.fetchall():
        values = dict(zip(columns, row[1:], strict=True))
        existing = db.execute(
            "SELECT id, status FROM main.crawls WHERE site IS ? AND started IS ? AND args IS ?",
            [values[name] for name in _CRAWL_KEY],
        ).fetchone()
        if existing is None:
            new_id = _insert_row(db, "crawls", values)
            added += 1
        else:
            new_id = existing[0]
            unfinished = existing[1] in ("running", "interrupted")
            if unfinished and values.get("status") not in ("running", "interrupted"):
                _update_row(db, "crawls", new_id, values)  # finished since the last merge
        db.execute("INSERT INTO temp.crawl_map (old, new) VALUES (?, ?)", [row[0], new_id])
    return added


def _merge_sites(db: sqlite_utils.Database) -> None:
    """Site names by host (``sites``, migration 0006): the input's later crawls win."""
    has_sites = db.execute(
        f"SELECT 1 FROM {_SRC}.sqlite_master WHERE type = 'table' AND name = 'sites'"
    ).fetchone()
    if not has_sites:
        return
    db.execute(
        "INSERT INTO main.sites (host, name, profile, first_crawl_id, last_crawl_id)"
        " SELECT s.host, s.name, s.profile, f.new, l.new"
        f" FROM {_SRC}.sites s"
        " LEFT JOIN temp.crawl_map f ON f.old = s.first_crawl_id"
        " LEFT JOIN temp.crawl_map l ON l.old = s.last_crawl_id"
        " WHERE true ON CONFLICT(host) DO UPDATE SET name = excluded.name,"
        " profile = excluded.profile, last_crawl_id = max(coalesce(last_crawl_id, 0),"
        " coalesce(excluded.last_crawl_id, 0))"
    )


def _insert_row(db: sqlite_utils.Database, table: str, values: dict[str, Any]) -> int:
    names = list(values)
    cursor = db.execute(
        f"INSERT INTO main.{table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
        [values[name] for name in names],
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def _update_row(db: sqlite_utils.Database, table: str, row_id: Any, values: dict[str, Any]) -> None:
    assignments = ", ".join(f"{name} = ?" for name in values)
    db.execute(f"UPDATE main.{table} SET {assignments} WHERE id = ?", [*values.values(), row_id])


def _mapped(column: str) -> str:
    """SQL for an input crawl id column remapped to the output's id."""
    return f"(SELECT new FROM temp.crawl_map WHERE old = {column})"


# --------------------------------------------------------------------------- articles


def _merge_lookups(db: sqlite_utils.Database) -> None:
    for lookup, _m2m, _field in M2M:
        db.execute(f"INSERT OR IGNORE INTO main.{lookup} (name) SELECT name FROM {_SRC}.{lookup}")


def _insert_new_articles(db: sqlite_utils.Database) -> int:
    """Articles only the input has: copied with their m2m links (FTS triggers index them)."""
    db.execute(
        f"INSERT INTO temp.new_articles (id) SELECT s.id FROM {_SRC}.articles s"
        " WHERE NOT EXISTS (SELECT 1 FROM main.articles m WHERE m.id = s.id)"
    )
    columns = _columns(db, "articles")
    select = [_select_article_column(name) for name in columns]
    db.execute(
        f"INSERT INTO main.articles (id, {', '.join(columns)})"
        f" SELECT s.id, {', '.join(select)} FROM {_SRC}.articles s"
        " WHERE s.id IN (SELECT id FROM temp.new_articles) ORDER BY s.rowid"
    )
    _copy_links(db, "SELECT id FROM temp.new_articles")
    return int(db.execute("SELECT count(*) FROM temp.new_articles").fetchone()[0])


def _select_article_column(name: str) -> str:
    return _mapped(f"s.{name}") if name in ("crawl_id", "removed_crawl_id") else f"s.{name}"


def _copy_links(db: sqlite_utils.Database, ids_sql: str, params: Sequence[Any] = ()) -> None:
    """Copy the input's m2m links of the articles ``ids_sql`` selects, lookups matched by name."""
    for lookup, m2m, _field in M2M:
        db.execute(
            f"INSERT OR IGNORE INTO main.{m2m} (articles_id, {lookup}_id)"
            f" SELECT l.articles_id, m.id FROM {_SRC}.{m2m} l"
            f" JOIN {_SRC}.{lookup} s ON s.id = l.{lookup}_id"
            f" JOIN main.{lookup} m ON m.name = s.name"
            f" WHERE l.articles_id IN ({ids_sql})",
            list(params),
        )


def _reconcile_articles(db: sqlite_utils.Database) -> int:
    """Articles both sides hold that differ: newest ``last_seen`` wins, the loser's content
    becomes a revision candidate. Returns the number of output rows replaced."""
    conflicts = db.execute(
        f"SELECT s.id FROM {_SRC}.articles s JOIN main.articles m ON m.id = s.id"
        " WHERE s.id NOT IN (SELECT id FROM temp.new_articles) AND (s.last_seen > m.last_seen"
        " OR s.first_seen < m.first_seen OR s.content_hash IS NOT m.content_hash)"
    ).fetchall()
    replaced = 0
    for (article_id,) in conflicts:
        replaced += _reconcile_one(db, article_id)
    return replaced


def _row(db: sqlite_utils.Database, schema: str, article_id: str) -> dict[str, Any]:
    cursor = db.execute(f"SELECT * FROM {schema}.articles WHERE id = ?", [article_id])
    names = [d[0] for d in cursor.description]
    return dict(zip(names, cursor.fetchone(), strict=True))


def _reconcile_one(db: sqlite_utils.Database, article_id: str) -> int:
    mine, theirs = _row(db, "main", article_id), _row(db, _SRC, article_id)
    theirs_crawl = _map_crawl(db, theirs.get("crawl_id"))
    input_wins = theirs["last_seen"] > mine["last_seen"]
    winner, loser = (theirs, mine) if input_wins else (mine, theirs)
    if mine["content_hash"] != theirs["content_hash"]:
        loser_crawl = mine.get("crawl_id") if input_wins else theirs_crawl
        _add_candidate(db, loser, winner, loser_crawl)
    first_seen = min(mine["first_seen"], theirs["first_seen"])
    if not input_wins:
        db.execute("UPDATE main.articles SET first_seen = ? WHERE id = ?", [first_seen, article_id])
        return 0
    columns = _columns(db, "articles")
    values = {name: theirs[name] for name in columns}
    values |= {
        "first_seen": first_seen,
        "crawl_id": theirs_crawl,
        "removed_crawl_id": _map_crawl(db, theirs.get("removed_crawl_id")),
    }
    _update_row(db, "articles", article_id, values)
    for _lookup, m2m, _field in M2M:
        db.execute(f"DELETE FROM main.{m2m} WHERE articles_id = ?", [article_id])
    _copy_links(db, "?", [article_id])
    return 1


def _map_crawl(db: sqlite_utils.Database, crawl_id: int | None) -> int | None:
    if crawl_id is None:
        return None
    row = db.execute("SELECT new FROM temp.crawl_map WHERE old = ?", [crawl_id]).fetchone()
    return int(row[0]) if row else None


def _add_candidate(
    db: sqlite_utils.Database,
    loser: dict[str, Any],
    winner: dict[str, Any],
    crawl_id: int | None,
) -> None:
    """The losing current version, as a revision candidate."""
    superseded = winner["last_changed"]
    valid_to = superseded if superseded > loser["last_changed"] else loser["last_seen"]
    db.execute(
        "INSERT INTO temp.rev_candidates"
        " (article_id, record, content_hash, valid_from, valid_to, crawl_id, sort_key)"
        " VALUES (?, ?, ?, ?, ?, ?, 0)",
        [
            loser["id"],
            _dumps(row_to_record(loser)),
            loser["content_hash"],
            loser["last_changed"],
            valid_to,
            crawl_id,
        ],
    )


# --------------------------------------------------------------------------- revisions


def _insert_revisions(db: sqlite_utils.Database) -> int:
    """Input revisions and losing versions not yet in the output, numbered after the
    output's own, oldest first. The current version itself is never added."""
    db.execute(
        "INSERT INTO temp.rev_candidates"
        " (article_id, record, content_hash, valid_from, valid_to, crawl_id, sort_key)"
        f" SELECT r.article_id, r.record, r.content_hash, r.valid_from, r.valid_to,"
        f" {_mapped('r.crawl_id')}, r.revision FROM {_SRC}.revisions r"
    )
    before = db.execute("SELECT count(*) FROM main.revisions").fetchone()[0]
    db.execute(
        """
        INSERT INTO main.revisions
            (article_id, revision, record, content_hash, valid_from, valid_to, crawl_id)
        SELECT c.article_id,
               (SELECT coalesce(max(revision), 0) FROM main.revisions r
                 WHERE r.article_id = c.article_id)
               + row_number() OVER (PARTITION BY c.article_id
                                    ORDER BY c.valid_from, c.sort_key),
               c.record, c.content_hash, c.valid_from, c.valid_to, c.crawl_id
        FROM (SELECT * FROM temp.rev_candidates GROUP BY article_id, content_hash, valid_from)
             AS c
        JOIN main.articles a ON a.id = c.article_id
        WHERE NOT EXISTS (
            SELECT 1 FROM main.revisions r WHERE r.article_id = c.article_id
              AND r.content_hash = c.content_hash AND r.valid_from IS c.valid_from)
          AND NOT (a.content_hash = c.content_hash AND a.last_changed IS c.valid_from)
        ORDER BY c.article_id, c.valid_from, c.sort_key
        """
    )
    after = db.execute("SELECT count(*) FROM main.revisions").fetchone()[0]
    return int(after - before)


# --------------------------------------------------------------------------- captures, failures


def _merge_captures(db: sqlite_utils.Database) -> int:
    """All the input's captures not yet in the output; blob references remapped."""
    columns = [c for c in _columns(db, "captures") if c != "body_capture_id"]
    select = [_mapped("s.crawl_id") if name == "crawl_id" else f"s.{name}" for name in columns]
    cursor = db.execute(
        f"INSERT INTO main.captures ({', '.join(columns)})"
        f" SELECT {', '.join(select)} FROM {_SRC}.captures s"
        " WHERE NOT EXISTS (SELECT 1 FROM main.captures m WHERE m.url = s.url"
        " AND m.fetched_at = s.fetched_at AND m.body_sha256 = s.body_sha256"
        f" AND m.status IS s.status AND m.crawl_id IS {_mapped('s.crawl_id')})"
        " ORDER BY s.id"
    )
    added = cursor.rowcount
    db.execute(
        "INSERT OR IGNORE INTO temp.capture_map (old, new)"
        f" SELECT s.id, m.id FROM {_SRC}.captures s JOIN main.captures m ON m.url = s.url"
        " AND m.fetched_at = s.fetched_at AND m.body_sha256 = s.body_sha256"
        f" AND m.status IS s.status AND m.crawl_id IS {_mapped('s.crawl_id')}"
    )
    db.execute(
        """
        UPDATE main.captures SET body_capture_id = (
            SELECT holder.new FROM temp.capture_map AS me
            JOIN merge_src.captures AS s ON s.id = me.old
            JOIN temp.capture_map AS holder ON holder.old = s.body_capture_id
            WHERE me.new = main.captures.id)
        WHERE body IS NULL AND body_capture_id IS NULL
        """
    )
    return max(added, 0)


def _merge_failures(db: sqlite_utils.Database) -> int:
    columns = _columns(db, "failures")
    select = [_mapped("s.crawl_id") if name == "crawl_id" else f"s.{name}" for name in columns]
    cursor = db.execute(
        f"INSERT INTO main.failures ({', '.join(columns)})"
        f" SELECT {', '.join(select)} FROM {_SRC}.failures s"
        " WHERE NOT EXISTS (SELECT 1 FROM main.failures m WHERE m.url = s.url"
        " AND m.stage = s.stage AND m.reason = s.reason AND m.at = s.at"
        f" AND m.crawl_id IS {_mapped('s.crawl_id')}) ORDER BY s.id"
    )
    return max(cursor.rowcount, 0)


def _merge_documents(db: sqlite_utils.Database) -> None:
    """Documents, their URLs and article links (inputs from before documents have none)."""
    tables = {
        row[0] for row in db.execute(f"SELECT name FROM {_SRC}.sqlite_master WHERE type = 'table'")
    }
    if not {"documents", "document_urls", "document_links"} <= tables:
        return
    columns = [c for c in _columns(db, "documents") if c != "sha256"]
    select = [_mapped("s.crawl_id") if name == "crawl_id" else f"s.{name}" for name in columns]
    db.execute(
        f"INSERT INTO main.documents (sha256, {', '.join(columns)})"
        f" SELECT s.sha256, {', '.join(select)} FROM {_SRC}.documents s"
        " WHERE NOT EXISTS (SELECT 1 FROM main.documents m WHERE m.sha256 = s.sha256)"
    )
    db.execute(
        f"UPDATE main.documents SET last_seen = (SELECT s.last_seen FROM {_SRC}.documents s"
        " WHERE s.sha256 = main.documents.sha256)"
        f" WHERE sha256 IN (SELECT s.sha256 FROM {_SRC}.documents s"
        " WHERE s.sha256 = main.documents.sha256 AND s.last_seen > main.documents.last_seen)"
    )
    url_columns = [c for c in _columns(db, "document_urls") if c != "url"]
    url_select = [_mapped("s.crawl_id") if c == "crawl_id" else f"s.{c}" for c in url_columns]
    db.execute(
        f"INSERT INTO main.document_urls (url, {', '.join(url_columns)})"
        f" SELECT s.url, {', '.join(url_select)} FROM {_SRC}.document_urls s WHERE true"
        " ON CONFLICT (url) DO UPDATE SET "
        + ", ".join(
            f"{c} = CASE WHEN excluded.last_seen > last_seen THEN excluded.{c} ELSE {c} END"
            for c in url_columns
            if c not in ("first_seen", "last_seen")
        )
        + ", first_seen = min(first_seen, excluded.first_seen),"
        " last_seen = max(last_seen, excluded.last_seen)"
    )
    db.execute(
        "INSERT OR IGNORE INTO main.document_links (article_id, url, first_seen)"
        f" SELECT s.article_id, s.url, s.first_seen FROM {_SRC}.document_links s"
        " WHERE EXISTS (SELECT 1 FROM main.articles a WHERE a.id = s.article_id)"
    )


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def summary_lines(stats: MergeStats) -> Iterable[str]:
    """Human-readable lines for the ``merge`` command."""
    for item in stats.inputs:
        yield (
            f"{item.path}: +{item.articles_new} articles, {item.articles_updated} updated, "
            f"+{item.revisions} revisions, +{item.captures} captures, +{item.crawls} crawls, "
            f"+{item.failures} failures"
        )
    yield (
        f"{stats.output}: {stats.articles} articles, {stats.revisions} revisions, "
        f"{stats.captures} captures, {stats.crawls} crawls, {stats.failures} failures"
    )
