"""Incremental crawls: is an archived article worth fetching again?

Pure decisions over what the archive holds (:class:`~ecss_crawler.archive.lookup.Known`)
and the date a listing card, sitemap entry or feed item shows. No Scrapy here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ecss_crawler.archive.lookup import ArchiveReader, Known

#: Visible card dates may lose the seconds (or the time); this much drift is not a change.
DATE_TOLERANCE = timedelta(minutes=1)


@dataclass(frozen=True)
class Decision:
    """Fetch or not, and what the archive knows (for conditional request headers)."""

    fetch: bool
    known: Known | None = None
    reason: str = ""


class Freshness:
    """Decide, per discovered article URL, whether an incremental crawl fetches it."""

    def __init__(self, reader: ArchiveReader, recheck_older_than_days: float | None = None) -> None:
        self.reader = reader
        self.recheck_before = (
            datetime.now(UTC) - timedelta(days=recheck_older_than_days)
            if recheck_older_than_days is not None
            else None
        )

    def decide(self, url: str, post_id: int | None, shown_date: str | None) -> Decision:
        """``shown_date``: the card's date or the sitemap's ``lastmod`` (ISO 8601), if any."""
        known = self.reader.find(url, post_id)
        if known is None:
            return Decision(True, None, "new")
        if known.removed_at:
            return Decision(True, known, "marked removed: check again")
        if self._recheck_due(known):
            return Decision(True, known, "recheck due")
        if date_moved(shown_date, known.modified or known.published):
            return Decision(True, known, "date moved")
        return Decision(False, known, "unchanged")

    def _recheck_due(self, known: Known) -> bool:
        if self.recheck_before is None:
            return False
        seen = parse_iso(known.last_seen)
        return seen is None or seen < self.recheck_before


def date_moved(shown: str | None, stored: str | None) -> bool:
    """True when the shown date is later than the archived one (no shown date: no evidence)."""
    shown_at = parse_iso(shown)
    if shown_at is None:
        return False
    stored_at = parse_iso(stored)
    return stored_at is None or shown_at > stored_at + DATE_TOLERANCE


def parse_iso(value: str | None) -> datetime | None:
    """An aware datetime from ISO 8601 (naive values are taken as UTC), else None."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
