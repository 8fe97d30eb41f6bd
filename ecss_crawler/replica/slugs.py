"""WordPress's slug and class-name rules, as far as the replica needs them."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote

_APOSTROPHES = re.compile(r"['’‘`]")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_ARABIC_PUNCT = re.compile(r"[؟،؛:«»\"“”()\[\]!?.,;%/\\]+")
_PCT = re.compile(r"%[0-9A-Fa-f]{2}")
_NOT_CLASS = re.compile(r"[^A-Za-z0-9_-]")
_MAX_SLUG = 200


def ascii_slug(title: str) -> str:
    """``sanitize_title`` for Latin text: apostrophes dropped, the rest hyphenated."""
    text = _APOSTROPHES.sub("", title.lower().replace("&", ""))
    return _NOT_SLUG.sub("-", text).strip("-") or "post"


def arabic_slug(title: str) -> str:
    """``sanitize_title`` for Arabic text, cut (possibly mid-word) to WordPress's 200 bytes."""
    words = _ARABIC_PUNCT.sub(" ", title).split()
    slug = "-".join(words)
    while len(encode_slug(slug)) > _MAX_SLUG:
        slug = slug[:-1]
    return slug.strip("-")


def slugify(title: str, language: str) -> str:
    """The slug WordPress would give ``title``."""
    return arabic_slug(title) if language == "ar" else ascii_slug(title)


def encode_slug(slug: str) -> str:
    """Percent-encode a slug the way WordPress stores it (lower-case hex)."""
    return _PCT.sub(lambda m: m.group(0).lower(), quote(slug, safe="-"))


@lru_cache(maxsize=65536)
def encode_path(path: str) -> str:
    """Percent-encode every segment of a decoded site path."""
    return "/".join(encode_slug(part) for part in path.split("/"))


def html_class(slug: str, fallback: str) -> str:
    """``sanitize_html_class``, falling back to ``fallback`` (a term id) when nothing is left."""
    cleaned = _NOT_CLASS.sub("", _PCT.sub("", encode_slug(slug)))
    return cleaned if cleaned.strip("-") and not cleaned.isdigit() else fallback
