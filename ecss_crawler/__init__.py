"""ecss-crawler: crawl and archive think-tank WordPress sites (ECSS first)."""

__version__ = "0.1.0"
