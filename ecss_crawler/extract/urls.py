"""URL rules: one key per article whatever URL form reaches it, and what never to follow.

Pure functions over strings, shared by the spider (what to follow), the request
fingerprinter (what counts as "the same page") and the archive.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

from ecss_crawler.sites.model import bare_host as bare_host

#: Query parameters that never change the page: trackers, comment replies, share widgets.
_DROP_PARAMS = re.compile(
    r"^(?:utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_ga|_gl|yclid|igshid|ref|source|"
    r"replytocom|share|nb|amp|shared|via|spm|cmpid|mkt_tok|output|hss_channel)$",
    re.I,
)
#: Paths and queries a polite crawler of article pages never requests.
_NEVER_FOLLOW = re.compile(
    r"(?:/wp-admin(?:/|$)|/wp-login\.php|/wp-json(?:/|$)|/xmlrpc\.php|/wp-cron\.php|"
    r"/feed/?$|/feed/(?:atom|rss2?|rdf)/?$|/(?:rss|atom)/?$|/comments?/feed|/comment-page-\d+|"
    r"/trackback/?$|/embed/?$|/print/?$|/amp/?$|/search/|/cart/?|/checkout/?|/my-account/?|"
    r"/calendar/|/events?/(?:list|month|day|week)/|/page/\d+/page/\d+)",
    re.I,
)
_NEVER_FOLLOW_QUERY = frozenset(
    {
        "s",
        "replytocom",
        "share",
        "print",
        "m",
        "cal",
        "ical",
        "feed",
        "action",
        "preview",
        "add-to-cart",
        "tribe-bar-date",
        "eventdisplay",
        "orderby",
        "filter_by",
        "download",
    }
)
_NON_HTML_EXTENSIONS = (
    ".pdf",
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".ppt",
    ".pptx",
    ".zip",
    ".rar",
    ".7z",
    ".gz",
    ".jpg",
    ".jpeg",
    ".png",
    ".gif",
    ".webp",
    ".svg",
    ".ico",
    ".bmp",
    ".tif",
    ".tiff",
    ".mp3",
    ".mp4",
    ".m4a",
    ".wav",
    ".avi",
    ".mov",
    ".webm",
    ".css",
    ".js",
    ".json",
    ".xml",
    ".txt",
    ".csv",
    ".rss",
    ".atom",
    ".woff",
    ".woff2",
    ".ttf",
    ".eot",
    ".epub",
)
_PAGE_SUFFIX = re.compile(r"/page/\d+/?$")


def same_site(url: str, base_url: str) -> bool:
    """True when ``url`` is an http(s) URL on ``base_url``'s site (scheme and www ignored)."""
    return urlsplit(url).scheme in ("http", "https") and bare_host(url) == bare_host(base_url)


def clean_url(url: str) -> str:
    """Drop the fragment and tracking/comment parameters; keep everything else as given."""
    parts = urlsplit(url.strip())
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not _DROP_PARAMS.match(k)
    ]
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query), ""))


def url_key(url: str) -> str:
    """The dedupe key: canonical form without scheme, www, fragment or trackers; trailing slash.

    ``http://www.x/a`` and ``https://x/a/#c?utm_source=y`` share one key; ``?p=ID``
    shortlinks keep their id so each can be resolved (by redirect) once.
    """
    cleaned = clean_url(url)
    canonical = canonicalize_url(cleaned, keep_fragments=False)
    parts = urlsplit(canonical)
    path = parts.path or "/"
    if not path.endswith("/") and "." not in path.rsplit("/", 1)[-1]:
        path += "/"
    return urlunsplit(("", bare_host(canonical), path, parts.query, ""))


def is_never_follow(url: str) -> bool:
    """Search, feeds, admin/login, comments, share and print links, calendar traps, files."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return True
    if _NEVER_FOLLOW.search(parts.path):
        return True
    keys = {key.lower() for key, _ in parse_qsl(parts.query, keep_blank_values=True)}
    if keys & _NEVER_FOLLOW_QUERY:
        return True
    return parts.path.lower().endswith(_NON_HTML_EXTENSIONS)


def listing_page_url(listing_url: str, page: int) -> str:
    """URL of page ``page`` of a WordPress listing (``/category/x/page/3/``), query kept."""
    parts = urlsplit(listing_url)
    path = _PAGE_SUFFIX.sub("/", parts.path if parts.path.endswith("/") else parts.path + "/")
    if page > 1:
        path = f"{path}page/{page}/"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def listing_page_number(url: str) -> int:
    """The page number of a listing URL (1 when it has no ``/page/N/``)."""
    match = re.search(r"/page/(\d+)/?$", urlsplit(url).path)
    return int(match.group(1)) if match else 1


def absolute(href: str, base: str) -> str:
    """``href`` resolved against ``base``."""
    return urljoin(base, href.strip())
