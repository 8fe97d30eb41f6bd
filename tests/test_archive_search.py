"""Full-text search: Arabic normalisation, FTS sync, ranking, snippets, sqlite-utils search."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlite_utils.cli import cli as sqlite_utils_cli

from ecss_crawler.archive import Archive, arabic
from ecss_crawler.archive.queries import Filters, QueryError, fts_query, make_snippet, search
from tests.test_archive_support import make_arabic, make_article, open_archive

# --------------------------------------------------------------------------- normalisation


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("مُكافَحَة", "مكافحه"),  # harakat removed, ta marbuta -> ha
        ("العـــربية", "العربيه"),  # tatweel
        ("أحمد", "احمد"),
        ("إبراهيم", "ابراهيم"),
        ("آمال", "امال"),
        ("ٱلله", "الله"),
        ("مصطفى", "مصطفي"),  # alef maksura -> ya
        ("الذكرىٰ", "الذكري"),  # dagger alef (U+0670)
        ("٢٠٢٤", "2024"),
        ("ﻻ", "لا"),  # presentation-form ligature (NFKC)
        ("Café Élections 2024", "Café Élections 2024"),  # Latin untouched
        ("", ""),
    ],
)
def test_fold(raw: str, expected: str) -> None:
    assert arabic.fold(raw) == expected


def test_fold_decomposed_hamza() -> None:
    assert arabic.fold("\u0627\u0654\u062d\u0645\u062f") == "احمد"  # ا + combining hamza
    assert arabic.fold("\u0648\u0654") == "ؤ"  # composes to waw-hamza, which is kept


def test_normalise_folds_then_stems_arabic_words_only() -> None:
    assert arabic.normalise("مُكافَحَة الإرهاب، والسياسات!") == "مكافح ارهاب، سياس!"
    assert arabic.normalise("Elections in ٢٠٢٤ and الانتخابات") == "Elections in 2024 and انتخاب"
    assert arabic.normalise(None) == ""


def test_variant_tokens() -> None:
    variants = arabic.variant_tokens("مُكافَحَة الإرهاب في مصر", "Water security")
    assert variants.split() == [
        *["مكافحة", "مكافحه", "المكافح", "المكافحة"],  # the stem مكافح is left out
        *["الإرهاب", "إرهاب", "الارهاب"],  # no suffix: no dictionary forms
        # في, مصر: nothing but the stem
    ]
    assert arabic.variant_tokens("Water security", None) == ""


def test_unicode61_does_not_normalise_arabic() -> None:
    """Documents why the archive normalises itself (see arabic.py and docs/data-model.md)."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='unicode61 remove_diacritics 2')")
    conn.execute("INSERT INTO t VALUES ('مُكافَحَة أحمد مصطفى العـربية')")

    def found(query: str) -> bool:
        return bool(conn.execute("SELECT 1 FROM t WHERE t MATCH ?", [f'"{query}"']).fetchall())

    assert not found("مكافحة")  # harakat split the word into fragments
    assert not found("احمد")  # alef variants are not folded
    assert not found("مصطفي")  # nor alef maksura
    assert not found("العربية")  # tatweel is a token character
    assert found("مصطفى")  # the exact spelling does match


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def searchable(tmp_path: Path) -> tuple[Archive, Path]:
    path = tmp_path / "ecss.db"
    archive = open_archive(path)
    crawl = archive.begin_crawl("ecss", {})
    archive.store_article(make_article(1), crawl)
    archive.store_article(
        make_article(
            2,
            title="Egypt's economy after the elections",
            body="Inflation slowed. The central bank held rates.",
            summary="Economic outlook.",
            authors=["Sara Ali"],
            categories=["Economy"],
            tags=["Inflation"],
            published="2023-06-01",
        ),
        crawl,
    )
    archive.store_article(make_arabic(100), crawl)
    archive.store_article(
        make_arabic(
            101,
            title="الاقتصاد المصري",
            summary="تحليل",
            body="نمو الاقتصاد المصري ومكافحه التضخم عام 2023",
            authors=["مصطفى كامل"],
            published="2023-02-01",
        ),
        crawl,
    )
    archive.flush()
    yield archive, path
    archive.close()


def ids(archive: Archive, query: str, **filters: str) -> list[str]:
    return [hit["id"] for hit in search(archive.db, query, Filters(**filters))]


# --------------------------------------------------------------------------- English


def test_english_search_with_stemming_and_ranking(searchable: tuple[Archive, Path]) -> None:
    archive, _ = searchable
    assert ids(archive, "dam") == ["ecss:1"]
    assert ids(archive, "election") == ["ecss:2", "ecss:1"]  # title hit ranks first
    assert ids(archive, "ELECTIONS water") == ["ecss:1"]
    assert ids(archive, '"central bank"') == ["ecss:2"]
    assert ids(archive, '"bank central"') == []
    assert ids(archive, "infla*") == ["ecss:2"]
    assert sorted(ids(archive, "dam OR inflation")) == ["ecss:1", "ecss:2"]
    assert ids(archive, "elections NOT dam") == ["ecss:2"]
    assert ids(archive, "nonexistentword") == []


def test_search_filters(searchable: tuple[Archive, Path]) -> None:
    archive, _ = searchable
    assert ids(archive, "elections", lang="en", since="2024-01-01") == ["ecss:1"]
    assert ids(archive, "elections", until="2023-06-01") == ["ecss:2"]
    assert ids(archive, "elections", author="sara ali") == ["ecss:2"]
    assert ids(archive, "elections", author="%Khaled") == ["ecss:1"]
    assert ids(archive, "elections", category="Economy") == ["ecss:2"]
    assert ids(archive, "elections", tag="GERD") == ["ecss:1"]
    assert ids(archive, "elections", site="other") == []
    assert ids(archive, "الاقتصاد", lang="ar", author="مصطفى كامل") == ["ecss:101"]


def test_query_escaping() -> None:
    assert fts_query('water-security "Nile dam" AND') == '"water security" "Nile dam"'
    assert fts_query("OR col:umn NEAR(") == '"col umn" "NEAR"'
    assert fts_query("مُكافَحَة*") == '"مكافحه"*'
    with pytest.raises(QueryError):
        fts_query("  ... ")
    with pytest.raises(QueryError):
        fts_query("OR AND")


def test_punctuation_is_harmless(searchable: tuple[Archive, Path]) -> None:
    archive, _ = searchable
    for query in ('"unbalanced', "a:b", "(dam", "dam)", "Egypt's", "NEAR(dam)", "-dam"):
        search(archive.db, query)  # never an FTS syntax error
    assert ids(archive, "(dam") == ["ecss:1"]
    with pytest.raises(QueryError):
        search(archive.db, "*")


# --------------------------------------------------------------------------- Arabic


@pytest.mark.parametrize(
    "query",
    [
        "مكافحة",  # plain, conventional spelling; stored text has harakat
        "مكافحه",  # ha instead of ta marbuta
        "مُكافَحَة",  # typed with harakat
        "مُـكافـحة",  # typed with tatweel
        "الارهاب",  # stored as الإرْهاب (hamza + sukun)
        "الإرهاب",
        "الأمن",  # stored as الأمــــن (tatweel)
        "مصطفي",  # stored as مصطفى
        "مصطفى",
        "2024",  # stored as ٢٠٢٤
        "٢٠٢٤",
    ],
)
def test_arabic_stored_diacritics_found_by_any_spelling(
    searchable: tuple[Archive, Path], query: str
) -> None:
    archive, _ = searchable
    assert "ecss:100" in ids(archive, query)


@pytest.mark.parametrize("query", ["مُكَافَحَةُ", "مكافحة", "مكافحه", "مـكـافـحـة"])
def test_arabic_plain_stored_text_found_by_diacritised_query(
    searchable: tuple[Archive, Path], query: str
) -> None:
    archive, _ = searchable
    # ecss:100 has it in the title; ecss:101's body spells it "ومكافحه" (waw + ha): stemmed.
    assert ids(archive, query) == ["ecss:100", "ecss:101"]
    # … while the plain title word of ecss:101 is found from a diacritised query.
    assert ids(archive, "الاقْتِصَاد") == ["ecss:101"]
    assert ids(archive, "أَلاقتصاد") == ["ecss:101"]


def test_arabic_snippet_shows_original_text(searchable: tuple[Archive, Path]) -> None:
    archive, _ = searchable
    hit, other = search(archive.db, "مكافحه")
    assert "[ومكافحه]" in other["snippet"]
    assert "[مُكافَحَة]" in hit["snippet"]
    assert "الإرْهاب" in hit["snippet"]
    [english] = search(archive.db, "negotiations")
    assert "[negotiations]" in english["snippet"]


def test_make_snippet_window_and_fallback() -> None:
    original = " ".join(f"w{i}" for i in range(100))
    marked = original.replace("w50", "\x02w50\x03")
    snippet = make_snippet(original, marked, words=10)
    assert snippet.startswith("…")
    assert snippet.endswith("…")
    assert "[w50]" in snippet
    assert len(snippet.split()) == 10
    # Unalignable text falls back to the normalised text.
    assert "w50" in make_snippet("different", marked, words=10)


def test_fts_follows_changes(searchable: tuple[Archive, Path]) -> None:
    archive, _ = searchable
    crawl = archive.begin_crawl("ecss", {})
    archive.store_article(make_article(1), crawl)  # unchanged: not re-indexed, still found once
    assert ids(archive, "dam") == ["ecss:1"]
    new_body = "The reservoir filled early this year, and the talks resumed in the autumn."
    assert archive.store_article(make_article(1, body=new_body), crawl).outcome == "changed"
    assert ids(archive, "dam") == []
    assert ids(archive, "reservoir") == ["ecss:1"]
    integrity = archive.db.execute(
        "INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)"
    )
    assert integrity is not None  # raises if the index disagrees with the articles table


# --------------------------------------------------------------------------- sqlite-utils CLI


def sqlite_utils_search(path: Path, query: str) -> list[str]:
    result = CliRunner().invoke(
        sqlite_utils_cli, ["search", str(path), "articles", query, "-c", "id"]
    )
    assert result.exit_code == 0, result.output
    return [row["id"] for row in json.loads(result.output)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("dam", ["ecss:1"]),
        ("elections", ["ecss:2", "ecss:1"]),
        ("مكافحة", ["ecss:100", "ecss:101"]),  # stored with harakat; stored as ومكافحه
        ("مكافحه", ["ecss:100", "ecss:101"]),
        ("الارهاب", ["ecss:100"]),
        ("الإرهاب", ["ecss:100"]),
        ("مصطفى", ["ecss:100"]),
        ("الاقتصاد", ["ecss:101"]),
    ],
)
def test_sqlite_utils_search(
    searchable: tuple[Archive, Path], query: str, expected: list[str]
) -> None:
    _, path = searchable
    assert sqlite_utils_search(path, query) == expected
