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


@cache
def _with_theme(profile: SiteProfile, theme: ThemeSelectors) -> SiteProfile:
    return replace(profile, selectors=theme)


def themes_by_name(registry: SiteRegistry) -> Mapping[str, ThemeSelectors]:
    """The registry's themes by name."""
    return {theme.name: theme for theme in registry.themes}
