"""Refuse, at the downloader, every request that leaves the crawled site.

Spiders already only yield same-site requests; this is the safety net for
redirects, sitemap entries, canonical links and ``<base href>`` tricks. It
compares host *and* port (``www.`` and scheme aside), which Scrapy's
``allowed_domains`` does not.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self

from scrapy.exceptions import IgnoreRequest, NotConfigured

from ecss_crawler.extract.urls import same_site

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class OffsiteRequestError(IgnoreRequest):
    """A request to another site was refused."""


class AllowedSiteMiddleware:
    """Drop requests whose site differs from the spider's ``base_url``."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("ECSS_ALLOWED_SITE_ONLY", True):
            raise NotConfigured("ECSS_ALLOWED_SITE_ONLY is off")
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        """Raise :class:`OffsiteRequestError` for any request off the allowed site."""
        base_url = getattr(self.crawler.spider, "base_url", None)
        if base_url and not same_site(request.url, base_url):
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("ecss/offsite_blocked")
            logger.warning("Refused off-site request %s (allowed site: %s)", request.url, base_url)
            raise OffsiteRequestError(f"off-site request refused: {request.url}")
