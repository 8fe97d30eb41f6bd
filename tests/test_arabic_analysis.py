"""Arabic light stemming: the published Lucene cases, the query/form tables through every
client (ecss-crawler search, Datasette, sqlite-utils, plain SQL), ranking, English stemming
and the 0004 migration."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import sqlite_utils
from click.testing import CliRunner
from sqlite_utils.cli import cli as sqlite_utils_cli

from ecss_crawler.archive import Archive, arabic, connect
from ecss_crawler.archive.merge import merge_archives
from ecss_crawler.archive.migrations import (
    ANALYSIS_MIGRATION,
    FTS_COLUMNS,
    MIGRATIONS,
    applied_migrations,
    migrate,
)
from ecss_crawler.archive.queries import fts_query, match_expression, search
from ecss_crawler.archive.records import record_to_columns, search_columns
from ecss_crawler.cli import main
from ecss_crawler.datasette import metadata_for
from tests.arabic_cases import LUCENE_CASES, MUST_MATCH, MUST_NOT_MATCH
from tests.test_archive_support import make_arabic, make_article, open_archive

# --------------------------------------------------------------------------- Lucene cases


def lucene_agrees(function: str, text: str, expected: str) -> bool:
    if function == "stem":
        return arabic.light_stem(arabic.fold(text)) == arabic.fold(expected)
    if function == "normalise":
        return arabic.fold(text) == expected
    return arabic.normalise(text) == expected


@pytest.mark.parametrize(("source", "function", "text", "expected"), LUCENE_CASES)
def test_lucene_published_case(source: str, function: str, text: str, expected: str) -> None:
    assert lucene_agrees(function, text, expected), source


def test_lucene_agreement_is_at_least_95_percent() -> None:
    agreed = sum(lucene_agrees(f, t, e) for _, f, t, e in LUCENE_CASES)
    assert len(LUCENE_CASES) >= 45
    assert agreed / len(LUCENE_CASES) >= 0.95


def test_final_alef_rule_is_our_only_addition() -> None:
    # Lucene keeps ملموسا / ولدا (its stemmer knows no alef suffix); we drop a final alef
    # after three letters so the accusative ملموسًا meets ملموس.
    assert arabic.light_stem("ملموسا") == "ملموس"
    assert arabic.light_stem("روسيا") == "روس"  # then suffixes again: روسي -> روس
    assert arabic.light_stem("جدا") == "جدا"  # two letters would remain
    assert arabic.normalise("كتاباً") == "كتاب"
    assert arabic.fold("كتاباً") == "كتابا"  # the normaliser itself agrees with Lucene


def test_table_sizes() -> None:
    assert len(MUST_MATCH) >= 60
    assert len(MUST_NOT_MATCH) >= 20
    assert len({q for q, _, _ in MUST_MATCH}) > 40


# --------------------------------------------------------------------------- the archive


def stored_forms() -> list[str]:
    forms = [d for _, d, _ in MUST_MATCH]
    for a, b in MUST_NOT_MATCH:
        forms += [a, b]
    return list(dict.fromkeys(forms))


FORMS = stored_forms()


def form_id(form: str) -> str:
    return f"ecss:{1000 + FORMS.index(form)}"


@pytest.fixture(scope="module")
def table_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One article per stored form: English title, the form alone in an Arabic body."""
    path = tmp_path_factory.mktemp("arabic") / "ecss.db"
    with open_archive(path) as archive:
        crawl = archive.begin_crawl("ecss", {})
        for n, form in enumerate(FORMS):
            archive.store_article(
                make_arabic(1000 + n, title=f"Item {n}", summary="", body=f"نص {form} نص"), crawl
            )
    return path


def ecss_ids(path: Path, query: str) -> set[str]:
    with Archive(path) as archive:
        return {hit["id"] for hit in search(archive.db, query, limit=1000)}


def raw_sql_ids(path: Path, query: str) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT a.id FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid"
            " WHERE articles_fts MATCH ?",
            [query],
        ).fetchall()
    finally:
        conn.close()
    return {row[0] for row in rows}


def ecss_match_sql_ids(path: Path, query: str) -> set[str]:
    conn = sqlite3.connect(path)
    conn.create_function("ecss_match", 1, match_expression)
    try:
        rows = conn.execute(
            "SELECT a.id FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid"
            " WHERE articles_fts MATCH ecss_match(?)",
            [query],
        ).fetchall()
    finally:
        conn.close()
    return {row[0] for row in rows}


def sqlite_utils_ids(path: Path, query: str) -> set[str]:
    db = sqlite_utils.Database(path)
    try:
        return {row["id"] for row in db["articles"].search(query, columns=["id"], limit=1000)}
    finally:
        db.close()


@pytest.fixture(scope="module")
def datasette_ids(table_db: Path) -> Iterator[Callable[[str], set[str]]]:
    """Datasette's search box (``?_search=``) with the package's plugin registered."""
    datasette_app = pytest.importorskip("datasette.app")
    from datasette.plugins import pm

    from ecss_crawler.datasette import plugin

    if not pm.is_registered(plugin):
        pm.register(plugin, "ecss_crawler")
    ds = datasette_app.Datasette([str(table_db)], metadata=metadata_for("ecss"))
    loop = asyncio.new_event_loop()

    def ids(query: str) -> set[str]:
        url = f"/ecss/articles.json?_search={quote(query)}&_shape=objects&_size=max&_col=id"
        response = loop.run_until_complete(ds.client.get(url))
        assert response.status_code == 200, response.text
        return {row["id"] for row in response.json()["rows"]}

    yield ids
    loop.close()


ANALYSED_CLIENTS = ("ecss", "ecss_match", "datasette")
RAW_CLIENTS = ("sqlite_utils", "sql")


def client_ids(
    client: str, path: Path, datasette: Callable[[str], set[str]], query: str
) -> set[str]:
    functions: dict[str, Callable[[Path, str], set[str]]] = {
        "ecss": ecss_ids,
        "ecss_match": ecss_match_sql_ids,
        "sqlite_utils": sqlite_utils_ids,
        "sql": raw_sql_ids,
    }
    if client == "datasette":
        return datasette(query)
    return functions[client](path, query)


@pytest.mark.parametrize("client", ANALYSED_CLIENTS + RAW_CLIENTS)
def test_must_match_table(
    client: str, table_db: Path, datasette_ids: Callable[[str], set[str]]
) -> None:
    wrong = []
    for query, form, raw in MUST_MATCH:
        expected = client in ANALYSED_CLIENTS or raw
        found = form_id(form) in client_ids(client, table_db, datasette_ids, query)
        if found != expected:
            wrong.append((query, form, found))
    assert wrong == []


@pytest.mark.parametrize("client", ANALYSED_CLIENTS + RAW_CLIENTS)
def test_must_not_match_table(
    client: str, table_db: Path, datasette_ids: Callable[[str], set[str]]
) -> None:
    wrong = []
    for a, b in MUST_NOT_MATCH:
        for query, form in ((a, b), (b, a)):
            if form_id(form) in client_ids(client, table_db, datasette_ids, query):
                wrong.append((query, form))
    assert wrong == []


def test_analysed_clients_agree_exactly(
    table_db: Path, datasette_ids: Callable[[str], set[str]]
) -> None:
    """Same typed query, same hits, whatever the client (also for prefixes and phrases)."""
    queries = [q for q, _, _ in MUST_MATCH] + ["السيا*", '"نص سياسة"', "سياسة OR حسن"]
    for query in queries:
        expected = ecss_ids(table_db, query)
        assert ecss_match_sql_ids(table_db, query) == expected, query
        assert datasette_ids(query) == expected, query


def test_cli_search_and_show_match(table_db: Path) -> None:
    result = CliRunner().invoke(
        main, ["search", "سياسة", "--db", str(table_db), "--json", "--limit", "100"]
    )
    assert result.exit_code == 0, result.output
    found = {hit["id"] for hit in json.loads(result.output)}
    assert {form_id(f) for f in ("والسياسات", "بالسياسة", "للسياسة")} <= found
    shown = CliRunner().invoke(main, ["search", "--show-match", "والسياسات"])
    assert shown.exit_code == 0
    assert shown.output.strip() == '"سياس"'
    # the printed expression gives sqlite-utils search the analysed hits
    expression = shown.output.strip()
    cli = CliRunner().invoke(
        sqlite_utils_cli, ["search", str(table_db), "articles", expression, "-c", "id"]
    )
    assert cli.exit_code == 0, cli.output
    assert {row["id"] for row in json.loads(cli.output)} == ecss_ids(table_db, "والسياسات")
    empty = CliRunner().invoke(main, ["search", "--show-match", "..."])
    assert empty.exit_code == 1
    assert "nothing to search for" in empty.output


def test_sqlite_utils_cli_raw_query(table_db: Path) -> None:
    result = CliRunner().invoke(
        sqlite_utils_cli, ["search", str(table_db), "articles", "سياسة", "-c", "id"]
    )
    assert result.exit_code == 0, result.output
    found = {row["id"] for row in json.loads(result.output)}
    assert form_id("بالسياسة") in found  # a form the article writes, clitic dropped
    assert form_id("والسياسات") in found  # the stem + ta marbuta


def test_sqlite_utils_plugin_registers_ecss_match(table_db: Path) -> None:
    from ecss_crawler.archive import sqlite_utils_plugin

    conn = sqlite3.connect(table_db)
    sqlite_utils_plugin.prepare_connection(conn)
    assert conn.execute("SELECT ecss_match('والسياسات')").fetchone() == ('"سياس"',)
    assert conn.execute("SELECT ecss_match('...')").fetchone() == ('""',)
    conn.close()


def test_datasette_plugin_leaves_other_databases_alone(tmp_path: Path) -> None:
    from ecss_crawler.datasette import plugin

    conn = sqlite3.connect(tmp_path / "other.db")
    conn.create_function("escape_fts", 1, lambda q: "untouched")
    plugin.prepare_connection(conn)
    assert conn.execute("SELECT escape_fts('x')").fetchone() == ("untouched",)
    assert conn.execute("SELECT ecss_match('x')").fetchone() == ('"x"',)
    conn.close()


# --------------------------------------------------------------------------- query syntax


def test_prefix_and_phrase_queries(table_db: Path) -> None:
    assert fts_query("السيا*") == '("السيا"* OR "سيا"*)'
    assert fts_query("مكافح*") == '"مكافح"*'
    assert fts_query("النف*") == '"النف"*'  # not "نف"*: too many terms
    assert fts_query('"السياسة الخارجية"') == '"سياس خارج"'
    assert fts_query("السيا* حسن") == '("السيا"* OR "سيا"*) AND "حسن"'
    assert fts_query("حسن السيا* NOT dam") == '"حسن" AND ("السيا"* OR "سيا"*) NOT "dam"'
    assert ecss_ids(table_db, "السيا* نص") == ecss_ids(table_db, "السيا*")
    sia = ecss_ids(table_db, "السيا*")
    assert {form_id("والسياسات"), form_id("بالسياسة"), form_id("سياسة")} <= sia
    siyasa = ("سياسة", "وسياسة", "بالسياسة", "كالسياسة", "فالسياسة", "للسياسة")
    siyasat = ("والسياسات", "وَالسِّيَاسَاتُ", "السياسات")
    assert ecss_ids(table_db, '"نص سياسة"') == {form_id(f) for f in siyasa + siyasat}
    assert ecss_ids(table_db, '"سياسة نص نص"') == set()


@pytest.fixture
def ranking(tmp_path: Path) -> Path:
    path = tmp_path / "ecss.db"
    filler = " ".join(["تحليل"] * 40)
    with open_archive(path) as archive:
        crawl = archive.begin_crawl("ecss", {})
        archive.store_article(  # once, in a long body
            make_arabic(1, title="تقرير", summary="", body=f"{filler} والسياسات {filler}"), crawl
        )
        archive.store_article(  # in the title only
            make_arabic(2, title="السياسة الخارجية", summary="", body=filler), crawl
        )
        archive.store_article(make_article(3, title="Elections", body="Nothing else."), crawl)
        archive.store_article(make_article(4, title="Report", body="A word on an election."), crawl)
    return path


@pytest.mark.parametrize("query", ["سياسة", "السياسة", "سياسات", "بالسياسة"])
def test_title_hit_ranks_first(ranking: Path, query: str) -> None:
    with Archive(ranking) as archive:
        assert [hit["id"] for hit in search(archive.db, query)] == ["ecss:2", "ecss:1"]


@pytest.mark.parametrize("query", ["سياسة", "السياسة"])
def test_title_hit_ranks_first_in_sqlite_utils_search(ranking: Path, query: str) -> None:
    db = sqlite_utils.Database(ranking)
    ids = [row["id"] for row in db["articles"].search(query, columns=["id"])]
    db.close()
    assert ids == ["ecss:2", "ecss:1"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("election", ["ecss:3", "ecss:4"]),
        ("elections", ["ecss:3", "ecss:4"]),
        ("ELECTED", ["ecss:3", "ecss:4"]),  # porter: all three are "elect"
        ("elector", []),
        ("elect*", ["ecss:3", "ecss:4"]),
        ('"an election"', ["ecss:4"]),
    ],
)
def test_english_keeps_porter_stemming(ranking: Path, query: str, expected: list[str]) -> None:
    with Archive(ranking) as archive:
        assert [hit["id"] for hit in search(archive.db, query)] == expected
    db = sqlite_utils.Database(ranking)
    if "*" not in query and '"' not in query:  # raw clients stem English too (inside FTS5)
        assert [row["id"] for row in db["articles"].search(query, columns=["id"])] == expected
    db.close()


@pytest.mark.parametrize(
    ("query", "stored"),
    [("policy", "policies"), ("negotiating", "negotiations"), ("security", "securities")],
)
def test_english_stemming_pairs(tmp_path: Path, query: str, stored: str) -> None:
    with open_archive(tmp_path / "ecss.db") as archive:
        crawl = archive.begin_crawl("ecss", {})
        archive.store_article(make_article(1, title="T", summary="", body=f"On {stored}."), crawl)
        assert [hit["id"] for hit in search(archive.db, query)] == ["ecss:1"]
        assert [hit["id"] for hit in search(archive.db, stored)] == ["ecss:1"]


# --------------------------------------------------------------------------- migration


def old_search_columns(record: dict[str, Any]) -> dict[str, Any]:
    """What the archive held before 0004: folded text and the old variant list."""
    texts = (record["title"], record["summary"], record["body"])
    variants: dict[str, None] = {}
    for text in texts:
        for word in arabic.words(arabic.strip_marks(text or "")):
            if arabic.fold(word) != word:
                variants[word] = None
    return {
        "search_title": arabic.fold(texts[0]),
        "search_summary": arabic.fold(texts[1]),
        "search_body": arabic.fold(texts[2]),
        "search_variants": " ".join(variants),
    }


def build_old_archive(path: Path) -> None:
    """An archive as the previous version left it: migrations 0001-0003, stored rows."""
    db = connect(path)
    migrate(db, MIGRATIONS[:3])
    db.execute("BEGIN")
    db.execute(
        "INSERT INTO crawls (id, site, started, status) VALUES (1, 'ecss', 't0', 'finished')"
    )
    for article in (make_arabic(100, body="نقاش حول والسياسات المصرية"), make_article(1)):
        columns = record_to_columns(article.to_dict())
        columns.pop("search_title_variants")
        columns.update(old_search_columns(article.to_dict()))
        columns |= {
            "id": f"ecss:{article.post_id}",
            "content_hash": "h",
            "first_seen": "t1",
            "last_seen": "t2",
            "last_changed": "t1",
            "crawl_id": 1,
        }
        db["articles"].insert(columns)
    db.execute(
        "INSERT INTO revisions (article_id, revision, record, content_hash, valid_to)"
        " VALUES ('ecss:100', 1, '{}', 'h0', 't1')"
    )
    db.execute(
        "INSERT INTO captures (url, fetched_at, body_sha256, body_size, body, article_id)"
        " VALUES ('https://ecss.com.eg/ar/100/', 't1', 'x', 3, x'00', 'ecss:100')"
    )
    db.execute("COMMIT")
    db.close()


def snapshot(path: Path, like: dict | None = None) -> dict[str, tuple[list[str], list]]:
    """Every table's columns and rows, without the search columns and the FTS indexes
    (``like``: only the tables and columns of an earlier snapshot, so tables and columns
    that later migrations add do not count as changes)."""
    conn = sqlite3.connect(path)
    try:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE"
                " '%_fts%' AND name != '_migrations' ORDER BY name"
            )
        ]
        result = {}
        for table in tables if like is None else list(like):
            columns = [
                row[1]
                for row in conn.execute(f"PRAGMA table_info({table})")
                if not row[1].startswith("search_")
            ]
            if like is not None:
                columns = like[table][0]
            rows = conn.execute(
                f"SELECT {', '.join(columns)} FROM {table} ORDER BY rowid"
            ).fetchall()
            result[table] = (columns, rows)
        return result
    finally:
        conn.close()


def test_migration_reindexes_an_existing_archive_once(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    build_old_archive(path)
    before = snapshot(path)
    assert raw_sql_ids(path, "المصرية") == {"ecss:100"}
    assert raw_sql_ids(path, "مصري") == set()  # the old index: no stemming

    db = connect(path)
    later = [m.name for m in MIGRATIONS[MIGRATIONS.index(_analysis()) + 1 :]]
    assert migrate(db) == [ANALYSIS_MIGRATION, *later]  # later ones add tables of their own
    assert applied_migrations(db) == [m.name for m in MIGRATIONS]
    for row in db["articles"].rows:
        expected = search_columns(row["title"], row["summary"], row["body"])
        assert {c: row[c] for c in FTS_COLUMNS} == expected
    db.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)")
    assert migrate(db) == []  # once: nothing pending the next time
    db.close()

    assert snapshot(path, like=before) == before  # articles, revisions, captures, crawls …
    assert ecss_ids(path, "مصري") == {"ecss:100"}
    assert ecss_ids(path, "سياسة") == {"ecss:100"}
    assert ecss_ids(path, "dam") == {"ecss:1"}
    with Archive(path) as archive:  # new stores go through the same analysis
        crawl = archive.begin_crawl("ecss", {})
        archive.store_article(make_arabic(101, body="السياسة النقدية"), crawl)
    assert ecss_ids(path, "سياسات") == {"ecss:100", "ecss:101"}


def test_merge_reanalyses_an_input_from_before_the_migration(tmp_path: Path) -> None:
    source = tmp_path / "old.db"
    build_old_archive(source)
    output = tmp_path / "merged.db"
    merge_archives(output, [source])
    assert ecss_ids(output, "مصري") == {"ecss:100"}
    db = connect(output, create=False)
    row = db["articles"].get("ecss:100")
    assert row["search_body"] == arabic.normalise(row["body"])
    db.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)")
    db.close()


def test_migration_reanalyses_documents_indexed_the_old_way(tmp_path: Path) -> None:
    """Documents (title + text) share the analysis; an archive that indexed them before
    0004 (their migration may come first) is re-analysed too."""
    path = tmp_path / "old.db"
    build_old_archive(path)
    db = connect(path)
    db["documents"].create(
        {
            "sha256": str,
            "title": str,
            "text": str,
            "search_title": str,
            "search_text": str,
            "search_variants": str,
        },
        pk="sha256",
    )
    db["documents"].enable_fts(
        ["search_title", "search_text", "search_variants"], create_triggers=True
    )
    db["documents"].insert(
        {
            "sha256": "a",
            "title": "تقرير",
            "text": "عن والسياسات",
            "search_title": "تقرير",
            "search_text": "عن والسياسات",
            "search_variants": "",
        }
    )
    assert raw_fts(db, "documents_fts", "سياس") == []
    up_to_analysis = MIGRATIONS[: MIGRATIONS.index(_analysis()) + 1]
    assert migrate(db, up_to_analysis) == [ANALYSIS_MIGRATION]
    assert raw_fts(db, "documents_fts", fts_query("سياسة")) == ["a"]
    assert raw_fts(db, "documents_fts", "السياسات") == ["a"]  # a surface form, raw
    db.execute("INSERT INTO documents_fts (documents_fts, rank) VALUES ('integrity-check', 1)")
    db.close()


def _analysis():
    return next(m for m in MIGRATIONS if m.name == ANALYSIS_MIGRATION)


def raw_fts(db: sqlite_utils.Database, fts: str, query: str) -> list[str]:
    return [
        row[0]
        for row in db.execute(
            f"SELECT d.sha256 FROM {fts} JOIN documents d ON d.rowid = {fts}.rowid"
            f" WHERE {fts} MATCH ?",
            [query],
        )
    ]


def test_folding_is_str_translate_of_the_same_table() -> None:
    """``fold`` and ``strip_marks`` replace only the characters their tables hold (a regular
    expression finds them); on any text they equal ``str.translate`` of those tables."""
    import random
    import unicodedata

    marks = dict.fromkeys([*arabic._MARKS, arabic.TATWEEL])
    strip_table = str.maketrans(marks)
    fold_table = str.maketrans({**marks, **arabic._LETTER_MAP, **arabic._DIGITS})
    rng = random.Random(7)
    texts = [
        "",
        "plain English, no Arabic at all",
        "الإرهاب ومكافحةُ ـــالتطرّف في ٢٠٢٤ ﻻ ى ی ک",
        *("".join(chr(rng.randrange(0x20, 0x0700)) for _ in range(500)) for _ in range(40)),
        *("".join(chr(rng.randrange(0x0600, 0x0700)) for _ in range(500)) for _ in range(40)),
    ]
    for text in texts:
        nfkc = unicodedata.normalize("NFKC", text)
        assert arabic.fold(text) == nfkc.translate(fold_table)
        assert arabic.strip_marks(text) == nfkc.translate(strip_table)
