"""A bare Scrapy spider: the same links as the ``ecss`` spider, and nothing else.

It walks what the full crawl walks (robots.txt, the WordPress sitemaps, the home
page, every category listing with its pagination, the main-block post cards)
using the same listing helpers (``parse_listing``, ``category_links``), but does
no article extraction and no storage: article responses are dropped as they
arrive. ``benchmarks/crawl_throughput.py`` runs it beside the full crawl to get
the share of a bare spider's pages per second that the whole pipeline keeps.

    python benchmarks/bare_spider.py --base-url http://127.0.0.1:8089/ -s CONCURRENT_REQUESTS=16

Prints one JSON object: pages, article pages, seconds, pages per second.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response, TextResponse
from scrapy.utils.sitemap import Sitemap

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ecss_crawler.extract.listing import category_links, parse_listing
from ecss_crawler.extract.urls import (
    clean_url,
    is_never_follow,
    listing_page_number,
    listing_page_url,
    same_site,
)
from ecss_crawler.sites import profile_for


class BareSpider(scrapy.Spider):
    """Follow listings, pagination, categories and sitemaps; drop article pages."""

    name = "bare"

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url
        self.profile = profile_for(base_url)
        self.articles = 0

    async def start(self) -> Any:
        yield scrapy.Request(self.base_url, callback=self.parse_listing, priority=9)
        sitemap = urljoin(self.base_url, "wp-sitemap.xml")
        yield scrapy.Request(sitemap, self.parse_sitemap, priority=5)

    def _ok(self, url: str) -> bool:
        return same_site(url, self.base_url) and not is_never_follow(url)

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        sitemap = Sitemap(response.body)
        for entry in sitemap:
            url = entry.get("loc")
            if not url or not self._ok(url):
                continue
            name = urlsplit(url).path.rsplit("/", 1)[-1]
            if sitemap.type == "sitemapindex":
                if "posts-post" in name or "category" in name:
                    yield scrapy.Request(url, self.parse_sitemap, priority=5)
            elif "category" in urlsplit(response.url).path:
                yield scrapy.Request(clean_url(url), self.parse_listing, priority=9)
            else:
                yield scrapy.Request(clean_url(url), self.parse_article, priority=20)

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        if response.status == 404 or not isinstance(response, TextResponse):
            return
        listing = parse_listing(response.selector, response.url, self.profile)
        for card in listing.cards:
            if self._ok(card.url):
                yield scrapy.Request(clean_url(card.url), self.parse_article, priority=20)
        if listing.next_url and self._ok(listing.next_url):
            yield scrapy.Request(clean_url(listing.next_url), self.parse_listing, priority=8)
        elif listing.cards and (listing.scripted_pagination or response.meta.get("probe")):
            page = listing_page_number(response.url) + 1
            yield scrapy.Request(
                listing_page_url(response.url, page),
                self.parse_listing,
                priority=8,
                meta={"probe": True, "handle_httpstatus_list": [404]},
            )
        for url in category_links(response.selector, response.url):
            if self._ok(url):
                yield scrapy.Request(clean_url(url), self.parse_listing, priority=9)

    def parse_article(self, response: Response) -> None:
        self.articles += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("-s", "--set", dest="settings", action="append", default=[])
    args = parser.parse_args()
    settings: dict[str, Any] = {
        "ROBOTSTXT_OBEY": True,
        "LOG_LEVEL": "WARNING",
        "TELNETCONSOLE_ENABLED": False,
        "COOKIES_ENABLED": False,
        "USER_AGENT": "ecss-crawler-bare-benchmark",
    }
    for pair in args.settings:
        name, _, value = pair.partition("=")
        settings[name] = value
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(BareSpider)
    started = time.monotonic()
    process.crawl(crawler, base_url=args.base_url)
    process.start()
    seconds = time.monotonic() - started
    stats = crawler.stats.get_stats() if crawler.stats else {}
    pages = int(stats.get("response_received_count", 0))
    spider = crawler.spider
    print(
        json.dumps(
            {
                "pages": pages,
                "articles": getattr(spider, "articles", 0),
                "seconds": round(seconds, 2),
                "pages_per_second": round(pages / seconds, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
