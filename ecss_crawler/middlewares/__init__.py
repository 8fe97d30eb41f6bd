"""Downloader middlewares: keep every request on the allowed site; polite retries."""

from ecss_crawler.middlewares.reachability import ReachabilityMiddleware
from ecss_crawler.middlewares.retry import BackoffRetryMiddleware
from ecss_crawler.middlewares.site import AllowedSiteMiddleware

__all__ = ["AllowedSiteMiddleware", "BackoffRetryMiddleware", "ReachabilityMiddleware"]
