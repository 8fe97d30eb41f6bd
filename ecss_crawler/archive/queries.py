"""Read-side queries used by the CLI: search, export, stats and history.

Everything here is parameterised SQL; the only identifiers put into SQL text
come from fixed allow-lists (:data:`~ecss_crawler.archive.records.EXPORT_FIELDS`,
:data:`~ecss_crawler.archive.migrations.M2M`).
"""

from __future__ import annotations

import difflib
import json
import re
import textwrap
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from ecss_crawler.archive import arabic
from ecss_crawler.archive.migrations import DOCUMENT_FTS_WEIGHTS, FTS_WEIGHTS, M2M
from ecss_crawler.archive.records import EXPORT_FIELDS, JSON_FIELDS, row_to_record
from ecss_crawler.archive.store import url_variants

_M2M_BY_FIELD = {field: (lookup, table) for lookup, table, field in M2M}
#: Fewest letters a prefix query keeps after its clitic is removed (see _prefix_term).
_MIN_BARE_PREFIX = 3
_QUERY_PART = re.compile(r'"([^"]*)"?|(\S+)')
_OPERATORS = frozenset({"OR", "AND", "NOT"})
_HL_OPEN, _HL_CLOSE = "\x02", "\x03"
_HL_TOKEN = re.compile(r"\x02|\x03|[^\W_]+")
#: A word as written, harakat and tatweel included (they split words for FTS only).
_ORIGINAL_WORD = re.compile(r"(?:[^\W_]|[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640])+")
#: The same ranking as the index's ``rank``, spelled out: for a plain top-N query
#: FTS5 evaluates an explicit ``bm25()`` about a third faster than ``ORDER BY rank``.
_BM25 = f"bm25(articles_fts, {', '.join(map(str, FTS_WEIGHTS))})"
#: FTS5 columns, in index order: search_title, search_summary, search_body.
_SNIPPET_COLUMNS = (("body", 2), ("summary", 1), ("title", 0))
_DOCUMENT_BM25 = f"bm25(documents_fts, {', '.join(map(str, DOCUMENT_FTS_WEIGHTS))})"
#: Columns of ``documents`` an export may contain, plus the derived ``urls`` and ``articles``.
DOCUMENT_EXPORT_FIELDS: tuple[str, ...] = (
    "sha256",
    "urls",
    "articles",
    "kind",
    "content_type",
    "size",
    "pages",
    "title",
    "author",
    "created",
    "language",
    "text",
    "warnings",
    "extractor",
    "extractor_version",
    "first_seen",
    "last_seen",
)
_DOCUMENT_DERIVED = {
    "urls": "(SELECT json_group_array(u.url) FROM document_urls u WHERE u.sha256 = d.sha256)",
    "articles": "(SELECT json_group_array(DISTINCT l.article_id) FROM document_urls u"
    " JOIN document_links l ON l.url = u.url WHERE u.sha256 = d.sha256)",
}
_DOCUMENT_JSON = frozenset({"urls", "articles", "warnings"})


class QueryError(ValueError):
    """The search query is empty or not understood."""


@dataclass(frozen=True)
class Filters:
    """Article filters shared by search and export (all optional, combined with AND).

    ``author``/``category``/``tag`` match a name exactly, ignoring ASCII case;
    ``%`` is a wildcard. ``since``/``until`` are inclusive ``YYYY-MM-DD`` dates
    compared with ``published``.
    """

    lang: str | None = None
    author: str | None = None
    category: str | None = None
    tag: str | None = None
    since: str | None = None
    until: str | None = None
    site: str | None = None

    def where(self) -> tuple[list[str], list[Any]]:
        """SQL conditions on the ``articles`` alias ``a``, with their parameters."""
        clauses: list[str] = []
        params: list[Any] = []
        if self.lang:
            clauses.append("a.language = ?")
            params.append(self.lang)
        if self.site:
            clauses.append(
                "(a.site = ? OR a.site IN (SELECT host FROM sites WHERE name = ?"
                " UNION SELECT 'www.' || host FROM sites WHERE name = ?))"
            )
            params += [self.site, self.site, self.site]
        if self.since:
            clauses.append("a.published >= ?")
            params.append(self.since)
        if self.until:
            clauses.append("a.published < date(?, '+1 day')")
            params.append(self.until)
        by_name = (("authors", self.author), ("categories", self.category), ("tags", self.tag))
        for field, value in by_name:
            if value:
                lookup, table = _M2M_BY_FIELD[field]
                clauses.append(
                    f"EXISTS (SELECT 1 FROM {table} x JOIN {lookup} l ON l.id = x.{lookup}_id"
                    " WHERE x.articles_id = a.id AND l.name LIKE ?)"
                )
                params.append(value)
        return clauses, params


# --------------------------------------------------------------------------- search


def fts_query(text: str) -> str:
    """Turn what a person typed into a safe FTS5 query over the analysed index.

    Words are analysed like the index (letters folded, Arabic light-stemmed,
    see :mod:`~ecss_crawler.archive.arabic`) and quoted, so punctuation can
    never be FTS syntax; ``"quoted phrases"``, a trailing ``*`` (prefix) and the
    operators ``OR``/``AND``/``NOT`` keep their meaning. Words are ANDed by default.
    The result names no column, so it works on any table indexed through
    :mod:`~ecss_crawler.archive.arabic` (and as Datasette's ``escape_fts``).
    """
    parts: list[str] = []
    for match in _QUERY_PART.finditer(text):
        phrase, word = match.group(1), match.group(2)
        if word in _OPERATORS:
            if parts and parts[-1] not in _OPERATORS:
                parts.append(word)
            continue
        if word is not None and word.endswith("*"):
            term = _prefix_term(word.rstrip("*"))
        else:
            tokens = arabic.words(arabic.normalise(phrase if phrase is not None else word))
            term = '"' + " ".join(tokens) + '"' if tokens else ""
        if term:
            if parts and parts[-1] not in _OPERATORS and "(" in parts[-1] + term:
                parts.append("AND")  # FTS5 has no implicit AND next to a (group)
            parts.append(term)
    while parts and parts[-1] in _OPERATORS:
        parts.pop()
    if not parts:
        raise QueryError(f"nothing to search for in {text!r}")
    return " ".join(parts)


def match_expression(text: str | None) -> str:
    """:func:`fts_query` as an SQL function (``ecss_match``, Datasette's ``escape_fts``):
    a query with nothing to search for becomes ``""``, which matches nothing."""
    try:
        return fts_query(text or "")
    except QueryError:
        return '""'


def _prefix_term(raw: str) -> str:
    """``word*``: the folded word as a prefix, also without its clitic prefix.

    A prefix is not stemmed (``مكافح*`` must not lose letters), but ``السيا*``
    also tries ``سيا*`` so it meets the stems ``سياس``/``سياح`` in the analysed
    columns as well as surface forms in ``search_variants`` (only when three
    letters remain: a two-letter prefix expands to too many terms, and the
    surface forms with the clitic are indexed anyway). Earlier words of the
    same token (``water-sec*``) are analysed as usual.
    """
    tokens = arabic.words(arabic.fold(raw))
    if not tokens:
        return ""
    head = [arabic.light_stem(token) for token in tokens[:-1]]
    last = tokens[-1]
    bare = last[len(arabic.strippable_prefix(last)) :] if arabic.is_arabic(last) else last
    if len(bare) < _MIN_BARE_PREFIX:
        bare = last  # "نف"* would expand to thousands of terms; "النف"* meets the surface forms
    phrases = ['"' + " ".join([*head, form]) + '"*' for form in dict.fromkeys([last, bare])]
    return phrases[0] if len(phrases) == 1 else "(" + " OR ".join(phrases) + ")"


def search(
    db: sqlite_utils.Database,
    query: str,
    filters: Filters | None = None,
    *,
    limit: int = 20,
    snippet_words: int = 30,
    documents: bool = True,
) -> list[dict[str, Any]]:
    """Best matches first (bm25, title weighted highest), with a snippet of the original text.

    With ``documents`` (the default), matches in the text of archived documents
    are included too, one per document and linking article, with the article's
    fields and a ``document`` entry (its URL, title, pages); article hits have
    ``document`` None. Both kinds are ranked together by score.
    """
    hits = search_articles(db, query, filters, limit=limit, snippet_words=snippet_words)
    if documents and _has_documents(db):
        hits += search_documents(db, query, filters, limit=limit, snippet_words=snippet_words)
        hits.sort(key=lambda hit: -hit["score"])
    return hits[:limit]


def search_articles(
    db: sqlite_utils.Database,
    query: str,
    filters: Filters | None = None,
    *,
    limit: int = 20,
    snippet_words: int = 30,
) -> list[dict[str, Any]]:
    """Matches in articles only (see :func:`search`)."""
    match = fts_query(query)
    clauses, params = (filters or Filters()).where()
    columns = (
        "a.rowid, a.id, a.site, a.url, a.language, a.title, a.authors, a.published, a.removed_at"
    )
    if clauses:
        # ORDER BY the FTS ``rank`` column: FTS5 then returns matches best-first,
        # so the join and filters stop as soon as ``limit`` rows pass.
        cursor = db.conn.execute(
            f"SELECT {columns}, articles_fts.rank"
            " FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid"
            " WHERE articles_fts MATCH ?"
            + "".join(f" AND {c}" for c in clauses)
            + " ORDER BY articles_fts.rank LIMIT ?",
            [match, *params, limit],
        )
    else:
        # No filters: rank inside FTS5 with an explicit bm25() (cheaper than the
        # sorted ``rank`` path) and join only the top rows.
        cursor = db.conn.execute(
            f"SELECT {columns}, top.score FROM"
            f" (SELECT rowid, {_BM25} AS score FROM articles_fts WHERE articles_fts MATCH ?"
            "  ORDER BY score LIMIT ?) AS top"
            " JOIN articles a ON a.rowid = top.rowid ORDER BY top.score",
            [match, limit],
        )
    keys = ("rowid", "id", "site", "url", "language", "title", "authors", "published")
    hits = []
    for row in cursor.fetchall():
        hit = dict(zip(keys, row[:8], strict=True))
        hit["authors"] = json.loads(hit["authors"] or "[]")
        hit["removed_at"] = row[8]
        hit["score"] = round(-float(row[9]), 4)
        hit["snippet"] = snippet(db, match, hit.pop("rowid"), snippet_words)
        hit["document"] = None
        hits.append(hit)
    return hits


def _has_documents(db: sqlite_utils.Database) -> bool:
    row = db.conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'documents_fts'"
    ).fetchone()
    return row is not None


def search_documents(
    db: sqlite_utils.Database,
    query: str,
    filters: Filters | None = None,
    *,
    limit: int = 20,
    snippet_words: int = 30,
) -> list[dict[str, Any]]:
    """Matches in document text, each shown with an article that links the document."""
    match = fts_query(query)
    clauses, params = (filters or Filters()).where()
    inner_limit = "" if clauses else " LIMIT ?"
    cursor = db.conn.execute(
        "SELECT a.id, a.site, a.url, a.language, a.title, a.authors, a.published, a.removed_at,"
        " top.score, d.rowid, d.sha256, d.title, d.pages, d.kind, u.url"
        f" FROM (SELECT rowid, {_DOCUMENT_BM25} AS score FROM documents_fts"
        f"  WHERE documents_fts MATCH ? ORDER BY score{inner_limit}) AS top"
        " JOIN documents d ON d.rowid = top.rowid"
        " JOIN document_urls u ON u.sha256 = d.sha256"
        " JOIN document_links l ON l.url = u.url"
        " JOIN articles a ON a.id = l.article_id"
        + "".join(f" AND {c}" for c in clauses)
        + " ORDER BY top.score, a.published DESC, u.url LIMIT ?",
        [match, *([] if clauses else [limit]), *params, limit * 4],
    )
    keys = ("id", "site", "url", "language", "title", "authors", "published", "removed_at")
    hits: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for row in cursor.fetchall():
        if (row[10], row[0]) in seen:
            continue  # the same file under a second URL, linked by the same article
        seen.add((row[10], row[0]))
        hit = dict(zip(keys, row[:8], strict=True))
        hit["authors"] = json.loads(hit["authors"] or "[]")
        hit["score"] = round(-float(row[8]), 4)
        hit["snippet"] = document_snippet(db, match, row[9], snippet_words)
        hit["document"] = {
            "url": row[14],
            "sha256": row[10],
            "title": row[11],
            "pages": row[12],
            "kind": row[13],
        }
        hits.append(hit)
        if len(hits) >= limit:
            break
    return hits


def document_snippet(db: sqlite_utils.Database, match: str, rowid: int, words: int = 30) -> str:
    """A window of a document's text around the first hit (as :func:`snippet` for articles)."""
    highlighted = db.conn.execute(
        "SELECT highlight(documents_fts, 1, char(2), char(3)),"
        " highlight(documents_fts, 0, char(2), char(3))"
        " FROM documents_fts WHERE documents_fts MATCH ? AND rowid = ?",
        [match, rowid],
    ).fetchone()
    originals = db.conn.execute(
        "SELECT text, title FROM documents WHERE rowid = ?", [rowid]
    ).fetchone()
    if highlighted is None or originals is None:
        return ""
    for marked, original in zip(highlighted, originals, strict=True):
        if marked and _HL_OPEN in marked:
            return make_snippet(" ".join((original or "").split()), " ".join(marked.split()), words)
    return ""


def snippet(db: sqlite_utils.Database, match: str, rowid: int, words: int = 30) -> str:
    """A window of the original text around the first hit, hits in ``[brackets]``.

    FTS5's ``highlight()`` marks hits in the *normalised* column; the marks are
    mapped back onto the original words so Arabic is shown as written.
    """
    marks = ", ".join(
        f"highlight(articles_fts, {i}, char(2), char(3))" for _, i in _SNIPPET_COLUMNS
    )
    highlighted = db.conn.execute(
        f"SELECT {marks} FROM articles_fts WHERE articles_fts MATCH ? AND rowid = ?",
        [match, rowid],
    ).fetchone()
    originals = db.conn.execute(
        "SELECT body, summary, title FROM articles WHERE rowid = ?", [rowid]
    ).fetchone()
    if highlighted is None or originals is None:
        return ""
    for marked, original in zip(highlighted, originals, strict=True):
        if marked and _HL_OPEN in marked:
            return make_snippet(original or "", marked, words)
    text = originals[1] or originals[0] or ""
    return " ".join(text.split()[:words]) + ("…" if len(text.split()) > words else "")


def make_snippet(original: str, highlighted: str, words: int = 30) -> str:
    """Map hit marks from the normalised ``highlighted`` text onto ``original``."""
    flags: list[bool] = []
    inside = False
    for token in _HL_TOKEN.findall(highlighted):
        if token in (_HL_OPEN, _HL_CLOSE):
            inside = token == _HL_OPEN
        else:
            flags.append(inside)
    spans: list[tuple[int, int]] = []
    for m in _ORIGINAL_WORD.finditer(original):
        spans.extend([m.span()] * len(arabic.words(arabic.normalise(m.group()))))
    if len(spans) != len(flags):  # could not align: show the normalised text instead
        plain = highlighted.replace(_HL_OPEN, "").replace(_HL_CLOSE, "")
        return make_snippet(plain, highlighted, words) if plain != original else plain[:300]
    return _window(original, spans, flags, words)


def _window(text: str, spans: Sequence[tuple[int, int]], flags: Sequence[bool], words: int) -> str:
    if not spans:
        return ""
    first = flags.index(True) if True in flags else 0
    start = max(0, first - words // 3)
    end = min(len(spans), start + words)
    pieces: list[str] = []
    cursor = spans[start][0]
    previous: tuple[int, int] | None = None
    for index in range(start, end):
        span = spans[index]
        if not flags[index] or span == previous:
            continue
        pieces.append(text[cursor : span[0]] + "[" + text[span[0] : span[1]] + "]")
        cursor, previous = span[1], span
    pieces.append(text[cursor : spans[end - 1][1]])
    body = " ".join("".join(pieces).split())
    return ("…" if start > 0 else "") + body + ("…" if end < len(spans) else "")


# --------------------------------------------------------------------------- export


def check_fields(fields: Iterable[str]) -> list[str]:
    """Validate export field names against the allow-list."""
    return _allowed_fields(fields, EXPORT_FIELDS, "field")


def _allowed_fields(fields: Iterable[str], allowed: Sequence[str], what: str) -> list[str]:
    chosen = list(fields)
    unknown = [f for f in chosen if f not in allowed]
    if unknown:
        raise QueryError(f"unknown {what}(s): {', '.join(unknown)}")
    return chosen


def iter_articles(
    db: sqlite_utils.Database,
    filters: Filters | None = None,
    *,
    query: str | None = None,
    fields: Sequence[str] = EXPORT_FIELDS,
) -> Iterator[dict[str, Any]]:
    """Stream matching articles one at a time (never the whole list in memory).

    Ordered by relevance with ``query``, else newest ``published`` first.
    JSON columns are decoded.
    """
    chosen = check_fields(fields)
    clauses, params = (filters or Filters()).where()
    columns = ", ".join(f"a.{f}" for f in chosen)
    if query:
        sql = (
            f"SELECT {columns} FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid"
            " WHERE articles_fts MATCH ?"
            + "".join(f" AND {c}" for c in clauses)
            + f" ORDER BY {_BM25}"
        )
        params = [fts_query(query), *params]
    else:
        where = " WHERE " + " AND ".join(clauses) if clauses else ""
        sql = f"SELECT {columns} FROM articles a{where} ORDER BY a.published DESC, a.id"
    for row in db.conn.execute(sql, params):
        item = dict(zip(chosen, row, strict=True))
        for name in JSON_FIELDS.intersection(item):
            item[name] = json.loads(item[name]) if item[name] else None
        yield item


def check_document_fields(fields: Iterable[str]) -> list[str]:
    """Validate document export field names against the allow-list."""
    return _allowed_fields(fields, DOCUMENT_EXPORT_FIELDS, "document field")


def iter_documents(
    db: sqlite_utils.Database,
    filters: Filters | None = None,
    *,
    query: str | None = None,
    fields: Sequence[str] = DOCUMENT_EXPORT_FIELDS,
) -> Iterator[dict[str, Any]]:
    """Stream archived documents, one at a time: those linked from an article that passes
    ``filters`` (all documents without filters), matching ``query`` if given."""
    chosen = check_document_fields(fields)
    if not _has_documents(db):
        return
    clauses, params = (filters or Filters()).where()
    columns = ", ".join(_DOCUMENT_DERIVED.get(f, f"d.{f}") for f in chosen)
    conditions: list[str] = []
    if clauses:
        conditions.append(
            "EXISTS (SELECT 1 FROM document_urls u JOIN document_links l ON l.url = u.url"
            " JOIN articles a ON a.id = l.article_id WHERE u.sha256 = d.sha256"
            + "".join(f" AND {c}" for c in clauses)
            + ")"
        )
    if query:
        conditions.append(
            "d.rowid IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)"
        )
        params = [*params, fts_query(query)]
    where = " WHERE " + " AND ".join(conditions) if conditions else ""
    sql = f"SELECT {columns} FROM documents d{where} ORDER BY d.first_seen, d.sha256"
    for row in db.conn.execute(sql, params):
        item = dict(zip(chosen, row, strict=True))
        for name in _DOCUMENT_JSON.intersection(item):
            item[name] = json.loads(item[name]) if item[name] else []
        yield item


# --------------------------------------------------------------------------- stats


def stats(db: sqlite_utils.Database, *, top: int = 10) -> dict[str, Any]:
    """Counts for a quick overview of the archive."""
    conn = db.conn

    def scalar(sql: str) -> int:
        return int(conn.execute(sql).fetchone()[0])

    def grouped(sql: str, params: Sequence[Any] = ()) -> list[list[Any]]:
        return [list(row) for row in conn.execute(sql, params)]

    result: dict[str, Any] = {
        "totals": {
            "articles": scalar("SELECT count(*) FROM articles"),
            "removed": scalar("SELECT count(*) FROM articles WHERE removed_at IS NOT NULL"),
            "revisions": scalar("SELECT count(*) FROM revisions"),
            "captures": scalar("SELECT count(*) FROM captures"),
            "failures": scalar("SELECT count(*) FROM failures"),
            "documents": scalar("SELECT count(*) FROM documents") if _has_documents(db) else 0,
            "crawls": scalar("SELECT count(*) FROM crawls"),
        },
        "by_site": grouped(
            "SELECT site, count(*) FROM articles GROUP BY site ORDER BY count(*) DESC"
        ),
        "by_language": grouped(
            "SELECT language, count(*) FROM articles GROUP BY language ORDER BY count(*) DESC"
        ),
        "by_year": grouped("SELECT year, count(*) FROM articles GROUP BY year ORDER BY year DESC"),
    }
    for lookup, table, field in M2M:
        result[f"by_{field}"] = grouped(
            f"SELECT l.name, count(*) FROM {table} x JOIN {lookup} l ON l.id = x.{lookup}_id"
            " GROUP BY l.id ORDER BY count(*) DESC, l.name LIMIT ?",
            [top],
        )
    result["last_crawl"] = last_crawl(db)
    return result


def last_crawl(db: sqlite_utils.Database) -> dict[str, Any] | None:
    """The most recent crawl, JSON columns decoded."""
    cursor = db.conn.execute("SELECT * FROM crawls ORDER BY id DESC LIMIT 1")
    row = cursor.fetchone()
    if row is None:
        return None
    crawl = dict(zip([d[0] for d in cursor.description], row, strict=True))
    for name in ("args", "counts", "coverage"):
        crawl[name] = json.loads(crawl[name]) if crawl[name] else None
    return crawl


# --------------------------------------------------------------------------- history


def find_article(db: sqlite_utils.Database, id_or_url: str) -> dict[str, Any] | None:
    """The ``articles`` row for an id or a URL (trailing slash and encoding forgiven)."""
    candidates = [id_or_url, *url_variants(id_or_url)]
    marks = ", ".join("?" for _ in candidates)
    cursor = db.conn.execute(
        f"SELECT * FROM articles WHERE id = ? OR url IN ({marks}) ORDER BY last_seen DESC LIMIT 1",
        [id_or_url, *candidates],
    )
    row = cursor.fetchone()
    return dict(zip([d[0] for d in cursor.description], row, strict=True)) if row else None


def versions(db: sqlite_utils.Database, article: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every version of an article, oldest first: its revisions, then the current row.

    Each item has ``revision``, ``valid_from``, ``valid_to`` (``None`` for the
    current one), ``crawl_id``, ``content_hash`` and ``record``.
    """
    cursor = db.conn.execute(
        "SELECT revision, valid_from, valid_to, crawl_id, content_hash, record FROM revisions"
        " WHERE article_id = ? ORDER BY revision",
        [article["id"]],
    )
    keys = ("revision", "valid_from", "valid_to", "crawl_id", "content_hash")
    found = []
    for row in cursor:
        item = dict(zip(keys, row[:5], strict=True))
        item["record"] = json.loads(row[5])
        found.append(item)
    found.append(
        {
            "revision": len(found) + 1,
            "valid_from": article["last_changed"],
            "valid_to": None,
            "crawl_id": article["crawl_id"],
            "content_hash": article["content_hash"],
            "record": row_to_record(article),
        }
    )
    return found


def render_version(record: Mapping[str, Any], width: int = 100) -> list[str]:
    """A version as text lines for diffing: metadata fields, then the wrapped body."""
    lines = []
    for name in ("title", "authors", "published", "modified", "categories", "tags", "summary"):
        value = record.get(name)
        if isinstance(value, list):
            value = "; ".join(str(v) for v in value)
        lines.append(f"{name}: {value or ''}")
    lines.append("")
    for paragraph in (record.get("body") or "").splitlines():
        lines.extend(textwrap.wrap(paragraph, width) or [""])
    return lines


def diff_versions(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Unified diff (lines without trailing newlines) from one version to the next."""

    def label(version: Mapping[str, Any]) -> str:
        return f"revision {version['revision']} ({version['valid_from']})"

    return list(
        difflib.unified_diff(
            render_version(old["record"]),
            render_version(new["record"]),
            fromfile=label(old),
            tofile=label(new),
            lineterm="",
        )
    )
