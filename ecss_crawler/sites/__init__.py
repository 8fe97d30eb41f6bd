"""Site profiles: everything site-specific (base URL, language, timezone, selectors) as data.

A profile names the *first* extraction layer (the theme's own selectors). The
generic layers (WordPress conventions, metadata, a main-content extractor) are
code in :mod:`ecss_crawler.extract` and apply to every site.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ecss_crawler.sites.foxiz import FOXIZ_SELECTORS, ThemeSelectors


@dataclass(frozen=True)
class SiteProfile:
    """How to crawl and read one site."""

    name: str
    base_url: str
    language: str
    timezone: str = "Africa/Cairo"
    site_names: tuple[str, ...] = ()
    selectors: ThemeSelectors = field(default_factory=lambda: FOXIZ_SELECTORS)

    @property
    def host(self) -> str:
        """The host name (with port, if any) of the profile's base URL."""
        return urlsplit(self.base_url).netloc.lower()


ECSS_EN = SiteProfile(
    name="ecss-en",
    base_url="https://en.ecss.com.eg/",
    language="en",
    site_names=(
        "ECSS - Egyptian Center for Strategic Studies",
        "ECSS – Egyptian Center for Strategic Studies",
        "Egyptian Center for Strategic Studies",
        "ECSS",
    ),
)

ECSS_AR = SiteProfile(
    name="ecss-ar",
    base_url="https://ecss.com.eg/",
    language="ar",
    site_names=(
        "المركز المصري للفكر والدراسات الاستراتيجية",
        "المركز المصري للفكر والدراسات الإستراتيجية",
        "ECSS",
    ),
)

#: Used for any host that no profile names: Foxiz selectors first, then the generic layers.
GENERIC_FOXIZ = SiteProfile(name="generic", base_url="", language="en")

PROFILES: tuple[SiteProfile, ...] = (ECSS_EN, ECSS_AR)


def _bare_host(url_or_host: str) -> str:
    host = urlsplit(url_or_host).netloc if "//" in url_or_host else url_or_host
    host = host.lower()
    return host[4:] if host.startswith("www.") else host


def profile_for(url: str) -> SiteProfile:
    """Return the profile whose host matches ``url``, else the generic Foxiz profile."""
    host = _bare_host(url)
    for profile in PROFILES:
        if _bare_host(profile.base_url) == host:
            return profile
    return GENERIC_FOXIZ
