"""Where a crawl's output goes: a live display or plain lines, Scrapy's log, the outcome.

On a terminal, ``ecss-crawler crawl`` shows a live progress display on stderr
and writes Scrapy's own log to ``logs/crawl-<UTC time>.log`` beside the archive
(the path is printed first), unless ``--verbose`` (or ``-s LOG_FILE=...``) says
otherwise. Elsewhere (cron, CI, a pipe) Scrapy's log stays where it was, with
a progress line in it every ``ECSS_PROGRESS_INTERVAL`` seconds. Whatever the
log settings, the last lines are the outcome in words (:mod:`ecss_crawler.outcome`).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from ecss_crawler.outcome import EXIT_LOCKED, EXIT_UNREACHABLE, Outcome


def terminal_is_interactive() -> bool:
    """Whether stderr is a terminal that a live display can redraw."""
    from ecss_crawler.progress import LiveDisplay

    return LiveDisplay.usable(sys.stderr)


def log_file_beside(db: str | None, kind: str = "crawl") -> Path:
    """``<archive folder>/logs/<kind>-<UTC time>.log``."""
    folder = Path(db).resolve().parent if db else Path.cwd()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return folder / "logs" / f"{kind}-{stamp}.log"


def choose_output(
    settings: Any, verbose: bool, interactive: bool, log_to_file: bool = False, kind: str = "crawl"
) -> Path | None:
    """Set the progress display and Scrapy's log file; return the log file chosen, if any.

    ``interactive``: stderr is a terminal (live display). ``log_to_file``: send Scrapy's
    log to a file even when not interactive (the demo: plain progress lines instead).
    ``--verbose`` keeps Scrapy's log on the terminal, with progress lines in it.
    """
    if verbose:
        settings.set("ECSS_PROGRESS_DISPLAY", "log", priority="cmdline")
        return None
    if not (interactive or log_to_file):
        return None  # as before: Scrapy's log (or LOG_FILE) carries the progress lines
    display = "live" if interactive else "lines"
    settings.set("ECSS_PROGRESS_DISPLAY", display, priority="cmdline")
    if settings.get("LOG_FILE"):
        return Path(settings.get("LOG_FILE"))
    path = log_file_beside(settings.get("ECSS_DB"), kind)
    settings.set("LOG_FILE", str(path), priority="cmdline")
    return path


def announce_log(path: Path | None) -> None:
    if path is not None:
        click.echo(f"Scrapy's log: {path}", err=True)


def print_outcome(outcome: Outcome) -> None:
    """The last lines: what happened, the exit code and what it means."""
    for line in outcome.lines():
        click.echo(line, err=True)


def shows_summary(outcome: Outcome) -> bool:
    """Counts say nothing when the site never answered or the archive was locked."""
    return outcome.code not in (EXIT_UNREACHABLE, EXIT_LOCKED)
