"""Run a crawl (or the bare spider) as a subprocess and measure it.

* resident memory (``VmRSS`` from ``/proc/PID/status``) of the process and all its
  children (the crawl's archive writer, page reader and document reader) sampled every
  0.5 s;
* progress from the archive: ``SELECT count(*) FROM articles`` polled read-only
  (WAL: never blocks the writer), giving the time each 1,000 articles were stored;
* the crawl's own summary (``--json-summary``) for page counts.
"""

from __future__ import annotations

import json
import resource
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.test_hard_kill import child_processes

#: Throttling off, robots.txt still obeyed.
UNTHROTTLED = (
    "AUTOTHROTTLE_ENABLED=0",
    "DOWNLOAD_DELAY=0",
    "CONCURRENT_REQUESTS_PER_DOMAIN=16",
    "CONCURRENT_REQUESTS=16",
)


def rss_mb(pid: int) -> float | None:
    """Resident set size of ``pid`` in MB, or None once it has exited."""
    try:
        text = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except (FileNotFoundError, ProcessLookupError):
        return None
    for line in text.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return None


def descendants(pid: int) -> list[int]:
    """The live children of ``pid``, their children, and so on."""
    return [found for child in child_processes(pid) for found in (child, *descendants(child))]


def tree_rss_mb(pid: int) -> float | None:
    """Resident memory of ``pid`` and all its descendants in MB (None once it has exited).
    Pages shared between them are counted in each, so this is an upper bound."""
    own = rss_mb(pid)
    if own is None:
        return None
    return own + sum(rss_mb(child) or 0.0 for child in descendants(pid))


def stored_articles(db: Path) -> int | None:
    """Committed article rows, read through a read-only connection (None: not yet there)."""
    if not db.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return None


@dataclass
class Run:
    """What one measured subprocess did."""

    seconds: float = 0.0
    #: User + system CPU time of the process (and any children it waited for).
    cpu_seconds: float = 0.0
    returncode: int = 0
    rss: list[tuple[float, float]] = field(default_factory=list)  # (t, MB)
    #: (articles, t) for every 1,000 stored articles.
    marks: list[tuple[int, float]] = field(default_factory=list)
    stdout: str = ""
    stderr: str = ""

    @property
    def peak_rss(self) -> float:
        return max((mb for _, mb in self.rss), default=0.0)

    def peak_rss_until(self, seconds: float) -> float:
        return max((mb for t, mb in self.rss if t <= seconds), default=0.0)

    def summary(self) -> dict[str, Any]:
        """The last JSON object the process printed on stdout."""
        start = self.stdout.find("{")
        return dict(json.loads(self.stdout[start:])) if start >= 0 else {}


def _sample(process: subprocess.Popen[str], run: Run, db: Path | None, step: int) -> None:
    started = time.monotonic()
    next_mark = step
    while process.poll() is None:
        now = time.monotonic() - started
        mb = tree_rss_mb(process.pid)
        if mb is not None:
            run.rss.append((now, mb))
        if db is not None:
            count = stored_articles(db) or 0
            while count >= next_mark:
                run.marks.append((next_mark, now))
                next_mark += step
        time.sleep(0.5)


def measure(command: list[str], db: Path | None = None, step: int = 1000) -> Run:
    """Run ``command``, sampling its memory (and ``db``'s article count) until it exits."""
    run = Run()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        sampler = threading.Thread(target=_sample, args=(process, run, db, step), daemon=True)
        sampler.start()
        run.stdout, run.stderr = process.communicate()
        sampler.join()
        run.returncode = process.returncode
    run.seconds = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    run.cpu_seconds = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if db is not None:  # the last batch is committed at close
        final = stored_articles(db) or 0
        last = run.marks[-1][0] if run.marks else 0
        for mark in range(last + step, final + 1, step):
            run.marks.append((mark, run.seconds))
    return run


def crawl_command(base_url: str, db: Path, extra: tuple[str, ...] = ()) -> list[str]:
    """``python -m ecss_crawler.cli crawl`` with throttling off and a JSON summary."""
    settings = [*UNTHROTTLED, "ECSS_PROGRESS_INTERVAL=5", "LOG_LEVEL=INFO", *extra]
    command = [sys.executable, "-m", "ecss_crawler.cli", "crawl", "--base-url", base_url]
    command += ["--db", str(db), "--json-summary"]
    for setting in settings:
        command += ["-s", setting]
    return command


def merge_command(output: Path, inputs: list[Path]) -> list[str]:
    """``python -m ecss_crawler.cli merge OUTPUT INPUTS...``."""
    return [sys.executable, "-m", "ecss_crawler.cli", "merge", str(output), *map(str, inputs)]


def bare_command(base_url: str, extra: tuple[str, ...] = ()) -> list[str]:
    """The bare spider (``benchmarks/bare_spider.py``) with the same settings."""
    script = Path(__file__).resolve().parents[1] / "bare_spider.py"
    command = [sys.executable, str(script), "--base-url", base_url]
    for setting in (*UNTHROTTLED, *extra):
        command += ["-s", setting]
    return command


def shared_bare_command(
    script: Path, base_url: str, stats: Path, extra: tuple[str, ...] = ()
) -> list[str]:
    """The shared reference spider (``../shared/bench/bare_spider.py``), its final Scrapy
    stats written to ``stats``, with the same settings as the other spiders."""
    command = [sys.executable, str(script), "--base-url", base_url, "--stats", str(stats)]
    for setting in (*UNTHROTTLED, *extra):
        command += ["-s", setting]
    return command


def db_size_mb(db: Path) -> float:
    """The archive and its WAL/SHM files, in MB."""
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*")) / 1e6


def table(headers: list[str], rows: list[list[Any]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
