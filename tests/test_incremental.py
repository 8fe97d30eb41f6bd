"""Scheduled (incremental) runs against the replica: only changes are fetched and recorded."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from ecss_crawler.replica import ReplicaConfig, serve_replica
from tests.crawl_support import run_crawl

CONFIG = ReplicaConfig(seed=5, n_articles=30, arabic_share=0.4, per_page=4)


def article_paths(site) -> dict[str, int]:
    return {urlsplit(record["url"]).path: record["post_id"] for record in site.expected_records()}


def test_incremental_run_records_exactly_the_changes(tmp_path: Path) -> None:
    db = tmp_path / "ecss.db"
    with serve_replica(CONFIG) as server:
        first = run_crawl(server.base_url, db)
        assert first.returncode == 0, first.output[-3000:]
        assert first.db["articles"].count == 30
        ids = sorted(spec.post_id for spec in server.site.articles)
        edited, retagged, removed = ids[3], ids[10], ids[20]
        server.site.add_article(language="en", title="A New Study of Red Sea Shipping")
        server.site.add_article(language="ar", title="قراءة جديدة في أمن البحر الأحمر")
        server.site.edit_body(edited)
        server.site.retag(retagged, ["Energy", "Egypt"])
        removed_path = urlsplit(server.site.url_for(removed)).path
        server.site.remove_article(removed)
        server.reset_log()

        second = run_crawl(server.base_url, db, "--incremental")
        assert second.returncode == 0, second.output[-3000:]
        db_rows = {row["post_id"]: row for row in second.articles()}
        assert len(db_rows) == 32
        assert second.db["revisions"].count == 2
        revised = {row["article_id"] for row in second.db["revisions"].rows}
        assert revised == {db_rows[edited]["id"], db_rows[retagged]["id"]}
        assert db_rows[retagged]["tags"] == server.site.expected_record(retagged)["tags"]
        assert set(db_rows[retagged]["tags"]) == {"Energy", "Egypt"}
        removed_rows = [row for row in db_rows.values() if row["removed_at"]]
        assert [row["post_id"] for row in removed_rows] == [removed]

        # Unchanged articles were not downloaded again (or answered 304).
        paths = article_paths(server.site)
        changed = {edited, retagged} | {pid for pid in paths.values() if pid not in ids}
        for entry in server.requests:
            post_id = paths.get(entry.path)
            if post_id is not None and post_id not in changed:
                assert entry.status == 304, (entry.path, entry.status)
        assert any(entry.path == removed_path and entry.status == 404 for entry in server.requests)


def test_unchanged_site_costs_first_pages_sitemaps_plus_five(tmp_path: Path) -> None:
    db = tmp_path / "ecss.db"
    with serve_replica(CONFIG) as server:
        assert run_crawl(server.base_url, db).returncode == 0
        server.reset_log()
        run = run_crawl(server.base_url, db, "--incremental")
        assert run.returncode == 0, run.output[-3000:]
        targets = [entry.target for entry in server.requests]
        sitemaps = [t for t in targets if "sitemap" in t]
        first_pages = [t for t in targets if "/page/" not in t and (t == "/" or "/category/" in t)]
        assert len(targets) <= len(first_pages) + len(sitemaps) + 5, targets
        assert run.db["revisions"].count == 0
        crawls = list(run.db["crawls"].rows)
        assert crawls[-1]["status"] == "finished"


def test_identical_full_recrawl_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "ecss.db"
    with serve_replica(CONFIG) as server:
        first = run_crawl(server.base_url, db)
        before = {row["id"]: (row["content_hash"], row["last_changed"]) for row in first.articles()}
        second = run_crawl(server.base_url, db)
        assert second.returncode == 0
        after = {row["id"]: (row["content_hash"], row["last_changed"]) for row in second.articles()}
        assert after == before
        assert second.db["revisions"].count == 0


@pytest.mark.parametrize(("theme", "expected_exit"), [("redesign", 0), ("broken", 5)])
def test_layout_break_alarm(tmp_path: Path, theme: str, expected_exit: int) -> None:
    db = tmp_path / "ecss.db"
    with serve_replica(CONFIG) as server:
        port = urlsplit(server.base_url).port
        assert run_crawl(server.base_url, db).returncode == 0
    before = {row["id"]: row["content_hash"] for row in _rows(db)}
    changed = ReplicaConfig(seed=5, n_articles=30, arabic_share=0.4, per_page=4, theme=theme)
    with serve_replica(changed, port=port or 0) as server:
        run = run_crawl(server.base_url, db, "--incremental")
    assert run.returncode == expected_exit, run.output[-3000:]
    after = {row["id"]: row["content_hash"] for row in _rows(db)}
    assert after == before  # nothing in the archive was degraded
    reports = sorted((tmp_path / "reports").glob("crawl-*.json"))
    verdict = json.loads(reports[-1].read_text(encoding="utf-8"))["verdict"]
    if expected_exit:
        assert verdict["status"] == "layout_break"
        assert "LAYOUT BREAK" in run.output
        assert verdict["samples"]
    else:
        assert verdict["status"] == "ok"


def test_second_run_on_a_locked_archive_exits_8(tmp_path: Path) -> None:
    from ecss_crawler.archive.lock import ArchiveLock

    db = tmp_path / "ecss.db"
    lock = ArchiveLock(db)
    assert lock.acquire()
    try:
        with serve_replica(CONFIG) as server:
            run = run_crawl(server.base_url, db)
            assert run.returncode == 8, run.output[-2000:]
            assert "another crawl is writing this archive" in run.output
            assert len(server.requests) <= 2  # robots.txt and the home page at most
    finally:
        lock.release()


def _rows(db: Path) -> list[dict]:
    import sqlite_utils

    return list(sqlite_utils.Database(db)["articles"].rows)
