"""The replica site: generated articles, lazy page rendering, live changes and ground truth.

>>> site = ReplicaSite(ReplicaConfig(n_articles=10), "http://127.0.0.1:8089/")
>>> site.render("/robots.txt").status
200

Pages are rendered on request from the article specs; nothing is precomputed but
lookup tables, so a 20,000-article site builds in a second or two. Changes
(:meth:`ReplicaSite.add_article`, :meth:`edit_body`, :meth:`retag`,
:meth:`remove_article`) swap in a new snapshot atomically, so a server thread
never sees a half-changed site.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from ecss_crawler.replica.catalog import Catalog
from ecss_crawler.replica.clock import cairo
from ecss_crawler.replica.cms_router import CmsRouter
from ecss_crawler.replica.generate import LAST_DAY, ArticleFactory
from ecss_crawler.replica.index import SiteIndex
from ecss_crawler.replica.model import ArticleSpec, ReplicaConfig, Response
from ecss_crawler.replica.responses import conditional
from ecss_crawler.replica.router import Router
from ecss_crawler.replica.templates import theme_for
from ecss_crawler.replica.view import View

DEFAULT_BASE_URL = "http://127.0.0.1:8089/"


class ReplicaSite:
    """An ECSS-like WordPress site generated from a :class:`ReplicaConfig`."""

    def __init__(
        self, config: ReplicaConfig | None = None, base_url: str = DEFAULT_BASE_URL
    ) -> None:
        self.config = config or ReplicaConfig()
        self.catalog = Catalog.build()
        self._factory = ArticleFactory(self.config, self.catalog)
        self._specs: dict[int, ArticleSpec] = {s.post_id: s for s in self._factory.generate()}
        self._removed: dict[int, ArticleSpec] = {}
        self._theme = theme_for(self.config.theme)
        self._lock = threading.RLock()
        self._floor: datetime | None = None
        moments = [s.modified for s in self._specs.values()]
        self._clock = max(moments).replace(tzinfo=None) if moments else LAST_DAY
        self._base_url = base_url
        self._rebuild()

    # State -------------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The site's root URL, ending in ``/``."""
        return self._base_url

    @base_url.setter
    def base_url(self, value: str) -> None:
        with self._lock:
            self._base_url = value.rstrip("/") + "/"
            self._rebuild()

    @property
    def host(self) -> str:
        """``host:port`` of the base URL, as records name their site."""
        return urlsplit(self._base_url).netloc.lower()

    def _rebuild(self) -> None:
        index = SiteIndex(self._specs.values(), self.catalog)
        views = {
            lang: View(self._base_url, self.config, self.catalog, index, lang)
            for lang in ("en", "ar")
        }
        self.index = index
        self._views = views
        router = CmsRouter if self.config.theme == "cms" else Router
        self._router = router(self.config, self.catalog, index, views, self._theme, self._floor)

    @property
    def articles(self) -> list[ArticleSpec]:
        """The live articles, by post id."""
        return [self._specs[post_id] for post_id in sorted(self._specs)]

    def article(self, post_id: int) -> ArticleSpec:
        """The live article ``post_id`` (``KeyError`` when there is none)."""
        return self._specs[post_id]

    def view(self, language: str | None = None) -> View:
        """URL helpers in ``language`` (default: the site's)."""
        return self._views[language or self.config.language]

    def url(self, path: str, query: str = "") -> str:
        """Absolute URL for a decoded site path."""
        return self.view().url(path, query)

    def url_for(self, article: ArticleSpec | int) -> str:
        """The permalink of an article (or of post id ``article``)."""
        spec = article if isinstance(article, ArticleSpec) else self._specs[article]
        return self.view().article_url(spec)

    def category_url(self, slug: str) -> str:
        """Archive URL of the category with decoded ``slug``."""
        return self.view().category_url(self.catalog.categories[slug])

    def category_pages(self, slug: str) -> int:
        """How many listing pages the category has (posts of child categories included)."""
        count = len(self.index.by_category.get(slug, []))
        return max(1, -(-count // self.config.per_page))

    def category_count(self, slug: str) -> int:
        """How many articles the category lists (children included)."""
        return len(self.index.by_category.get(slug, []))

    # Serving -----------------------------------------------------------------------------------

    def render(self, target: str, headers: Mapping[str, str] | None = None) -> Response:
        """Answer one GET for ``target`` (path plus query, percent-encoded as on the wire)."""
        router = self._router
        return conditional(router.route(target or "/"), headers)

    def paths(self) -> Iterator[str]:
        """Every crawlable path without a query string (percent-encoded), for a static copy."""
        from ecss_crawler.replica.static_export import site_paths

        return site_paths(self)

    # Changes -----------------------------------------------------------------------------------

    def _tick(self) -> datetime:
        self._clock += timedelta(days=1, minutes=17)
        return cairo(self._clock)

    def add_article(
        self,
        *,
        language: str | None = None,
        title: str | None = None,
        categories: Sequence[str] | None = None,
        tags: Sequence[str] | None = None,
    ) -> ArticleSpec:
        """Publish a new article, newer than everything else; returns its spec.

        ``categories`` and ``tags`` are display names (new tag names create tags).
        """
        with self._lock:
            post_id = max([*self._specs, *self._removed, 96]) + 4
            rng = random.Random(f"{self.config.seed}:add:{post_id}")  # noqa: S311
            lang = language or ("ar" if rng.random() < self.config.arabic_share else "en")
            moment = self._tick()
            spec = self._factory.make(
                rng,
                post_id,
                lang,
                moment.replace(tzinfo=None),
                title=title,
                categories=categories,
                tags=tags,
            )
            spec = replace(spec, published=moment, modified=moment)
            self._specs[post_id] = spec
            self._rebuild()
            return spec

    def edit_body(self, post_id: int) -> ArticleSpec:
        """Rewrite an article's body and bump its modified date."""
        with self._lock:
            spec = self._specs[post_id]
            return self._store(
                replace(spec, body_version=spec.body_version + 1, modified=self._tick())
            )

    def retag(self, post_id: int, tags: Sequence[str]) -> ArticleSpec:
        """Replace an article's tags (display names) and bump its modified date."""
        with self._lock:
            spec = self._specs[post_id]
            names = tuple(sorted(self.catalog.tag(name, spec.language).name for name in tags))
            return self._store(replace(spec, tags=names, modified=self._tick()))

    def remove_article(self, post_id: int) -> ArticleSpec:
        """Trash an article: 404 from now on, gone from listings, feeds and sitemaps."""
        with self._lock:
            spec = self._specs.pop(post_id)
            self._removed[post_id] = spec
            self._floor = self._tick()
            self._rebuild()
            return spec

    def restore_article(self, post_id: int) -> ArticleSpec:
        """Bring a removed article back, unchanged."""
        with self._lock:
            spec = self._removed.pop(post_id)
            self._floor = self._tick()
            return self._store(spec)

    def _store(self, spec: ArticleSpec) -> ArticleSpec:
        self._specs[spec.post_id] = spec
        self._rebuild()
        return spec

    # Ground truth ------------------------------------------------------------------------------

    def expected_records(self) -> list[dict[str, Any]]:
        """What a perfect extractor produces from each live article page, by post id."""
        return [self.expected_record(post_id) for post_id in sorted(self._specs)]

    def expected_record(self, post_id: int) -> dict[str, Any]:
        """The record for one article.

        Fields a theme does not show are left empty: ``redesign`` shows no reading
        time; ``broken`` shows only the title, the authors and the body.
        """
        from ecss_crawler.replica.truth import expected_record

        return expected_record(self, self._specs[post_id])
