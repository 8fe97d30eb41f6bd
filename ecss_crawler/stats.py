"""Scrapy's in-memory stats collector, without its per-attribute deprecation shim.

Scrapy 2.19's ``StatsCollector.__getattribute__`` runs Python code (an f-string and,
for most names, a raised and caught ``AttributeError``) on *every* attribute access,
to warn about a deprecated ``spider`` argument; a crawl calls the stats several times
per request and per item. This collector is Scrapy's ``MemoryStatsCollector`` with
plain attribute access: the methods and the data are the same, only the warning
about the deprecated argument is not given.
"""

from __future__ import annotations

from scrapy.statscollectors import MemoryStatsCollector


class FastStatsCollector(MemoryStatsCollector):
    """``MemoryStatsCollector`` with the default attribute lookup (``STATS_CLASS``)."""

    __getattribute__ = object.__getattribute__
