"""Listings stop paging where the sitemaps already list every card, and only there.

With complete sitemaps a whole-site crawl reads each listing's first page and stops
(tests/test_crawl.py); without sitemaps, or with sitemaps that fail or miss articles,
the listings still reach every article.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from ecss_crawler.discovery import MAX_EARLY_CARDS, NextPage, SitemapVouch
from ecss_crawler.replica import ReplicaConfig, ReplicaServer, Status, serve_replica
from ecss_crawler.replica.faults import rewrite
from tests.crawl_support import run_crawl

CONFIG = ReplicaConfig(seed=11, n_articles=36, arabic_share=0.4, per_page=3)


def _later_listing_pages(server: ReplicaServer) -> set[str]:
    """Paths of every category listing page after the first."""
    paths = set()
    for slug, ids in server.site.index.by_category.items():
        if ids:
            first = urlsplit(server.site.category_url(slug)).path
            pages = server.site.category_pages(slug)
            paths |= {f"{first}page/{page}/" for page in range(2, pages + 1)}
    return paths


def _assert_every_article_stored(server: ReplicaServer, db: Path, output: str) -> None:
    import sqlite_utils

    expected = {record["url"] for record in server.site.expected_records()}
    stored = {row["url"] for row in sqlite_utils.Database(db)["articles"].rows}
    assert stored == expected, output[-2000:]


def test_without_sitemaps_every_listing_page_is_walked(tmp_path: Path) -> None:
    config = ReplicaConfig(seed=11, n_articles=36, arabic_share=0.4, per_page=3, sitemap=False)
    with serve_replica(config) as server:
        run = run_crawl(server.base_url, tmp_path / "n.db")
        assert run.returncode == 0, run.output[-2000:]
        targets = {entry.path for entry in server.requests}
        later = _later_listing_pages(server)
        assert len(later) >= 10
        assert later <= targets, sorted(later - targets)
        _assert_every_article_stored(server, run.db_path, run.output)


def test_a_failed_post_sitemap_walks_every_listing(tmp_path: Path) -> None:
    with serve_replica(CONFIG) as server:
        server.faults["/wp-sitemap-posts-post-1.xml"] = Status(404)
        run = run_crawl(server.base_url, tmp_path / "f.db")
        targets = {entry.path for entry in server.requests}
        later = _later_listing_pages(server)
        assert later <= targets, sorted(later - targets)
        _assert_every_article_stored(server, run.db_path, run.output)


def test_sitemaps_missing_the_newest_articles_resume_the_listings(tmp_path: Path) -> None:
    """A stale sitemap (the newest articles not in it yet): the first listing card it
    does not list withdraws the trust, and the listings are walked to reach the rest."""
    with serve_replica(CONFIG) as server:
        newest = {server.site.url_for(post_id) for post_id in server.site.index.newest[:8]}

        def drop_newest(xml: str) -> str:
            for url in newest:
                xml = re.sub(rf"<url>\s*<loc>{re.escape(url)}</loc>.*?</url>", "", xml, flags=re.S)
            return xml

        server.faults["/wp-sitemap-posts-post-1.xml"] = rewrite(drop_newest)
        run = run_crawl(server.base_url, tmp_path / "p.db")
        assert run.returncode == 0, run.output[-2000:]
        _assert_every_article_stored(server, run.db_path, run.output)
        targets = {entry.path for entry in server.requests}
        assert _later_listing_pages(server) <= targets


def test_sitemaps_missing_old_articles_are_caught_by_the_home_listing_count(
    tmp_path: Path,
) -> None:
    """Sitemaps that miss the oldest articles (on listing pages no pruned walk reads):
    the home listing's last page shows the site holds more articles than they list."""
    with serve_replica(CONFIG) as server:
        oldest = {server.site.url_for(post_id) for post_id in server.site.index.newest[-5:]}

        def drop_oldest(xml: str) -> str:
            for url in oldest:
                xml = re.sub(rf"<url>\s*<loc>{re.escape(url)}</loc>.*?</url>", "", xml, flags=re.S)
            return xml

        server.faults["/wp-sitemap-posts-post-1.xml"] = rewrite(drop_oldest)
        run = run_crawl(server.base_url, tmp_path / "o.db")
        assert run.returncode == 0, run.output[-2000:]
        _assert_every_article_stored(server, run.db_path, run.output)


def test_the_home_listing_count_is_one_request(tmp_path: Path) -> None:
    """With exact sitemaps the count check costs the home listing's last page."""
    with serve_replica(CONFIG) as server:
        run = run_crawl(server.base_url, tmp_path / "c.db")
        assert run.returncode == 0, run.output[-2000:]
        home_pages = [e.path for e in server.requests if re.fullmatch(r"/page/\d+/", e.path)]
        last = -(-len(server.site.index.newest) // CONFIG.per_page)
        assert f"/page/{last}/" in home_pages
        # At most one more: page 2, asked for when page 1 came in before the sitemaps.
        assert len(home_pages) <= 2, home_pages


# -- the bookkeeping on its own -------------------------------------------------------------


def _complete(keys: set[int]) -> SitemapVouch:
    vouch = SitemapVouch(keys)
    assert vouch.request("index")
    vouch.answered("index", ok=True)
    assert vouch.request("posts-1")
    vouch.read_post_url_set()
    vouch.answered("posts-1", ok=True)
    return vouch


def test_complete_sitemaps_vouch_for_listed_cards_only() -> None:
    vouch = _complete({1, 2, 3})
    assert vouch.complete
    assert vouch.vouches_for([1, 2])
    assert not vouch.vouches_for([])
    vouch.stop(NextPage("u/page/2/", 2, False, False, 3))
    assert vouch.resume() == []
    assert not vouch.vouches_for([3, 4])  # 4 is in no sitemap: trust withdrawn for good
    assert not vouch.vouches_for([1])
    assert [page.url for page in vouch.resume()] == ["u/page/2/"]
    assert vouch.resume() == []


def test_no_vouching_before_every_sitemap_answered_or_after_a_failure() -> None:
    vouch = SitemapVouch({1})
    vouch.request("index")
    assert not vouch.vouches_for([1])  # still pending
    assert not vouch.request("index")  # asked once only
    vouch.answered("index", ok=False)
    assert not vouch.complete
    assert not vouch.vouches_for([1])
    assert not SitemapVouch(None).vouches_for([1])  # not a whole-site crawl


def test_cards_seen_early_are_checked_when_the_sitemaps_complete() -> None:
    vouch = SitemapVouch({1, 2})
    vouch.request("posts-1")
    vouch.read_post_url_set()
    assert not vouch.vouches_for([1, 9])  # remembered: 9 is checked later
    vouch.answered("posts-1", ok=True)
    assert vouch.contradicted
    assert not vouch.vouches_for([1])


def test_fewer_sitemap_articles_than_the_home_listing_holds_means_no_trust() -> None:
    vouch = _complete({1, 2, 3})
    vouch.expect_total(3)
    assert vouch.vouches_for([1])
    vouch.expect_total(4)
    assert vouch.contradicted
    assert not vouch.vouches_for([1])
    early = SitemapVouch({1, 2})
    early.expect_total(5)  # checked once the sitemaps are complete
    assert not early.contradicted
    early.request("posts-1")
    early.read_post_url_set()
    early.answered("posts-1", ok=True)
    assert early.contradicted


def test_cards_seen_while_a_late_sitemap_is_read_are_checked_too() -> None:
    vouch = _complete({1, 2})
    assert vouch.request("late-index")
    assert not vouch.vouches_for([7])  # incomplete again: remembered
    vouch.answered("late-index", ok=True)
    assert vouch.contradicted


def test_too_many_early_cards_mean_no_trust() -> None:
    vouch = SitemapVouch(set(range(MAX_EARLY_CARDS + 10)))
    vouch.request("posts-1")
    assert not vouch.vouches_for(range(MAX_EARLY_CARDS + 1))
    vouch.read_post_url_set()
    vouch.answered("posts-1", ok=True)
    assert not vouch.complete
    assert not vouch.vouches_for([1])


def test_show_more_listing_is_not_probed_past_a_partial_last_page(tmp_path: Path) -> None:
    """A "Show More" category has no next links: its pages are probed one by one, and a
    page with fewer cards than the first is the last one (no request for a page past it)."""
    for per_page in (3, 4, 5):
        config = ReplicaConfig(
            seed=11, n_articles=36, arabic_share=0.4, per_page=per_page, sitemap=False
        )
        with serve_replica(config) as probe:
            if probe.site.category_count("analysis") % per_page:
                break
    with serve_replica(config) as server:
        run = run_crawl(server.base_url, tmp_path / "m.db")
        assert run.returncode == 0, run.output[-2000:]
        first = urlsplit(server.site.category_url("analysis")).path
        pages = server.site.category_pages("analysis")
        targets = {entry.path for entry in server.requests}
        assert pages >= 2
        assert {f"{first}page/{page}/" for page in range(2, pages + 1)} <= targets
        assert f"{first}page/{pages + 1}/" not in targets
        _assert_every_article_stored(server, run.db_path, run.output)
