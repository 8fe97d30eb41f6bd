"""Progress of a running crawl: counts, totals known so far, rate, time left; two displays.

:class:`RequestTally` turns Scrapy's request signals into "done of known" counts
for pages and articles (the totals grow as listings and sitemaps are read: once
the post sitemaps are in, the article total is the site's). :class:`Snapshot`
is one reading, with rates and an estimate of the time left. Displays:

* :func:`plain_line`: one line of text, for logs, cron and CI;
* :class:`LiveDisplay`: a live ``rich`` progress display, for a terminal.

No Scrapy import here: the crawl's extension (:mod:`ecss_crawler.extensions`)
feeds these from its signals and stats.
"""

from __future__ import annotations

import atexit
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TextIO

from ecss_crawler.report import crawl_counts

#: Meta keys Scrapy sets on the follow-up of a request (a retry, a redirect).
_FOLLOW_UP_KEYS = ("retry_times", "redirect_times")
_KIND = "ecss_kind"


def _is_follow_up(meta: Mapping[str, Any]) -> bool:
    return any(meta.get(key) for key in _FOLLOW_UP_KEYS)


class RequestTally:
    """Pages and articles known (scheduled, duplicates aside) and done (left the downloader,
    answered or failed), counting the spider's requests only.

    A request retried or redirected leaves the downloader more than once; its
    follow-ups are scheduled but are not new work, so each one cancels a "done".
    """

    def __init__(self) -> None:
        self.pages_known = 0
        self.pages_done = 0
        self.articles_known = 0
        self.articles_done = 0

    def _add(self, meta: Mapping[str, Any], known: int, done: int) -> None:
        if _KIND not in meta:
            return  # not the spider's (robots.txt fetched by Scrapy's middleware)
        article = meta.get(_KIND) == "article"
        self.pages_known += known
        self.pages_done += done
        if article:
            self.articles_known += known
            self.articles_done += done

    def scheduled(self, meta: Mapping[str, Any]) -> None:
        """A request went to the scheduler (``request_scheduled``)."""
        if _is_follow_up(meta):
            self._add(meta, 0, -1)
        else:
            self._add(meta, 1, 0)

    def dropped(self, meta: Mapping[str, Any]) -> None:
        """The scheduler refused a request as a duplicate (``request_dropped``)."""
        if _is_follow_up(meta):
            self._add(meta, 0, 1)
        else:
            self._add(meta, -1, 0)

    def left_downloader(self, meta: Mapping[str, Any]) -> None:
        """A download ended, with a response or an error (``request_left_downloader``)."""
        self._add(meta, 0, 1)


@dataclass(frozen=True)
class Snapshot:
    """One reading of a crawl's progress."""

    pages: int
    pages_known: int
    articles: int
    articles_known: int
    stored: int
    failures: int
    elapsed: float

    @classmethod
    def read(cls, tally: RequestTally, stats: Mapping[str, Any], elapsed: float) -> Snapshot:
        """Combine the tally with the crawl's stats; totals are never below what is done."""
        stored = crawl_counts(dict(stats))["stored"]
        failures = sum(
            int(stats.get(f"ecss/failures/{stage}", 0)) for stage in ("fetch", "extract", "store")
        ) + int(stats.get("ecss/listing_failures", 0))
        pages = max(tally.pages_done, 0)
        articles = max(tally.articles_done, 0)
        return cls(
            pages=pages,
            pages_known=max(tally.pages_known, pages),
            articles=articles,
            articles_known=max(tally.articles_known, articles),
            stored=stored,
            failures=failures,
            elapsed=elapsed,
        )

    @property
    def minutes(self) -> float:
        return max(self.elapsed / 60, 1e-9)

    @property
    def pages_per_minute(self) -> float:
        return self.pages / self.minutes

    @property
    def articles_per_minute(self) -> float:
        return self.articles / self.minutes

    @property
    def seconds_left(self) -> float | None:
        """Time left for the work known so far at the rate so far (None: no rate yet)."""
        if self.pages == 0 or self.elapsed <= 0:
            return None
        return (self.pages_known - self.pages) / self.pages * self.elapsed


def clock(seconds: float | None) -> str:
    """``H:MM:SS`` (``?`` when unknown)."""
    if seconds is None:
        return "?"
    return str(timedelta(seconds=round(seconds)))


def plain_line(snap: Snapshot) -> str:
    """``progress: pages 120/300, articles 80/250 known, ...``: one line, for logs."""
    return (
        f"progress: pages {snap.pages}/{snap.pages_known}, "
        f"articles {snap.articles}/{snap.articles_known} known (stored {snap.stored}), "
        f"failures {snap.failures}, {snap.pages_per_minute:.0f} pages/min, "
        f"{snap.articles_per_minute:.0f} articles/min, elapsed {clock(snap.elapsed)}, "
        f"left ~{clock(snap.seconds_left)}"
    )


class LiveDisplay:
    """A live progress display on a terminal (``rich``), redrawn on every :meth:`update`.

    Two bars (pages and articles, each "done/known"), the rates, failures, the
    time elapsed and the estimated time left. Redrawn only when told to (no
    thread of its own), so the crawl's reactor drives it.
    """

    def __init__(self, stream: TextIO, title: str) -> None:
        from rich.console import Console, Group
        from rich.live import Live
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
        from rich.text import Text

        self.console = Console(file=stream)
        self.title = title
        self.progress = Progress(
            TextColumn("{task.description:<9}"),
            BarColumn(bar_width=30),
            MofNCompleteColumn(),
            TextColumn("{task.fields[note]}"),
            console=self.console,
            auto_refresh=False,
        )
        self.pages = self.progress.add_task("pages", total=None, note="")
        self.articles = self.progress.add_task("articles", total=None, note="")
        self.status = Text()
        self.live = Live(
            Group(Text(title, style="bold"), self.progress, self.status),
            console=self.console,
            auto_refresh=False,
            redirect_stdout=False,
            redirect_stderr=False,
        )

    @staticmethod
    def usable(stream: TextIO) -> bool:
        """Whether ``stream`` is a terminal a live display can redraw (not a file, not dumb)."""
        from rich.console import Console

        console = Console(file=stream)
        return console.is_terminal and not console.is_dumb_terminal

    def start(self) -> None:
        self.live.start(refresh=True)
        atexit.register(self.stop)  # a forced exit must not leave the cursor hidden

    def update(self, snap: Snapshot) -> None:
        """Show ``snap`` and redraw."""
        self.progress.update(
            self.pages,
            completed=snap.pages,
            total=snap.pages_known or None,
            note=f"{snap.pages_per_minute:.0f}/min",
        )
        self.progress.update(
            self.articles,
            completed=snap.articles,
            total=snap.articles_known or None,
            note=f"known  {snap.articles_per_minute:.0f}/min, stored {snap.stored}",
        )
        self.status.plain = (
            f"failures {snap.failures} · elapsed {clock(snap.elapsed)} · "
            f"left ~{clock(snap.seconds_left)}"
        )
        self.live.refresh()

    def stop(self) -> None:
        self.live.stop()  # idempotent
        atexit.unregister(self.stop)
