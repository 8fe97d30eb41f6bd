"""Dates as the replica shows them: Cairo offsets, WordPress display formats, HTTP dates.

Egypt's clock is UTC+2, and UTC+3 in summer from 2023 on (last Friday of April
to the last Thursday of October). The rule is coded here rather than read from
the system's tz database so that generated sites are identical on every machine.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime

EET = timezone(timedelta(hours=2))
EEST = timezone(timedelta(hours=3))

MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
MONTHS_AR = (
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "مايو",
    "يونيو",
    "يوليو",
    "أغسطس",
    "سبتمبر",
    "أكتوبر",
    "نوفمبر",
    "ديسمبر",
)


def _last_weekday(year: int, month: int, weekday: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() - weekday) % 7)


def cairo(naive: datetime) -> datetime:
    """Attach the Cairo offset in force at the naive local time ``naive``."""
    day = naive.date()
    summer = naive.year >= 2023 and (
        _last_weekday(naive.year, 4, 4) <= day <= _last_weekday(naive.year, 10, 3)
    )
    return naive.replace(tzinfo=EEST if summer else EET, microsecond=0)


def http_date(moment: datetime) -> str:
    """RFC 7231 date (``Sun, 06 Nov 1994 08:49:37 GMT``)."""
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def parse_http_date(value: str) -> datetime | None:
    """Parse an HTTP date, or ``None`` when it is not one."""
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def long_date(moment: datetime, language: str) -> str:
    """``January 11, 2025`` or ``11 يناير 2025``."""
    if language == "ar":
        return f"{moment.day} {MONTHS_AR[moment.month - 1]} {moment.year}"
    return f"{MONTHS_EN[moment.month - 1]} {moment.day}, {moment.year}"


def clock_time(moment: datetime, language: str) -> str:
    """``1:04 PM`` or ``1:04 م``."""
    hour = moment.hour % 12 or 12
    if language == "ar":
        return f"{hour}:{moment.minute:02d} {'ص' if moment.hour < 12 else 'م'}"
    return f"{hour}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"


def updated_line(moment: datetime, language: str) -> str:
    """The Foxiz "Last updated" line."""
    return f"Last updated: {moment:%Y/%m/%d} at {clock_time(moment, language)}"


def month_name(year: int, month: int, language: str) -> str:
    """``June 2025`` or ``يونيو 2025``."""
    names = MONTHS_AR if language == "ar" else MONTHS_EN
    return f"{names[month - 1]} {year}"


def previous_month(year: int, month: int) -> tuple[int, int]:
    """The month before ``year-month``."""
    return (year - 1, 12) if month == 1 else (year, month - 1)
