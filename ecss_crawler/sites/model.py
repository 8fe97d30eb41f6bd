"""The value types of site profiles: theme selectors, field expectations, URL rules, politeness.

Profiles and themes are TOML files (see :mod:`ecss_crawler.sites.loader`); once
loaded they are frozen values passed down to the spider and the extractors,
never looked up globally.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from urllib.parse import urlsplit

from ecss_crawler.items import CONTENT_FIELDS

#: Fields a profile may declare as shown (``true``) or never shown (``false``) by its site.
#: The layout alarm watches these (see :mod:`ecss_crawler.monitoring`).
EXPECTABLE_FIELDS: tuple[str, ...] = CONTENT_FIELDS

#: A theme name that means "detect the theme from each page's markup".
AUTO_THEME = "auto"


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
    #: Evidence that a page was rendered by this theme (any one matching is enough).
    detect: tuple[str, ...] = ()

    @classmethod
    def selector_fields(cls) -> dict[str, bool]:
        """Every selector field, mapped to True when it holds a list of selectors."""
        return {f.name: f.type == "tuple[str, ...]" for f in fields(cls) if f.name != "name"}


#: No theme: only the generic layers (WordPress markup, metadata, main-content extraction).
NO_THEME = ThemeSelectors(name="none")


@dataclass(frozen=True)
class UrlRules:
    """Which URLs of the site are articles and listings, and which are never followed.

    Empty patterns mean "the defaults": any same-site URL may be an article
    (page-type rules decide), listings are found from menus and category links.
    """

    article: tuple[str, ...] = ()
    listing: tuple[str, ...] = ()
    never_follow: tuple[str, ...] = ()

    def is_article(self, url: str) -> bool:
        """True when no article pattern is set or one matches ``url``."""
        return not self.article or _matches(self.article, url)

    def is_listing(self, url: str) -> bool:
        """True when a listing pattern matches ``url`` (False when none is set)."""
        return _matches(self.listing, url)

    def never(self, url: str) -> bool:
        """True when the profile forbids following ``url``."""
        return _matches(self.never_follow, url)


def _matches(patterns: tuple[str, ...], url: str) -> bool:
    return any(re.search(pattern, url) for pattern in patterns)


@dataclass(frozen=True)
class SiteProfile:
    """How to crawl and read one site (one profile file)."""

    name: str
    base_urls: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("en",)
    timezone: str = "Africa/Cairo"
    title: str = ""
    site_names: tuple[str, ...] = ()
    theme: str = AUTO_THEME
    selectors: ThemeSelectors = NO_THEME
    #: Field -> True (always shown) / False (never shown); fields not named are learned.
    fields: tuple[tuple[str, bool], ...] = ()
    urls: UrlRules = field(default_factory=UrlRules)
    #: Scrapy settings applied at "spider" priority (``-s`` still wins).
    politeness: tuple[tuple[str, object], ...] = ()
    #: The file the profile was read from ("" for built-in values).
    source: str = ""
    #: With ``theme = "auto"``: the themes a page is checked against.
    known_themes: tuple[ThemeSelectors, ...] = field(default=(), repr=False)

    @property
    def base_url(self) -> str:
        """The first base URL: where a crawl starts."""
        return self.base_urls[0] if self.base_urls else ""

    @property
    def language(self) -> str:
        """The site's main language (used when a page's script does not say)."""
        return self.languages[0] if self.languages else "en"

    @property
    def hosts(self) -> tuple[str, ...]:
        """Host names (with port) of the base URLs, without ``www.``."""
        return tuple(bare_host(url) for url in self.base_urls)

    @property
    def host(self) -> str:
        """The host name (with port, if any) of the first base URL."""
        return urlsplit(self.base_url).netloc.lower()

    def expects(self, name: str) -> bool | None:
        """True: the site always shows ``name``; False: never; None: not declared."""
        return dict(self.fields).get(name)


def bare_host(url_or_host: str) -> str:
    """Host and port of a URL (or a host name), lower-cased, without ``www.``, user
    info or a default port: what "the same site" means here."""
    host = urlsplit(url_or_host).netloc if "//" in url_or_host else url_or_host
    host = host.lower().rsplit("@", 1)[-1]
    for default in (":80", ":443"):
        if host.endswith(default):
            host = host[: -len(default)]
    return host[4:] if host.startswith("www.") else host
