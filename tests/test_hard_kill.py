"""Hard kills: SIGKILL a crawl while it writes; the archive stays sound and loses nothing.

Each cycle starts ``ecss-crawler crawl`` against the replica, waits until the
crawl has committed new rows, lets it run a random moment longer (often inside
an open batch) and kills it with SIGKILL. The archive must then pass
:func:`~ecss_crawler.archive.db.check_archive` (``PRAGMA integrity_check``, the
FTS index, no half-written article), still hold every article and revision it
held before, and the next run must complete it. The site changes between
cycles, so later cycles are killed while writing revisions too.

``benchmarks/hard_kill.py`` runs the same cycle twenty times.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from ecss_crawler.archive.db import check_archive
from ecss_crawler.replica import ReplicaConfig, ReplicaServer, serve_replica

#: Settings for a quick crawl of the replica that commits often.
KILL_SETTINGS = (
    "AUTOTHROTTLE_ENABLED=0",
    "DOWNLOAD_DELAY=0",
    "CONCURRENT_REQUESTS_PER_DOMAIN=2",
    "ECSS_RETRY_BACKOFF_BASE=0.05",
    "ECSS_PROGRESS_INTERVAL=0",
    "LOG_LEVEL=INFO",
)
#: Fields compared with the replica's ground truth after the final run.
COMPARED = ("url", "title", "authors", "published", "categories", "tags", "body")
TAGS = ("Sudan", "Nile", "Gaza", "Libya", "Energy", "الأمن المائي", "Water & Power")
CONFIG = ReplicaConfig(seed=29, n_articles=36, arabic_share=0.4, per_page=4)


@dataclass
class Snapshot:
    """What the archive holds: current versions and earlier versions, by content hash."""

    articles: dict[str, str] = field(default_factory=dict)
    revisions: dict[tuple[str, int], str] = field(default_factory=dict)
    captures: int = 0


@dataclass
class KillResult:
    """One cycle: when the process was killed, and whether it finished first."""

    seconds: float
    killed: bool
    batch_size: int
    #: The whole process group was killed (the archive writer too), not the crawl alone.
    whole_group: bool = False


def snapshot(db: Path) -> Snapshot:
    """Read the archive's versions (an absent or empty file is an empty snapshot)."""
    if not db.exists():
        return Snapshot()
    conn = sqlite3.connect(db)
    try:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'articles'").fetchone():
            return Snapshot()
        articles = dict(conn.execute("SELECT id, content_hash FROM articles").fetchall())
        revisions = {
            (row[0], int(row[1])): row[2]
            for row in conn.execute("SELECT article_id, revision, content_hash FROM revisions")
        }
        (captures,) = conn.execute("SELECT count(*) FROM captures").fetchone()
        return Snapshot(articles, revisions, int(captures))
    finally:
        conn.close()


def lost_versions(before: Snapshot, after: Snapshot) -> list[str]:
    """Versions held ``before`` that ``after`` no longer holds (current or as a revision)."""
    kept = set(after.articles.items()) | {
        (key[0], digest) for key, digest in after.revisions.items()
    }
    problems = [f"article {a} lost" for a in before.articles if a not in after.articles]
    problems += [
        f"version {digest[:12]} of {a} lost"
        for a, digest in before.articles.items()
        if (a, digest) not in kept
    ]
    problems += [
        f"revision {key} lost or changed"
        for key, digest in before.revisions.items()
        if after.revisions.get(key) != digest
    ]
    return problems


def crawl_command(base_url: str, db: Path, *settings: str) -> list[str]:
    """``python -m ecss_crawler.cli crawl`` for the replica at ``base_url`` into ``db``."""
    command = [sys.executable, "-m", "ecss_crawler.cli", "crawl", "--base-url", base_url]
    command += ["--db", str(db)]
    for setting in (*KILL_SETTINGS, *settings):
        command += ["-s", setting]
    return command


def run_to_end(base_url: str, db: Path, log: Path, timeout: float = 120) -> int:
    """Run a crawl to completion; return its exit code."""
    with log.open("ab") as out:
        done = subprocess.run(
            crawl_command(base_url, db), stdout=out, stderr=out, timeout=timeout, check=False
        )
    return done.returncode


def kill_during_crawl(
    base_url: str,
    db: Path,
    log: Path,
    rng: random.Random,
    max_delay: float = 0.8,
    timeout: float = 60,
) -> KillResult:
    """Start a crawl, wait until it has committed new captures, SIGKILL it a moment later:
    the crawl's process alone (its archive writer then commits and exits), or its whole
    process group (the writer dies with it, its open batch uncommitted)."""
    batch_size = rng.choice((1, 3, 10))
    whole_group = rng.random() < 0.5
    start_captures = snapshot(db).captures
    started = time.monotonic()
    children: list[int] = []
    with log.open("ab") as out:
        process = subprocess.Popen(
            crawl_command(base_url, db, f"ECSS_BATCH_SIZE={batch_size}"),
            stdout=out,
            stderr=out,
            start_new_session=True,
        )
        try:
            writing = _wait_for_writes(process, db, start_captures, started + timeout)
            if writing:
                time.sleep(rng.uniform(0.0, max_delay))
            killed = process.poll() is None
            if killed:
                children = child_processes(process.pid)
                if whole_group:
                    os.killpg(process.pid, signal.SIGKILL)
                else:
                    os.kill(process.pid, signal.SIGKILL)
        finally:
            if process.poll() is None and time.monotonic() > started + timeout:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
    if killed:
        assert process.returncode == -signal.SIGKILL
        wait_until_gone(children)
    return KillResult(time.monotonic() - started, killed, batch_size, whole_group)


def child_processes(pid: int) -> list[int]:
    """The live children of ``pid`` (the archive writer, the page and document readers);
    none once ``pid`` has exited."""
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        with contextlib.suppress(OSError):
            found += [int(child) for child in (task / "children").read_text().split()]
    return found


def wait_until_gone(pids: list[int], timeout: float = 30) -> None:
    """Wait until every process in ``pids`` has exited (a zombie counts as exited)."""
    deadline = time.monotonic() + timeout
    for pid in pids:
        while time.monotonic() < deadline:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                break
            if state in ("Z", "X"):
                break
            time.sleep(0.02)
        else:
            raise AssertionError(f"process {pid} outlived its killed crawl by {timeout} s")


def _wait_for_writes(
    process: subprocess.Popen[bytes], db: Path, start_captures: int, deadline: float
) -> bool:
    """Poll until the crawl has committed captures beyond ``start_captures`` (or exited)."""
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if snapshot(db).captures > start_captures:
                return True
        except sqlite3.Error:
            pass  # the schema is being created
        time.sleep(0.02)
    return False


def change_site(server: ReplicaServer, rng: random.Random, count: int = 4) -> None:
    """Retag a few articles, so the next crawl writes revisions (the longest write path).

    (Retagging rather than rewriting bodies: a much shorter new body is, rightly,
    rejected by the no-clobber rule, and the final comparison would not hold.)
    """
    for spec in rng.sample(server.site.articles, count):
        server.site.retag(spec.post_id, rng.sample(TAGS, 2))


def expected_mismatches(server: ReplicaServer, db: Path) -> list[str]:
    """Differences between the archive's current versions and the live replica."""
    import json

    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        rows = {row["url"]: dict(row) for row in conn.execute("SELECT * FROM articles")}
    finally:
        conn.close()
    problems = []
    for record in server.site.expected_records():
        row = rows.get(record["url"])
        if row is None:
            problems.append(f"missing {record['url']}")
            continue
        for name in COMPARED:
            value = row[name]
            if name in ("authors", "categories", "tags"):
                value = json.loads(value)
            if value != record[name]:
                problems.append(f"{record['url']}: {name} differs")
    return problems


def kill_cycles(
    server: ReplicaServer, db: Path, log: Path, kills: int, seed: int, max_delay: float = 0.8
) -> tuple[list[KillResult], list[str]]:
    """Crawls (site edits between them) until ``kills`` were killed mid-crawl (a crawl that
    finishes before its kill counts as an attempt only); problems found after each."""
    rng = random.Random(seed)
    results: list[KillResult] = []
    problems: list[str] = []
    before = snapshot(db)
    while sum(r.killed for r in results) < kills and len(results) < 3 * kills:
        if results:
            change_site(server, rng)
        result = kill_during_crawl(server.base_url, db, log, rng, max_delay)
        results.append(result)
        found = check_archive(db) if db.exists() else []
        after = snapshot(db)
        found += lost_versions(before, after)
        label = f"after attempt {len(results)} ({result.seconds:.2f} s)"
        problems += [f"{label}: {problem}" for problem in found]
        before = after
    return results, problems


def test_random_hard_kills_leave_a_sound_archive_that_the_next_run_completes(
    tmp_path: Path,
) -> None:
    db = tmp_path / "ecss.db"
    log = tmp_path / "crawl.log"
    with serve_replica(CONFIG) as server:
        results, problems = kill_cycles(server, db, log, kills=4, seed=20240601)
        assert not problems, problems
        assert sum(r.killed for r in results) == 4, results
        before = snapshot(db)
        code = run_to_end(server.base_url, db, log)
        assert code == 0, log.read_text(errors="replace")[-3000:]
        assert check_archive(db) == []
        assert lost_versions(before, snapshot(db)) == []
        assert expected_mismatches(server, db) == []
    conn = sqlite3.connect(db)
    statuses = [row[0] for row in conn.execute("SELECT status FROM crawls ORDER BY id")]
    conn.close()
    assert statuses[-1] == "finished"


def test_check_archive_finds_a_half_written_article(tmp_path: Path) -> None:
    """The checker the kill test relies on does see the damage a torn write would leave."""
    from ecss_crawler.archive import Archive
    from ecss_crawler.items import Article

    db = tmp_path / "a.db"
    with Archive(db) as archive:
        crawl = archive.begin_crawl("example.org", {})
        for n in (1, 2, 3):
            article = Article(
                url=f"https://example.org/{n}/",
                site="example.org",
                post_id=n,
                title=f"Title {n}",
                body=f"Body text number {n}",
                published="2024-01-01T00:00:00+02:00",
                tags=["Nile", "Water"],
            )
            archive.store_article(article, crawl)
    assert check_archive(db) == []
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("UPDATE articles SET body = 'torn' WHERE post_id = 1")
    conn.execute("DELETE FROM articles_tags WHERE articles_id = 'example.org:2'")
    conn.execute("DROP TRIGGER articles_au")
    conn.execute("UPDATE articles SET search_body = 'stale' WHERE post_id = 3")
    conn.close()
    problems = "\n".join(check_archive(db))
    assert "example.org:1: content_hash" in problems
    assert "example.org:2: tags" in problems
    assert "articles_fts" in problems
