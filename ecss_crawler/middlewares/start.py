"""Let the site follow the start URL when no ``base_url`` was given.

``scrapy parse --spider ecss URL`` (and any tool that replaces a spider's start)
starts the ``ecss`` spider with one URL of its own and no ``-a base_url``. The
spider's default site is the live ECSS one, so the off-site guard would refuse
that URL and the wrong site profile would read it. This spider middleware shows
the spider its first start request; a spider that was not given ``base_url``
adopts that request's site (see ``EcssSpider.follow_start_url``). A normal crawl's
first request is its own home page, so nothing changes there.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Self

from scrapy import Request

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class StartSiteMiddleware:
    """Hand the first start request's URL to the spider's ``follow_start_url``, if it has one."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        first = True
        async for item_or_request in start:
            if first and isinstance(item_or_request, Request):
                first = False
                follow = getattr(self.crawler.spider, "follow_start_url", None)
                if callable(follow):
                    follow(item_or_request.url)
            yield item_or_request
