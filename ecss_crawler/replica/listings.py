"""Listing pages: which posts a home, category, tag, author, date, search or calendar page shows.

A :class:`Listing` is a whole list; :meth:`Listings.page` cuts one page of it
into a :class:`~ecss_crawler.replica.pages.ListingPage`, or gives ``None`` past
the last page (WordPress's 404).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ecss_crawler.replica.catalog import Catalog
from ecss_crawler.replica.clock import long_date, month_name
from ecss_crawler.replica.index import SiteIndex
from ecss_crawler.replica.model import ReplicaConfig, Staff, Term
from ecss_crawler.replica.pages import ListingPage
from ecss_crawler.replica.slugs import html_class

SEARCH_LIMIT = 500


@dataclass(frozen=True)
class Listing:
    """A whole post listing, before pagination."""

    kind: str
    heading: str
    body_class: str
    path: str
    ids: list[int]
    language: str
    query: str = ""
    description: str = ""
    uid: str = "uid_h1"
    ajax_term: int = 0
    load_more: bool = False
    calendar: tuple[int, int] | None = None
    calendar_style: str = "cal"
    noindex: bool = False
    allow_empty: bool = True
    subcategories: list[Term] = field(default_factory=list)


class Listings:
    """Builds listings from the site index."""

    def __init__(self, config: ReplicaConfig, catalog: Catalog, index: SiteIndex) -> None:
        self.config = config
        self.catalog = catalog
        self.index = index

    def pages(self, listing: Listing) -> int:
        """Number of pages (at least one)."""
        return max(1, -(-len(listing.ids) // self.config.per_page))

    def page(self, listing: Listing, number: int) -> ListingPage | None:
        """Page ``number``, or ``None`` where WordPress answers 404."""
        pages = self.pages(listing)
        if number < 1 or number > pages or (not listing.ids and not listing.allow_empty):
            return None
        start = (number - 1) * self.config.per_page
        cards = self.index.specs(listing.ids[start : start + self.config.per_page])
        return ListingPage(
            kind=listing.kind,
            heading=listing.heading,
            body_class=listing.body_class + (f" paged paged-{number}" if number > 1 else ""),
            path=listing.path,
            page=number,
            pages=pages,
            cards=cards,
            query=listing.query,
            description=listing.description,
            load_more=listing.load_more,
            uid=listing.uid,
            ajax_term=listing.ajax_term,
            calendar=listing.calendar,
            calendar_style=listing.calendar_style,
            noindex=listing.noindex,
            subcategories=listing.subcategories,
        )

    def home(self) -> Listing:
        """The home page's newest posts."""
        return Listing("home", "Home", "home blog", "/", self.index.newest, self.config.language)

    def category(self, term: Term) -> Listing:
        """A category archive (posts of its children included)."""
        load_more = term.slug in self.config.load_more_categories
        return Listing(
            "category",
            term.name,
            f"archive category category-{html_class(term.slug, str(term.term_id))} "
            f"category-{term.term_id}",
            self.catalog.category_path(term),
            self.index.by_category.get(term.slug, []),
            term.language,
            description=term.description,
            uid=f"uid_c{term.term_id}",
            ajax_term=term.term_id,
            load_more=load_more and self.config.theme.startswith("foxiz"),
            subcategories=self.catalog.children(term),
        )

    def tag(self, term: Term) -> Listing:
        """A tag archive."""
        css = html_class(term.slug, str(term.term_id))
        return Listing(
            "tag",
            term.name,
            f"archive tag tag-{css} tag-{term.term_id}",
            f"/tag/{term.slug}/",
            self.index.by_tag.get(term.slug, []),
            term.language,
            uid=f"uid_t{term.term_id}",
        )

    def author(self, member: Staff) -> Listing:
        """An author archive."""
        language = self.config.language
        return Listing(
            "author",
            member.name(language),
            f"archive author author-{member.slug} author-{member.user_id}",
            f"/author/{member.slug}/",
            self.index.by_author.get(member.slug, []),
            language,
            uid=f"uid_a{member.user_id}",
        )

    def month(self, year: int, month: int, trap: bool, prefix: str) -> Listing:
        """A month archive; with ``trap`` (``?cal=prev``) it exists even when empty."""
        language = self.config.language
        return Listing(
            "date",
            month_name(year, month, language),
            "archive date",
            f"{prefix}/{year:04d}/{month:02d}/",
            self.index.by_month.get((year, month), []),
            language,
            query="?cal=prev" if trap else "",
            uid="uid_d1",
            calendar=(year, month),
            allow_empty=trap,
        )

    def calendar(self, year: int, month: int, day: int, query: str) -> Listing:
        """``/?m=YYYYMM[DD]``: always served, its calendar paging back forever."""
        ids = self.index.by_month.get((year, month), [])
        heading = month_name(year, month, self.config.language)
        if day:
            ids = [i for i in ids if self.index.by_id[i].published.day == day]
            heading = long_date(datetime(year, month, day), self.config.language)
        return Listing(
            "calendar",
            heading,
            "archive date",
            "/",
            ids,
            self.config.language,
            query=query,
            uid="uid_d1",
            calendar=(year, month),
            calendar_style="m",
        )

    def search(self, text: str, query: str) -> Listing:
        """``/?s=``: titles containing ``text`` (case-insensitive), newest first."""
        needle = text.casefold().strip()
        ids = [
            i
            for i in self.index.newest
            if needle and needle in self.index.by_id[i].title.casefold()
        ]
        found = "search-results" if ids else "search-no-results"
        return Listing(
            "search",
            f"Search Results for: {text}",
            f"search {found}",
            "/",
            ids[:SEARCH_LIMIT],
            self.config.language,
            query=query,
            uid="uid_s1",
            noindex=True,
        )
