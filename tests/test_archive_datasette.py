"""The shipped Datasette metadata: facets, search, canned queries, the flat view, escaping."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from ecss_crawler.datasette import METADATA_PATH, metadata_for
from tests.test_archive_support import make_arabic, make_article, open_archive

datasette_app = pytest.importorskip("datasette.app")

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

EVIL_HTML = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("datasette") / "ecss.db"
    with open_archive(path) as archive:
        crawl = archive.begin_crawl("ecss", {})
        archive.store_article(make_article(1, body_html=EVIL_HTML, title="Dam <b>talks</b>"), crawl)
        archive.store_article(make_article(2, published="2023-01-01"), crawl)
        archive.store_article(make_arabic(100), crawl)
        archive.store_article(make_article(2, title="Revised", published="2023-01-01"), crawl)
    return path


def fetch(db_path: Path, url: str, metadata: dict[str, Any] | None = None) -> Any:
    async def go() -> Any:
        ds = datasette_app.Datasette(
            [str(db_path)], metadata=metadata or json.loads(METADATA_PATH.read_text())
        )
        return await ds.client.get(url)

    return asyncio.run(go())


def test_metadata_file_is_valid_json() -> None:
    metadata = json.loads(METADATA_PATH.read_text(encoding="utf-8"))
    tables = metadata["databases"]["ecss"]["tables"]
    assert {"articles", "articles_flat", "revisions"} <= set(tables)
    assert "render_html" not in METADATA_PATH.read_text()
    assert set(metadata_for("other")["databases"]) == {"other"}


def test_facets(db_path: Path) -> None:
    response = fetch(db_path, "/ecss/articles.json?_extra=facet_results")
    assert response.status_code == 200
    data = response.json()
    facets = data["facet_results"]
    facets = facets.get("results", facets)
    for name in ("language", "year", "categories", "authors", "tags"):
        assert name in facets, name
    languages = {item["value"]: item["count"] for item in facets["language"]["results"]}
    assert languages == {"en": 2, "ar": 1}
    authors = {item["value"]: item["count"] for item in facets["authors"]["results"]}
    assert authors["Jane Doe"] == 2


@pytest.mark.parametrize(
    ("query", "expected"),
    [("negotiations", {"ecss:1", "ecss:2"}), ("مكافحة", {"ecss:100"}), ("الارهاب", {"ecss:100"})],
)
def test_search_box(db_path: Path, query: str, expected: set[str]) -> None:
    response = fetch(db_path, f"/ecss/articles.json?_search={query}&_shape=objects")
    assert response.status_code == 200
    assert {row["id"] for row in response.json()["rows"]} == expected


def test_flat_view_search_and_lists(db_path: Path) -> None:
    response = fetch(db_path, "/ecss/articles_flat.json?_search=مكافحة&_shape=objects")
    assert response.status_code == 200, response.text
    [row] = response.json()["rows"]
    assert row["id"] == "ecss:100"
    everything = fetch(db_path, "/ecss/articles_flat.json?_shape=objects").json()["rows"]
    first = next(r for r in everything if r["id"] == "ecss:1")
    assert first["authors"] == "Jane Doe, Omar Khaled"
    assert first["categories"] == "Security, Africa"
    assert first["tags"] == "Nile, GERD"
    assert next(r for r in everything if r["id"] == "ecss:2")["revisions"] == 1


def test_canned_queries(db_path: Path) -> None:
    latest = fetch(db_path, "/ecss/latest_articles.json?_shape=objects").json()["rows"]
    assert [r["id"] for r in latest][-1] == "ecss:2"
    by_author = fetch(
        db_path, "/ecss/articles_by_author.json?author=Jane+Doe&_shape=objects"
    ).json()["rows"]
    assert {r["id"] for r in by_author} == {"ecss:1", "ecss:2"}
    history = fetch(db_path, "/ecss/revision_history.json?article=ecss:2&_shape=objects").json()[
        "rows"
    ]
    assert [(r["revision"], r["title"]) for r in history] == [
        (1, "Water security and the Nile, part 2"),
        (2, "Revised"),
    ]
    failures = fetch(db_path, "/ecss/recent_failures.json?_shape=objects")
    assert failures.status_code == 200


def test_stored_html_is_escaped(db_path: Path) -> None:
    for url in ("/ecss/articles", "/ecss/articles/ecss:1", "/ecss/articles_flat"):
        response = fetch(db_path, url)
        assert response.status_code == 200, url
        assert "<script>alert" not in response.text
        assert "<b>talks</b>" not in response.text
    page = fetch(db_path, "/ecss/articles/ecss:1").text
    assert "&lt;script&gt;alert" in page
