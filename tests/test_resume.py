"""Stop a crawl with Ctrl-C (SIGINT) and start it again with the same JOBDIR."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from ecss_crawler.replica import ReplicaConfig, serve_replica
from tests.crawl_support import run_crawl

SLOW = (
    "AUTOTHROTTLE_ENABLED=0",
    "DOWNLOAD_DELAY=0.05",
    "CONCURRENT_REQUESTS_PER_DOMAIN=1",
    "ECSS_BATCH_SIZE=1",
    "LOG_LEVEL=INFO",
)


def stored(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def test_ctrl_c_then_resume_with_jobdir(tmp_path: Path) -> None:
    db, jobdir = tmp_path / "ecss.db", tmp_path / "job"
    settings = (*SLOW, f"JOBDIR={jobdir}")
    with serve_replica(ReplicaConfig(seed=9, n_articles=30, per_page=4)) as server:
        command = [
            sys.executable,
            "-m",
            "ecss_crawler.cli",
            "crawl",
            "--base-url",
            server.base_url,
            "--db",
            str(db),
        ]
        for setting in settings:
            command += ["-s", setting]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while stored(db) < 8 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=60)
        first_count = stored(db)
        assert 0 < first_count < 30
        first_requests = len(server.requests)
        server.reset_log()

        run = run_crawl(server.base_url, db, settings=settings)
        assert run.returncode == 0, run.output[-3000:]
        assert "Resuming" in run.output
        rows = run.articles()
        assert len(rows) == 30
        assert len({row["url"] for row in rows}) == 30
        article_paths = {urlsplit(r["url"]).path for r in server.site.expected_records()}
        fetched_again = Counter(e.path for e in server.requests if e.path in article_paths)
        assert max(fetched_again.values()) == 1
        assert sum(fetched_again.values()) < 30  # it continued; it did not start over
        assert first_requests > 0
