"""Small text helpers shared by the field extractors."""

from __future__ import annotations

import re

_ARABIC_INDIC = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
#: Runs of letters (counting runs, not single letters, halves the regex work).
_ARABIC_LETTERS = re.compile(
    r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]+"
)
_LATIN_LETTERS = re.compile(r"[A-Za-z\u00C0-\u024F]+")
#: Zero-width and directional marks and soft hyphens: removed from text.
_INVISIBLE_CHARS = "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"
#: White space other than the plain space (the rest of what ``str.split`` splits on).
_IRREGULAR_SPACE_CHARS = (
    "\t\n\x0b\x0c\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
)
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")
_IRREGULAR_SPACE = re.compile(f"[{_IRREGULAR_SPACE_CHARS}]")
_IRREGULAR_OR_INVISIBLE = re.compile(f"[{_IRREGULAR_SPACE_CHARS}{_INVISIBLE_CHARS}]")


def normalize_space(text: str | None) -> str:
    """Collapse runs of white space (NBSP included) into one space and trim.

    Zero-width and directional marks, common in Arabic pages, are removed.
    """
    if not text:
        return ""
    if "  " not in text and not _IRREGULAR_OR_INVISIBLE.search(text):
        return text.strip(" ")  # already single-spaced: one scan instead of split and join
    if _INVISIBLE.search(text):
        text = _INVISIBLE.sub("", text)
    return " ".join(text.split())


def collapse_space(text: str) -> str:
    """Every run of white space (NBSP included) as one space, trimmed; invisible marks kept."""
    if "  " not in text and not _IRREGULAR_SPACE.search(text):
        return text.strip(" ")
    return " ".join(text.split())


def ascii_digits(text: str) -> str:
    """Replace Arabic-Indic and Persian digits by ASCII digits."""
    return text.translate(_ARABIC_INDIC)


def arabic_share(text: str) -> float:
    """Share of Arabic letters among Arabic and Latin letters in ``text`` (0 when none)."""
    arabic = sum(map(len, _ARABIC_LETTERS.findall(text)))
    latin = sum(map(len, _LATIN_LETTERS.findall(text)))
    total = arabic + latin
    return arabic / total if total else 0.0


def first_int(text: str | None) -> int | None:
    """The first whole number in ``text`` (Arabic-Indic digits understood), else None."""
    match = re.search(r"\d+", ascii_digits(text or ""))
    return int(match.group()) if match else None
