"""Items the spider yields for documents (plain dataclasses, like ``ecss_crawler.items``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class DocumentLinks:
    """An archived article links these document URLs.

    ``article_ids`` are the spellings the article may be stored under (by post
    id, else by URL), tried in order.
    """

    article_ids: list[str]
    urls: list[str]


@dataclass
class FetchedDocument:
    """A downloaded document; ``extracted`` / ``error`` are filled in by the document pipeline."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: str
    extracted: Any = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class DocumentNotModified:
    """A document URL answered 304 to a conditional request."""

    url: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class DocumentFailure:
    """A document that could not be fetched (or, set by the pipeline, read)."""

    url: str
    reason: str
    status: int | None = None


DOCUMENT_ITEMS = (DocumentLinks, FetchedDocument, DocumentNotModified, DocumentFailure)
