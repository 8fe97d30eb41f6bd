"""The archive CLI commands, invoked directly through click's CliRunner."""

from __future__ import annotations

import csv
import io
import json
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from ecss_crawler.cli import archive_cmds
from ecss_crawler.items import Article
from tests.test_archive_support import make_arabic, make_article, open_archive


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "ecss.db"
    with open_archive(path) as archive:
        crawl = archive.begin_crawl("ecss", {"spider": "ecss"})
        for n in (1, 2):
            cap = archive.store_capture(
                f"https://ecss.com.eg/{n}/", 200, {}, f"<p>page {n}</p>".encode(), crawl
            )
            archive.store_article(make_article(n), crawl, capture_id=cap)
        archive.store_article(
            make_article(
                3,
                title="Inflation and elections",
                authors=["Sara Ali"],
                categories=["Economy"],
                tags=["Inflation"],
                published="2022-01-10",
            ),
            crawl,
        )
        archive.store_article(make_arabic(100), crawl)
        archive.finish_crawl(crawl, "finished", {"found": 4}, {}, "finished")
        later = archive.begin_crawl("ecss", {})
        archive.store_article(make_article(1, title="Water security: revised"), later)
        archive.store_article(
            make_article(1, title="Water security: revised twice", summary="New summary."), later
        )
        archive.finish_crawl(later, "finished", {}, {}, "finished")
    return path


def run(command: Any, args: list[str], db_path: Path | None = None, **kwargs: Any) -> Result:
    full = [*args, "--db", str(db_path)] if db_path is not None else args
    return CliRunner().invoke(command, full, catch_exceptions=False, **kwargs)


def test_commands_exported() -> None:
    names = [c.name for c in archive_cmds.COMMANDS]
    assert names == ["search", "export", "stats", "history", "reparse"]
    for command in archive_cmds.COMMANDS:
        result = run(command, ["--help"])
        assert result.exit_code == 0
        assert "--db" in result.output
        assert "ECSS_DB" in result.output


# --------------------------------------------------------------------------- search


def test_search_text_output(db_path: Path) -> None:
    result = run(archive_cmds.search, ["negotiations"], db_path)
    assert result.exit_code == 0, result.output
    assert "Water security: revised twice" in result.output
    assert "https://ecss.com.eg/1/" in result.output
    assert "by Jane Doe; Omar Khaled" in result.output
    assert "[negotiations]" in result.output


def test_search_json_and_filters(db_path: Path) -> None:
    result = run(archive_cmds.search, ["elections", "--json"], db_path)
    hits = json.loads(result.output)
    assert [h["id"] for h in hits] == ["ecss:3", "ecss:1", "ecss:2"]
    assert set(hits[0]) >= {"id", "url", "title", "authors", "published", "snippet", "score"}

    def found(*args: str) -> list[str]:
        out = run(archive_cmds.search, ["elections", "--json", *args], db_path).output
        return [h["id"] for h in json.loads(out)]

    assert found("--limit", "1") == ["ecss:3"]
    assert found("--author", "Sara Ali") == ["ecss:3"]
    assert found("--category", "economy") == ["ecss:3"]
    assert found("--tag", "GERD") == ["ecss:1", "ecss:2"]
    assert found("--since", "2023-01-01") == ["ecss:1", "ecss:2"]
    assert found("--until", "2022-01-10") == ["ecss:3"]
    assert found("--lang", "ar") == []


def test_search_arabic(db_path: Path) -> None:
    result = run(archive_cmds.search, ["مكافحه", "--lang", "ar", "--json"], db_path)
    [hit] = json.loads(result.output)
    assert hit["id"] == "ecss:100"
    assert "مُكافَحَة" in hit["snippet"]


def test_search_errors(db_path: Path, tmp_path: Path) -> None:
    assert run(archive_cmds.search, ["zzzz"], db_path).exit_code == 0
    bad_date = run(archive_cmds.search, ["dam", "--since", "yesterday"], db_path)
    assert bad_date.exit_code == 2
    assert "YYYY-MM-DD" in bad_date.output
    empty = run(archive_cmds.search, ["..."], db_path)
    assert empty.exit_code == 1
    assert "nothing to search" in empty.output
    missing = run(archive_cmds.search, ["dam"], tmp_path / "nope.db")
    assert missing.exit_code == 1
    assert "no archive database" in missing.output
    assert not (tmp_path / "nope.db").exists()
    bad_lang = run(archive_cmds.search, ["dam", "--lang", "fr"], db_path)
    assert bad_lang.exit_code == 2


def test_db_from_environment(db_path: Path) -> None:
    result = CliRunner(env={"ECSS_DB": str(db_path)}).invoke(archive_cmds.search, ["dam", "--json"])
    assert result.exit_code == 0, result.output
    assert sorted(h["id"] for h in json.loads(result.output)) == ["ecss:1", "ecss:2", "ecss:3"]


# --------------------------------------------------------------------------- export


def test_export_jsonl(db_path: Path) -> None:
    result = run(archive_cmds.export, ["--format", "jsonl"], db_path)
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in lines] == ["ecss:1", "ecss:100", "ecss:2", "ecss:3"]
    first = lines[0]
    assert first["authors"] == ["Jane Doe", "Omar Khaled"]
    assert first["sources"] == {"title": "og:title"}
    assert "search_body" not in first
    assert set(Article.__dataclass_fields__) <= set(first)
    assert "Exported 4 article(s)" in result.stderr


def test_export_csv_with_filters_and_fields(db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    result = run(
        archive_cmds.export,
        ["--format", "csv", "--lang", "en", "--fields", "id,title,authors", "-o", str(out)],
        db_path,
    )
    assert result.exit_code == 0, result.output
    table = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["id"] for r in table] == ["ecss:1", "ecss:2", "ecss:3"]
    assert table[0]["authors"] == "Jane Doe; Omar Khaled"
    assert list(table[0]) == ["id", "title", "authors"]


def test_export_query_and_bad_fields(db_path: Path) -> None:
    result = run(archive_cmds.export, ["-q", "inflation", "--fields", "id"], db_path)
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["ecss:3"]
    bad = run(archive_cmds.export, ["--fields", "id,password"], db_path)
    assert bad.exit_code == 2
    assert "password" in bad.output
    injection = run(archive_cmds.export, ["--fields", "id; DROP TABLE articles"], db_path)
    assert injection.exit_code == 2


def test_export_streams(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The writer receives an iterator, never a materialised list."""
    seen: list[Any] = []
    real = archive_cmds._write_jsonl

    def spy(out: Any, rows: Any) -> int:
        seen.append(rows)
        return real(out, rows)

    monkeypatch.setattr(archive_cmds, "_write_jsonl", spy)
    run(archive_cmds.export, [], db_path)
    assert isinstance(seen[0], types.GeneratorType)


# --------------------------------------------------------------------------- stats


def test_stats(db_path: Path) -> None:
    result = run(archive_cmds.stats, [], db_path)
    assert result.exit_code == 0
    assert "articles 4" in result.output
    assert "revisions 2" in result.output
    for text in ("Sites:", "ecss", "Languages:", "Years:", "2024", "Jane Doe", "Security"):
        assert text in result.output
    assert "Last crawl:" in result.output
    assert "#2 ecss finished" in result.output

    data = json.loads(run(archive_cmds.stats, ["--json", "--top", "1"], db_path).output)
    assert data["totals"]["articles"] == 4
    assert dict(map(tuple, data["by_language"])) == {"en": 3, "ar": 1}
    assert len(data["by_authors"]) == 1
    assert data["last_crawl"]["id"] == 2


# --------------------------------------------------------------------------- history


def test_history_text(db_path: Path) -> None:
    result = run(archive_cmds.history, ["https://ecss.com.eg/1/"], db_path)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "3 version(s)" in out
    assert "revision 3:" in out
    assert "now (current)" in out
    assert "-title: Water security and the Nile, part 1" in out
    assert "+title: Water security: revised" in out
    assert "+summary: New summary." in out
    assert out.count("@@") >= 4  # two diffs, each with a hunk header


def test_history_json_and_lookup(db_path: Path) -> None:
    data = json.loads(run(archive_cmds.history, ["ecss:1", "--json"], db_path).output)
    assert [v["revision"] for v in data["versions"]] == [1, 2, 3]
    assert data["versions"][-1]["valid_to"] is None
    assert len(data["diffs"]) == 2
    no_slash = run(archive_cmds.history, ["https://ecss.com.eg/1"], db_path)
    assert no_slash.exit_code == 0
    unknown = run(archive_cmds.history, ["https://example.org/x"], db_path)
    assert unknown.exit_code == 1
    assert "no article" in unknown.output


# --------------------------------------------------------------------------- reparse


def test_reparse_command(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def extract_article(html: bytes | str, url: str, **_options: object) -> Article:
        n = int(url.rstrip("/").rsplit("/", 1)[1])
        if n == 2:
            return make_article(2, title="Re-extracted title")
        return make_article(1, title="Water security: revised twice", summary="New summary.")

    fake = types.ModuleType("ecss_crawler.extract")
    fake.extract_article = extract_article  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ecss_crawler.extract", fake)
    result = run(archive_cmds.reparse, [], db_path)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "changed 1, no_capture 2, unchanged 1"
    history = json.loads(run(archive_cmds.history, ["ecss:2", "--json"], db_path).output)
    assert history["versions"][-1]["record"]["title"] == "Re-extracted title"


def test_reparse_needs_an_existing_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = types.ModuleType("ecss_crawler.extract")
    fake.extract_article = lambda html, url: None  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ecss_crawler.extract", fake)
    result = run(archive_cmds.reparse, [], tmp_path / "none.db")
    assert result.exit_code == 1
    assert "no archive database" in result.output
