"""How a crawl ended, in words: the exit code, what it means, and what to do.

One mapping from a finished crawl's stats to an :class:`Outcome`, used by
``ecss-crawler crawl`` and ``demo`` (the last lines on the terminal, whatever
``LOG_FILE`` and ``LOG_LEVEL`` say) and by the end-of-crawl summary that
``scrapy crawl`` logs. Pure functions over the stats dict: no Scrapy here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ecss_crawler.report import crawl_counts

#: Documented exit codes (README "Exit codes").
EXIT_OK = 0
EXIT_BAD_PROFILE = 2
EXIT_UNREACHABLE = 4
EXIT_LAYOUT_BREAK = 5
EXIT_TOO_MANY_FAILURES = 6
EXIT_STORAGE = 7
EXIT_LOCKED = 8

#: What each exit code means, and what to do about it.
MEANINGS: dict[int, tuple[str, str]] = {
    EXIT_OK: ("success", "nothing to do"),
    EXIT_BAD_PROFILE: (
        "the site profile could not be used",
        "fix the file and key named above (`ecss-crawler sites check`), then run again",
    ),
    EXIT_UNREACHABLE: (
        "the site could not be reached",
        "check the network and --base-url; a scheduled run simply tries again next time",
    ),
    EXIT_LAYOUT_BREAK: (
        "layout break: the site's markup changed and extraction degraded",
        "read the report's sample URLs, update the site profile's selectors "
        "([selectors] in its TOML file, docs/sites.md), then run `ecss-crawler reparse`",
    ),
    EXIT_TOO_MANY_FAILURES: (
        "too many article pages failed",
        "see the report and the archive's failures table (`ecss-crawler stats`); "
        "raise ECSS_MAX_FAILURE_SHARE only if the failures are expected",
    ),
    EXIT_STORAGE: (
        "the archive could not be written",
        "free disk space or make the archive writable, then run again: nothing already "
        "stored was lost and the next run fetches the rest",
    ),
    EXIT_LOCKED: (
        "another crawl holds the archive's lock",
        "wait for it to finish (or stop it); nothing was done",
    ),
}

#: Stats keys the crawl's components set for the outcome.
PROFILE_ERROR_STAT = "ecss/profile_error"
UNREACHABLE_STAT = "ecss/unreachable"
LOCKED_STAT = "ecss/locked"
LOCK_HOLDER_STAT = "ecss/lock_holder"
STORAGE_ERROR_STAT = "ecss/storage_error"
STORAGE_ADVICE_STAT = "ecss/storage_advice"
#: A Ctrl-C (or SIGTERM) ends a crawl with this finish reason.
_INTERRUPTED = ("shutdown", "cancelled")


@dataclass(frozen=True)
class Outcome:
    """The exit code, a one-line headline naming the cause, and what to do."""

    code: int
    headline: str
    advice: str

    @property
    def meaning(self) -> str:
        """The exit code's documented meaning."""
        return MEANINGS[self.code][0]

    def lines(self) -> list[str]:
        """The last lines a terminal shows: the outcome, then the exit code and advice."""
        return [self.headline, f"Exit code {self.code}: {self.meaning}; {self.advice}."]

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "meaning": self.meaning,
            "headline": self.headline,
            "advice": self.advice,
        }


def answered_pages(stats: dict[str, Any]) -> int:
    """Responses other than 404/410 (a site that only says "not found" did not answer)."""
    prefix = "downloader/response_status_count/"
    return sum(
        int(value)
        for key, value in stats.items()
        if key.startswith(prefix) and key[len(prefix) :] not in ("404", "410")
    )


def exit_code(stats: dict[str, Any]) -> int:
    """The documented exit code for a finished crawl's stats."""
    if stats.get(PROFILE_ERROR_STAT):
        return EXIT_BAD_PROFILE
    if stats.get(LOCKED_STAT):
        return EXIT_LOCKED
    if stats.get(STORAGE_ERROR_STAT):
        return EXIT_STORAGE
    if stats.get(UNREACHABLE_STAT) or not answered_pages(stats):
        return EXIT_UNREACHABLE
    status = (stats.get("ecss/verdict") or {}).get("status")
    if status == "layout_break":
        return EXIT_LAYOUT_BREAK
    if status == "too_many_failures":
        return EXIT_TOO_MANY_FAILURES
    return EXIT_OK


def outcome_for(stats: dict[str, Any]) -> Outcome:
    """The outcome of a finished crawl: its exit code and a headline that names the cause."""
    code = exit_code(stats)
    advice = MEANINGS[code][1]
    if code == EXIT_BAD_PROFILE:
        headline = f"Not started: {stats.get(PROFILE_ERROR_STAT)}."
    elif code == EXIT_LOCKED:
        holder = stats.get(LOCK_HOLDER_STAT)
        who = f" (process {holder})" if holder else ""
        headline = f"Not started: another crawl is writing this archive{who}; nothing was done."
    elif code == EXIT_STORAGE:
        headline = f"Storage error: {stats.get(STORAGE_ERROR_STAT)}."
        hint = str(stats.get(STORAGE_ADVICE_STAT) or "Check the archive file and its folder.")
        advice = f"{hint[:1].lower()}{hint[1:]} Nothing already stored was lost; once this is "
        advice += "fixed, the next run fetches the rest"
    elif code == EXIT_UNREACHABLE:
        headline = _unreachable_headline(stats)
    elif code in (EXIT_LAYOUT_BREAK, EXIT_TOO_MANY_FAILURES):
        reasons = "; ".join((stats.get("ecss/verdict") or {}).get("reasons") or [])
        label = "Layout break" if code == EXIT_LAYOUT_BREAK else "Too many failures"
        headline = f"{label}: {reasons or MEANINGS[code][0]}."
        if stats.get("ecss/report_path"):
            advice += f" (report: {stats['ecss/report_path']})"
    else:
        headline = _success_headline(stats)
    return Outcome(code, headline, advice.rstrip("."))


def _unreachable_headline(stats: dict[str, Any]) -> str:
    found = stats.get(UNREACHABLE_STAT) or {}
    if found:
        return f"Site unreachable: {found.get('host')}: {found.get('cause')}."
    site = stats.get("ecss/site") or "the site"
    errors = {
        key.rsplit("/", 1)[1].rsplit(".", 1)[-1]: int(value)
        for key, value in stats.items()
        if key.startswith("downloader/exception_type_count/")
    }
    if errors:
        listed = ", ".join(f"{name} x{count}" for name, count in sorted(errors.items()))
        return f"Site unreachable: {site}: no page answered ({listed})."
    statuses = sorted(
        key.rsplit("/", 1)[1]
        for key in stats
        if key.startswith("downloader/response_status_count/")
    )
    if statuses:
        return f"Site unreachable: {site}: every page answered HTTP {', '.join(statuses)}."
    return f"Site unreachable: {site}: no page was fetched."


def _success_headline(stats: dict[str, Any]) -> str:
    stored = crawl_counts(stats)["stored"]
    reason = stats.get("finish_reason") or "finished"
    if reason in _INTERRUPTED:
        return (
            f"Crawl stopped early ({reason}) after storing {stored} article(s); run it again "
            "(with the same JOBDIR to resume)."
        )
    if reason != "finished":
        return f"Crawl ended ({reason}); {stored} article(s) stored."
    return f"Crawl complete: {stored} article(s) stored."
