"""First crawls of sites the project has never seen: a stock block theme, a classic
WordPress theme (Twenty Twenty) and a site on another CMS, each served by the replica.

Each is crawled the way a new user would: ``ecss-crawler crawl --base-url URL``, no
profile, no option but the local speed settings. Every article must be stored once,
with the fields the replica's ground truth says the page shows.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from ecss_crawler.extract.urls import url_key
from ecss_crawler.replica import Body, ReplicaConfig, ReplicaServer, serve_replica
from tests.crawl_support import CrawlRun, run_crawl

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
    "featured_image",
    "attachments",
)
#: No option but the local speed settings: a stock block theme never shows a modified date,
#: and the first crawl of a site learns that instead of raising the layout alarm.
THEMES = ("block", "classic", "cms")


@pytest.fixture(scope="module", params=THEMES)
def crawl(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ReplicaServer, CrawlRun, str]]:
    theme: str = request.param
    config = ReplicaConfig(seed=11, n_articles=16, arabic_share=0.3, per_page=3, theme=theme)
    with serve_replica(config) as server:
        db = tmp_path_factory.mktemp(f"crawl-{theme}") / "site.db"
        run = run_crawl(server.base_url, db)
        yield server, run, theme


def test_first_crawl_exits_0_without_alarm(crawl: tuple[ReplicaServer, CrawlRun, str]) -> None:
    _, run, _ = crawl
    assert run.returncode == 0, run.output[-3000:]
    assert "ALARM" not in run.output


def test_every_article_stored_once(crawl: tuple[ReplicaServer, CrawlRun, str]) -> None:
    server, run, _ = crawl
    stored = [row["url"] for row in run.articles()]
    assert len(stored) == len(set(stored))
    assert set(stored) == {record["url"] for record in server.site.expected_records()}


def test_every_field_exact(crawl: tuple[ReplicaServer, CrawlRun, str]) -> None:
    server, run, _ = crawl
    by_url = {row["url"]: row for row in run.articles()}
    for record in server.site.expected_records():
        row = by_url[record["url"]]
        for name in COMPARED:
            assert row[name] == record[name], (record["url"], name)


def test_articles_without_tags_get_no_category_as_tag(
    crawl: tuple[ReplicaServer, CrawlRun, str],
) -> None:
    server, run, _ = crawl
    untagged = {r["url"] for r in server.site.expected_records() if not r["tags"]}
    assert len(untagged) >= 2
    for row in run.articles():
        if row["url"] in untagged:
            assert row["tags"] == [], row["url"]


def test_no_article_page_fetched_twice(crawl: tuple[ReplicaServer, CrawlRun, str]) -> None:
    server, run, _ = crawl
    article_keys = {url_key(row["url"]) for row in run.articles()}
    fetched = Counter(
        url_key(server.base_url.rstrip("/") + entry.target)
        for entry in server.requests
        if entry.status == 200
    )
    assert all(fetched[key] == 1 for key in article_keys), fetched.most_common(3)


def test_cms_site_found_through_its_own_sitemap_and_menus(
    crawl: tuple[ReplicaServer, CrawlRun, str],
) -> None:
    server, _, theme = crawl
    if theme != "cms":
        pytest.skip("the non-WordPress site only")
    paths = [entry.path for entry in server.requests]
    assert "/sitemap.xml" in paths
    assert any(path.startswith("/topics/") for path in paths)  # menu links read as listings
    assert not any(path.startswith(("/wp-json", "/category/")) for path in paths)


def test_block_theme_probe_draft_gives_the_same_result(tmp_path: Path) -> None:
    """``sites probe`` on a block-theme site writes a profile that, used as is, crawls it
    with the same result as ``--base-url`` (and declares the modified date not shown)."""
    import subprocess
    import sys
    import tomllib

    config = ReplicaConfig(seed=5, n_articles=12, arabic_share=0.3, per_page=4, theme="block")
    sites = tmp_path / "sites"
    with serve_replica(config) as server:
        probe = subprocess.run(
            [sys.executable, "-m", "ecss_crawler.cli", "sites", "probe", server.base_url,
             "--sites-dir", str(sites), "--name", "blocky", "--delay", "0"],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert probe.returncode == 0, probe.stderr
        draft = tomllib.loads((sites / "blocky.toml").read_text(encoding="utf-8"))
        assert draft["probe"]["cms"] == "WordPress"
        assert draft["theme"] == "auto"  # no shipped theme file claims it
        assert draft["fields"]["modified"] is False
        plain = run_crawl(server.base_url, tmp_path / "plain.db")
        profiled = run_crawl(
            server.base_url, tmp_path / "profiled.db", "--site", "blocky", "--sites-dir", str(sites)
        )
        assert plain.returncode == profiled.returncode == 0, profiled.output[-3000:]
        key = dict.fromkeys(COMPARED)
        rows = [
            sorted(tuple(json.dumps(r.get(n)) for n in key) for r in run.articles())
            for run in (plain, profiled)
        ]
        assert rows[0] == rows[1]
        assert len(rows[0]) == 12


def test_block_theme_redesign_is_still_caught(tmp_path: Path) -> None:
    """A first crawl learns what the site shows; a later redesign that loses fields it
    always showed raises the alarm, and nothing stored is replaced."""
    config = ReplicaConfig(seed=5, n_articles=12, arabic_share=0.0, per_page=4, theme="block")
    db = tmp_path / "b.db"
    with serve_replica(config) as server:
        port = server.base_url.rsplit(":", 1)[1].strip("/")
        first = run_crawl(server.base_url, db)
    assert first.returncode == 0, first.output[-3000:]
    before = {row["id"]: row["content_hash"] for row in first.articles()}
    broken = ReplicaConfig(seed=5, n_articles=12, arabic_share=0.0, per_page=4, theme="broken")
    with serve_replica(broken, port=int(port)) as server:
        second = run_crawl(server.base_url, db, "--incremental")
    assert second.returncode == 5, second.output[-3000:]
    assert "LAYOUT BREAK" in second.output
    assert {row["id"]: row["content_hash"] for row in second.articles()} == before


def test_sitemap_xml_is_tried_when_robots_names_none(tmp_path: Path) -> None:
    config = ReplicaConfig(seed=5, n_articles=5, arabic_share=0.0, per_page=5, theme="cms")
    with serve_replica(config) as server:
        robots = b"User-agent: *\nDisallow: /user/\n"
        server.faults["/robots.txt"] = Body(robots, 200, {"Content-Type": "text/plain"})
        run = run_crawl(server.base_url, tmp_path / "c.db")
        assert run.returncode == 0, run.output[-2000:]
        assert server.requests.count("/sitemap.xml") == 1
        assert run.db["articles"].count == 5
