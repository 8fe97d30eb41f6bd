"""Foxiz theme selectors (the first extraction layer), kept as data.

Each field lists CSS selectors tried in order; the first that yields a value
wins. Selectors are scoped to the single-post header/content so that sidebar
widgets, related posts and the author box never match. See
``docs/extraction.md`` for where each selector comes from.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ThemeSelectors:
    """CSS selectors for one theme. Empty tuples mean "this theme has no such element"."""

    name: str
    title: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    published: tuple[str, ...] = ()
    modified: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    summary: tuple[str, ...] = ()
    body: tuple[str, ...] = ()
    reading_time: tuple[str, ...] = ()
    featured_image: tuple[str, ...] = ()
    post_id: tuple[str, ...] = ()
    #: Elements inside the body container that are never article text.
    body_clutter: tuple[str, ...] = ()
    #: Listing pages: the main post block (never sidebar widgets) and its cards.
    listing_block: tuple[str, ...] = ()
    listing_card: str = ""
    listing_card_link: str = ""
    listing_card_date: str = ""
    listing_next: tuple[str, ...] = ()
    listing_no_link_pagination: tuple[str, ...] = ()
    #: Page-type evidence: the single-post layout wrapper.
    single_markers: tuple[str, ...] = ()


FOXIZ_SELECTORS = ThemeSelectors(
    name="foxiz",
    title=(
        "header.single-header h1.s-title",
        ".single-header .s-title",
        "h1.s-title",
    ),
    authors=(
        "header.single-header div.single-meta span.meta-author a",
        ".single-header .single-meta .meta-author a",
        ".single-meta .meta-author a",
        ".single-header .meta-author",
    ),
    published=(
        "header.single-header time.date.published",
        ".single-meta time.date.published",
        ".single-header time.published",
        ".single-meta .meta-date time",
        ".single-meta .meta-date",
    ),
    modified=(
        "header.single-header time.updated-date",
        ".single-meta time.updated-date",
        ".single-header time.updated-date",
        ".single-meta .meta-update time",
        ".single-meta .updated-date",
    ),
    categories=(
        "header.single-header div.s-cats a.p-category",
        ".single-header .s-cats a.p-category",
        ".s-cats .p-categories a",
        ".s-cats a",
    ),
    tags=(
        "div.efoot-bar.tag-bar a",
        ".efoot-bar.tag-bar a",
        ".tag-bar a[rel~='tag']",
        ".efoot .tag-bar a",
    ),
    summary=("header.single-header .s-tagline",),
    body=(
        "div.entry-content.rbct",
        ".s-ct div.entry-content",
        ".e-ct-outer div.entry-content",
    ),
    reading_time=(
        "header.single-header span.meta-read",
        ".single-header .single-time-read .meta-read",
        ".single-header .meta-read",
        ".single-meta .meta-read",
    ),
    featured_image=(
        "div.featured-lightbox-trigger",
        ".s-feat .featured-lightbox-trigger",
        ".s-feat img",
        ".s-feat-outer img",
    ),
    post_id=("article.post[id^='post-']", "article[id^='post-']"),
    body_clutter=(
        ".ruby-table-contents",
        ".rb-ad",
        ".ad-wrap",
        ".ad-holder",
        ".inline-single-related",
        ".rb-inline-related",
        ".inline-related-sec",
        ".single-related",
        ".related-sec",
        ".e-shared-sec",
        ".t-shared-sec",
        ".l-shared-sec-outer",
        ".sticky-share-list",
        ".rbbsl",
        ".efoot",
        ".usr-holder",
        ".newsletter-box",
        ".rb-newsletter",
        ".sponsor-bar",
        ".page-links",
    ),
    listing_block=(
        "div.block-wrap[id^='uid_']",
        ".site-main div.block-wrap",
        "#site-content div.block-wrap",
    ),
    listing_card=".p-wrap",
    listing_card_link=".entry-title a.p-url, .entry-title a",
    listing_card_date="time",
    listing_next=("nav.pagination-wrap a.next.page-numbers", "a.next.page-numbers"),
    listing_no_link_pagination=(
        ".pagination-loadmore",
        ".pagination-infinite",
        ".pagination-nextprev",
        ".loadmore-trigger",
    ),
    single_markers=(
        "header.single-header",
        "div.entry-content.rbct",
        "[class^='single-standard'], [class*=' single-standard']",
    ),
)
