"""Typed item classes shared by extraction, spiders, pipelines and storage.

Items are plain dataclasses, so itemadapter, Scrapy's feed exports and our own
storage layer all accept them without a Scrapy import here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

#: Fields whose change makes a new revision of an article (see docs/data-model.md).
CONTENT_FIELDS: tuple[str, ...] = (
    "title",
    "authors",
    "published",
    "modified",
    "categories",
    "tags",
    "summary",
    "body",
)

#: Fields whose presence is counted per crawl (the layout-break alarm watches these).
COVERAGE_FIELDS: tuple[str, ...] = (*CONTENT_FIELDS, "post_id", "language")

#: Fields that an article record must have to be stored at all.
REQUIRED_FIELDS: tuple[str, ...] = ("title", "body", "published")


@dataclass
class Article:
    """One clean article record, as extracted from one article page."""

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

    def to_dict(self) -> dict[str, Any]:
        """Return the record as a plain JSON-ready dict."""
        return asdict(self)

    def missing_required(self) -> list[str]:
        """Names of required fields that are empty."""
        return [name for name in REQUIRED_FIELDS if not getattr(self, name)]


@dataclass
class Capture:
    """The raw response an article record was extracted from (kept for ``reparse``)."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: str

    @property
    def etag(self) -> str | None:
        """The response's ``ETag`` validator."""
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        """The response's ``Last-Modified`` validator."""
        return self.headers.get("last-modified")


@dataclass
class CapturedArticle:
    """What the spider yields for an article page: the record and the response behind it."""

    article: Article
    capture: Capture
    #: Set by the archive pipeline: what ``store_article`` did (``new``, ``changed``,
    #: ``unchanged``, ``rejected``) and the archive's id for the article.
    outcome: str | None = None
    article_id: str | None = None


@dataclass
class ArticleUnchanged:
    """An archived article answered "not modified" (HTTP 304) to a conditional request."""

    url: str
    article_id: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class ArticleGone:
    """An archived article's page answered 404 or 410: it was removed from the site."""

    url: str
    status: int
    article_id: str | None = None


@dataclass
class PageFailure:
    """A page that should have been an article but could not be fetched, extracted or stored."""

    url: str
    stage: str
    reason: str
    status: int | None = None
    capture: Capture | None = None
