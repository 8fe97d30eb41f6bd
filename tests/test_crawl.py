"""End-to-end crawls of the bundled replica site, served on 127.0.0.1."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from ecss_crawler.extract.urls import url_key
from ecss_crawler.replica import Redirect, ReplicaConfig, ReplicaServer, serve_replica
from tests.crawl_support import FAST, run_crawl

CONFIG = ReplicaConfig(seed=11, n_articles=36, arabic_share=0.4, per_page=3)
COMPARED = (
    "url",
    "post_id",
    "language",
    "title",
    "authors",
    "published",
    "modified",
    "categories",
    "tags",
    "summary",
    "body",
    "reading_minutes",
    "attachments",
)


@pytest.fixture(scope="module")
def decoy() -> Iterator[ReplicaServer]:
    """Another site on another port: nothing may ever reach it."""
    with serve_replica(ReplicaConfig(seed=3, n_articles=2)) as server:
        yield server


@pytest.fixture(scope="module")
def full_crawl(tmp_path_factory: pytest.TempPathFactory, decoy: ReplicaServer):
    with serve_replica(CONFIG) as server:
        # A redirect off the site, from a page the crawler fetches (the sitemap index).
        server.faults["/wp-sitemap-taxonomies-post_tag-1.xml"] = Redirect(decoy.base_url)
        server.faults["/robots.txt"] = Redirect(decoy.base_url + "robots.txt")
        db = tmp_path_factory.mktemp("crawl") / "ecss.db"
        run = run_crawl(server.base_url, db)
        yield server, run


def test_crawl_succeeds(full_crawl) -> None:
    _, run = full_crawl
    assert run.returncode == 0, run.output[-3000:]
    assert "Crawl finished (finished)" in run.output


def test_exact_set_of_articles_stored(full_crawl) -> None:
    server, run = full_crawl
    expected = {record["url"] for record in server.site.expected_records()}
    stored = [row["url"] for row in run.articles()]
    assert len(stored) == len(set(stored))
    assert set(stored) == expected


def test_every_field_right(full_crawl) -> None:
    server, run = full_crawl
    by_url = {row["url"]: row for row in run.articles()}
    for record in server.site.expected_records():
        row = by_url[record["url"]]
        for name in COMPARED:
            assert row[name] == record[name], (record["url"], name)


def test_reading_and_writing_in_the_crawls_own_process_store_the_same(tmp_path: Path) -> None:
    """``ECSS_READ_PROCESS=0`` and ``ECSS_ARCHIVE_PROCESS=0``: pages parsed on pool threads
    and extracted on the crawl's thread, the archive written on a thread; same records."""
    with serve_replica(CONFIG) as server:
        settings = (*FAST, "ECSS_READ_PROCESS=0", "ECSS_ARCHIVE_PROCESS=0")
        run = run_crawl(server.base_url, tmp_path / "ecss.db", settings=settings)
        assert run.returncode == 0, run.output[-3000:]
        by_url = {row["url"]: row for row in run.articles()}
        expected = server.site.expected_records()
        assert set(by_url) == {record["url"] for record in expected}
        for record in expected:
            for name in COMPARED:
                assert by_url[record["url"]][name] == record[name], (record["url"], name)


def test_no_article_fetched_twice(full_crawl) -> None:
    server, _ = full_crawl
    article_paths = {urlsplit(r["url"]).path for r in server.site.expected_records()}
    fetched = Counter(
        url_key("http://x" + entry.target)
        for entry in server.requests
        if entry.path in article_paths
    )
    assert fetched
    assert max(fetched.values()) == 1, [key for key, count in fetched.items() if count > 1]


def test_nothing_outside_the_site_requested(full_crawl, decoy: ReplicaServer) -> None:
    _, run = full_crawl
    assert len(decoy.requests) == 0
    assert "Traceback" not in run.output
    assert "WARNING: scrapy." not in run.output  # no Scrapy component misses another


def test_traps_not_followed(full_crawl) -> None:
    server, _ = full_crawl
    targets = [entry.target for entry in server.requests]
    for trap in (
        "?s=",
        "replytocom",
        "/wp-admin",
        "wp-login.php",
        "/feed",
        "?m=",
        "cal=",
        "print=",
        "share=",
    ):
        assert not [t for t in targets if trap in t], trap
    # PDFs are fetched only as the documents that article bodies link, each once (never the
    # annual report linked from the site's chrome).
    pdfs = [t for t in targets if t.endswith(".pdf")]
    assert pdfs
    assert set(pdfs) <= {path for a in server.site.articles for path in a.attachment_paths}
    assert len(pdfs) == len(set(pdfs))


def test_listing_pages_the_sitemaps_make_redundant_are_not_fetched(full_crawl) -> None:
    """The sitemaps list every article: each category's first page is read (the category
    tree, the layout alarm), but no listing is paged past a page whose cards they all list
    (tests/test_listing_pruning.py walks every page when the sitemaps are missing)."""
    server, _ = full_crawl
    targets = {entry.path for entry in server.requests}
    first_pages = later_pages = fetched_later = 0
    for slug, ids in server.site.index.by_category.items():
        if not ids:
            continue
        first = urlsplit(server.site.category_url(slug)).path
        assert first in targets, first
        first_pages += 1
        for page in range(2, server.site.category_pages(slug) + 1):
            later_pages += 1
            fetched_later += f"{first}page/{page}/" in targets
    assert first_pages >= 12
    assert fetched_later <= later_pages // 2, (fetched_later, later_pages)


def test_crawl_rows_record_the_run(full_crawl) -> None:
    _, run = full_crawl
    crawls = list(run.db["crawls"].rows)
    assert len(crawls) == 1
    assert crawls[0]["finish_reason"] == "finished"


def test_categories_argument_limits_the_crawl(tmp_path: Path) -> None:
    with serve_replica(CONFIG) as server:
        slug = "asian-studies" if "asian-studies" in str(server.site.index.by_category) else None
        if slug is None:
            slug = next(iter(server.site.index.by_category))
        run = run_crawl(server.base_url, tmp_path / "c.db", "--categories", slug)
        assert run.returncode == 0, run.output[-2000:]
        expected = set(server.site.index.by_category[slug])
        stored = {row["post_id"] for row in run.articles()}
        assert stored == expected


def test_max_articles(tmp_path: Path) -> None:
    with serve_replica(CONFIG) as server:
        run = run_crawl(server.base_url, tmp_path / "m.db", "--max-articles", "5")
        assert run.returncode == 0, run.output[-2000:]
        assert len(run.articles()) == 5


def test_unreachable_site_exits_4(tmp_path: Path) -> None:
    run = run_crawl("http://127.0.0.1:9/", tmp_path / "u.db", settings=(*FAST, "RETRY_TIMES=0"))
    assert run.returncode == 4, run.output[-2000:]


def test_demo_command(tmp_path: Path) -> None:
    import subprocess
    import sys

    db = tmp_path / "demo.db"
    result = subprocess.run(
        [sys.executable, "-m", "ecss_crawler.cli", "demo", "--db", str(db), "--articles", "16"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Crawl finished (finished)" in result.stdout
    assert "articles: found 16, stored 16" in result.stdout
    assert "Sample search 'Egypt'" in result.stdout
    # Not a terminal: plain progress lines; Scrapy's log (and its settings dump) in a file.
    assert "progress: pages" in result.stderr
    assert "Overridden settings" not in result.stderr
    assert f"Scrapy's log: {tmp_path / 'logs'}" in result.stderr
    assert result.stderr.strip().splitlines()[-1] == "Exit code 0: success; nothing to do."


def test_scrapy_crawl_command(tmp_path: Path) -> None:
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    with serve_replica(ReplicaConfig(seed=2, n_articles=8)) as server:
        db = tmp_path / "scrapy.db"
        command = [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "ecss",
            "-a",
            f"base_url={server.base_url}",
            "-s",
            f"ECSS_DB={db}",
            "-s",
            "AUTOTHROTTLE_ENABLED=0",
            "-s",
            "DOWNLOAD_DELAY=0",
        ]
        result = subprocess.run(
            command, cwd=root, capture_output=True, text=True, timeout=120, check=False
        )
        assert result.returncode == 0, result.stderr[-2000:]
        assert "Crawl finished (finished)" in result.stderr
        import sqlite_utils

        assert sqlite_utils.Database(db)["articles"].count == 8


def test_since_stops_paging_old_listings(tmp_path: Path) -> None:
    with serve_replica(CONFIG) as server:
        records = sorted(server.site.expected_records(), key=lambda r: r["modified"])
        since = records[len(records) // 2]["modified"][:10]
        run = run_crawl(server.base_url, tmp_path / "s.db", "--since", since)
        assert run.returncode == 0, run.output[-2000:]
        stored = {row["url"] for row in run.articles()}
        recent = {r["url"] for r in records if r["modified"][:10] >= since}
        assert recent <= stored
        assert len(stored) < len(records)


def test_article_without_required_fields_is_a_recorded_failure(tmp_path: Path) -> None:
    with serve_replica(ReplicaConfig(seed=4, n_articles=6, theme="broken")) as server:
        run = run_crawl(server.base_url, tmp_path / "b.db")
        failures = list(run.db["failures"].rows)
        assert run.db["articles"].count == 0
        assert failures
        assert all("published" in row["reason"] for row in failures)
        assert all(row["stage"] == "extract" for row in failures)
