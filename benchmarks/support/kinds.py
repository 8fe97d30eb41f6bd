"""Requests by kind, read from the benchmark server's access log.

Every spider is counted the same way, from what nginx served (one ``STATUS URI``
line per request, :data:`benchmarks.support.site.ACCESS_LOG_FORMAT`), so a spider
that keeps no statistics of its own (the shared bare spider) is counted exactly
like the full crawl. :class:`AccessLog` remembers where each run's lines start.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlsplit

#: Row order of the kinds in tables.
KINDS: tuple[str, ...] = (
    "robots.txt",
    "sitemap",
    "home page 1",
    "home page 2+",
    "category page 1",
    "category page 2+",
    "other listing",
    "article",
    "document",
    "not found (404)",
)
LISTING_KINDS: tuple[str, ...] = (
    "home page 1",
    "home page 2+",
    "category page 1",
    "category page 2+",
    "other listing",
)
#: The publications a full crawl downloads (the shared bare spider fetches none).
_DOCUMENT_SUFFIXES = (".pdf", ".doc", ".docx")
_PAGED = re.compile(r"/page/\d+/?$")
_OTHER_LISTING = re.compile(r"^/(tag|author|[0-9]{4}/[0-9]{2})(/|$)")


def kind_of(status: int, uri: str) -> str:
    """The kind of one request (a 404 is counted as such, whatever its URL)."""
    if status == 404:
        return "not found (404)"
    path = unquote(urlsplit(uri).path)
    if path == "/robots.txt":
        return "robots.txt"
    if path.lower().endswith(_DOCUMENT_SUFFIXES):
        return "document"
    if path.endswith(".xml") or "sitemap" in path:
        return "sitemap"
    if path.startswith("/category/"):
        return "category page 2+" if _PAGED.search(path) else "category page 1"
    if path == "/":
        return "home page 1"
    if _PAGED.fullmatch(path):
        return "home page 2+"
    if _OTHER_LISTING.match(path):
        return "other listing"
    return "article"


class AccessLog:
    """An nginx access log written in the ``STATUS URI`` format."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def mark(self) -> int:
        """Where the next run's lines will start."""
        return self.path.stat().st_size if self.path.exists() else 0

    def kinds(self, start: int, end: int | None = None) -> Counter[str]:
        """Requests by kind between two marks (``end``: the end of the file)."""
        counts: Counter[str] = Counter()
        with self.path.open("rb") as handle:
            handle.seek(start)
            data = handle.read() if end is None else handle.read(end - start)
        for line in data.decode("utf-8", "replace").splitlines():
            status, _, uri = line.partition(" ")
            if status.isdigit():
                counts[kind_of(int(status), uri)] += 1
        return counts


def listing_pages(counts: Counter[str]) -> int:
    """Listing pages of every kind."""
    return sum(counts[kind] for kind in LISTING_KINDS)
