"""Scrapy feed exports (``-o``/``-O``, ``FEEDS``) of clean article records.

What flows through the item pipelines is internal: the spider's
:class:`~ecss_crawler.items.CapturedArticle` carries the raw response bytes for
the archive, and the bookkeeping items (``ArticleUnchanged``, ``ArticleGone``,
``PageFailure``) are instructions to the archive, not articles. Feeds must get
neither. Three small parts make every feed format Scrapy ships work:

* :class:`RecordPipeline` (the last pipeline) turns each article the archive
  accepted into an :class:`ArticleRecord`: the archive's fields, JSON-safe
  values only (ISO 8601 date strings, lists, one dict), names cleaned as
  stored. Other items pass through unchanged for later pipelines and signals.
* :class:`RecordFeeds`, an add-on, gives every configured feed (``-o``, ``-O``,
  ``FEEDS``) the ``item_classes`` option ``[ArticleRecord]`` unless the feed
  names its own ``item_classes`` or ``item_filter``: internal items never reach
  an exporter, and nothing is dropped or logged to keep them out.
* :class:`RecordCsvExporter` and :class:`RecordXmlExporter` (``FEED_EXPORTERS``)
  write lists readably: CSV joins them with ``"; "`` and writes ``sources`` as
  JSON; both write a missing value as an empty cell or element, not ``None``.
  JSON keeps lists as arrays; ``FEED_EXPORT_ENCODING = "utf-8"`` keeps Arabic
  as UTF-8 text instead of ``\\u`` escapes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from scrapy.exporters import CsvItemExporter, XmlItemExporter

from ecss_crawler.archive.records import article_id, clean_record
from ecss_crawler.items import Article, CapturedArticle

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from scrapy.settings import BaseSettings

#: The ``item_classes`` every feed gets unless it chooses its own.
RECORD_CLASS_PATH = "ecss_crawler.feeds.ArticleRecord"
#: How CSV joins a list into one cell (the same as ``ecss-crawler export --format csv``).
CSV_LIST_SEPARATOR = "; "


@dataclass
class ArticleRecord:
    """One article as feeds export it: the archive's record of the page read in this crawl.

    Field meanings are those of :class:`~ecss_crawler.items.Article` (README "Data
    fields"); ``id`` is the archive's key and ``fetched_at`` when the page was read.
    """

    id: str
    url: str
    site: str
    post_id: int | None = None
    language: str | None = None
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    modified: str | None = None
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    summary: str | None = None
    body: str | None = None
    body_html: str | None = None
    word_count: int = 0
    reading_minutes: int | None = None
    featured_image: str | None = None
    attachments: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    extractor_version: str = ""
    warnings: list[str] = field(default_factory=list)
    fetched_at: str | None = None


#: The fields of every exported record, in export order.
RECORD_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(ArticleRecord))


def article_record(
    article: Article, record_id: str | None = None, fetched_at: str | None = None
) -> ArticleRecord:
    """The feed record of ``article``, with the names cleaned as the archive stores them.

    ``record_id``: the archive's id for it (it may differ from the computed one when
    an article first stored without a post id gets one later).
    """
    values = clean_record(article)
    key = record_id or article_id(article.site, article.post_id, article.url)
    return ArticleRecord(id=key, fetched_at=fetched_at, **values)


class RecordPipeline:
    """Turn every article the archive accepted into an :class:`ArticleRecord` for the feeds.

    An article the archive kept out (``rejected``: it would replace a better stored
    version, or lacks a required field) stays a ``CapturedArticle``, so no feed gets
    it. Without an archive (``ECSS_DB`` empty) every extracted article is a record.
    """

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, CapturedArticle) or item.outcome == "rejected":
            return item
        return article_record(item.article, item.article_id, item.capture.fetched_at)


class RecordFeeds:
    """Add-on: every feed exports article records only (see the module docstring).

    Runs after the command line and the settings files are read (``-o``/``-O``
    become ``FEEDS`` entries before add-ons run), before the feed exporter starts.
    """

    def update_settings(self, settings: BaseSettings) -> None:
        feeds = settings.getdict("FEEDS")
        if not feeds:
            return
        settings.set("FEEDS", records_only(feeds), priority=settings.getpriority("FEEDS") or 0)


def records_only(feeds: Mapping[Any, Mapping[str, Any]]) -> dict[Any, dict[str, Any]]:
    """``feeds`` with ``item_classes`` set to :class:`ArticleRecord` wherever no filter is set."""
    result: dict[Any, dict[str, Any]] = {}
    for uri, options in feeds.items():
        chosen = dict(options or {})
        if not chosen.get("item_classes") and not chosen.get("item_filter"):
            chosen["item_classes"] = [RECORD_CLASS_PATH]
        result[uri] = chosen
    return result


class RecordCsvExporter(CsvItemExporter):
    """CSV with lists joined by ``"; "`` and dicts (``sources``) as JSON text."""

    def serialize_field(self, field: Any, name: str, value: Any) -> Any:
        if "serializer" in field:
            return super().serialize_field(field, name, value)
        if isinstance(value, list | tuple):
            return CSV_LIST_SEPARATOR.join("" if v is None else str(v) for v in value)
        if isinstance(value, dict):
            return json.dumps(value, ensure_ascii=False)
        return value


class RecordXmlExporter(XmlItemExporter):
    """XML with a missing value as an empty element (Scrapy's writes the text ``None``)."""

    def serialize_field(self, field: Any, name: str, value: Any) -> Any:
        return super().serialize_field(field, name, "" if value is None else value)


def add_cli_feeds(
    settings: BaseSettings, output: Sequence[str], overwrite_output: Sequence[str]
) -> bool:
    """Add ``-o``/``-O`` feeds to ``settings`` exactly as ``scrapy crawl`` does (``FILE`` or
    ``URI:FORMAT``; the format from the extension otherwise). Raises ``ValueError`` with
    Scrapy's one-line message for an unknown format, or for ``-o`` and ``-O`` together.
    Returns whether a feed writes to standard output (``-o -:FORMAT``)."""
    if not output and not overwrite_output:
        return False
    from scrapy.exceptions import UsageError
    from scrapy.utils.conf import feed_process_params_from_cli

    try:
        feeds = feed_process_params_from_cli(
            settings, list(output), overwrite_output=list(overwrite_output) or None
        )
    except UsageError as error:
        raise ValueError(str(error)) from None
    settings.set("FEEDS", feeds, priority="cmdline")
    return any(str(uri).startswith("stdout:") for uri in feeds)
