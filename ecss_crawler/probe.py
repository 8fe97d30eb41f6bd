"""``ecss-crawler sites probe URL``: look at a few pages of a site and draft its profile.

Fetches robots.txt, the home page, the REST API root (WordPress), the sitemaps,
one listing and a few articles -- about ten requests, one at a time, with a delay,
never off the site -- and reports what it found: the CMS, the theme, language and
direction, the time zone the pages' date offsets point to, the sitemaps, and which
extraction layer found each field on the sample articles. :func:`draft_profile`
turns the findings into a profile file that ``crawl --site`` can use as is.

Fetching (:class:`Fetcher`) is kept apart from the analysis (pure functions over
pages), so the analysis is tested on saved pages.
"""

from __future__ import annotations

import json
import logging
import re
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo, available_timezones

from parsel import Selector
from protego import Protego
from scrapy.utils.sitemap import Sitemap

from ecss_crawler.extract import NotAnArticle, NotHTMLError, extract_from_selector, parse_html
from ecss_crawler.extract.listing import category_links, parse_listing
from ecss_crawler.extract.urls import is_never_follow, same_site
from ecss_crawler.sites import SiteRegistry, detect_theme, generic_profile
from ecss_crawler.sites.model import EXPECTABLE_FIELDS, bare_host

logger = logging.getLogger(__name__)

#: Read at most this much of any probed page.
MAX_PAGE_BYTES = 8 * 1024 * 1024
SITEMAP_CANDIDATES = ("wp-sitemap.xml", "sitemap_index.xml", "sitemap.xml")
#: Zones preferred when several fit the observed offsets and the domain names no country.
COMMON_ZONES = (
    "Africa/Cairo",
    "Asia/Riyadh",
    "Asia/Dubai",
    "Asia/Amman",
    "Asia/Beirut",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Brussels",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Asia/Jerusalem",
    "Europe/Istanbul",
    "Asia/Tehran",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
)
_WP_THEME = re.compile(r"/wp-content/themes/([A-Za-z0-9_.-]+)/")


class ProbeError(Exception):
    """The site could not be probed (the home page did not answer)."""


@dataclass
class Page:
    """One fetched page."""

    url: str
    status: int
    body: bytes
    content_type: str | None = None


@dataclass
class Findings:
    """What the probe learnt about a site."""

    base_url: str
    cms: str = "unknown"
    rest_api: bool = False
    theme: str = "auto"
    wordpress_theme: str | None = None
    site_title: str = ""
    site_names: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    direction: str = "ltr"
    timezone: str = "UTC"
    sitemaps: list[str] = field(default_factory=list)
    listing: str | None = None
    articles: list[str] = field(default_factory=list)
    #: Per field, the layer that supplied it on each sample article ("-": not found).
    field_layers: dict[str, list[str]] = field(default_factory=dict)
    requests: int = 0

    def field_shown(self) -> dict[str, bool]:
        """Fields found on every sample (True) or on none (False); mixed ones are left out."""
        shown: dict[str, bool] = {}
        for name in EXPECTABLE_FIELDS:
            layers = self.field_layers.get(name, [])
            if not layers:
                continue
            found = [layer != "-" for layer in layers]
            if all(found):
                shown[name] = True
            elif not any(found):
                shown[name] = False
        return shown


class Fetcher:
    """Polite, same-site, size-limited GETs with the crawler's User-Agent."""

    def __init__(self, base_url: str, user_agent: str, delay: float, timeout: float) -> None:
        self.base_url = base_url
        self.user_agent = user_agent
        self.delay = delay
        self.timeout = timeout
        self.requests = 0
        self.robots: Protego | None = None
        self._last = 0.0
        self._opener = urllib.request.build_opener(_SameSiteRedirects(base_url))

    def allowed(self, url: str) -> bool:
        """Same site, not a never-follow URL, and robots.txt does not forbid it."""
        if not same_site(url, self.base_url):
            return False
        return self.robots is None or self.robots.can_fetch(url, self.user_agent)

    def get(self, url: str) -> Page | None:
        """The page, or None when it cannot be fetched (the reason is logged)."""
        if not self.allowed(url):
            logger.info("Probe skips %s (off-site or forbidden by robots.txt)", url)
            return None
        wait = self._last + self.delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self.requests += 1
        # same_site() in allowed() admits only http(s) URLs of the probed site.
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent})  # noqa: S310
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                body = response.read(MAX_PAGE_BYTES)
                return Page(
                    response.url, response.status, body, response.headers.get_content_type()
                )
        except urllib.error.HTTPError as error:
            return Page(url, error.code, b"")
        except (urllib.error.URLError, OSError, ValueError) as error:
            logger.info("Probe could not fetch %s: %s", url, getattr(error, "reason", error))
            return None
        finally:
            self._last = time.monotonic()


class _SameSiteRedirects(urllib.request.HTTPRedirectHandler):
    """Refuse redirects that leave the site (the crawl's off-site rule, for the probe)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def redirect_request(
        self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> Any:
        if not same_site(newurl, self.base_url):
            raise urllib.error.HTTPError(newurl, code, "off-site redirect refused", headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


# --------------------------------------------------------------------------- the probe


def probe_site(
    base_url: str,
    registry: SiteRegistry,
    *,
    user_agent: str,
    delay: float = 1.0,
    timeout: float = 20.0,
    max_articles: int = 3,
) -> Findings:
    """Fetch a handful of pages of ``base_url`` and report what they show."""
    fetcher = Fetcher(base_url, user_agent, delay, timeout)
    findings = Findings(base_url=base_url)
    robots = fetcher.get(urljoin(base_url, "robots.txt"))
    if robots is not None and robots.status == 200:
        fetcher.robots = Protego.parse(robots.body.decode("utf-8", "replace"))
        findings.sitemaps = [u for u in fetcher.robots.sitemaps if same_site(u, base_url)]
    home = fetcher.get(base_url)
    if home is None or home.status >= 400:
        status = f"HTTP {home.status}" if home else "no answer"
        raise ProbeError(f"{base_url}: the home page could not be fetched ({status})")
    home_sel = parse_html(home.body, home.url, home.content_type)
    read_home(home_sel, findings, registry)
    if findings.cms == "WordPress":
        findings.rest_api = has_rest_api(fetcher.get(urljoin(base_url, "wp-json/")))
    candidates = _sitemap_articles(fetcher, findings, max_articles)
    listing_url = first_listing(home_sel, home.url)
    if listing_url:
        findings.listing = listing_url
        page = fetcher.get(listing_url)
        if page is not None and page.status == 200:
            listing = parse_listing(
                parse_html(page.body, page.url, page.content_type),
                page.url,
                generic_profile(base_url, registry.themes),
            )
            candidates += [card.url for card in listing.cards]
    read_articles(fetcher, _unique(candidates), findings, registry, max_articles)
    findings.requests = fetcher.requests
    return findings


def read_home(sel: Selector, findings: Findings, registry: SiteRegistry) -> None:
    """CMS, theme, site name, language and direction from the home page."""
    html = sel.root
    generator = " ".join(sel.css("meta[name=generator]::attr(content)").getall())
    hrefs = " ".join(sel.xpath("//link/@href | //script/@src").getall())
    wordpress = (
        "wordpress" in generator.lower()
        or "/wp-content/" in hrefs
        or "/wp-includes/" in hrefs
        or bool(sel.css("link[rel='https://api.w.org/']"))
    )
    findings.cms = "WordPress" if wordpress else (generator.split(" ")[0] or "unknown")
    themes = Counter(_WP_THEME.findall(hrefs))
    findings.wordpress_theme = themes.most_common(1)[0][0] if themes else None
    theme = detect_theme(sel, registry.themes)
    findings.theme = theme.name if theme.name != "none" else "auto"
    site_name = sel.css("meta[property='og:site_name']::attr(content)").get()
    title = site_name or (sel.css("title::text").get() or "").strip()
    findings.site_title = title
    findings.site_names = [site_name.strip()] if site_name else []
    lang = (html.get("lang") or "").split("-")[0].lower()
    if lang:
        findings.languages.append(lang)
    body_class = " ".join(sel.css("body::attr(class)").getall()).split()
    rtl = (html.get("dir") or "").lower() == "rtl" or "rtl" in body_class
    findings.direction = "rtl" if rtl else "ltr"


def has_rest_api(page: Page | None) -> bool:
    """WordPress's REST API root answers with its namespaces."""
    if page is None or page.status != 200:
        return False
    try:
        data = json.loads(page.body)
    except ValueError:
        return False
    return isinstance(data, dict) and "namespaces" in data


def first_listing(sel: Selector, url: str) -> str | None:
    """A category (or, failing that, a navigation-menu) link of the home page."""
    links = [link for link in category_links(sel, url) if same_site(link, url)]
    if not links:
        nav = sel.css("nav a::attr(href), header a::attr(href)").getall()
        links = [
            urljoin(url, href)
            for href in nav
            if same_site(urljoin(url, href), url)
            and urlsplit(urljoin(url, href)).path not in ("", "/")
        ]
    links = [link for link in links if not is_never_follow(link)]
    return links[0] if links else None


def _sitemap_articles(fetcher: Fetcher, findings: Findings, wanted: int) -> list[str]:
    """Article URLs from the first sitemap that reads (the post sitemap of an index)."""
    named = findings.sitemaps or [urljoin(fetcher.base_url, n) for n in SITEMAP_CANDIDATES]
    for url in named:
        entries, kind = _read_sitemap(fetcher.get(url))
        if not entries:
            continue
        if url not in findings.sitemaps:
            findings.sitemaps.append(url)
        if kind == "sitemapindex":
            posts = [u for u in entries if "post" in u.lower() and "page" not in u.lower()]
            entries, _ = _read_sitemap(fetcher.get((posts or entries)[0]))
        return entries[: wanted * 3]
    return []


def _read_sitemap(page: Page | None) -> tuple[list[str], str]:
    if page is None or page.status != 200 or not page.body:
        return [], ""
    try:
        sitemap = Sitemap(page.body)
    except Exception:  # lxml raises several types on garbage
        return [], ""
    return [entry["loc"] for entry in sitemap if entry.get("loc")], str(sitemap.type)


def read_articles(
    fetcher: Fetcher,
    candidates: list[str],
    findings: Findings,
    registry: SiteRegistry,
    wanted: int,
) -> None:
    """Extract up to ``wanted`` sample articles; note each field's layer and date offsets."""
    profile = generic_profile(fetcher.base_url, registry.themes)
    offsets: list[tuple[datetime, timedelta]] = []
    languages: Counter[str] = Counter()
    for url in candidates:
        if len(findings.articles) >= wanted:
            break
        page = fetcher.get(url)
        if page is None or page.status != 200:
            continue
        try:
            sel = parse_html(page.body, page.url, page.content_type)
            article = extract_from_selector(sel, page.url, profile=profile)
        except (NotAnArticle, NotHTMLError, ValueError):
            continue
        findings.articles.append(article.url)
        for name in EXPECTABLE_FIELDS:
            layer = article.sources.get(name) if getattr(article, name) else None
            findings.field_layers.setdefault(name, []).append(layer or "-")
        if article.language:
            languages[article.language] += 1
        offsets += date_offsets([article.published, article.modified])
    if languages:
        findings.languages = [lang for lang, _ in languages.most_common()]
    findings.timezone = guess_timezone(offsets, bare_host(fetcher.base_url))


def date_offsets(values: Iterable[str | None]) -> list[tuple[datetime, timedelta]]:
    """``(UTC time, UTC offset)`` of each ISO date that carries an offset."""
    found = []
    for value in values:
        if not value:
            continue
        try:
            when = datetime.fromisoformat(value)
        except ValueError:
            continue
        offset = when.utcoffset()
        if offset is not None:
            found.append((when.replace(tzinfo=None) - offset, offset))
    return found


def guess_timezone(offsets: list[tuple[datetime, timedelta]], host: str) -> str:
    """An IANA zone whose offset at each sampled time equals the page's offset.

    Zones of the country the domain names (``.eg``: Egypt) come first, then a short
    list of common zones, then any zone (alphabetically). No dates: ``UTC``.
    """
    if not offsets:
        return "UTC"
    tld = host.rsplit(".", 1)[-1].split(":")[0].upper()
    country = _country_zones(tld)
    ordered = [*country, *COMMON_ZONES, *sorted(available_timezones())]
    for name in dict.fromkeys(ordered):
        try:
            zone = ZoneInfo(name)
        except (KeyError, ValueError):
            continue
        if all(_offset_at(zone, when) == offset for when, offset in offsets):
            return name
    return "UTC"


def _offset_at(zone: ZoneInfo, utc_time: datetime) -> timedelta | None:
    return utc_time.replace(tzinfo=UTC).astimezone(zone).utcoffset()


def _country_zones(code: str) -> list[str]:
    if len(code) != 2 or not code.isalpha():
        return []
    import pytz

    return list(pytz.country_timezones.get(code, []))


def _unique(urls: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(urls))


# --------------------------------------------------------------------------- the draft


def profile_name(base_url: str) -> str:
    """A profile name from the host: ``www.example.org:8080`` -> ``example-org-8080``."""
    host = bare_host(base_url)
    return re.sub(r"[^a-z0-9]+", "-", host.lower()).strip("-")[:64] or "site"


def draft_profile(findings: Findings, name: str) -> dict[str, Any]:
    """The profile file's contents (a TOML table) for what the probe found."""
    layers = {name_: ", ".join(values) for name_, values in sorted(findings.field_layers.items())}
    profile: dict[str, Any] = {
        "name": name,
        "title": findings.site_title or name,
        "base_urls": [findings.base_url],
        "languages": findings.languages or ["en"],
        "timezone": findings.timezone,
        "theme": findings.theme,
    }
    if findings.site_names:
        profile["site_names"] = findings.site_names
    profile["fields"] = findings.field_shown()
    profile["probe"] = {
        "cms": findings.cms,
        "rest_api": findings.rest_api,
        "wordpress_theme": findings.wordpress_theme or "",
        "direction": findings.direction,
        "sitemaps": findings.sitemaps,
        "listing": findings.listing or "",
        "sample_articles": findings.articles,
        "field_layers": layers,
        "requests": findings.requests,
    }
    return profile


def draft_text(findings: Findings, name: str) -> str:
    """The draft profile as TOML, with a header saying where it came from."""
    import tomli_w

    header = (
        f"# Draft site profile written by `ecss-crawler sites probe {findings.base_url}`.\n"
        "# Review it (docs/sites.md), then crawl with `ecss-crawler crawl --site "
        f"{name}`.\n# [fields]: true = shown on every sampled article, false = on none; "
        "fields left out are learned from the site's crawls.\n\n"
    )
    return header + tomli_w.dumps(draft_profile(findings, name))
