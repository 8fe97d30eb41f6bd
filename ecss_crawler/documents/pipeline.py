"""Document pipeline: read each downloaded document's text in an isolated process.

Thin, one job: a :class:`~ecss_crawler.documents.items.FetchedDocument` gets its
``extracted`` text (or an ``error`` reason); the archive pipeline stores it
(:func:`ecss_crawler.archive.jobs.store_document_item`). Settings:
``ECSS_DOCUMENT_TIMEOUT`` (seconds one document may take), ``ECSS_DOCUMENT_MAX_PAGES``.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals

from ecss_crawler.documents.isolate import DEFAULT_TIMEOUT, IsolatedExtractor
from ecss_crawler.documents.items import FetchedDocument
from ecss_crawler.documents.text import DocumentError

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class DocumentTextPipeline:
    """Extract text from downloaded documents, off the crawl's thread, one at a time."""

    def __init__(self, extractor: IsolatedExtractor) -> None:
        self.extractor = extractor
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ecss-documents")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        extractor = IsolatedExtractor(
            timeout=settings.getfloat("ECSS_DOCUMENT_TIMEOUT", DEFAULT_TIMEOUT),
            max_pages=settings.getint("ECSS_DOCUMENT_MAX_PAGES", 0) or None,
        )
        pipeline = cls(extractor)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, FetchedDocument):
            return item
        content_type = item.headers.get("content-type")
        future = self._thread.submit(self.extractor.extract, item.body, content_type, item.url)
        try:
            item.extracted = await asyncio.wrap_future(future)
        except DocumentError as error:
            item.error = str(error)
        return item

    def spider_closed(self) -> None:
        self._thread.submit(self.extractor.close).result()
        self._thread.shutdown(wait=True)
