"""``ecss-crawler browse``: the command, and the pages an analyst uses, through Datasette's
own test client (search, a facet, an article, its revisions) with the metadata the
command serves. The real-browser check is ``tests/test_browse_browser.py``."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from ecss_crawler.cli import browse_cmds
from ecss_crawler.datasette import HOST, metadata_for
from tests.test_archive_support import make_arabic, make_article, open_archive

datasette_app = pytest.importorskip("datasette.app")

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ARABIC_TITLE = "مُكافَحَة الإرهاب في مصر"


def build_archive(path: Path) -> Path:
    """Two English articles (one revised), one Arabic; the file is not named ecss.db."""
    with open_archive(path) as archive:
        crawl = archive.begin_crawl("ecss", {})
        archive.store_article(make_article(1), crawl)
        archive.store_article(make_article(2, published="2023-01-01"), crawl)
        archive.store_article(make_arabic(100), crawl)
        archive.store_article(make_article(2, title="Revised", published="2023-01-01"), crawl)
    return path


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_archive(tmp_path_factory.mktemp("browse") / "archive.db")


def page(db: Path, url: str) -> Any:
    """GET ``url`` from Datasette set up as ``browse`` sets it up (immutable, metadata)."""

    async def go() -> Any:
        ds = datasette_app.Datasette(immutables=[str(db)], metadata=metadata_for(db.stem))
        return await ds.client.get(url)

    return asyncio.run(go())


# -- the pages ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "present", "absent"),
    [
        ("negotiations", ["Water security and the Nile, part 1", "Revised"], [ARABIC_TITLE]),
        ("مكافحة", [ARABIC_TITLE], ["Revised"]),  # without harakat, as typed
        ("الارهاب", [ARABIC_TITLE], ["Revised"]),  # hamza-less alef
    ],
)
def test_search_page(archive: Path, query: str, present: list[str], absent: list[str]) -> None:
    response = page(archive, f"/archive/articles?_search={query}")
    assert response.status_code == 200
    html = response.text
    assert 'name="_search"' in html  # the search box, shown because of the FTS index
    for title in present:
        assert title in html, title
    for title in absent:
        assert title not in html, title


def test_facets_on_the_articles_page(archive: Path) -> None:
    html = page(archive, "/archive/articles").text
    for facet in ("language", "year", "categories", "authors", "tags"):
        assert f'data-column="{facet}"' in html, facet
    data = page(archive, "/archive/articles.json?_extra=facet_results").json()
    facets = data["facet_results"].get("results", data["facet_results"])
    assert {item["value"]: item["count"] for item in facets["language"]["results"]} == {
        "en": 2,
        "ar": 1,
    }


def test_following_a_facet(archive: Path) -> None:
    html = page(archive, "/archive/articles?language=ar").text
    assert ARABIC_TITLE in html
    assert "Revised" not in html
    by_category = page(
        archive, "/archive/articles.json?_shape=objects&categories__arraycontains=Security"
    ).json()["rows"]
    assert {row["id"] for row in by_category} == {"ecss:1", "ecss:2"}


def test_article_page(archive: Path) -> None:
    response = page(archive, "/archive/articles/ecss:100")
    assert response.status_code == 200
    assert ARABIC_TITLE in response.text
    assert "revisions" in response.text  # links to the article's earlier versions


def test_article_revisions(archive: Path) -> None:
    history = page(archive, "/archive/revision_history?article=ecss:2")
    assert history.status_code == 200
    assert "Water security and the Nile, part 2" in history.text
    assert "Revised" in history.text
    table = page(archive, "/archive/revisions.json?_shape=objects&article_id=ecss:2").json()
    assert [row["revision"] for row in table["rows"]] == [1]


def test_canned_queries_listed(archive: Path) -> None:
    html = page(archive, "/archive").text
    for name in ("latest_articles", "articles_by_author", "revision_history", "recent_failures"):
        assert f"/archive/{name}" in html, name


def test_read_only(archive: Path) -> None:
    """Immutable: Datasette offers no writes, and the file is not changed by browsing."""
    before = archive.read_bytes()
    response = page(archive, "/archive/articles?_search=Nile")
    assert response.status_code == 200
    assert archive.read_bytes() == before


# -- the command ----------------------------------------------------------------------------


def test_browse_runs_datasette_read_only_on_loopback(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}

    @click.command(context_settings={"ignore_unknown_options": True})
    @click.argument("args", nargs=-1, type=click.UNPROCESSED)
    def fake(args: tuple[str, ...]) -> None:
        seen["args"] = list(args)
        metadata = Path(args[args.index("--metadata") + 1])
        seen["metadata"] = json.loads(metadata.read_text(encoding="utf-8"))

    monkeypatch.setattr(browse_cmds, "datasette_cli", lambda: fake)
    result = CliRunner().invoke(browse_cmds.browse, ["--db", str(archive), "--port", "8123"])
    assert result.exit_code == 0, result.output
    args = seen["args"]
    assert args[:3] == ["serve", "--immutable", str(archive)]
    assert args[args.index("--host") + 1] == HOST == "127.0.0.1"
    assert args[args.index("--port") + 1] == "8123"
    assert "--open" in args
    assert set(seen["metadata"]["databases"]) == {"archive"}
    assert "http://127.0.0.1:8123/archive" in result.output

    no_open = CliRunner().invoke(browse_cmds.browse, ["--db", str(archive), "--no-open"])
    assert no_open.exit_code == 0
    assert "--open" not in seen["args"]


def test_browse_without_datasette(archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [name for name in sys.modules if name.split(".")[0] == "datasette"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "datasette", None)  # import datasette -> ImportError
    result = CliRunner().invoke(browse_cmds.browse, ["--db", str(archive)])
    assert result.exit_code == 2
    assert 'pip install "ecss-crawler[browse]"' in result.output
    assert "Traceback" not in result.output


def test_browse_without_an_archive(tmp_path: Path) -> None:
    result = CliRunner().invoke(browse_cmds.browse, ["--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1
    assert "no archive database at" in result.output


def test_sigterm_stops_browse_and_removes_its_metadata_folder(
    archive: Path, tmp_path: Path
) -> None:
    """A service manager's SIGTERM ends ``browse`` through its clean-up: its temporary
    metadata folder is removed (Uvicorn raises the signal again after shutting down)."""
    import os
    import signal
    import socket
    import subprocess
    import time
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    command = [sys.executable, "-m", "ecss_crawler.cli", "browse", "--db", str(archive)]
    command += ["--port", str(port), "--no-open"]
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                    break  # 127.0.0.1 only
            except OSError:
                assert process.poll() is None, process.communicate()[0][-3000:]
                time.sleep(0.1)
        assert list(tmp_path.glob("ecss-browse-*"))  # serving, with its metadata folder
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 128 + signal.SIGTERM
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()
    assert list(tmp_path.glob("ecss-browse-*")) == []
