"""Crawls through site profile files, and ``sites probe``, against replicas on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import tomllib
from pathlib import Path

import sqlite_utils

from ecss_crawler.replica import ReplicaConfig, serve_replica
from tests.crawl_support import FAST

COMPARED = ("url", "title", "authors", "published", "categories", "tags", "body")


def cli(*args: str, settings: tuple[str, ...] = FAST) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "ecss_crawler.cli", *args]
    for setting in settings:
        command += ["-s", setting]
    return subprocess.run(command, capture_output=True, text=True, timeout=240, check=False)


def stored(db: Path) -> dict[str, dict]:
    rows = {}
    for row in sqlite_utils.Database(db)["articles"].rows:
        for name in ("authors", "categories", "tags"):
            row[name] = json.loads(row[name])
        rows[row["url"]] = {name: row[name] for name in COMPARED}
    return rows


def expected(server) -> dict[str, dict]:
    return {
        record["url"]: {name: record[name] for name in COMPARED}
        for record in server.site.expected_records()
    }


def test_probe_then_crawl_with_the_draft_profile(tmp_path: Path) -> None:
    sites = tmp_path / "sites"
    with serve_replica(ReplicaConfig(seed=21, n_articles=18, per_page=4)) as server:
        probe = subprocess.run(
            [sys.executable, "-m", "ecss_crawler.cli", "sites", "probe", server.base_url,
             "--sites-dir", str(sites), "--name", "replica", "--delay", "0"],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert probe.returncode == 0, probe.stderr
        assert len(server.requests) <= 15  # a handful of pages, not a crawl
        draft = tomllib.loads((sites / "replica.toml").read_text(encoding="utf-8"))
        assert draft["theme"] == "foxiz"
        assert draft["probe"]["cms"] == "WordPress"
        assert draft["timezone"] == "Africa/Cairo"
        assert draft["probe"]["sitemaps"] == [server.base_url + "wp-sitemap.xml"]
        assert len(draft["probe"]["sample_articles"]) == 3
        assert draft["fields"]["title"] is True
        assert set(draft["languages"]) <= {"en", "ar"}

        db = tmp_path / "a.db"
        run = cli("crawl", "--site", "replica", "--sites-dir", str(sites), "--db", str(db))
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        assert stored(db) == expected(server)
        crawl = list(sqlite_utils.Database(db)["crawls"].rows)[-1]
        assert crawl["site_name"] == "replica"
        sites_rows = list(sqlite_utils.Database(db)["sites"].rows)
        assert [(row["name"], row["profile"]) for row in sites_rows] == [
            ("replica", str(sites / "replica.toml"))
        ]
        # The same result as a crawl with no profile at all.
        plain = tmp_path / "b.db"
        run = cli("crawl", "--base-url", server.base_url, "--db", str(plain))
        assert run.returncode == 0
        assert stored(plain) == stored(db)

        search = subprocess.run(
            [sys.executable, "-m", "ecss_crawler.cli", "export", "--format", "jsonl",
             "--site", "replica", "--db", str(db)],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert search.returncode == 0
        assert len(search.stdout.splitlines()) == len(expected(server))


def test_several_sites_in_one_command_into_one_archive(tmp_path: Path) -> None:
    sites = tmp_path / "sites"
    sites.mkdir()
    english = ReplicaConfig(seed=31, n_articles=16, per_page=4)
    arabic = ReplicaConfig(seed=32, n_articles=16, language="ar", per_page=4)
    with serve_replica(english) as one, serve_replica(arabic) as two:
        (sites / "one.toml").write_text(
            f'name = "one"\nbase_urls = ["{one.base_url}"]\ntheme = "foxiz"\n'
            'timezone = "Africa/Cairo"\n[politeness]\ndownload_delay = 0\n',
            encoding="utf-8",
        )
        (sites / "two.toml").write_text(
            f'name = "two"\nbase_urls = ["{two.base_url}"]\nlanguages = ["ar"]\n'
            'timezone = "Africa/Cairo"\n[fields]\nmodified = true\n',
            encoding="utf-8",
        )
        db = tmp_path / "all.db"
        run = cli(
            "crawl", "--site", "one", "--site", "two", "--sites-dir", str(sites), "--db", str(db)
        )
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        assert "== one ==" in run.stdout
        assert "== two ==" in run.stdout
        assert stored(db) == expected(one) | expected(two)
        names = [row["site_name"] for row in sqlite_utils.Database(db)["crawls"].rows]
        assert names == ["one", "two"]
        exported = cli("export", "--format", "jsonl", "--site", "two", "--db", str(db), settings=())
        urls = {json.loads(line)["url"] for line in exported.stdout.splitlines()}
        assert urls == set(expected(two))


def test_probe_of_a_site_that_does_not_answer(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = subprocess.run(
        [sys.executable, "-m", "ecss_crawler.cli", "sites", "probe", f"http://127.0.0.1:{port}/",
         "--sites-dir", str(tmp_path), "--delay", "0"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 4
    assert "Traceback" not in result.stderr
    assert "could not be fetched" in result.stderr
    assert not list(tmp_path.glob("*.toml"))
