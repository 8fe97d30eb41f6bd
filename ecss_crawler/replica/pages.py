"""Page descriptions handed from the router to a theme, and the theme interface."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from ecss_crawler.replica.model import ArticleSpec, Term
from ecss_crawler.replica.view import View


@dataclass(frozen=True)
class ListingPage:
    """One page of a post listing (home, category, tag, author, date, search, calendar)."""

    kind: str
    heading: str
    body_class: str
    path: str
    page: int
    pages: int
    cards: list[ArticleSpec]
    query: str = ""
    description: str = ""
    load_more: bool = False
    uid: str = "uid_h1"
    ajax_term: int = 0
    calendar: tuple[int, int] | None = None
    calendar_style: str = "cal"
    noindex: bool = False
    subcategories: list[Term] = field(default_factory=list)

    def page_path(self, number: int) -> str:
        """Decoded path of page ``number`` of this listing (without the query)."""
        return self.path if number == 1 else f"{self.path}page/{number}/"


@dataclass(frozen=True)
class StaticPage:
    """A WordPress page such as About Us."""

    page_id: int
    path: str
    title: str
    paragraphs: tuple[str, ...]
    body_class: str = ""
    noindex: bool = False


@dataclass(frozen=True)
class ArticlePage:
    """An article, possibly in a variant URL (``replytocom``) that WordPress marks noindex."""

    spec: ArticleSpec
    noindex: bool = False


class Theme(Protocol):
    """Renders each kind of page to HTML."""

    def article(self, view: View, page: ArticlePage) -> str:
        """A single post."""

    def listing(self, view: View, page: ListingPage) -> str:
        """A post listing page."""

    def static_page(self, view: View, page: StaticPage) -> str:
        """A WordPress page."""

    def not_found(self, view: View) -> str:
        """The 404 page."""
