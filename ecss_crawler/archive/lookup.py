"""Read-only lookups for incremental crawls: what the archive already holds.

The spider asks, per listing card or sitemap entry, whether the article is
archived and unchanged. Each answer is one indexed query on a read-only
connection of its own (WAL lets it read while the pipeline writes), so nothing
per article is kept in memory for the whole crawl.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from ecss_crawler.archive.records import article_id
from ecss_crawler.archive.store import url_variants

_COLUMNS = "id, url, modified, published, etag, last_modified, last_seen, removed_at"


@dataclass(frozen=True)
class Known:
    """What the archive holds about one article."""

    id: str
    url: str
    modified: str | None
    published: str | None
    etag: str | None
    last_modified: str | None
    last_seen: str | None
    removed_at: str | None


class ArchiveReader:
    """Read-only queries against the archive (an absent file reads as empty)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = None
        if self.path.exists():
            uri = f"{self.path.resolve().as_uri()}?mode=ro"
            self._conn = sqlite3.connect(uri, uri=True, timeout=30, check_same_thread=False)
            if not self._has_articles():
                self.close()

    def _has_articles(self) -> bool:
        assert self._conn is not None
        row = self._conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'articles'"
        ).fetchone()
        return row is not None

    def close(self) -> None:
        """Close the connection."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def find(self, url: str, post_id: int | None = None) -> Known | None:
        """The archived article behind a card or sitemap ``url`` (and the card's post id)."""
        if self._conn is None:
            return None
        if post_id is not None:
            site = urlsplit(url).netloc.lower()
            row = self._conn.execute(
                f"SELECT {_COLUMNS} FROM articles WHERE id = ?", [article_id(site, post_id, url)]
            ).fetchone()
            if row:
                return Known(*row)
        variants = [*url_variants(url), *url_variants(_other_scheme(url))]
        marks = ", ".join("?" for _ in variants)
        row = self._conn.execute(
            f"SELECT {_COLUMNS} FROM articles WHERE url IN ({marks}) LIMIT 1", variants
        ).fetchone()
        return Known(*row) if row else None

    def live_articles(self, site: str) -> Iterator[tuple[str, str]]:
        """``(id, url)`` of every archived article of ``site`` not marked removed."""
        if self._conn is None:
            return
        yield from self._conn.execute(
            "SELECT id, url FROM articles WHERE site = ? AND removed_at IS NULL", [site]
        )

    def newest(self, site: str, count: int) -> list[str]:
        """URLs of the ``count`` most recently published live articles of ``site``."""
        if self._conn is None:
            return []
        rows = self._conn.execute(
            "SELECT url FROM articles WHERE site = ? AND removed_at IS NULL"
            " ORDER BY published DESC LIMIT ?",
            [site, count],
        )
        return [row[0] for row in rows]

    def coverage_baseline(
        self, site: str, crawls: int = 5, min_articles: int = 3
    ) -> dict[str, float] | None:
        """Mean field coverage over the last ``crawls`` finished crawls of ``site`` that
        judged at least ``min_articles`` articles; None when there is none (a first crawl)."""
        if self._conn is None:
            return None
        rows = self._conn.execute(
            "SELECT coverage, counts FROM crawls WHERE site = ? AND status = 'finished'"
            " AND coverage IS NOT NULL ORDER BY id DESC LIMIT ?",
            [site, crawls * 4],
        )
        samples: list[dict[str, float]] = []
        for coverage, counts in rows:
            extracted = int(json.loads(counts or "{}").get("articles_extracted", 0))
            if extracted >= min_articles:
                samples.append({k: float(v) for k, v in json.loads(coverage).items()})
            if len(samples) == crawls:
                break
        if not samples:
            return None
        names = {name for sample in samples for name in sample}
        return {name: sum(s.get(name, 0.0) for s in samples) / len(samples) for name in names}


def _other_scheme(url: str) -> str:
    parts = urlsplit(url)
    scheme = "http" if parts.scheme == "https" else "https"
    return urlunsplit((scheme, parts.netloc, parts.path, parts.query, parts.fragment))
