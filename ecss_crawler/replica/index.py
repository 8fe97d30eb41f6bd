"""Lookup tables over the live articles: by id, by path, and every listing, newest first.

Built once per change of the site (O(n log n)); every request then costs O(1)
lookups plus a slice, whatever the number of articles.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from ecss_crawler.replica.catalog import Catalog
from ecss_crawler.replica.model import ArticleSpec


def _newest_first(spec: ArticleSpec) -> tuple[float, int]:
    return (-spec.published.timestamp(), -spec.post_id)


class SiteIndex:
    """Every listing of the site as a list of post ids, newest first."""

    def __init__(self, specs: Iterable[ArticleSpec], catalog: Catalog) -> None:
        ordered = sorted(specs, key=_newest_first)
        self.by_id: dict[int, ArticleSpec] = {spec.post_id: spec for spec in ordered}
        self.by_path: dict[str, int] = {spec.path: spec.post_id for spec in ordered}
        self.old_paths: dict[str, int] = {s.old_path: s.post_id for s in ordered if s.old_path}
        self.newest: list[int] = [spec.post_id for spec in ordered]
        self.ascending: list[int] = sorted(self.newest)
        self.by_category: dict[str, list[int]] = defaultdict(list)
        self.by_tag: dict[str, list[int]] = defaultdict(list)
        self.by_author: dict[str, list[int]] = defaultdict(list)
        self.by_month: dict[tuple[int, int], list[int]] = defaultdict(list)
        for spec in ordered:
            self._add(spec, catalog)

    def _add(self, spec: ArticleSpec, catalog: Catalog) -> None:
        slugs: list[str] = []
        for name in spec.categories:
            for term in catalog.ancestors(catalog.category_named(name)):
                if term.slug not in slugs:
                    slugs.append(term.slug)
        for slug in slugs:
            self.by_category[slug].append(spec.post_id)
        for name in spec.tags:
            self.by_tag[catalog.tag_named(name).slug].append(spec.post_id)
        for name in spec.authors:
            self.by_author[catalog.staff_named(name).slug].append(spec.post_id)
        self.by_month[(spec.published.year, spec.published.month)].append(spec.post_id)

    def specs(self, ids: Iterable[int]) -> list[ArticleSpec]:
        """The specs for ``ids``, in the same order."""
        return [self.by_id[post_id] for post_id in ids]

    def latest(self, count: int) -> list[ArticleSpec]:
        """The ``count`` newest articles."""
        return self.specs(self.newest[:count])

    def following(self, ids: list[int], spec: ArticleSpec, count: int) -> list[ArticleSpec]:
        """Up to ``count`` articles after ``spec`` in the listing ``ids`` (wrapping round)."""
        if len(ids) <= 1:
            return []
        start = bisect_left(ids, _newest_first(spec), key=lambda i: _newest_first(self.by_id[i]))
        found: list[ArticleSpec] = []
        for step in range(1, len(ids)):
            candidate = ids[(start + step) % len(ids)]
            if candidate != spec.post_id:
                found.append(self.by_id[candidate])
            if len(found) == count:
                break
        return found

    def newest_moment(self) -> datetime | None:
        """Publication time of the newest article."""
        return self.by_id[self.newest[0]].published if self.newest else None

    def max_modified(self) -> datetime | None:
        """The latest modification time of any article."""
        return max((spec.modified for spec in self.by_id.values()), default=None)
