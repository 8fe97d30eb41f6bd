"""Small text helpers shared by the field extractors."""

from __future__ import annotations

import re

_ARABIC_INDIC = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_ARABIC_LETTER = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00C0-\u024F]")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad]")


def normalize_space(text: str | None) -> str:
    """Collapse runs of white space (NBSP included) into one space and trim.

    Zero-width and directional marks, common in Arabic pages, are removed.
    """
    if not text:
        return ""
    if _INVISIBLE.search(text):
        text = _INVISIBLE.sub("", text)
    return " ".join(text.split())


def ascii_digits(text: str) -> str:
    """Replace Arabic-Indic and Persian digits by ASCII digits."""
    return text.translate(_ARABIC_INDIC)


def word_count(text: str | None) -> int:
    """Number of white-space separated words: ``word_count`` and the short-body warning."""
    return len((text or "").split())


def arabic_share(text: str) -> float:
    """Share of Arabic letters among Arabic and Latin letters in ``text`` (0 when none)."""
    arabic = _ARABIC_LETTER.subn("", text)[1]
    latin = _LATIN_LETTER.subn("", text)[1]
    total = arabic + latin
    return arabic / total if total else 0.0


def first_int(text: str | None) -> int | None:
    """The first whole number in ``text`` (Arabic-Indic digits understood), else None."""
    match = re.search(r"\d+", ascii_digits(text or ""))
    return int(match.group()) if match else None
