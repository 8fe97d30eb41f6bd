"""Site profiles: everything site-specific (base URLs, languages, timezone, selectors) as data.

Profiles are TOML files: the shipped ones in ``sites/profiles/`` (the ECSS
English and Arabic sites), the user's in a folder named by ``ECSS_SITES_DIR`` or
``--sites-dir``. A profile names a theme file (``sites/themes/*.toml``: the
first extraction layer's selectors) or ``auto`` (detect the theme per page). The
generic layers (WordPress conventions, metadata, a main-content extractor) are
code in :mod:`ecss_crawler.extract` and apply to every site. See docs/sites.md.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from parsel import Selector

from ecss_crawler.sites.loader import ProfileError, load_profile, load_theme, toml_files
from ecss_crawler.sites.model import (
    AUTO_THEME,
    NO_THEME,
    SiteProfile,
    ThemeSelectors,
    UrlRules,
    bare_host,
)

__all__ = [
    "AUTO_THEME",
    "DEFAULT_TIMEZONE",
    "NO_THEME",
    "ProfileError",
    "SiteProfile",
    "SiteRegistry",
    "ThemeMemo",
    "ThemeSelectors",
    "UrlRules",
    "detect_theme",
    "generic_profile",
    "load_registry",
    "profile_for",
    "shipped_registry",
    "theme_for_page",
]

logger = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
SHIPPED_PROFILES = PACKAGE_DIR / "profiles"
SHIPPED_THEMES = PACKAGE_DIR / "themes"
#: Dates shown without an offset on a site no profile describes are read in this zone.
DEFAULT_TIMEZONE = "Africa/Cairo"


@dataclass(frozen=True)
class SiteRegistry:
    """The profiles and themes known to one run (shipped first, then the user's)."""

    profiles: tuple[SiteProfile, ...]
    themes: tuple[ThemeSelectors, ...]

    def names(self) -> list[str]:
        """Profile names, in load order."""
        return [profile.name for profile in self.profiles]

    def get(self, name: str) -> SiteProfile:
        """The profile called ``name``, or :class:`ProfileError` listing the known ones."""
        for profile in self.profiles:
            if profile.name == name:
                return profile
        known = ", ".join(self.names()) or "none"
        raise ProfileError("--site", "", f"no site profile named {name!r} (known: {known})")

    def for_url(self, url: str) -> SiteProfile | None:
        """The profile one of whose base URLs is on ``url``'s host, if any."""
        host = bare_host(url)
        for profile in reversed(self.profiles):  # the user's profiles win
            if host in profile.hosts:
                return profile
        return None

    def profile_for(self, url: str) -> SiteProfile:
        """The matching profile, else the generic profile for ``url``'s site."""
        return self.for_url(url) or generic_profile(url, self.themes)


def load_registry(user_dirs: Iterable[str | Path] = ()) -> SiteRegistry:
    """Shipped profiles and themes, then those in ``user_dirs`` (``*.toml`` profiles and a
    ``themes/`` folder of theme files; a folder that does not exist adds nothing). A user
    profile with a shipped profile's name replaces it; two user profiles with one name are
    an error."""
    dirs = [Path(d) for d in user_dirs if d]
    themes = _load_themes([SHIPPED_THEMES, *(d / "themes" for d in dirs)])
    profiles: dict[str, SiteProfile] = {}
    for path in toml_files(SHIPPED_PROFILES):
        profile = load_profile(path, themes)
        profiles[profile.name] = profile
    user: dict[str, Path] = {}
    for directory in dirs:
        for path in toml_files(directory):
            profile = load_profile(path, themes)
            if profile.name in user:
                other = user[profile.name]
                raise ProfileError(path, "name", f"{profile.name!r} is also used by {other}")
            user[profile.name] = path
            profiles.pop(profile.name, None)
            profiles[profile.name] = profile
    return SiteRegistry(tuple(profiles.values()), tuple(themes.values()))


def _load_themes(dirs: Iterable[Path]) -> dict[str, ThemeSelectors]:
    themes: dict[str, ThemeSelectors] = {}
    for directory in dirs:
        for path in toml_files(directory):
            theme = load_theme(path)
            themes[theme.name] = theme
    return themes


@cache
def shipped_registry() -> SiteRegistry:
    """The shipped profiles and themes, read once per process."""
    return load_registry()


def profile_for(url: str) -> SiteProfile:
    """The shipped profile for ``url``'s host, else the generic (auto-theme) profile."""
    return shipped_registry().profile_for(url)


def generic_profile(url: str, themes: Iterable[ThemeSelectors] = ()) -> SiteProfile:
    """A profile for a site no profile file describes: the theme detected page by page,
    the generic layers, every field's coverage learned from the site's own crawls."""
    return _generic_profile(_site_root(url), tuple(themes) or shipped_registry().themes)


@cache
def _generic_profile(root: str, themes: tuple[ThemeSelectors, ...]) -> SiteProfile:
    return SiteProfile(
        name=bare_host(root) if root else "generic",
        base_urls=(root,) if root else (),
        languages=("en",),
        timezone=DEFAULT_TIMEZONE,
        theme=AUTO_THEME,
        known_themes=themes,
    )


def _site_root(url: str) -> str:
    if "//" not in url:
        return ""
    scheme, _, rest = url.partition("//")
    return f"{scheme}//{rest.split('/', 1)[0]}/"


def detect_theme(sel: Selector, themes: Iterable[ThemeSelectors]) -> ThemeSelectors:
    """The first theme whose ``detect`` selectors match the page, else :data:`NO_THEME`."""
    for theme in themes:
        if theme.detect and any(sel.css(css) for css in theme.detect):
            return theme
    return NO_THEME


def theme_for_page(profile: SiteProfile, sel: Selector) -> SiteProfile:
    """``profile`` itself, or for an ``auto`` profile, with the theme this page shows."""
    if profile.theme != AUTO_THEME:
        return profile
    theme = detect_theme(sel, profile.known_themes)
    return _with_theme(profile, theme) if theme is not NO_THEME else profile


class ThemeMemo:
    """Per-page theme detection for an ``auto`` profile, until the site has settled.

    Detection costs a pass over the whole page per ``detect`` selector (about 0.2 ms
    each on a full-size page), while a site's pages almost always share one theme.
    Pages are checked one by one until ``settle`` pages in a row showed the same theme
    (or none); from then on the crawl reads every page with that one, without looking.
    A profile with a fixed theme is returned as it is.
    """

    def __init__(self, profile: SiteProfile, settle: int = 5) -> None:
        self.profile = profile
        self.settle = settle
        self.settled: SiteProfile | None = None if profile.theme == AUTO_THEME else profile
        self._last: ThemeSelectors | None = None
        self._streak = 0

    def profile_for_page(self, sel: Selector) -> SiteProfile:
        """The profile to read ``sel`` with (its theme detected, or the settled one)."""
        if self.settled is not None:
            return self.settled
        theme = detect_theme(sel, self.profile.known_themes)
        self._streak = self._streak + 1 if theme == self._last else 1
        self._last = theme
        chosen = _fixed_theme(self.profile, theme)
        if self._streak >= self.settle:
            self.settled = chosen
            logger.info(
                "Theme settled for %s after %d pages: %s",
                self.profile.name,
                self._streak,
                theme.name or "none (generic layers only)",
            )
        return chosen


@cache
def _fixed_theme(profile: SiteProfile, theme: ThemeSelectors) -> SiteProfile:
    """``profile`` read with ``theme`` (no further detection: its theme is named)."""
    return replace(profile, selectors=theme, theme=theme.name)


@cache
def _with_theme(profile: SiteProfile, theme: ThemeSelectors) -> SiteProfile:
    return replace(profile, selectors=theme)


def themes_by_name(registry: SiteRegistry) -> Mapping[str, ThemeSelectors]:
    """The registry's themes by name."""
    return {theme.name: theme for theme in registry.themes}
