"""Archive storage: store rules, revisions, no-clobber, m2m, captures, crawls, migrations."""

from __future__ import annotations

import json
import sqlite3
import zlib
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from ecss_crawler.archive import Archive, connect, migrate
from ecss_crawler.archive.hashing import content_hash
from ecss_crawler.archive.migrations import MIGRATIONS, Migration, applied_migrations
from ecss_crawler.items import Article
from tests.test_archive_support import make_arabic, make_article, open_archive, rows


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "ecss.db"


@pytest.fixture
def archive(db_path: Path) -> Any:
    with open_archive(db_path) as opened:
        yield opened


def article_row(archive: Archive, article_id: str) -> dict[str, Any]:
    return dict(archive.db.table("articles").get(article_id))


def revision_rows(archive: Archive, article_id: str = "ecss:1") -> list[dict[str, Any]]:
    return list(
        archive.db.query(
            "SELECT * FROM revisions WHERE article_id = ? ORDER BY revision", [article_id]
        )
    )


# --------------------------------------------------------------------------- connection


def test_connection_pragmas(archive: Archive) -> None:
    conn = archive.db.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 30_000
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_schema_tables_and_columns(archive: Archive) -> None:
    db = archive.db
    for table in ("articles", "revisions", "captures", "crawls", "failures", "_migrations"):
        assert db.table(table).exists(), table
    columns = set(db.table("articles").columns_dict)
    expected = set(Article.__dataclass_fields__) | {
        "id",
        "first_seen",
        "last_seen",
        "last_changed",
        "content_hash",
        "crawl_id",
        "removed_at",
        "etag",
        "last_modified",
        "year",
    }
    assert expected <= columns
    assert db.table("articles").pks == ["id"]
    assert db.table("articles").detect_fts() == "articles_fts"
    assert "articles_flat" in db.view_names()


# --------------------------------------------------------------------------- store rules


def test_new_then_identical_restore_is_unchanged(archive: Archive) -> None:
    crawl = archive.begin_crawl("ecss", {})
    first = archive.store_article(make_article(1), crawl)
    assert (first.outcome, first.article_id) == ("new", "ecss:1")
    before = article_row(archive, "ecss:1")

    again = archive.store_article(make_article(1), crawl, etag=None)
    assert again.outcome == "unchanged"
    after = article_row(archive, "ecss:1")
    assert after["last_seen"] > before["last_seen"]
    assert {k: v for k, v in after.items() if k != "last_seen"} == {
        k: v for k, v in before.items() if k != "last_seen"
    }
    assert revision_rows(archive) == []


def test_row_contents(archive: Archive) -> None:
    crawl = archive.begin_crawl("ecss", {"since": "2024-01-01"})
    archive.store_article(make_article(1), crawl, etag='"abc"', last_modified="Tue, 05 Mar 2024")
    row = article_row(archive, "ecss:1")
    assert json.loads(row["authors"]) == ["Jane Doe", "Omar Khaled"]
    assert json.loads(row["sources"]) == {"title": "og:title"}
    assert row["year"] == 2024
    assert row["crawl_id"] == crawl
    assert (row["etag"], row["last_modified"]) == ('"abc"', "Tue, 05 Mar 2024")
    assert row["first_seen"] == row["last_seen"] == row["last_changed"]
    assert row["removed_at"] is None
    assert row["content_hash"] == content_hash(make_article(1).to_dict())


def test_change_adds_exactly_one_revision(archive: Archive) -> None:
    crawl1 = archive.begin_crawl("ecss", {})
    original = make_article(1)
    archive.store_article(original, crawl1)
    stored = article_row(archive, "ecss:1")

    crawl2 = archive.begin_crawl("ecss", {})
    edited = make_article(1, title="Water security: an update", modified="2024-04-01")
    result = archive.store_article(edited, crawl2)
    assert (result.outcome, result.revision) == ("changed", 1)

    revisions = revision_rows(archive)
    assert len(revisions) == 1
    rev = revisions[0]
    assert rev["revision"] == 1
    assert json.loads(rev["record"]) == original.to_dict()
    assert rev["content_hash"] == stored["content_hash"]
    assert rev["valid_from"] == stored["last_changed"]
    assert rev["crawl_id"] == crawl1
    row = article_row(archive, "ecss:1")
    assert row["title"] == "Water security: an update"
    assert row["last_changed"] == rev["valid_to"]
    assert row["crawl_id"] == crawl2
    assert row["first_seen"] == stored["first_seen"]

    # Re-storing the new version changes nothing more.
    assert archive.store_article(edited, crawl2).outcome == "unchanged"
    assert len(revision_rows(archive)) == 1

    third = archive.store_article(make_article(1, summary="Revised summary."), crawl2)
    assert third.revision == 2
    revisions = revision_rows(archive)
    assert [r["revision"] for r in revisions] == [1, 2]
    assert revisions[1]["valid_from"] == revisions[0]["valid_to"]
    assert json.loads(revisions[1]["record"])["title"] == "Water security: an update"


def test_non_content_fields_and_list_order_do_not_make_revisions(archive: Archive) -> None:
    crawl = archive.begin_crawl("ecss", {})
    archive.store_article(make_article(1), crawl)
    noisy = make_article(
        1,
        word_count=999,
        extractor_version="2",
        warnings=["something"],
        categories=["Africa", "Security"],  # same set, other order
        body=make_article(1).body + "  \n",  # trailing whitespace only
    )
    assert archive.store_article(noisy, crawl).outcome == "unchanged"
    assert article_row(archive, "ecss:1")["word_count"] == 20
    assert revision_rows(archive) == []


def test_author_order_is_content(archive: Archive) -> None:
    crawl = archive.begin_crawl("ecss", {})
    archive.store_article(make_article(1), crawl)
    swapped = make_article(1, authors=["Omar Khaled", "Jane Doe"])
    assert archive.store_article(swapped, crawl).outcome == "changed"


@pytest.mark.parametrize("field", ["title", "body", "published"])
def test_lost_required_field_is_rejected_and_stored_version_kept(
    archive: Archive, field: str
) -> None:
    crawl = archive.begin_crawl("ecss", {})
    archive.store_article(make_article(1), crawl)
    before = article_row(archive, "ecss:1")

    result = archive.store_article(
        make_article(1, **{field: "  " if field != "published" else None}), crawl
    )
    assert result.outcome == "rejected"
    assert field in (result.reason or "")
    after = article_row(archive, "ecss:1")
    assert after[field] == before[field]
    assert after["content_hash"] == before["content_hash"]
    assert revision_rows(archive) == []
    failures = list(archive.db.query("SELECT * FROM failures"))
    assert len(failures) == 1
    assert failures[0]["stage"] == "store"
    assert failures[0]["url"] == "https://ecss.com.eg/1/"
    assert failures[0]["crawl_id"] == crawl
    assert field in failures[0]["reason"]


def test_body_shrinking_by_more_than_half_is_rejected(archive: Archive) -> None:
    crawl = archive.begin_crawl("ecss", {})
    body = "x" * 1000
    archive.store_article(make_article(1, body=body), crawl)

    rejected = archive.store_article(make_article(1, body="y" * 499), crawl)
    assert rejected.outcome == "rejected"
    assert "shrank" in (rejected.reason or "")
    assert article_row(archive, "ecss:1")["body"] == body

    accepted = archive.store_article(make_article(1, body="y" * 500), crawl)
    assert accepted.outcome == "changed"
    assert article_row(archive, "ecss:1")["body"] == "y" * 500


def test_new_article_without_required_fields_is_rejected(archive: Archive) -> None:
    crawl = archive.begin_crawl("ecss", {})
    result = archive.store_article(make_article(7, body=None, title=""), crawl)
    assert result.outcome == "rejected"
    assert result.article_id is None
    assert "title" in (result.reason or "")
    assert "body" in (result.reason or "")
    assert archive.db.table("articles").count == 0
    assert archive.db.table("failures").count == 1


def test_dict_input_and_id_without_post_id(archive: Archive) -> None:
    crawl = archive.begin_crawl("ecss", {})
    record = make_article(3, post_id=None).to_dict() | {"unknown_key": 1}
    result = archive.store_article(record, crawl)
    assert result.article_id == "ecss:https://ecss.com.eg/3/"
    # Once the post id becomes known, the same row is used (no duplicate).
    later = archive.store_article(make_article(3, post_id=3), crawl)
    assert later.outcome == "unchanged"
    assert later.article_id == "ecss:https://ecss.com.eg/3/"
    assert archive.db.table("articles").count == 1
    with pytest.raises(ValueError, match="url"):
        archive.store_article({"site": "ecss"}, crawl)


def test_m2m_tables(archive: Archive) -> None:
    crawl = archive.begin_crawl("ecss", {})
    archive.store_article(make_article(1), crawl)
    archive.store_article(make_article(2, authors=["Jane Doe"], tags=[]), crawl)
    db = archive.db
    assert sorted(r["name"] for r in db.table("authors").rows) == ["Jane Doe", "Omar Khaled"]
    links = db.execute(
        "SELECT aa.articles_id, au.name FROM articles_authors aa"
        " JOIN authors au ON au.id = aa.authors_id ORDER BY 1, 2"
    ).fetchall()
    assert links == [
        ("ecss:1", "Jane Doe"),
        ("ecss:1", "Omar Khaled"),
        ("ecss:2", "Jane Doe"),
    ]
    # sqlite-utils' own m2m machinery recognises the tables.
    assert db.m2m_table_candidates("articles", "authors") == ["articles_authors"]
    assert db.m2m_table_candidates("articles", "categories") == ["articles_categories"]
    assert db.m2m_table_candidates("articles", "tags") == ["articles_tags"]

    archive.store_article(make_article(1, authors=["Omar Khaled"], categories=["Economy"]), crawl)
    names = db.execute(
        "SELECT c.name FROM articles_categories ac JOIN categories c ON c.id = ac.categories_id"
        " WHERE ac.articles_id = 'ecss:1'"
    ).fetchall()
    assert names == [("Economy",)]
    assert db.table("categories").count == 3  # lookup rows are never deleted


def test_names_are_cleaned(archive: Archive) -> None:
    crawl = archive.begin_crawl("ecss", {})
    archive.store_article(make_article(1, authors=[" Jane  Doe ", "Jane Doe", ""]), crawl)
    assert json.loads(article_row(archive, "ecss:1")["authors"]) == ["Jane Doe"]
    assert archive.db.table("articles_authors").count == 1


def test_revisions_are_immutable(archive: Archive) -> None:
    crawl = archive.begin_crawl("ecss", {})
    archive.store_article(make_article(1), crawl)
    archive.store_article(make_article(1, title="New title"), crawl)
    archive.flush()
    with pytest.raises(sqlite3.DatabaseError, match="immutable"):
        archive.db.execute("UPDATE revisions SET record = '{}'")
    with pytest.raises(sqlite3.DatabaseError, match="immutable"):
        archive.db.execute("DELETE FROM revisions")
    assert len(revision_rows(archive)) == 1


def test_foreign_keys_protect_revised_articles(archive: Archive) -> None:
    crawl = archive.begin_crawl("ecss", {})
    archive.store_article(make_article(1), crawl)
    archive.flush()
    with pytest.raises(sqlite3.IntegrityError):
        archive.db.execute("DELETE FROM articles WHERE id = 'ecss:1'")


# --------------------------------------------------------------------------- removal, incremental


def test_mark_removed_and_known_articles(archive: Archive) -> None:
    crawl = archive.begin_crawl("ecss", {})
    archive.store_article(make_article(1), crawl, etag="e1", last_modified="lm1")
    archive.store_article(make_article(2), crawl)
    archive.store_article(make_article(3, site="other"), crawl)

    known = archive.known_articles("ecss")
    assert set(known) == {"https://ecss.com.eg/1/", "https://ecss.com.eg/2/"}
    entry = known["https://ecss.com.eg/1/"]
    for key in ("id", "modified", "etag", "last_modified", "content_hash", "last_seen"):
        assert key in entry
    assert (entry["id"], entry["etag"], entry["last_modified"]) == ("ecss:1", "e1", "lm1")

    assert archive.mark_removed("https://ecss.com.eg/2/", crawl) is True
    assert archive.mark_removed("ecss:2", crawl) is False  # already flagged
    assert archive.mark_removed("ecss:1", crawl) is True
    assert article_row(archive, "ecss:2")["removed_at"] is not None
    assert article_row(archive, "ecss:2")["removed_crawl_id"] == crawl

    # Seen again: the flag is cleared, the new validators are kept.
    result = archive.store_article(make_article(1), crawl, etag="e2")
    assert result.outcome == "unchanged"
    row = article_row(archive, "ecss:1")
    assert row["removed_at"] is None
    assert (row["etag"], row["last_modified"]) == ("e2", "lm1")


# --------------------------------------------------------------------------- captures & failures


def test_captures_are_compressed_and_deduplicated(archive: Archive) -> None:
    crawl = archive.begin_crawl("ecss", {})
    body = ("<html><body>" + "<p>Nile water security</p>" * 200 + "</body></html>").encode()
    headers = {"Content-Type": "text/html; charset=utf-8", "ETag": '"v1"'}
    first = archive.store_capture("https://ecss.com.eg/1/", 200, headers, body, crawl)
    second = archive.store_capture("https://ecss.com.eg/1/", 200, headers, body, crawl)
    third = archive.store_capture("https://ecss.com.eg/1/", 200, headers, body + b"!", crawl)
    archive.flush()
    caps = {r["id"]: r for r in archive.db.query("SELECT * FROM captures")}
    assert len(caps) == 3
    one = caps[first]
    assert one["body"] is not None
    assert len(one["body"]) < len(body) / 5
    assert zlib.decompress(one["body"]) == body
    assert one["body_size"] == len(body)
    assert one["body_encoding"] == "zlib"
    assert len(one["body_sha256"]) == 64
    assert json.loads(one["headers"]) == headers
    assert one["fetched_at"]
    assert one["crawl_id"] == crawl
    assert caps[second]["body"] is None
    assert caps[second]["body_capture_id"] == first
    assert caps[third]["body"] is not None
    assert archive.capture_body(second) == body
    assert archive.capture_body(third) == body + b"!"
    explicit = archive.store_capture("u", 304, {}, b"", crawl, fetched_at="2024-01-01T00:00:00Z")
    assert archive.capture_body(explicit) == b""
    assert archive.db.table("captures").get(explicit)["fetched_at"] == "2024-01-01T00:00:00Z"


def test_record_failure(archive: Archive) -> None:
    crawl = archive.begin_crawl("ecss", {})
    failure_id = archive.record_failure("https://ecss.com.eg/x/", crawl, "fetch", "HTTP 503", 503)
    archive.flush()
    row = archive.db.table("failures").get(failure_id)
    assert (row["stage"], row["reason"], row["status"], row["crawl_id"]) == (
        "fetch",
        "HTTP 503",
        503,
        crawl,
    )
    assert row["at"]


def test_crawl_left_running_by_a_dead_process_becomes_interrupted(archive: Archive) -> None:
    killed = archive.begin_crawl("ecss", {})
    finished = archive.begin_crawl("ecss", {})
    archive.finish_crawl(finished, "finished", {}, {}, "finished")
    current = archive.begin_crawl("ecss", {})
    statuses = {row["id"]: row["status"] for row in archive.db.table("crawls").rows}
    assert statuses == {killed: "interrupted", finished: "finished", current: "running"}


def test_crawl_lifecycle_merges_counts(archive: Archive) -> None:
    crawl = archive.begin_crawl("ecss", {"categories": ["security"]})
    started = archive.db.table("crawls").get(crawl)
    assert started["status"] == "running"
    assert json.loads(started["args"]) == {"categories": ["security"]}
    archive.store_article(make_article(1), crawl)
    archive.store_article(make_article(1), crawl)
    archive.store_article(make_article(2, body=None), crawl)
    archive.record_failure("https://ecss.com.eg/9/", crawl, "fetch", "timeout")
    archive.finish_crawl(crawl, "finished", {"found": 10, "new": 1}, {"title": 1.0}, "finished")
    row = archive.db.table("crawls").get(crawl)
    counts = json.loads(row["counts"])
    assert counts == {"found": 10, "new": 1, "unchanged": 1, "rejected": 1, "failed": 1}
    coverage = json.loads(row["coverage"])
    assert coverage["title"] == 1.0
    assert coverage["body"] == pytest.approx(2 / 3, abs=1e-3)
    assert (row["status"], row["finish_reason"]) == ("finished", "finished")
    assert row["finished"] >= row["started"]


# --------------------------------------------------------------------------- batching & atomicity


def test_commits_are_batched(db_path: Path) -> None:
    with open_archive(db_path, batch_size=3, max_batch_seconds=3600) as archive:
        crawl = archive.begin_crawl("ecss", {})
        archive.store_article(make_article(1), crawl)
        archive.store_article(make_article(2), crawl)
        assert rows(db_path, "SELECT count(*) FROM articles") == [(0,)]
        archive.store_article(make_article(3), crawl)
        assert rows(db_path, "SELECT count(*) FROM articles") == [(3,)]
        archive.store_article(make_article(4), crawl)
        archive.flush()
        assert rows(db_path, "SELECT count(*) FROM articles") == [(4,)]
        archive.store_article(make_article(5), crawl)
    assert rows(db_path, "SELECT count(*) FROM articles") == [(5,)]  # close() commits


def test_old_batches_are_committed(db_path: Path) -> None:
    with open_archive(db_path, batch_size=1000, max_batch_seconds=0.0) as archive:
        crawl = archive.begin_crawl("ecss", {})
        archive.store_article(make_article(1), crawl)
        assert rows(db_path, "SELECT count(*) FROM articles") == [(1,)]


def test_one_connection_for_the_archive_life(archive: Archive) -> None:
    conn = archive.db.conn
    crawl = archive.begin_crawl("ecss", {})
    for n in range(5):
        archive.store_article(make_article(n), crawl)
    assert archive.db.conn is conn


def test_failed_article_is_rolled_back_alone(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = open_archive(db_path, batch_size=100)
    crawl = archive.begin_crawl("ecss", {})
    archive.store_article(make_article(1), crawl)

    def broken_link(self: Archive, stored_id: str, record: Any) -> None:
        raise RuntimeError("disk on fire")

    with monkeypatch.context() as patch:
        patch.setattr(Archive, "_link", broken_link)
        with pytest.raises(RuntimeError, match="disk on fire"):
            archive.store_article(make_article(2), crawl)
        with pytest.raises(RuntimeError):
            archive.store_article(make_article(1, title="Changed"), crawl)
    archive.store_article(make_article(3), crawl)
    archive.close()
    assert rows(db_path, "SELECT id, title FROM articles ORDER BY id") == [
        ("ecss:1", "Water security and the Nile, part 1"),
        ("ecss:3", "Water security and the Nile, part 3"),
    ]
    assert rows(db_path, "SELECT count(*) FROM revisions") == [(0,)]
    assert rows(db_path, "SELECT DISTINCT articles_id FROM articles_authors ORDER BY 1") == [
        ("ecss:1",),
        ("ecss:3",),
    ]


def test_close_is_idempotent_and_commits(db_path: Path) -> None:
    archive = open_archive(db_path)
    crawl = archive.begin_crawl("ecss", {})
    archive.store_article(make_article(1), crawl)
    archive.close()
    archive.close()
    assert rows(db_path, "SELECT count(*) FROM articles") == [(1,)]


# --------------------------------------------------------------------------- migrations


def test_migrations_recorded_and_rerunnable(db_path: Path) -> None:
    with open_archive(db_path):
        pass
    db = connect(db_path)
    names = [m.name for m in MIGRATIONS]
    assert applied_migrations(db) == names
    assert migrate(db) == []
    schema = db.schema
    with open_archive(db_path):
        pass
    assert db.schema == schema
    assert [r[0] for r in db.execute("SELECT name FROM _migrations ORDER BY rowid")] == names
    db.close()


def test_upgrade_from_older_schema(db_path: Path) -> None:
    db = connect(db_path)
    assert migrate(db, MIGRATIONS[:1]) == [MIGRATIONS[0].name]
    db.execute(
        "INSERT INTO articles (id, site, url, title, content_hash, first_seen, last_seen,"
        " last_changed, search_title, search_body) VALUES"
        " ('ecss:9', 'ecss', 'u9', 'Old dam title', 'h', 't', 't', 't', 'old dam title', 'body')"
    )
    assert "articles_fts" not in db.table_names()
    applied = migrate(db)
    assert applied == [m.name for m in MIGRATIONS[1:]]
    hits = db.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'dam'").fetchall()
    assert len(hits) == 1  # existing rows were indexed by the FTS migration
    db.close()


def test_failed_migration_changes_nothing(db_path: Path) -> None:
    db = connect(db_path)

    def create_then_fail(database: sqlite_utils.Database) -> None:
        database.table("half_done").create({"id": int}, pk="id")
        raise RuntimeError("boom")

    steps = [*MIGRATIONS, Migration("9999_broken", create_then_fail)]
    with pytest.raises(RuntimeError, match="boom"):
        migrate(db, steps)
    assert "half_done" not in db.table_names()
    assert applied_migrations(db) == []  # all-or-nothing, including the earlier ones
    assert migrate(db) == [m.name for m in MIGRATIONS]
    db.close()


# --------------------------------------------------------------------------- reparse


def test_reparse_adds_revisions_only_where_output_changed(archive: Archive) -> None:
    crawl = archive.begin_crawl("ecss", {})
    pages = {n: f"<html><p>page {n}</p></html>".encode() for n in (1, 2, 3, 4)}
    for n in (1, 2, 3, 4):
        cap = archive.store_capture(f"https://ecss.com.eg/{n}/", 200, {}, pages[n], crawl)
        archive.store_article(make_article(n), crawl, capture_id=cap)
    archive.store_article(make_arabic(5), crawl)  # no capture at all
    archive.mark_removed("ecss:4", crawl)
    archive.finish_crawl(crawl, "finished", {}, {}, "finished")
    seen_before = {r["id"]: r["last_seen"] for r in archive.db.table("articles").rows}

    def extract(html: bytes, url: str) -> Article | dict[str, Any]:
        n = int(html.decode().split("page ")[1].split("<")[0])
        if n == 1:
            return make_article(1, title="Better title from the new extractor")
        if n == 2:
            return make_article(2).to_dict()
        if n == 3:
            raise ValueError("NotAnArticle")
        return make_article(4, body="tiny")  # worse extraction: must not clobber

    counts = archive.reparse(extract)
    assert counts == {"changed": 1, "unchanged": 1, "failed": 1, "rejected": 1, "no_capture": 1}
    assert len(revision_rows(archive, "ecss:1")) == 1
    assert revision_rows(archive, "ecss:2") == []
    assert article_row(archive, "ecss:1")["title"] == "Better title from the new extractor"
    assert article_row(archive, "ecss:4")["body"] == make_article(4).body
    assert article_row(archive, "ecss:4")["removed_at"] is not None  # reparse is not a sighting
    seen_after = {r["id"]: r["last_seen"] for r in archive.db.table("articles").rows}
    assert seen_after == seen_before
    stages = [r["stage"] for r in archive.db.query("SELECT stage FROM failures ORDER BY id")]
    assert stages == ["extract", "store"]
    reparse_crawl = archive.db.execute(
        "SELECT args, status FROM crawls ORDER BY id DESC"
    ).fetchone()
    assert (json.loads(reparse_crawl[0]), reparse_crawl[1]) == ({"mode": "reparse"}, "finished")


def test_an_unchanged_capture_is_not_compressed(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page byte-identical to its last capture points at it; its body is not compressed."""
    from ecss_crawler.archive import store

    crawl = archive.begin_crawl("ecss", {})
    body = b"<html><body><p>same</p></body></html>"
    calls: list[int] = []
    real = store.zlib.compress

    def counting(data: bytes, level: int = -1) -> bytes:
        calls.append(len(data))
        return real(data, level)

    monkeypatch.setattr(store.zlib, "compress", counting)
    archive.store_capture("https://ecss.com.eg/2/", 200, {}, body, crawl)
    archive.store_capture("https://ecss.com.eg/2/", 200, {}, body, crawl)
    assert calls == [len(body)]


def test_reparse_finds_captures_by_url_spelling(archive: Archive) -> None:
    crawl = archive.begin_crawl("ecss", {})
    url = "https://ecss.com.eg/ar/مقال/"
    fetched = "https://ecss.com.eg/ar/%D9%85%D9%82%D8%A7%D9%84"  # encoded, no trailing slash
    archive.store_capture(fetched, 200, {}, b"<html>x</html>", crawl)
    archive.store_article(make_arabic(5, url=url), crawl)
    calls: list[str] = []

    def extract(html: bytes, got_url: str) -> Article:
        calls.append(got_url)
        return make_arabic(5, url=url)

    assert archive.reparse(extract) == {"unchanged": 1}
    assert calls == [fetched]


@pytest.mark.parametrize("lost", ["authors", "modified", "categories", "tags"])
def test_a_version_that_loses_a_field_never_replaces_the_stored_one(tmp_path, lost) -> None:
    with Archive(tmp_path / "a.db") as archive:
        crawl = archive.begin_crawl("ecss", {})
        assert archive.store_article(make_article(1), crawl).outcome == "new"
        empty = None if lost == "modified" else []
        result = archive.store_article(
            make_article(1, body="Changed body. " * 40, **{lost: empty}), crawl
        )
        assert result.outcome == "rejected"
        assert lost in (result.reason or "")
        archive.flush()
        row = archive.db["articles"].get("ecss:1")
        assert row[lost] not in (None, "[]")
        assert archive.db["revisions"].count == 0
