"""Progress of a crawl: a live display on a terminal (tested under a pseudo-terminal),
plain progress lines without one, Scrapy's log in a file beside the archive, and the
counts behind both ("done of known", rates, time left)."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ecss_crawler.progress import RequestTally, Snapshot, clock, plain_line
from ecss_crawler.replica import ReplicaConfig, ReplicaServer, serve_replica
from tests.crawl_support import FAST

CONFIG = ReplicaConfig(seed=23, n_articles=12, arabic_share=0.4, per_page=3)
#: Rich's live display redraws in place: erase the line, move the cursor up.
REDRAW = "\x1b[2K\x1b[1A"


def run_in_pty(command: list[str], deadline: float = 180) -> tuple[int, str]:
    """Run ``command`` with a pseudo-terminal as stdin, stdout and stderr; return its
    exit code and everything it wrote to the terminal."""
    master, slave = pty.openpty()
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="120", LINES="40")
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(
        command, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True
    )
    os.close(slave)
    chunks: list[bytes] = []
    end = time.monotonic() + deadline
    try:
        while time.monotonic() < end:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not data:
                    break
                chunks.append(data)
            elif process.poll() is not None:
                break
    finally:
        os.close(master)
        if process.poll() is None:
            process.kill()
        process.wait()
    return process.returncode, b"".join(chunks).decode("utf-8", "replace")


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "ecss_crawler.cli", *args]


def settings(*pairs: str) -> list[str]:
    out: list[str] = []
    for pair in pairs:
        out += ["-s", pair]
    return out


@pytest.fixture(scope="module")
def site() -> Iterator[ReplicaServer]:
    with serve_replica(CONFIG) as server:
        yield server


def _log_file(output: str) -> Path:
    line = next(line for line in output.splitlines() if line.startswith("Scrapy's log: "))
    return Path(line.removeprefix("Scrapy's log: ").strip())


def test_live_display_on_a_terminal(site: ReplicaServer, tmp_path: Path) -> None:
    db = tmp_path / "ecss.db"
    code, output = run_in_pty(
        cli("crawl", "--base-url", site.base_url, "--db", str(db))
        + settings(*FAST, "ECSS_PROGRESS_INTERVAL=30")
    )
    assert code == 0, output[-3000:]
    # The live display: redrawn in place, pages and articles "done/known", rate, time left.
    assert REDRAW in output
    assert f"Crawling {site.base_url}" in output
    assert "articles" in output
    assert "known" in output
    assert "/min" in output
    assert "left ~" in output
    assert "12/12" in output  # the articles bar, finished
    # Scrapy's log went to a file beside the archive, and nothing of it to the terminal.
    log = _log_file(output)
    assert log.parent == tmp_path / "logs"
    assert log.name.startswith("crawl-")
    text = log.read_text(encoding="utf-8")
    assert "Spider opened" in text
    assert "progress: pages" in text  # the last figures are in the log too
    assert "[scrapy" not in output
    assert "Overridden settings" not in output
    # The last lines: the summary, then the outcome and the exit code's meaning.
    last = output.strip().splitlines()[-2:]
    assert last[0].strip() == "Crawl complete: 12 article(s) stored."
    assert last[1].strip() == "Exit code 0: success; nothing to do."


def test_demo_shows_the_same_display(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    code, output = run_in_pty(cli("demo", "--db", str(db), "--articles", "8"))
    assert code == 0, output[-3000:]
    assert REDRAW in output
    assert "known" in output
    assert "Overridden settings" not in output  # no Scrapy settings dump
    assert "Enabled downloader middlewares" not in output
    assert "Sample search 'Egypt'" in output
    assert _log_file(output).parent == tmp_path / "logs"
    assert output.strip().splitlines()[-1].strip() == "Exit code 0: success; nothing to do."


def test_verbose_keeps_scrapy_log_on_the_terminal(site: ReplicaServer, tmp_path: Path) -> None:
    code, output = run_in_pty(
        cli("crawl", "--verbose", "--base-url", site.base_url, "--db", str(tmp_path / "v.db"))
        + settings(*FAST, "ECSS_PROGRESS_INTERVAL=0.2")
    )
    assert code == 0, output[-3000:]
    assert "[scrapy.core.engine] INFO: Spider opened" in output
    assert REDRAW not in output
    assert "progress: pages" in output
    assert "Scrapy's log:" not in output
    assert output.strip().splitlines()[-1].strip() == "Exit code 0: success; nothing to do."


def test_plain_progress_lines_without_a_terminal(site: ReplicaServer, tmp_path: Path) -> None:
    command = cli("crawl", "--base-url", site.base_url, "--db", str(tmp_path / "p.db"))
    command += settings(*FAST, "ECSS_PROGRESS_INTERVAL=0.2")
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [line for line in done.stderr.splitlines() if "progress: pages" in line]
    assert lines
    assert "articles 12/12 known (stored 12)" in lines[-1]
    assert "\x1b[" not in done.stderr + done.stdout  # no terminal control codes
    assert "Scrapy's log:" not in done.stderr  # cron keeps the log where it was
    assert done.stderr.strip().splitlines()[-1] == "Exit code 0: success; nothing to do."


# -- the counts -----------------------------------------------------------------------------


def test_tally_counts_known_and_done() -> None:
    tally = RequestTally()
    article = {"ecss_kind": "article"}
    listing = {"ecss_kind": "listing"}
    for meta in (article, article, listing):
        tally.scheduled(meta)
    tally.dropped(article)  # a duplicate: not new work
    assert (tally.pages_known, tally.articles_known) == (2, 1)
    tally.left_downloader(article)  # a 503 ...
    tally.scheduled({**article, "retry_times": 1})  # ... retried: not done yet
    assert tally.articles_done == 0
    tally.left_downloader({**article, "retry_times": 1})
    tally.left_downloader(listing)  # a 301 ...
    tally.scheduled({**listing, "redirect_times": 1})  # ... followed
    tally.left_downloader({**listing, "redirect_times": 1})
    assert (tally.pages_done, tally.articles_done) == (2, 1)
    assert (tally.pages_known, tally.articles_known) == (2, 1)


def test_snapshot_rates_and_time_left() -> None:
    tally = RequestTally()
    for _ in range(10):
        tally.scheduled({"ecss_kind": "article"})
    for _ in range(4):
        tally.left_downloader({"ecss_kind": "article"})
    stats = {"ecss/stored/new": 3, "ecss/failures/fetch": 1, "ecss/stored/rejected": 5}
    snap = Snapshot.read(tally, stats, elapsed=120.0)
    assert (snap.pages, snap.pages_known, snap.articles, snap.articles_known) == (4, 10, 4, 10)
    assert (snap.stored, snap.failures) == (3, 1)
    assert snap.pages_per_minute == 2
    assert snap.seconds_left == 180  # 6 pages left at 4 pages per 120 s
    line = plain_line(snap)
    assert line.startswith("progress: pages 4/10, articles 4/10 known (stored 3), failures 1")
    assert "elapsed 0:02:00, left ~0:03:00" in line
    assert clock(None) == "?"
    assert Snapshot.read(RequestTally(), {}, 0.0).seconds_left is None


def test_known_total_never_below_done() -> None:
    tally = RequestTally()
    tally.left_downloader({"ecss_kind": "listing"})  # e.g. a request left over from a resume
    snap = Snapshot.read(tally, {"ecss/listing_failures": 2}, 1.0)
    assert snap.pages == snap.pages_known == 1
    assert snap.failures == 2


def test_requests_not_the_spiders_are_not_counted() -> None:
    tally = RequestTally()
    tally.left_downloader({"dont_obey_robotstxt": True})  # Scrapy's own robots.txt request
    tally.scheduled({})
    assert (tally.pages_known, tally.pages_done) == (0, 0)


# -- where the output goes ------------------------------------------------------------------


def _settings(**values: str):
    from scrapy.settings import Settings

    settings = Settings()
    for name, value in values.items():
        settings.set(name, value)
    return settings


def test_output_on_a_terminal_log_file_beside_the_archive(tmp_path: Path) -> None:
    from ecss_crawler.cli.output import choose_output

    settings = _settings(ECSS_DB=str(tmp_path / "a" / "ecss.db"))
    log = choose_output(settings, verbose=False, interactive=True)
    assert log is not None
    assert log.parent == tmp_path / "a" / "logs"
    assert settings.get("LOG_FILE") == str(log)
    assert settings.get("ECSS_PROGRESS_DISPLAY") == "live"


def test_output_respects_log_file_and_verbose(tmp_path: Path) -> None:
    from ecss_crawler.cli.output import choose_output

    chosen = _settings(ECSS_DB="x.db", LOG_FILE=str(tmp_path / "mine.log"))
    assert choose_output(chosen, verbose=False, interactive=True) == tmp_path / "mine.log"
    verbose = _settings(ECSS_DB="x.db")
    assert choose_output(verbose, verbose=True, interactive=True) is None
    assert verbose.get("LOG_FILE") is None
    assert verbose.get("ECSS_PROGRESS_DISPLAY") == "log"
    cron = _settings(ECSS_DB="x.db")
    assert choose_output(cron, verbose=False, interactive=False) is None
    assert cron.get("LOG_FILE") is None
    demo = _settings(ECSS_DB=str(tmp_path / "demo.db"))
    log = choose_output(demo, verbose=False, interactive=False, log_to_file=True, kind="demo")
    assert log is not None
    assert log.name.startswith("demo-")
    assert demo.get("ECSS_PROGRESS_DISPLAY") == "lines"


def test_unknown_display_falls_back_to_log_lines() -> None:
    from ecss_crawler.extensions import CrawlProgress

    assert CrawlProgress(object(), 1.0, "bogus").display == "log"  # type: ignore[arg-type]
