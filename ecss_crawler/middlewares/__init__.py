"""Middlewares: keep every request on the allowed site; polite retries; the site of a
start URL given without ``base_url`` (``scrapy parse``)."""

from ecss_crawler.middlewares.reachability import ReachabilityMiddleware
from ecss_crawler.middlewares.retry import BackoffRetryMiddleware
from ecss_crawler.middlewares.site import AllowedSiteMiddleware
from ecss_crawler.middlewares.start import StartSiteMiddleware

__all__ = [
    "AllowedSiteMiddleware",
    "BackoffRetryMiddleware",
    "ReachabilityMiddleware",
    "StartSiteMiddleware",
]
