"""Routes of the ``cms`` theme: a non-WordPress site with its own URL scheme.

``/`` and ``?page=N`` (from 0), ``[/ar]/publications/YYYY/slug``, ``[/ar]/topics/slug``,
``[/ar]/tags/slug``, ``/people/slug``, ``/about``, ``/robots.txt`` naming
``/sitemap.xml`` (one ``urlset`` of every publication, ``lastmod`` = modified).
There is no ``/wp-json/``, no ``/wp-sitemap.xml``, no ``/category/``, no ``?p=`` and
no feed: each of those answers 404. A path with a trailing slash redirects to the
one without, as Drupal's redirect module does.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from urllib.parse import parse_qs, unquote, urlsplit

from ecss_crawler.replica import assets, feeds
from ecss_crawler.replica.catalog import Catalog
from ecss_crawler.replica.index import SiteIndex
from ecss_crawler.replica.listings import Listing, Listings
from ecss_crawler.replica.model import ReplicaConfig, Response
from ecss_crawler.replica.pages import ArticlePage, Theme
from ecss_crawler.replica.responses import PNG, TEXT, XML, not_found, ok, redirect, strong_etag
from ecss_crawler.replica.router import Router
from ecss_crawler.replica.static_pages import STATIC_PAGES
from ecss_crawler.replica.view import View, cms_article_path, language_prefix


class CmsRouter:
    """Routes requests over one snapshot of the ``cms`` site."""

    def __init__(
        self,
        config: ReplicaConfig,
        catalog: Catalog,
        index: SiteIndex,
        views: dict[str, View],
        theme: Theme,
        floor: datetime | None,
    ) -> None:
        self.config = config
        self.catalog = catalog
        self.index = index
        self.views = views
        self.theme = theme
        self.view = views[config.language]
        self.listings = Listings(config, catalog, index)
        self.uploads = Router(config, catalog, index, views, theme, floor)
        self.articles = {cms_article_path(spec): spec.post_id for spec in index.by_id.values()}

    def route(self, target: str) -> Response:
        """The response for ``target`` (path and query, as sent on the request line)."""
        parts = urlsplit(target)
        path = unquote(parts.path or "/")
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        if path == "/robots.txt":
            return ok(self.robots(), TEXT)
        if path == "/sitemap.xml":
            return self.sitemap()
        if path == "/favicon.ico":
            return ok(assets.png_pixel(), PNG)
        if path.startswith("/wp-content/uploads/"):
            return self.uploads.upload(path)
        if path != "/" and path.endswith("/"):
            return redirect(
                self.view.url(path.rstrip("/"), f"?{parts.query}" if parts.query else "")
            )
        post_id = self.articles.get(path)
        if post_id is not None:
            return self.article(post_id)
        if path == "/about":
            return ok(self.theme.static_page(self.view, STATIC_PAGES["/about-us/"]("en")))
        listing = self.listing_for(path)
        if listing is None:
            return self.missing()
        page = query.get("page", "0")
        return self.render_listing(listing, int(page) + 1 if page.isdigit() else 1)

    def robots(self) -> str:
        """A Drupal robots.txt, naming the sitemap when there is one."""
        lines = ["User-agent: *", "Disallow: /user/", "Disallow: /search", ""]
        if self.config.sitemap:
            lines.append(f"Sitemap: {self.view.url('/sitemap.xml')}")
        return "\n".join(lines) + "\n"

    def sitemap(self) -> Response:
        """One ``urlset`` of every publication (404 when sitemaps are off)."""
        if not self.config.sitemap:
            return self.missing()
        specs = self.index.specs(self.index.ascending)
        body = feeds.urlset((self.view.article_url(s), s.modified_iso) for s in specs)
        return ok(body, XML)

    def article(self, post_id: int) -> Response:
        """A publication, in its own language's view."""
        spec = self.index.by_id[post_id]
        view = self.views[spec.language]
        html = self.theme.article(view, ArticlePage(spec))
        etag = strong_etag(spec.post_id, spec.modified_iso, spec.body_version, "cms", spec.tags)
        return ok(html, etag=etag, modified=spec.modified)

    def listing_for(self, path: str) -> Listing | None:
        """The home page, a topic, a tag or a person, under its own path."""
        if path == "/":
            return self.listings.home()
        segments = [s for s in path.split("/") if s]
        language = "en"
        if segments and segments[0] == "ar":
            language, segments = "ar", segments[1:]
        if len(segments) != 2:
            return None
        kind, slug = segments
        listing: Listing | None = None
        if kind == "topics":
            term = self.catalog.categories.get(slug)
            if term is not None and term.language == language:
                listing = self.listings.category(term)
        elif kind == "tags":
            tag = self.catalog.tags.get(slug)
            if tag is not None and tag.language == language:
                listing = self.listings.tag(tag)
        elif kind == "people" and language == "en":
            member = self.catalog.staff.get(slug)
            listing = self.listings.author(member) if member else None
        if listing is None:
            return None
        return replace(listing, path=f"{language_prefix(language)}/{kind}/{slug}")

    def render_listing(self, listing: Listing, number: int) -> Response:
        """One page of a listing; past the last page, 404."""
        page = self.listings.page(listing, number)
        if page is None:
            return self.missing()
        return ok(self.theme.listing(self.views[listing.language], page))

    def missing(self) -> Response:
        """The 404 page."""
        return not_found(self.theme.not_found(self.view))
