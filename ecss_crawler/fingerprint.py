"""Request fingerprints by URL key, so every URL form of a page is fetched once per crawl."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from ecss_crawler.extract.urls import url_key

if TYPE_CHECKING:
    from scrapy import Request


class UrlKeyFingerprinter:
    """Like Scrapy's default fingerprinter, but keyed on :func:`url_key`.

    ``http``/``https``, ``www.``, a missing trailing slash, percent-encoding case,
    fragments and tracking parameters all map to the same fingerprint. The HTTP
    method is kept so a HEAD never hides a GET.
    """

    def fingerprint(self, request: Request) -> bytes:
        """The fingerprint of ``request``."""
        key = f"{request.method} {url_key(request.url)}"
        return hashlib.sha1(key.encode("utf-8"), usedforsecurity=False).digest()
