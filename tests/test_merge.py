"""``ecss-crawler merge``: per-worker archives folded into one (``archive/merge.py``)."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ecss_crawler.archive import Archive, ArchiveError
from ecss_crawler.archive.merge import merge_archives
from ecss_crawler.archive.queries import search
from ecss_crawler.cli import main
from tests.test_archive_support import make_arabic, make_article, rows

TABLES = ("articles", "revisions", "captures", "crawls", "failures", "authors", "tags")


def clock(day: int) -> Callable[[], str]:
    """A clock that starts on ``2024-01-DAY`` and moves one second per call."""
    ticks = itertools.count()
    return lambda: f"2024-01-{day:02d}T00:00:{next(ticks):02d}.000000Z"


def build(path: Path, day: int, articles: list[Any], *, site: str = "ecss") -> Path:
    """An archive with one crawl storing ``articles`` (each with a capture) and one failure."""
    with Archive(path, clock=clock(day)) as archive:
        crawl = archive.begin_crawl(site, {"worker": path.stem})
        for article in articles:
            body = f"<html>{article.url}</html>".encode()
            capture = archive.store_capture(article.url, 200, {"etag": "x"}, body, crawl)
            archive.store_article(article, crawl, capture_id=capture)
        archive.record_failure(f"https://ecss.com.eg/broken-{path.stem}/", crawl, "fetch", "503")
        archive.finish_crawl(crawl, "finished", {}, {}, "finished")
    return path


def counts(path: Path) -> dict[str, int]:
    return {table: rows(path, f"SELECT count(*) FROM {table}")[0][0] for table in TABLES}


def dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows (FTS excluded), to compare two states of a database."""
    return {table: rows(path, f"SELECT * FROM {table} ORDER BY 1") for table in TABLES}


def test_disjoint_archives_are_unioned(tmp_path: Path) -> None:
    one = build(tmp_path / "w1.db", 1, [make_article(1), make_article(2)])
    two = build(tmp_path / "w2.db", 2, [make_article(3), make_arabic(4)])
    out = tmp_path / "out.db"

    stats = merge_archives(out, [one, two])

    assert stats.articles == 4
    assert stats.crawls == 2
    assert stats.captures == 4
    assert stats.failures == 2
    assert [i.articles_new for i in stats.inputs] == [2, 2]
    # crawl ids were renumbered and every reference follows them
    crawl_ids = {row[0] for row in rows(out, "SELECT id FROM crawls")}
    assert crawl_ids == {1, 2}
    assert rows(out, "SELECT crawl_id FROM articles WHERE id = 'ecss:4'") == [(2,)]
    assert rows(out, "SELECT count(*) FROM captures WHERE crawl_id = 2") == [(2,)]
    assert rows(out, "SELECT count(*) FROM captures WHERE article_id IS NULL") == [(0,)]
    assert rows(out, "PRAGMA foreign_key_check") == []
    # m2m links and full-text search work on the merged file
    assert rows(
        out,
        "SELECT count(*) FROM articles_authors l JOIN authors a ON a.id = l.authors_id"
        " WHERE a.name = 'Jane Doe'",
    ) == [(3,)]
    with Archive(out) as archive:
        assert len(search(archive.db, "elections")) == 3
        assert len(search(archive.db, "مكافحة")) == 1


def test_newest_sighting_wins_and_the_other_version_becomes_a_revision(tmp_path: Path) -> None:
    old = make_article(1)
    new = make_article(1, title="Water security and the Nile, revised", tags=["Sudan"])
    one = build(tmp_path / "w1.db", 1, [old])
    two = build(tmp_path / "w2.db", 5, [new])
    out = tmp_path / "out.db"

    merge_archives(out, [two, one])  # the older sighting arrives second: must not win

    assert rows(out, "SELECT title, first_seen, last_seen FROM articles") == [
        (new.title, "2024-01-01T00:00:02.000000Z", "2024-01-05T00:00:02.000000Z")
    ]
    revisions = rows(out, "SELECT revision, valid_from, valid_to, record FROM revisions")
    assert len(revisions) == 1
    assert revisions[0][:3] == (1, "2024-01-01T00:00:02.000000Z", "2024-01-05T00:00:02.000000Z")
    assert old.title in revisions[0][3]
    tags = rows(
        out,
        "SELECT t.name FROM articles_tags l JOIN tags t ON t.id = l.tags_id"
        " WHERE l.articles_id = 'ecss:1'",
    )
    assert tags == [("Sudan",)]
    with Archive(out) as archive:
        assert [hit["title"] for hit in search(archive.db, "revised")] == [new.title]


def test_input_revisions_are_kept_and_numbered_after_the_outputs(tmp_path: Path) -> None:
    one = tmp_path / "w1.db"
    with Archive(one, clock=clock(1)) as archive:
        crawl = archive.begin_crawl("ecss", {})
        archive.store_article(make_article(1), crawl)
        archive.store_article(make_article(1, title="Second title"), crawl)
        archive.store_article(make_article(1, title="Third title"), crawl)
    out = tmp_path / "out.db"

    merge_archives(out, [one])

    assert rows(out, "SELECT revision, content_hash IS NOT NULL FROM revisions") == [
        (1, 1),
        (2, 1),
    ]
    assert rows(out, "SELECT title FROM articles") == [("Third title",)]
    assert rows(out, "SELECT revision, crawl_id FROM revisions ORDER BY revision") == rows(
        one, "SELECT revision, crawl_id FROM revisions ORDER BY revision"
    )


def test_merge_is_idempotent(tmp_path: Path) -> None:
    one = build(tmp_path / "w1.db", 1, [make_article(1), make_article(2)])
    two = build(tmp_path / "w2.db", 2, [make_article(2, title="Changed"), make_arabic(4)])
    out = tmp_path / "out.db"

    merge_archives(out, [one, two])
    first = dump(out)
    again = merge_archives(out, [one, two, two])

    assert dump(out) == first
    assert all(
        (i.articles_new, i.articles_updated, i.revisions, i.captures, i.crawls, i.failures)
        == (0, 0, 0, 0, 0, 0)
        for i in again.inputs
    )
    assert counts(out)["revisions"] == 1


def test_deduplicated_capture_blobs_are_remapped(tmp_path: Path) -> None:
    one = tmp_path / "w1.db"
    with Archive(one, clock=clock(1)) as archive:
        crawl = archive.begin_crawl("ecss", {})
        first = archive.store_capture("https://ecss.com.eg/1/", 200, {}, b"same body", crawl)
        second = archive.store_capture("https://ecss.com.eg/1/", 200, {}, b"same body", crawl)
    other = build(tmp_path / "w0.db", 3, [make_article(7)])  # shifts capture ids in the output
    out = tmp_path / "out.db"

    merge_archives(out, [other, one])

    assert (first, second) == (1, 2)
    with Archive(out) as archive:
        ids = [r[0] for r in rows(out, "SELECT id FROM captures WHERE url LIKE '%/1/'")]
        assert [archive.capture_body(i) for i in ids] == [b"same body", b"same body"]
    assert rows(out, "SELECT body_capture_id FROM captures WHERE body IS NULL") == [(2,)]


def test_inputs_are_never_written(tmp_path: Path) -> None:
    one = build(tmp_path / "w1.db", 1, [make_article(1)])
    before = dump(one)
    merge_archives(tmp_path / "out.db", [one])
    assert dump(one) == before


def test_bad_inputs_are_refused(tmp_path: Path) -> None:
    one = build(tmp_path / "w1.db", 1, [make_article(1)])
    with pytest.raises(ArchiveError, match="no archive"):
        merge_archives(tmp_path / "out.db", [tmp_path / "missing.db"])
    with pytest.raises(ArchiveError, match="is the output"):
        merge_archives(one, [one])
    plain = tmp_path / "plain.db"
    sqlite3.connect(plain).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(ArchiveError, match="not an ecss-crawler archive"):
        merge_archives(tmp_path / "out.db", [plain])


def test_merge_command(tmp_path: Path) -> None:
    one = build(tmp_path / "w1.db", 1, [make_article(1)])
    two = build(tmp_path / "w2.db", 2, [make_article(2)])
    out = tmp_path / "out.db"
    runner = CliRunner()

    result = runner.invoke(main, ["merge", str(out), str(one), str(two)])

    assert result.exit_code == 0, result.output
    assert "out.db: 2 articles" in result.output
    missing = runner.invoke(main, ["merge", str(out), str(tmp_path / "nope.db")])
    assert missing.exit_code == 1
    assert "no archive database" in missing.output


def test_a_crawl_merged_while_running_is_finished_by_a_later_merge(tmp_path: Path) -> None:
    """A worker's crawl merged mid-run, then marked interrupted by a crawl of the merged
    archive, takes the worker's final state at the next merge."""
    worker = tmp_path / "w1.db"
    with Archive(worker, clock=clock(1)) as archive:
        crawl = archive.begin_crawl("ecss", {"worker": "w1"})
    out = tmp_path / "out.db"
    merge_archives(out, [worker])
    with Archive(out, clock=clock(3)) as merged:
        merged.finish_crawl(merged.begin_crawl("ecss", {"local": True}), "finished", {}, {}, "ok")
    assert rows(out, "SELECT status FROM crawls ORDER BY id") == [("interrupted",), ("ok",)]
    with Archive(worker, clock=clock(2)) as archive:
        archive.finish_crawl(crawl, "finished", {}, {}, "finished")
    merge_archives(out, [worker])
    assert rows(out, "SELECT status FROM crawls ORDER BY id") == [("finished",), ("ok",)]
