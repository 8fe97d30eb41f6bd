"""Dates: machine-readable values first, visible English/Arabic text second.

Every result is ISO 8601 with a UTC offset. Values without an offset, and
values given in UTC, are expressed in the site's timezone (Africa/Cairo for
ECSS), whose offset changes with Egyptian daylight saving time.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import dateparser

from ecss_crawler.extract.text import ascii_digits, normalize_space

#: Levantine month names that dateparser does not know, mapped to the Egyptian ones it does.
_LEVANTINE_MONTHS = {
    "كانون الثاني": "يناير",
    "شباط": "فبراير",
    "آذار": "مارس",
    "نيسان": "أبريل",
    "أيار": "مايو",
    "حزيران": "يونيو",
    "تموز": "يوليو",
    "آب": "أغسطس",
    "أيلول": "سبتمبر",
    "تشرين الأول": "أكتوبر",
    "تشرين الثاني": "نوفمبر",
    "كانون الأول": "ديسمبر",
}
_AM_PM = (
    (re.compile(r"(\d)\s*(?:صباحًا|صباحاً|صباحا|صباح|ص)(?=\s|$|[.,])"), r"\1 AM"),
    (re.compile(r"(\d)\s*(?:مساءً|مساءا|مساء|م)(?=\s|$|[.,])"), r"\1 PM"),
)
#: Label words around visible dates ("Published", "Last updated:", "نشر في", "آخر تحديث:").
_LABELS = re.compile(
    r"(?i)\b(?:published|posted|updated|last\s+updated|modified|on|date)\b\s*:?|"
    r"آخر\s+تحديث\s*:?|تاريخ\s+النشر\s*:?|نشر\s+في\s*:?|نُشر\s+في\s*:?|نشر\s*:?|تحديث\s*:?|بتاريخ"
)
_AT = re.compile(r"(?i)\s+(?:at|في|الساعة|-|–|،|,)\s+(?=\d{1,2}:\d{2})")
_WEEKDAYS_AR = re.compile(r"(?:السبت|الأحد|الاثنين|الإثنين|الثلاثاء|الأربعاء|الخميس|الجمعة)\s*،?")
_YMD = re.compile(r"^\d{4}[/.-]\d{1,2}[/.-]\d{1,2}")
_DMY = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{4}")


def iso_from_machine(value: Any, tz_name: str) -> str | None:
    """Normalise a machine-readable date (``datetime`` attribute, meta, JSON-LD) to ISO 8601."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = ascii_digits(value.strip())
    try:
        parsed = datetime.fromisoformat(text.replace(" ", "T", 1) if " " in text[:11] else text)
    except ValueError:
        return iso_from_text(text, tz_name)
    return _to_iso(parsed, tz_name)


def iso_from_text(text: str | None, tz_name: str) -> str | None:
    """Parse a visible English or Arabic date ("Published 25 أكتوبر 2024", "2025/01/11 1:04 PM")."""
    cleaned = _clean_visible(text or "")
    if not cleaned or not re.search(r"\d", cleaned):
        return None
    parsed = _parse_cached(cleaned, tz_name)
    return _to_iso(parsed, tz_name) if parsed else None


def _clean_visible(text: str) -> str:
    text = ascii_digits(normalize_space(text))
    for levantine, egyptian in _LEVANTINE_MONTHS.items():
        text = text.replace(levantine, egyptian)
    text = _WEEKDAYS_AR.sub(" ", text)
    text = _LABELS.sub(" ", text)
    text = _AT.sub(" ", text)
    for pattern, replacement in _AM_PM:
        text = pattern.sub(replacement, text)
    return normalize_space(text.strip(" :|-–,،"))


@lru_cache(maxsize=4096)
def _parse_cached(text: str, tz_name: str) -> datetime | None:
    settings: dict[str, Any] = {
        "TIMEZONE": tz_name,
        "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DAY_OF_MONTH": "first",
        "PREFER_DATES_FROM": "past",
        "REQUIRE_PARTS": ["day", "month", "year"],
    }
    if _YMD.match(text):
        settings["DATE_ORDER"] = "YMD"
    elif _DMY.match(text):
        settings["DATE_ORDER"] = "DMY"  # the Egyptian (and Arabic) convention
    result = dateparser.parse(text, languages=["en", "ar"], settings=settings)
    return result if isinstance(result, datetime) else None


def _to_iso(parsed: datetime, tz_name: str) -> str:
    zone = ZoneInfo(tz_name)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    elif parsed.utcoffset() == UTC.utcoffset(None):
        parsed = parsed.astimezone(zone)
    parsed = parsed.replace(microsecond=0)
    return parsed.isoformat()
