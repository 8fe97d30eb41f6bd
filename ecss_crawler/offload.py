"""Parsing pages off the crawl's thread.

lxml releases the GIL while it parses, so a page parsed on a worker thread is parsed
while the crawl's own thread (Scrapy's downloads, callbacks and item pipelines) goes
on: on a machine with a core to spare, the parse of each article page (the single
largest cost of the callback) leaves the crawl's critical path. The tree is used on
the crawl's thread only after the worker has finished with it.
"""

from __future__ import annotations

from parsel import Selector
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from ecss_crawler.extract import parse_html


async def parse_html_off_thread(body: bytes, url: str, content_type: str | None) -> Selector:
    """:func:`ecss_crawler.extract.parse_html` on a reactor pool thread (same result,
    same exceptions)."""
    selector: Selector = await maybe_deferred_to_future(
        deferToThread(parse_html, body, url, content_type)
    )
    return selector
