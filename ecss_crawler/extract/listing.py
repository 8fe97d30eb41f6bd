"""Listing pages (home, category, tag, author, date archives): cards, pagination, discovery.

Pure functions over a parsed page. The spider decides what to request; these
only report what the page offers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement
from parsel import Selector

from ecss_crawler.extract.compiled import is_furniture, select, select_first_match
from ecss_crawler.extract.dates import iso_from_machine, iso_from_text
from ecss_crawler.sites import SiteProfile, theme_for_page

#: Generic WordPress listing markup (classic and block themes).
_WP_CARD_LINKS = (
    "article h2.entry-title a",
    "article h3.entry-title a",
    "article .entry-title a",
    ".wp-block-post-template .wp-block-post-title a",
    "main article h2 a",
    "main article h3 a",
)
_WP_NEXT = (
    "a.next.page-numbers",
    ".nav-previous a",
    "a.next",
    ".wp-block-query-pagination-next",
    ".pagination .next a",
    "nav.pagination a[rel~='next']",
    "nav.pager a[rel~='next']",
    ".pager__item--next a",
    "link[rel='next']",
)
#: A post card's wrapper: ``article`` (classic themes, CMSs) or a ``core/post-template`` ``li``.
_CARD_WRAPPER = re.compile(r"(?:^|\s)wp-block-post(?=\s|$)")
_CATEGORY_LINK = re.compile(r"/category/[^?#]+")


@dataclass
class Card:
    """One post card of a listing's main block."""

    url: str
    post_id: int | None = None
    date: str | None = None


@dataclass
class Listing:
    """What a listing page offers the crawler."""

    cards: list[Card] = field(default_factory=list)
    next_url: str | None = None
    #: The theme paginates by script ("Show More", infinite scroll, next/prev with href="#");
    #: only looked for when the page has no next link.
    scripted_pagination: bool = False
    #: The highest page number the pagination links show (WordPress ``a.page-numbers``).
    last_page: int | None = None


def parse_listing(sel: Selector, url: str, profile: SiteProfile) -> Listing:
    """Cards of the main post block (never sidebar or menu widgets) and the way to the next page."""
    profile = theme_for_page(profile, sel)
    root: HtmlElement = sel.root
    theme = profile.selectors
    cards = _theme_cards(root, url, profile) or _wordpress_cards(root, url)
    next_links = select_first_match(root, theme.listing_next) or [
        node for node in select_first_match(root, _WP_NEXT) if not _in_header(node)
    ]
    next_url = _href(next_links[0], url) if next_links else None
    # One pass over the page for all the markers, and only when there is no next link.
    markers = ", ".join(theme.listing_no_link_pagination)
    scripted = next_url is None and bool(markers) and bool(select(root, markers))
    return Listing(
        cards=cards, next_url=next_url, scripted_pagination=scripted, last_page=_last_page(root)
    )


def _last_page(root: HtmlElement) -> int | None:
    numbers = [
        int(text)
        for node in select(root, "a.page-numbers")
        if not _in_header(node) and (text := node.text_content().strip().replace(",", "")).isdigit()
    ]
    return max(numbers) if numbers else None


def _theme_cards(root: HtmlElement, url: str, profile: SiteProfile) -> list[Card]:
    theme = profile.selectors
    cards: list[Card] = []
    seen: set[str] = set()
    for block in select_first_match(root, theme.listing_block):
        if is_furniture(block) or _in_header(block):
            continue
        for card in select(block, theme.listing_card):
            links = select(card, theme.listing_card_link)
            href = _href(links[0], url) if links else None
            if href and href not in seen:
                seen.add(href)
                cards.append(
                    Card(
                        href,
                        _int(card.get("data-pid")),
                        _card_date(card, theme.listing_card_date, profile),
                    )
                )
    return cards


def _wordpress_cards(root: HtmlElement, url: str) -> list[Card]:
    for selector in _WP_CARD_LINKS:
        links = [link for link in select(root, selector) if not is_furniture(link)]
        if links:
            cards = []
            for link in links:
                href = _href(link, url)
                if href:
                    wrapper = _card_wrapper(link)
                    post_id = _card_post_id(wrapper) if wrapper is not None else None
                    date = _card_date(wrapper, "time", None) if wrapper is not None else None
                    cards.append(Card(href, post_id, date))
            return cards
    return []


def _card_wrapper(link: HtmlElement) -> HtmlElement | None:
    for ancestor in link.iterancestors():
        if ancestor.tag == "article" or _CARD_WRAPPER.search(ancestor.get("class") or ""):
            return ancestor
    return None


def _card_post_id(wrapper: HtmlElement) -> int | None:
    """``article#post-N`` (classic themes) or the ``post-N`` class (block themes)."""
    found = _int((wrapper.get("id") or "").removeprefix("post-"))
    if found is None:
        match = re.search(r"(?:^|\s)post-(\d+)(?=\s|$)", wrapper.get("class") or "")
        found = int(match.group(1)) if match else None
    return found


def _card_date(card: HtmlElement, selector: str, profile: SiteProfile | None) -> str | None:
    tz = profile.timezone if profile else "Africa/Cairo"
    for node in select(card, selector or "time"):
        value = iso_from_machine(node.get("datetime"), tz) or iso_from_text(node.text_content(), tz)
        if value:
            return value
    return None


def _href(node: HtmlElement, base: str) -> str | None:
    href = str(node.get("href") or "").strip()
    if not href or href.startswith(("#", "javascript:")):
        return None
    return urljoin(base, href)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _in_header(node: HtmlElement) -> bool:
    return any(
        (ancestor.tag == "header" and "single-header" not in (ancestor.get("class") or ""))
        or (ancestor.get("id") or "") in ("site-header", "header-mobile")
        for ancestor in node.iterancestors()
    )


def section_links(sel: Selector, url: str) -> list[str]:
    """Links of the page's menus (``<nav>``, header menus) to other pages of the site.

    Where a site has no ``/category/`` convention, its sections (topics, programmes,
    publication types) are what the main menu links to: the spider reads them as
    possible listings.
    """
    found: list[str] = []
    home = urljoin(url, "/")
    menus = sel.root.xpath(
        "//nav | //header//*[contains(concat(' ', normalize-space(@class), ' '), ' menu ')]"
    )
    for menu in menus:
        for href in menu.xpath(".//a/@href"):
            absolute = urljoin(url, str(href).strip()).split("#", 1)[0]
            if urlsplit(absolute).netloc != urlsplit(url).netloc or absolute == home:
                continue
            if absolute not in found:
                found.append(absolute)
    return found


def category_links(sel: Selector, url: str) -> list[str]:
    """Every ``/category/...`` link on the page (menus, widgets, footers): the category tree."""
    found: list[str] = []
    for href in sel.root.xpath("//a/@href"):
        absolute = urljoin(url, str(href).strip())
        if _CATEGORY_LINK.search(absolute) and absolute not in found:
            found.append(absolute)
    return found


def matching_links(sel: Selector, url: str, wanted: Callable[[str], bool]) -> list[str]:
    """Every link on the page whose absolute URL ``wanted`` accepts (a profile's listing
    rules), once each, in page order."""
    found: dict[str, None] = {}
    for href in sel.root.xpath("//a/@href"):
        absolute = urljoin(url, str(href).strip())
        if wanted(absolute):
            found.setdefault(absolute.split("#", 1)[0])
    return list(found)
