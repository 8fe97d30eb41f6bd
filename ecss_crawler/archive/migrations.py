"""Schema migrations: the only code that creates or changes the archive's tables.

Each migration is a small function registered with :func:`migration`, applied
once, in registration order, and recorded in ``_migrations``. :func:`migrate`
applies all pending ones inside one ``BEGIN IMMEDIATE`` transaction, so two
processes opening a fresh database at the same time cannot both apply a
migration, and a failed migration leaves the schema as it was.

Never edit a migration that has shipped: add a new one.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass

import sqlite_utils

from ecss_crawler.archive.db import ArchiveError, utcnow
from ecss_crawler.archive.records import document_search_columns, search_columns

MIGRATIONS_TABLE = "_migrations"
#: The last migration that changed how the search columns are computed: an archive
#: without it (e.g. an input to ``merge``) holds search columns in an older analysis.
ANALYSIS_MIGRATION = "0004_arabic_light_stem"

#: FTS5 columns on ``articles`` (hidden, analysed copies; see ``arabic.py``), since
#: ``0004_arabic_light_stem``: analysed title, summary, body; surface forms of the
#: summary and body words, then of the title words, for raw (un-analysed) queries.
FTS_COLUMNS: tuple[str, ...] = (
    "search_title",
    "search_summary",
    "search_body",
    "search_variants",
    "search_title_variants",
)
#: Porter stemming for English on top of unicode61; Arabic is light-stemmed before
#: it reaches the index (the Porter step leaves non-ASCII tokens alone).
FTS_TOKENIZE = "porter unicode61 remove_diacritics 2"
#: bm25 weights per FTS column: a hit in the title (analysed or as typed) counts most.
FTS_WEIGHTS: tuple[float, ...] = (10.0, 4.0, 1.0, 1.0, 10.0)
#: The many-to-many lookups: (lookup table, m2m table, Article field).
M2M: tuple[tuple[str, str, str], ...] = (
    ("authors", "articles_authors", "authors"),
    ("categories", "articles_categories", "categories"),
    ("tags", "articles_tags", "tags"),
)


@dataclass(frozen=True)
class Migration:
    """One registered schema change."""

    name: str
    apply: Callable[[sqlite_utils.Database], None]


MIGRATIONS: list[Migration] = []


def migration(
    name: str,
) -> Callable[[Callable[[sqlite_utils.Database], None]], Callable[[sqlite_utils.Database], None]]:
    """Register a migration function under ``name`` (names must be unique)."""

    def register(
        fn: Callable[[sqlite_utils.Database], None],
    ) -> Callable[[sqlite_utils.Database], None]:
        if any(m.name == name for m in MIGRATIONS):
            raise ValueError(f"duplicate migration name {name!r}")
        MIGRATIONS.append(Migration(name, fn))
        return fn

    return register


def applied_migrations(db: sqlite_utils.Database) -> list[str]:
    """Names of the migrations recorded in ``_migrations``, oldest first."""
    if not db[MIGRATIONS_TABLE].exists():
        return []
    rows = db.execute(f"SELECT name FROM {MIGRATIONS_TABLE} ORDER BY rowid").fetchall()
    return [row[0] for row in rows]


def pending_migrations(
    db: sqlite_utils.Database, migrations: list[Migration] | None = None
) -> list[Migration]:
    """Registered migrations not yet applied to ``db``."""
    done = set(applied_migrations(db))
    return [m for m in (MIGRATIONS if migrations is None else migrations) if m.name not in done]


def migrate(db: sqlite_utils.Database, migrations: list[Migration] | None = None) -> list[str]:
    """Apply every pending migration; return the names applied (``[]`` if up to date).

    Safe to call on every open: with nothing pending it only reads.
    """
    if not pending_migrations(db, migrations):
        return []
    if db.conn.in_transaction:
        raise ArchiveError("cannot migrate inside an open transaction")
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute(
            f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} "
            "(name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        # Re-read inside the write lock: another process may have just migrated.
        todo = pending_migrations(db, migrations)
        for step in todo:
            step.apply(db)
            db.execute(
                f"INSERT INTO {MIGRATIONS_TABLE} (name, applied_at) VALUES (?, ?)",
                [step.name, utcnow()],
            )
        db.execute("COMMIT")
    except BaseException:
        db.rollback()
        raise
    return [step.name for step in todo]


# --------------------------------------------------------------------------- migrations


@migration("0001_core_tables")
def _core_tables(db: sqlite_utils.Database) -> None:
    """crawls, articles (+ m2m lookups), revisions, captures, failures."""
    db.table("crawls").create(
        {
            "id": int,
            "site": str,
            "started": str,
            "finished": str,
            "args": str,
            "finish_reason": str,
            "counts": str,
            "coverage": str,
            "status": str,
        },
        pk="id",
        not_null={"site", "started", "status"},
    )
    _create_articles(db)
    for lookup, m2m_table, _field in M2M:
        _create_m2m(db, lookup, m2m_table)
    _create_revisions(db)
    _create_captures(db)
    db.table("failures").create(
        {
            "id": int,
            "url": str,
            "crawl_id": int,
            "stage": str,
            "reason": str,
            "status": int,
            "at": str,
        },
        pk="id",
        not_null={"url", "stage", "reason", "at"},
        foreign_keys=[("crawl_id", "crawls", "id")],
    )
    db.table("failures").create_index(["crawl_id"])
    db.table("failures").create_index(["url"])


def _create_articles(db: sqlite_utils.Database) -> None:
    db.table("articles").create(
        {
            "id": str,
            "site": str,
            "post_id": int,
            "url": str,
            "language": str,
            "title": str,
            "authors": str,
            "published": str,
            "modified": str,
            "categories": str,
            "tags": str,
            "summary": str,
            "body": str,
            "body_html": str,
            "word_count": int,
            "reading_minutes": int,
            "featured_image": str,
            "attachments": str,
            "sources": str,
            "extractor_version": str,
            "warnings": str,
            "year": int,
            "content_hash": str,
            "first_seen": str,
            "last_seen": str,
            "last_changed": str,
            "crawl_id": int,
            "removed_at": str,
            "removed_crawl_id": int,
            "etag": str,
            "last_modified": str,
            "search_title": str,
            "search_summary": str,
            "search_body": str,
            "search_variants": str,
        },
        pk="id",
        not_null={"site", "url", "content_hash", "first_seen", "last_seen", "last_changed"},
        foreign_keys=[("crawl_id", "crawls", "id"), ("removed_crawl_id", "crawls", "id")],
    )
    db.table("articles").create_index(["url"])
    db.table("articles").create_index(["site", "published"])
    db.table("articles").create_index(["published"])


def _create_m2m(db: sqlite_utils.Database, lookup: str, m2m_table: str) -> None:
    """The exact shape sqlite-utils' ``.m2m(lookup, lookup={"name": ...})`` creates."""
    db.table(lookup).create({"id": int, "name": str}, pk="id", not_null={"name"})
    db.table(lookup).create_index(["name"], unique=True)
    db.table(m2m_table).create(
        {"articles_id": str, f"{lookup}_id": int},
        pk=("articles_id", f"{lookup}_id"),
        foreign_keys=[("articles_id", "articles", "id"), (f"{lookup}_id", lookup, "id")],
    )
    db.table(m2m_table).create_index([f"{lookup}_id"])


def _create_revisions(db: sqlite_utils.Database) -> None:
    db.table("revisions").create(
        {
            "id": int,
            "article_id": str,
            "revision": int,
            "record": str,
            "content_hash": str,
            "valid_from": str,
            "valid_to": str,
            "crawl_id": int,
        },
        pk="id",
        not_null={"article_id", "revision", "record", "content_hash", "valid_to"},
        foreign_keys=[("article_id", "articles", "id"), ("crawl_id", "crawls", "id")],
    )
    db.table("revisions").create_index(["article_id", "revision"], unique=True)
    db.executescript(
        textwrap.dedent("""
        CREATE TRIGGER revisions_immutable_update BEFORE UPDATE ON revisions
        BEGIN SELECT RAISE(ABORT, 'revisions are immutable: UPDATE refused'); END;
        CREATE TRIGGER revisions_immutable_delete BEFORE DELETE ON revisions
        BEGIN SELECT RAISE(ABORT, 'revisions are immutable: DELETE refused'); END;
        """)
    )


def _create_captures(db: sqlite_utils.Database) -> None:
    db.table("captures").create(
        {
            "id": int,
            "url": str,
            "status": int,
            "headers": str,
            "fetched_at": str,
            "crawl_id": int,
            "body_sha256": str,
            "body_size": int,
            "body_encoding": str,
            "body": bytes,
            "body_capture_id": int,
            "article_id": str,
        },
        pk="id",
        not_null={"url", "fetched_at", "body_sha256", "body_size"},
        foreign_keys=[
            ("crawl_id", "crawls", "id"),
            ("body_capture_id", "captures", "id"),
            ("article_id", "articles", "id"),
        ],
    )
    db.table("captures").create_index(["article_id"])
    db.table("captures").create_index(["url", "id"])
    db.table("captures").create_index(["crawl_id"])


@migration("0002_articles_fts")
def _articles_fts(db: sqlite_utils.Database) -> None:
    """FTS5 over the normalised title/summary/body (+ spelling variants), trigger-synced."""
    _create_articles_fts(
        db, ("search_title", "search_summary", "search_body", "search_variants"), (10, 4, 1, 1)
    )


def _create_articles_fts(
    db: sqlite_utils.Database, columns: tuple[str, ...], weights: tuple[float, ...]
) -> None:
    """``articles_fts`` over ``columns`` (see :func:`_create_fts`)."""
    _create_fts(db, "articles", columns, weights)


def _create_fts(
    db: sqlite_utils.Database, table: str, columns: tuple[str, ...], weights: tuple[float, ...]
) -> None:
    """``<table>_fts`` over ``columns``, its triggers and its default bm25 ``rank``.

    Set up with sqlite-utils' ``enable_fts`` so ``sqlite-utils search`` and
    Datasette find it (existing rows are indexed); then the update trigger is
    narrowed to the indexed columns, so a re-crawl that only bumps ``last_seen``
    does not re-index the text. ``table`` is one of ours, never user input.
    """
    db.table(table).enable_fts(list(columns), tokenize=FTS_TOKENIZE, create_triggers=True)
    cols = ", ".join(f'"{c}"' for c in columns)
    old = ", ".join(f'old."{c}"' for c in columns)
    new = ", ".join(f'new."{c}"' for c in columns)
    db.executescript(
        textwrap.dedent(f"""
        DROP TRIGGER "{table}_au";
        CREATE TRIGGER "{table}_au" AFTER UPDATE OF {cols} ON "{table}" BEGIN
          INSERT INTO "{table}_fts" ("{table}_fts", rowid, {cols})
            VALUES('delete', old.rowid, {old});
          INSERT INTO "{table}_fts" (rowid, {cols}) VALUES (new.rowid, {new});
        END;
        """)
    )
    rank = f"bm25({', '.join(str(float(w)) for w in weights)})"
    db.execute(f"INSERT INTO {table}_fts ({table}_fts, rank) VALUES ('rank', ?)", [rank])


@migration("0003_articles_flat_view")
def _articles_flat(db: sqlite_utils.Database) -> None:
    """One row per article with authors, categories and tags as comma-separated text."""

    def joined(column: str) -> str:
        return f"(SELECT group_concat(value, ', ') FROM json_each(a.{column})) AS {column}"

    db.create_view(
        "articles_flat",
        textwrap.dedent(f"""
        SELECT
          a.rowid AS rowid, a.id, a.site, a.post_id, a.url, a.language, a.title,
          {joined("authors")},
          {joined("categories")},
          {joined("tags")},
          a.published, a.modified, a.year, a.summary, a.word_count, a.reading_minutes,
          a.featured_image, a.first_seen, a.last_seen, a.last_changed, a.removed_at,
          (SELECT count(*) FROM revisions r WHERE r.article_id = a.id) AS revisions
        FROM articles a
        """).strip(),
    )


@migration(ANALYSIS_MIGRATION)
def _arabic_light_stem(db: sqlite_utils.Database) -> None:
    """Arabic light stemming: re-analyse the search columns, index them once.

    Adds ``search_title_variants`` (so a raw query's title hit outranks a body
    mention), recomputes every article's ``search_*`` columns from its title,
    summary and body, and re-creates ``articles_fts`` over :data:`FTS_COLUMNS`
    (one indexing pass). No other column or table changes.
    """
    db.execute('ALTER TABLE articles ADD COLUMN "search_title_variants" TEXT')
    for trigger in ("articles_ai", "articles_ad", "articles_au"):
        db.execute(f'DROP TRIGGER IF EXISTS "{trigger}"')
    db.execute("DROP TABLE IF EXISTS articles_fts")
    reanalyse_articles(db)
    _create_articles_fts(db, FTS_COLUMNS, FTS_WEIGHTS)
    reanalyse_documents(db)


def reanalyse_documents(db: sqlite_utils.Database) -> int:
    """Re-analyse the ``documents`` table's search columns, if the archive has one.

    Documents (title + extracted text) are indexed through the same analysis as
    articles, by a migration of their own that may have run before this one;
    their FTS triggers re-index each updated row. Returns how many rows.
    """
    if "documents" not in db.table_names():
        return 0
    rows = db.execute("SELECT rowid, title, text FROM documents").fetchall()
    for rowid, title, text in rows:
        values = document_search_columns(title, text)
        assignments = ", ".join(f'"{column}" = ?' for column in values)
        db.execute(f"UPDATE documents SET {assignments} WHERE rowid = ?", [*values.values(), rowid])
    return len(rows)


def reanalyse_articles(db: sqlite_utils.Database, where: str = "1") -> int:
    """Recompute the ``search_*`` columns of the articles ``where`` selects; return how many.

    Reads in slices of 500 rows (a large archive is never all in memory). With
    the FTS triggers in place each update re-indexes its row; run it inside a
    transaction. ``where`` is SQL on ``articles`` from the caller, never user input.
    """
    count, last = 0, -1
    assignments = ", ".join(f'"{c}" = ?' for c in FTS_COLUMNS)
    while True:
        rows = db.execute(
            f"SELECT rowid, title, summary, body FROM articles WHERE rowid > ? AND ({where})"
            " ORDER BY rowid LIMIT 500",
            [last],
        ).fetchall()
        if not rows:
            return count
        for rowid, title, summary, body in rows:
            values = search_columns(title, summary, body)
            db.execute(
                f"UPDATE articles SET {assignments} WHERE rowid = ?",
                [*(values[c] for c in FTS_COLUMNS), rowid],
            )
        count, last = count + len(rows), rows[-1][0]


#: FTS5 columns on ``documents`` (hidden, normalised like the articles' search columns).
DOCUMENT_FTS_COLUMNS: tuple[str, ...] = ("search_title", "search_text", "search_variants")
#: bm25 weights per document FTS column: a hit in the document's title counts most.
DOCUMENT_FTS_WEIGHTS: tuple[float, ...] = (4.0, 1.0, 1.0)


@migration("0005_documents")
def _documents(db: sqlite_utils.Database) -> None:
    """Downloaded documents (PDF, DOCX, DOC), once per SHA-256; their URLs; article links; FTS."""
    db.table("documents").create(
        {
            "sha256": str,
            "kind": str,
            "content_type": str,
            "size": int,
            "pages": int,
            "title": str,
            "author": str,
            "created": str,
            "language": str,
            "text": str,
            "warnings": str,
            "extractor": str,
            "extractor_version": str,
            "body_encoding": str,
            "body": bytes,
            "first_seen": str,
            "last_seen": str,
            "crawl_id": int,
            "search_title": str,
            "search_text": str,
            "search_variants": str,
        },
        pk="sha256",
        not_null={"kind", "size", "body_encoding", "body", "first_seen", "last_seen"},
        foreign_keys=[("crawl_id", "crawls", "id")],
    )
    db.table("document_urls").create(
        {
            "url": str,
            "sha256": str,
            "status": int,
            "content_type": str,
            "etag": str,
            "last_modified": str,
            "first_seen": str,
            "last_seen": str,
            "last_changed": str,
            "crawl_id": int,
        },
        pk="url",
        not_null={"sha256", "first_seen", "last_seen", "last_changed"},
        foreign_keys=[("sha256", "documents", "sha256"), ("crawl_id", "crawls", "id")],
    )
    db.table("document_urls").create_index(["sha256"])
    db.table("document_links").create(
        {"article_id": str, "url": str, "first_seen": str},
        pk=("article_id", "url"),
        not_null={"first_seen"},
        # No key on url: an article's link is kept even when its document could not be fetched.
        foreign_keys=[("article_id", "articles", "id")],
    )
    db.table("document_links").create_index(["url"])
    _create_fts(db, "documents", DOCUMENT_FTS_COLUMNS, DOCUMENT_FTS_WEIGHTS)
    db.create_view(
        "documents_flat",
        textwrap.dedent("""
        SELECT
          d.rowid AS rowid, d.sha256, d.kind, d.title, d.author, d.created, d.language, d.pages,
          d.size, d.first_seen, d.last_seen,
          (SELECT group_concat(u.url, ' ') FROM document_urls u WHERE u.sha256 = d.sha256)
            AS urls,
          (SELECT group_concat(l.article_id, ' ') FROM document_urls u
             JOIN document_links l ON l.url = u.url WHERE u.sha256 = d.sha256) AS articles,
          length(d.text) AS text_length
        FROM documents d
        """).strip(),
    )


@migration("0006_site_profiles")
def _site_profiles(db: sqlite_utils.Database) -> None:
    """``sites``: which site profile each host was last crawled with; ``crawls.site_name``."""
    db.table("sites").create(
        {"host": str, "name": str, "profile": str, "first_crawl_id": int, "last_crawl_id": int},
        pk="host",
        not_null={"name"},
    )
    db.table("sites").create_index(["name"])
    db.table("crawls").add_column("site_name", str)
