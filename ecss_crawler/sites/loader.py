"""Read site profiles and theme files (TOML) into frozen values, validating every key once.

A bad file never gives a traceback: :class:`ProfileError` carries one line that
names the file, the key and what was expected.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cssselect import GenericTranslator, SelectorError

from ecss_crawler.sites.model import (
    AUTO_THEME,
    EXPECTABLE_FIELDS,
    NO_THEME,
    SiteProfile,
    ThemeSelectors,
    UrlRules,
)

#: Profile ``[politeness]`` keys -> (Scrapy setting, value check, what is expected).
POLITENESS_KEYS: dict[str, tuple[str, Callable[[object], bool], str]] = {}


def _number_at_least(minimum: float, strict: bool = False) -> Callable[[object], bool]:
    def check(value: object) -> bool:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        return value > minimum if strict else value >= minimum

    return check


def _integer_at_least(minimum: int) -> Callable[[object], bool]:
    def check(value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and value >= minimum

    return check


def _is_bool(value: object) -> bool:
    return isinstance(value, bool)


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


POLITENESS_KEYS.update(
    {
        "download_delay": ("DOWNLOAD_DELAY", _number_at_least(0), "a number >= 0"),
        "concurrent_requests_per_domain": (
            "CONCURRENT_REQUESTS_PER_DOMAIN",
            _integer_at_least(1),
            "an integer >= 1",
        ),
        "autothrottle": ("AUTOTHROTTLE_ENABLED", _is_bool, "true or false"),
        "autothrottle_target_concurrency": (
            "AUTOTHROTTLE_TARGET_CONCURRENCY",
            _number_at_least(0, strict=True),
            "a number > 0",
        ),
        "robots_txt_obey": ("ROBOTSTXT_OBEY", _is_bool, "true or false"),
        "user_agent": ("USER_AGENT", _is_text, "a string"),
        "download_timeout": (
            "DOWNLOAD_TIMEOUT",
            _number_at_least(0, strict=True),
            "a number of seconds > 0",
        ),
        "download_maxsize": ("DOWNLOAD_MAXSIZE", _integer_at_least(0), "a size in bytes"),
    }
)
_PROFILE_KEYS = frozenset(
    {
        "name",
        "title",
        "base_urls",
        "languages",
        "timezone",
        "theme",
        "site_names",
        "fields",
        "selectors",
        "urls",
        "politeness",
        "probe",
    }
)
_THEME_KEYS = frozenset({"name", "detect", "selectors"})
_URL_KEYS = ("article", "listing", "never_follow")
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")
_CSS = GenericTranslator()


class ProfileError(ValueError):
    """A site profile or theme file that cannot be used (the message is one line)."""

    def __init__(self, path: str | Path, key: str, expected: str) -> None:
        where = f"key '{key}': " if key else ""
        super().__init__(f"{path}: {where}{expected}")
        self.path = str(path)
        self.key = key


def read_toml(path: Path) -> dict[str, Any]:
    """The file's TOML table, or :class:`ProfileError` naming the file and the problem."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ProfileError(path, "", f"not valid TOML ({error})") from None
    except OSError as error:
        raise ProfileError(path, "", f"cannot be read ({error.strerror or error})") from None


# --------------------------------------------------------------------------- themes


def load_theme(path: Path) -> ThemeSelectors:
    """Read one theme file (``name``, ``detect`` and a ``[selectors]`` table)."""
    data = read_toml(path)
    _no_unknown_keys(path, data, _THEME_KEYS, "")
    name = _name(path, data)
    detect = _css_list(path, data.get("detect", []), "detect")
    selectors = _selector_table(path, data.get("selectors", {}), "selectors")
    return ThemeSelectors(name=name, detect=detect, **selectors)


def _selector_table(path: Path, table: object, key: str) -> dict[str, Any]:
    """A ``[selectors]`` table: list-valued fields take lists of CSS, the rest one CSS string."""
    if not isinstance(table, Mapping):
        raise ProfileError(path, key, "expected a table of CSS selectors per field")
    kinds = ThemeSelectors.selector_fields()
    kinds.pop("detect")
    _no_unknown_keys(path, table, frozenset(kinds), key)
    values: dict[str, Any] = {}
    for name, value in table.items():
        if kinds[name]:
            values[name] = _css_list(path, value, f"{key}.{name}")
        else:
            values[name] = _css(path, value, f"{key}.{name}")
    return values


def _css_list(path: Path, value: object, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise ProfileError(path, key, "expected a list of CSS selectors")
    return tuple(_css(path, item, key) for item in value)


def _css(path: Path, value: object, key: str) -> str:
    if not isinstance(value, str):
        raise ProfileError(path, key, f"expected a CSS selector string, got {value!r}")
    if value:
        try:
            _CSS.css_to_xpath(value)
        except SelectorError as error:
            raise ProfileError(path, key, f"invalid CSS selector {value!r} ({error})") from None
    return value


# --------------------------------------------------------------------------- profiles


def load_profile(path: Path, themes: Mapping[str, ThemeSelectors]) -> SiteProfile:
    """Read one profile file; its ``theme`` must be one of ``themes``, ``auto`` or ``none``."""
    data = read_toml(path)
    _no_unknown_keys(path, data, _PROFILE_KEYS, "")
    theme_name = _string(path, data, "theme", AUTO_THEME)
    selectors = _theme(path, theme_name, themes)
    overrides = _selector_table(path, data.get("selectors", {}), "selectors")
    if overrides:
        selectors = _with_overrides(selectors, overrides)
    return SiteProfile(
        name=_name(path, data),
        title=_string(path, data, "title", ""),
        base_urls=_base_urls(path, data),
        languages=_languages(path, data),
        timezone=_timezone(path, data),
        site_names=_strings(path, data, "site_names"),
        theme=theme_name,
        selectors=selectors,
        fields=_fields(path, data.get("fields", {})),
        urls=_url_rules(path, data.get("urls", {})),
        politeness=_politeness(path, data.get("politeness", {})),
        source=str(path),
        known_themes=tuple(themes.values()) if theme_name == AUTO_THEME else (),
    )


def _theme(path: Path, name: str, themes: Mapping[str, ThemeSelectors]) -> ThemeSelectors:
    if name in (AUTO_THEME, "none"):
        return NO_THEME
    if name not in themes:
        known = ", ".join(sorted([*themes, AUTO_THEME, "none"]))
        raise ProfileError(path, "theme", f"unknown theme {name!r} (known: {known})")
    return themes[name]


def _with_overrides(theme: ThemeSelectors, overrides: Mapping[str, Any]) -> ThemeSelectors:
    """The profile's own selectors first, then the theme's."""
    merged: dict[str, Any] = {}
    for name, value in overrides.items():
        current = getattr(theme, name)
        merged[name] = (*value, *current) if isinstance(value, tuple) else value
    return replace(theme, **merged)


def _no_unknown_keys(path: Path, table: Mapping[str, Any], known: frozenset[str], at: str) -> None:
    for key in table:
        if key not in known:
            where = f"{at}.{key}" if at else key
            raise ProfileError(
                path, where, f"unknown key (expected one of: {', '.join(sorted(known))})"
            )


def _name(path: Path, data: Mapping[str, Any]) -> str:
    name = data.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ProfileError(
            path, "name", "expected a short name of lower-case letters, digits, '.', '_' or '-'"
        )
    return name


def _string(path: Path, data: Mapping[str, Any], key: str, default: str) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise ProfileError(path, key, f"expected a string, got {value!r}")
    return value


def _strings(path: Path, data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ProfileError(path, key, "expected a list of strings")
    return tuple(value)


def _base_urls(path: Path, data: Mapping[str, Any]) -> tuple[str, ...]:
    urls = _strings(path, data, "base_urls")
    if not urls:
        raise ProfileError(path, "base_urls", "expected at least one http(s) URL")
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ProfileError(path, "base_urls", f"expected http(s) URLs, got {url!r}")
    return tuple(url if url.endswith("/") else url + "/" for url in urls)


def _languages(path: Path, data: Mapping[str, Any]) -> tuple[str, ...]:
    languages = _strings(path, data, "languages") or ("en",)
    for language in languages:
        if not _LANGUAGE.match(language):
            raise ProfileError(
                path, "languages", f"expected language codes such as 'en' or 'ar', got {language!r}"
            )
    return languages


def _timezone(path: Path, data: Mapping[str, Any]) -> str:
    name = _string(path, data, "timezone", "UTC")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ProfileError(
            path, "timezone", f"expected an IANA time zone such as 'Africa/Cairo', got {name!r}"
        ) from None
    return name


def _fields(path: Path, table: object) -> tuple[tuple[str, bool], ...]:
    if not isinstance(table, Mapping):
        raise ProfileError(path, "fields", "expected a table of field = true/false")
    _no_unknown_keys(path, table, frozenset(EXPECTABLE_FIELDS), "fields")
    for key, value in table.items():
        if not isinstance(value, bool):
            raise ProfileError(path, f"fields.{key}", f"expected true or false, got {value!r}")
    return tuple(sorted(table.items()))


def _url_rules(path: Path, table: object) -> UrlRules:
    if not isinstance(table, Mapping):
        raise ProfileError(path, "urls", "expected a table of regular-expression lists")
    _no_unknown_keys(path, table, frozenset(_URL_KEYS), "urls")
    rules: dict[str, tuple[str, ...]] = {}
    for key in _URL_KEYS:
        patterns = _strings(path, table, key) if key in table else ()
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as error:
                raise ProfileError(
                    path, f"urls.{key}", f"invalid regular expression {pattern!r} ({error})"
                ) from None
        rules[key] = patterns
    return UrlRules(**rules)


def _politeness(path: Path, table: object) -> tuple[tuple[str, object], ...]:
    if not isinstance(table, Mapping):
        raise ProfileError(path, "politeness", "expected a table of crawl settings")
    _no_unknown_keys(path, table, frozenset(POLITENESS_KEYS), "politeness")
    settings: list[tuple[str, object]] = []
    for key, value in table.items():
        setting, valid, expected = POLITENESS_KEYS[key]
        if not valid(value):
            raise ProfileError(path, f"politeness.{key}", f"expected {expected}, got {value!r}")
        settings.append((setting, value))
    return tuple(settings)


def toml_files(directory: Path) -> Iterable[Path]:
    """The ``*.toml`` files of a folder, sorted (none when the folder does not exist)."""
    return sorted(directory.glob("*.toml")) if directory.is_dir() else ()
