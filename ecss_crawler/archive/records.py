"""Conversions between :class:`~ecss_crawler.items.Article` records and ``articles`` rows."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ecss_crawler.archive import arabic
from ecss_crawler.items import Article

#: Every Article field, in declaration order (each is an ``articles`` column).
ARTICLE_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Article))
#: Article fields stored as JSON text.
JSON_FIELDS: frozenset[str] = frozenset(
    {"authors", "categories", "tags", "attachments", "sources", "warnings"}
)
#: List fields that are also many-to-many lookups (names are cleaned before storing).
NAME_LIST_FIELDS: frozenset[str] = frozenset({"authors", "categories", "tags"})
#: Archive bookkeeping columns of ``articles`` (not part of the Article record).
TRACKING_FIELDS: tuple[str, ...] = (
    "year",
    "content_hash",
    "first_seen",
    "last_seen",
    "last_changed",
    "crawl_id",
    "removed_at",
    "removed_crawl_id",
    "etag",
    "last_modified",
)
#: Columns an export may contain (an allow-list: export field names become SQL identifiers).
EXPORT_FIELDS: tuple[str, ...] = ("id", *ARTICLE_FIELDS, *TRACKING_FIELDS)

_YEAR = re.compile(r"^\s*(\d{4})")


def article_id(site: str, post_id: int | None, url: str) -> str:
    """Primary key of an article: ``site:post_id``, or ``site:url`` without a post id."""
    return f"{site}:{post_id}" if post_id is not None else f"{site}:{url}"


def coerce_article(article: Article | Mapping[str, Any]) -> Article:
    """Accept an :class:`Article` or a dict (e.g. from itemadapter); unknown keys are ignored."""
    if isinstance(article, Article):
        return article
    if not isinstance(article, Mapping):
        raise TypeError(f"expected Article or mapping, got {type(article).__name__}")
    known = {k: v for k, v in article.items() if k in ARTICLE_FIELDS and v is not None}
    for name in ("url", "site"):
        if not known.get(name):
            raise ValueError(f"article record has no {name!r}")
    return Article(**known)


def clean_record(article: Article) -> dict[str, Any]:
    """The record as stored: ``to_dict()`` with author/category/tag names cleaned."""
    record = article.to_dict()
    for name in NAME_LIST_FIELDS:
        record[name] = clean_names(record.get(name))
    return record


def clean_names(values: Iterable[object] | None) -> list[str]:
    """Stripped, non-empty, de-duplicated names in their original order."""
    seen: dict[str, None] = {}
    for value in values or ():
        name = " ".join(str(value).split())
        if name:
            seen.setdefault(name, None)
    return list(seen)


def year_of(published: str | None) -> int | None:
    """The year of an ISO-ish ``published`` date, for facets."""
    match = _YEAR.match(published or "")
    return int(match.group(1)) if match else None


def record_to_columns(record: Mapping[str, Any]) -> dict[str, Any]:
    """Article record -> ``articles`` column values (Article fields, year, search columns)."""
    columns: dict[str, Any] = {}
    for name in ARTICLE_FIELDS:
        value = record.get(name)
        if name in JSON_FIELDS:
            if name in NAME_LIST_FIELDS:
                value = clean_names(value)
            elif value is None:
                value = {} if name == "sources" else []
            columns[name] = json.dumps(value, ensure_ascii=False)
        else:
            columns[name] = value
    columns["year"] = year_of(record.get("published"))
    columns.update(search_columns(record.get("title"), record.get("summary"), record.get("body")))
    return columns


def search_columns(title: str | None, summary: str | None, body: str | None) -> dict[str, str]:
    """The hidden full-text columns: analysed title/summary/body, and surface forms
    for raw queries (summary and body in one column, the title in its own)."""
    return {
        "search_title": arabic.normalise(title),
        "search_summary": arabic.normalise(summary),
        "search_body": arabic.normalise(body),
        "search_variants": arabic.variant_tokens(summary, body),
        "search_title_variants": arabic.variant_tokens(title),
    }


def document_search_columns(title: str | None, text: str | None) -> dict[str, str]:
    """The hidden FTS columns of a document (title and text), analysed exactly as an
    article's are; the title's surface forms join the one variants column documents have."""
    columns = search_columns(title, None, text)
    variants = (columns["search_title_variants"], columns["search_variants"])
    return {
        "search_title": columns["search_title"],
        "search_text": columns["search_body"],
        "search_variants": " ".join(filter(None, variants)),
    }


def row_to_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """``articles`` row -> Article record dict (JSON columns decoded, extra columns dropped)."""
    record: dict[str, Any] = {}
    for name in ARTICLE_FIELDS:
        value = row.get(name)
        if name in JSON_FIELDS:
            value = json.loads(value) if value else ({} if name == "sources" else [])
        record[name] = value
    return record
