"""What a crawl asks its archive writer to do with each item.

Jobs for :class:`~ecss_crawler.archive.writer.ArchiveWriter`: module-level
functions of the :class:`~ecss_crawler.archive.store.Archive` and picklable
arguments, so they run the same in the writer's child process and on its thread.
No Scrapy import: the archive pipeline (``ecss_crawler.pipelines``) submits them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from ecss_crawler.archive.store import Archive
from ecss_crawler.documents.items import (
    DOCUMENT_ITEMS,
    DocumentFailure,
    DocumentLinks,
    DocumentNotModified,
    FetchedDocument,
)
from ecss_crawler.documents.text import EXTRACTOR_VERSION
from ecss_crawler.items import ArticleGone, ArticleUnchanged, CapturedArticle, PageFailure

logger = logging.getLogger(__name__)


@dataclass
class Stored:
    """What storing one item did: the stats keys to count (the stats live in the crawl's
    process), and for an article its outcome and archive id."""

    counted: list[str] = field(default_factory=list)
    outcome: str | None = None
    article_id: str | None = None


def store_item(archive: Archive, crawl_id: int, item: Any) -> Stored:
    """Write one item the spider yielded (each ``Archive`` call is atomic)."""
    if isinstance(item, CapturedArticle):
        return _store_article(archive, crawl_id, item)
    if isinstance(item, ArticleUnchanged):
        archive.mark_seen(item.article_id, etag=item.etag, last_modified=item.last_modified)
        return Stored(["ecss/stored/not_modified"])
    if isinstance(item, ArticleGone):
        if archive.mark_removed(item.article_id or item.url, crawl_id):
            logger.info("Marked removed (HTTP %s): %s", item.status, item.url)
            return Stored(["ecss/removed"])
        return Stored()
    if isinstance(item, DOCUMENT_ITEMS):
        return Stored(store_document_item(archive, crawl_id, item))
    if isinstance(item, PageFailure):
        if item.capture is not None:
            c = item.capture
            archive.store_capture(
                c.url, c.status, c.headers, c.body, crawl_id, fetched_at=c.fetched_at
            )
        archive.record_failure(item.url, crawl_id, item.stage, item.reason, item.status)
        return Stored([f"ecss/failures/{item.stage}"])
    return Stored()


def _store_article(archive: Archive, crawl_id: int, item: CapturedArticle) -> Stored:
    capture = item.capture
    capture_id = archive.store_capture(
        capture.url,
        capture.status,
        capture.headers,
        capture.body,
        crawl_id,
        fetched_at=capture.fetched_at,
    )
    result = archive.store_article(
        item.article,
        crawl_id,
        etag=capture.etag,
        last_modified=capture.last_modified,
        capture_id=capture_id,
    )
    if result.outcome == "rejected":
        logger.warning("Kept the archived version of %s: %s", item.article.url, result.reason)
    return Stored([f"ecss/stored/{result.outcome}"], result.outcome, result.article_id)


def store_document_item(archive: Archive, crawl_id: int, item: Any) -> list[str]:
    """Write one document item; return the stats keys to count."""
    if isinstance(item, DocumentLinks):
        archive.link_documents(item.article_ids, item.urls)
        return []
    if isinstance(item, DocumentNotModified):
        archive.mark_document_seen(
            item.url, etag=item.etag, last_modified=item.last_modified, crawl_id=crawl_id
        )
        return ["ecss/documents/not_modified"]
    if isinstance(item, FetchedDocument) and item.error is None and item.extracted is not None:
        result = archive.store_document(
            item.url,
            item.body,
            crawl_id,
            extracted=item.extracted,
            status=item.status,
            headers=item.headers,
            extractor_version=EXTRACTOR_VERSION,
        )
        return [f"ecss/documents/{result.outcome}"]
    if isinstance(item, FetchedDocument | DocumentFailure):
        reason = item.error if isinstance(item, FetchedDocument) else item.reason
        logger.warning("Document not archived: %s (%s)", item.url, reason)
        archive.record_document_failure(item.url, crawl_id, reason or "unreadable", item.status)
        return ["ecss/documents/failed"]
    return []
