"""Maps one request target to a response, the way WordPress's rewrite rules and canonical
redirects would, over one immutable snapshot of the site.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from urllib.parse import parse_qs, quote, unquote, urlsplit

from ecss_crawler.replica import assets, feeds
from ecss_crawler.replica.catalog import Catalog
from ecss_crawler.replica.clock import EET
from ecss_crawler.replica.index import SiteIndex
from ecss_crawler.replica.listings import Listing, Listings
from ecss_crawler.replica.model import ArticleSpec, ReplicaConfig, Response
from ecss_crawler.replica.pages import ArticlePage, StaticPage, Theme
from ecss_crawler.replica.responses import (
    JSON,
    PDF,
    PNG,
    RSS,
    TEXT,
    XML,
    not_found,
    ok,
    redirect,
    strong_etag,
)
from ecss_crawler.replica.static_pages import STATIC_PAGES, login_page, print_page
from ecss_crawler.replica.view import ANNUAL_REPORT, View

_PAGED = re.compile(r"^(.*/)page/(\d+)/$")
_MONTH = re.compile(r"^(/date)?/(\d{4})/(\d{2})/$")
_SITEMAP_POSTS = re.compile(r"^/wp-sitemap-posts-post-(\d+)\.xml$")
_PDF_NAME = re.compile(r"/ecss-(\d+)\.pdf$")
_M_PARAM = re.compile(r"^(\d{4})(\d{2})(\d{2})?$")

Query = dict[str, list[str]]


class Router:
    """Routes requests over one snapshot of the site (rebuilt after every change)."""

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
        self.floor = floor
        self.listings = Listings(config, catalog, index)
        self.view = views[config.language]

    def route(self, target: str) -> Response:
        """The response for ``target`` (path and query, as sent on the request line)."""
        parts = urlsplit(target)
        raw_path = parts.path or "/"
        query = parse_qs(parts.query, keep_blank_values=True)
        path = unquote(raw_path)
        handler = self.special(path, query, parts.query)
        if handler is not None:
            return handler()
        if not path.endswith("/"):
            return self.add_slash(path, parts.query)
        return self.page_route(path, query, parts.query)

    # Fixed endpoints ---------------------------------------------------------------------------

    def special(self, path: str, query: Query, raw_query: str) -> Callable[[], Response] | None:
        """Handlers for query-string routes and fixed files, else ``None``."""
        first = {key: values[0] for key, values in query.items()}
        if path in ("/", "/index.php"):
            if "p" in first:
                return lambda: self.shortlink(first["p"])
            if "m" in first:
                return lambda: self.calendar(first["m"], 1, raw_query)
            if "s" in first:
                return lambda: self.search(first["s"], 1, raw_query)
        fixed: dict[str, Callable[[], Response]] = {
            "/robots.txt": lambda: ok(feeds.robots_txt(self.view, self.config.sitemap), TEXT),
            "/wp-login.php": lambda: ok(login_page(self.view)),
            "/wp-admin/admin-ajax.php": lambda: self.ajax(first),
            "/favicon.ico": lambda: ok(assets.png_pixel(), PNG),
        }
        if path in fixed:
            return fixed[path]
        if path.startswith("/wp-admin"):
            back = quote(self.view.url(path), safe="")
            return lambda: redirect(
                self.view.url("/wp-login.php", f"?redirect_to={back}&reauth=1"), 302
            )
        if path.startswith("/wp-sitemap") and path.endswith(".xml"):
            return lambda: self.sitemap(path)
        if path.startswith("/wp-content/uploads/"):
            return lambda: self.upload(path)
        if path.endswith("/feed/"):
            return lambda: self.feed(path[: -len("feed/")])
        return None

    def add_slash(self, path: str, raw_query: str) -> Response:
        """WordPress's canonical redirect to the trailing-slash form, where that form exists."""
        if "." in path.rsplit("/", 1)[-1]:
            return self.missing()
        target = self.page_route(path + "/", {}, "")
        if target.status in (200, 301):
            query = f"?{raw_query}" if raw_query else ""
            return redirect(self.view.url(path + "/", query))
        return self.missing()

    def shortlink(self, value: str) -> Response:
        """``/?p=ID`` redirects to the permalink."""
        spec = self.index.by_id.get(int(value)) if value.isdigit() else None
        return redirect(self.view.article_url(spec)) if spec else self.missing()

    # Pretty permalinks -------------------------------------------------------------------------

    def page_route(self, path: str, query: Query, raw_query: str) -> Response:
        """Articles, pages and listings under pretty permalinks."""
        paged = _PAGED.match(path)
        number = int(paged.group(2)) if paged else 1
        base = paged.group(1) if paged else path
        if paged and number == 1:
            return redirect(self.view.url(base, f"?{raw_query}" if raw_query else ""))
        first = {key: values[0] for key, values in query.items()}
        if base == "/" and "s" in first:
            return self.search(first["s"], number, raw_query)
        if base == "/" and "m" in first:
            return self.calendar(first["m"], number, raw_query)
        if not paged:
            direct = self.direct(path, first)
            if direct is not None:
                return direct
        listing = self.listing_for(base, "cal" in first)
        if listing is None:
            return self.missing()
        if isinstance(listing, Response):
            return listing if not paged else self.missing()
        return self.render_listing(listing, number)

    def direct(self, path: str, query: dict[str, str]) -> Response | None:
        """An article, an old permalink or a static page at ``path``, else ``None``."""
        post_id = self.index.by_path.get(path)
        if post_id is not None:
            return self.article(self.index.by_id[post_id], query)
        old = self.index.old_paths.get(path)
        if old is not None:
            return redirect(self.view.article_url(self.index.by_id[old]))
        page = STATIC_PAGES.get(path)
        if page is not None:
            return self.static(page(self.config.language))
        return None

    def listing_for(self, path: str, trap: bool) -> Listing | Response | None:
        """The listing at ``path``; a redirect for a category reached without its parents."""
        if path == "/":
            return self.listings.home()
        segments = [s for s in path.split("/") if s]
        if len(segments) >= 2 and segments[0] == "category":
            term = self.catalog.categories.get(segments[-1])
            if term is None or term.taxonomy != "category":
                return None
            full = self.catalog.category_path(term)
            return self.listings.category(term) if full == path else redirect(self.view.url(full))
        if len(segments) == 2 and segments[0] == "tag":
            tag = self.catalog.tags.get(segments[1])
            return self.listings.tag(tag) if tag else None
        if len(segments) == 2 and segments[0] == "author":
            member = self.catalog.staff.get(segments[1])
            return self.listings.author(member) if member else None
        month = _MONTH.match(path)
        if month and bool(month.group(1)) == (self.view.date_prefix == "/date"):
            year, mon = int(month.group(2)), int(month.group(3))
            if 1 <= mon <= 12 and year >= 1:
                return self.listings.month(year, mon, trap, self.view.date_prefix)
        return None

    # Renderers ---------------------------------------------------------------------------------

    def article(self, spec: ArticleSpec, query: dict[str, str]) -> Response:
        """An article page; ``?print=1`` gives the print view, ``?replytocom`` a noindex copy."""
        view = self.views[spec.language]
        shortlink = view.url("/", f"?p={spec.post_id}")
        link = {"Link": f"<{shortlink}>; rel=shortlink"}
        if query.get("print") == "1":
            return ok(print_page(view, spec), extra={"X-Robots-Tag": "noindex"})
        noindex = "replytocom" in query
        html = self.theme.article(view, ArticlePage(spec, noindex=noindex))
        etag = strong_etag(
            spec.post_id,
            spec.modified_iso,
            spec.body_version,
            self.config.theme,
            noindex,
            view.root,
            spec.title,
            spec.tags,
            spec.categories,
        )
        return ok(html, etag=etag, modified=spec.modified, extra=link)

    def render_listing(self, listing: Listing, number: int) -> Response:
        """One page of a listing, with validators over its cards."""
        page = self.listings.page(listing, number)
        if page is None:
            return self.missing()
        view = self.views[listing.language]
        html = self.theme.listing(view, page)
        stamps = [f"{s.post_id}:{s.modified_iso}:{s.title}" for s in page.cards]
        etag = strong_etag(
            self.config.theme, view.root, listing.path, listing.query, number, page.pages, *stamps
        )
        moments = [s.modified for s in page.cards] + ([self.floor] if self.floor else [])
        modified = max(moments) if moments else datetime(2019, 1, 1, tzinfo=EET)
        return ok(html, etag=etag, modified=modified)

    def static(self, page: StaticPage) -> Response:
        """A WordPress page."""
        return ok(self.theme.static_page(self.view, page))

    def missing(self) -> Response:
        """The theme's 404 page."""
        return not_found(self.theme.not_found(self.view))

    def search(self, text: str, number: int, raw_query: str) -> Response:
        """Search results."""
        return self.render_listing(self.listings.search(text, "?" + raw_query), number)

    def calendar(self, value: str, number: int, raw_query: str) -> Response:
        """``/?m=`` archives: served for any month, even long before the first post."""
        match = _M_PARAM.match(value)
        if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1:
            return self.missing()
        year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
        try:
            listing = self.listings.calendar(year, month, day, "?" + raw_query)
        except ValueError:
            return self.missing()
        return self.render_listing(listing, number)

    def ajax(self, params: dict[str, str]) -> Response:
        """Foxiz's "Show More" endpoint: ``action=rblivep`` with ``data[page_next]``."""
        if params.get("action") != "rblivep":
            return Response(400, {"Content-Type": TEXT}, b"0")
        term_id = params.get("data[category]", "")
        page = int(params.get("data[page_next]", params.get("data[paged]", "2")) or 2)
        ids = self.index.newest
        for term in self.catalog.categories.values():
            if str(term.term_id) == term_id:
                ids = self.index.by_category.get(term.slug, [])
        per = self.config.per_page
        specs = self.index.specs(ids[(page - 1) * per : page * per])
        return ok(feeds.ajax_page(self.view, page, specs), JSON)

    def feed(self, base: str) -> Response:
        """RSS for the site, or for a category, tag or author."""
        view = self.view
        if base == "/comments/":
            return ok(feeds.rss(view, view.site_name, view.home, []), RSS)
        listing = self.listing_for(base, False)
        if not isinstance(listing, Listing) or listing.kind == "date":
            return self.missing()
        specs = self.index.specs(listing.ids[:10])
        body = feeds.rss(view, f"{view.site_name} - {listing.heading}", view.url(base), specs)
        return ok(body, RSS, modified=max((s.modified for s in specs), default=None))

    def sitemap(self, path: str) -> Response:
        """WordPress core sitemaps (404 when sitemaps are switched off)."""
        if not self.config.sitemap:
            return self.missing()
        view, size = self.view, feeds.SITEMAP_PAGE_SIZE
        ids = self.index.ascending
        posts = _SITEMAP_POSTS.match(path)
        if path == "/wp-sitemap.xml":
            return ok(feeds.sitemap_index(view, max(1, -(-len(ids) // size))), XML)
        if posts:
            chunk = ids[(int(posts.group(1)) - 1) * size : int(posts.group(1)) * size]
            return (
                ok(feeds.posts_sitemap(view, self.index.specs(chunk)), XML)
                if chunk
                else self.missing()
            )
        urls = {
            "/wp-sitemap-posts-page-1.xml": [view.url(p) for p in STATIC_PAGES],
            "/wp-sitemap-taxonomies-category-1.xml": [
                view.category_url(t)
                for t in self.catalog.categories.values()
                if self.index.by_category.get(t.slug)
            ],
            "/wp-sitemap-taxonomies-post_tag-1.xml": [
                view.tag_url(t)
                for t in list(self.catalog.tags.values())
                if self.index.by_tag.get(t.slug)
            ],
            "/wp-sitemap-users-1.xml": [
                view.author_url(m)
                for m in self.catalog.staff.values()
                if self.index.by_author.get(m.slug)
            ],
        }
        return ok(feeds.terms_sitemap(urls[path]), XML) if path in urls else self.missing()

    def upload(self, path: str) -> Response:
        """Files under ``/wp-content/uploads/``: PDFs that posts link to, and images."""
        if path.endswith((".png", ".jpg", ".jpeg")):
            return ok(assets.png_pixel(), PNG)
        if path == ANNUAL_REPORT:
            return ok(assets.pdf_document("ECSS Annual Report 2023"), PDF)
        match = _PDF_NAME.search(path)
        spec = self.index.by_id.get(int(match.group(1))) if match else None
        if spec is not None and path in spec.attachment_paths:
            annex = f"Statistical annex: hydrodiplomacy indicators, study {spec.post_id}."
            return ok(assets.pdf_document(f"ECSS study {spec.post_id}", (annex,)), PDF)
        return self.missing()
