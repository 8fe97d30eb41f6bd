"""Readers during a crawl never fail, and concurrent writers never lose a write (WAL)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

from ecss_crawler.archive import connect
from ecss_crawler.archive.queries import search, stats
from tests.test_archive_support import make_arabic, make_article, open_archive, rows

N_ARTICLES = 1200

READER_SCRIPT = textwrap.dedent(
    """
    import sqlite3, sys, time
    path, stop = sys.argv[1], sys.argv[2]
    import os
    queries = errors = 0
    deadline = time.monotonic() + 60
    while not os.path.exists(stop) and time.monotonic() < deadline:
        conn = sqlite3.connect(path)  # default settings, as an analyst's tool would use
        try:
            conn.execute("SELECT count(*) FROM articles").fetchone()
            conn.execute(
                "SELECT a.id FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid"
                " WHERE articles_fts MATCH 'water' ORDER BY rank LIMIT 5"
            ).fetchall()
            queries += 1
        except sqlite3.Error as exc:
            errors += 1
            print("ERROR", exc, file=sys.stderr)
        finally:
            conn.close()
    print(queries, errors)
    """
)


def test_readers_during_a_large_write(tmp_path: Path) -> None:
    path = tmp_path / "ecss.db"
    stop_file = tmp_path / "stop"
    archive = open_archive(path, batch_size=50, max_batch_seconds=3600)
    crawl = archive.begin_crawl("ecss", {})

    process = subprocess.Popen(
        [sys.executable, "-c", READER_SCRIPT, str(path), str(stop_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    done = threading.Event()
    errors: list[BaseException] = []
    seen_counts: list[int] = []

    def reader() -> None:
        db = connect(path)
        try:
            while not done.is_set():
                (count,) = db.execute("SELECT count(*) FROM articles").fetchone()
                # Every committed article has its author links: per-article atomicity.
                (orphans,) = db.execute(
                    "SELECT count(*) FROM articles"
                    " WHERE id NOT IN (SELECT articles_id FROM articles_authors)"
                ).fetchone()
                assert orphans == 0
                search(db, "water security", limit=5)
                search(db, "مكافحة", limit=5)
                stats(db)
                seen_counts.append(count)
        except BaseException as exc:
            errors.append(exc)
        finally:
            db.close()

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for n in range(N_ARTICLES):
            article = make_arabic(n) if n % 3 == 0 else make_article(n)
            assert archive.store_article(article, crawl).outcome == "new"
    finally:
        archive.close()
        done.set()
        thread.join(timeout=60)
        stop_file.touch()
        out, err = process.communicate(timeout=60)

    assert errors == []
    assert seen_counts, "the reader thread never ran a query"
    assert seen_counts == sorted(seen_counts)  # readers see whole batches appear, in order
    assert all(count % 50 == 0 for count in seen_counts)  # never a half-committed batch
    queries, process_errors = map(int, out.split())
    assert (process_errors, err) == (0, "")
    assert queries > 0
    assert rows(path, "SELECT count(*) FROM articles") == [(N_ARTICLES,)]
    assert rows(path, "SELECT count(*) FROM articles_fts") == [(N_ARTICLES,)]


def test_two_writers_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "ecss.db"
    open_archive(path).close()
    errors: list[BaseException] = []

    def writer(offset: int) -> None:
        try:
            with open_archive(path, batch_size=25) as archive:
                crawl = archive.begin_crawl("ecss", {"writer": offset})
                for n in range(offset, offset + 300):
                    archive.store_article(make_article(n), crawl)
                    if n % 100 == 0:
                        time.sleep(0.01)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(offset,)) for offset in (0, 1000)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert rows(path, "SELECT count(*) FROM articles") == [(600,)]
    assert rows(path, "SELECT count(*) FROM crawls") == [(2,)]
