"""Scrapy feed exports (-o/-O, FEEDS) of clean article records, and ``scrapy parse``."""

from __future__ import annotations

import csv
import json
import marshal
import os
import pickle
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from scrapy import Request
from scrapy.extensions.feedexport import ItemFilter
from scrapy.http import HtmlResponse
from scrapy.settings import SETTINGS_PRIORITIES, Settings
from scrapy.utils.test import get_crawler

from ecss_crawler.archive import queries
from ecss_crawler.archive.db import connect
from ecss_crawler.cli import main
from ecss_crawler.feeds import (
    RECORD_FIELDS,
    ArticleRecord,
    RecordCsvExporter,
    RecordFeeds,
    RecordPipeline,
    RecordXmlExporter,
    add_cli_feeds,
    article_record,
)
from ecss_crawler.items import (
    Article,
    ArticleGone,
    ArticleUnchanged,
    Capture,
    CapturedArticle,
    PageFailure,
)
from ecss_crawler.replica import Body, ReplicaConfig, ReplicaServer, Status, serve_replica
from ecss_crawler.replica.site import ReplicaSite
from ecss_crawler.spiders.ecss import EcssSpider
from tests.crawl_support import FAST

ROOT = Path(__file__).resolve().parent.parent
LIST_FIELDS = ("authors", "categories", "tags", "attachments", "warnings")
#: Crawl-test site: half Arabic, small enough for three crawls.
CONFIG = ReplicaConfig(seed=5, n_articles=14, arabic_share=0.5, per_page=4)


def _article(**changes: Any) -> Article:
    values: dict[str, Any] = {
        "url": "https://ecss.com.eg/12345/",
        "site": "ecss.com.eg",
        "post_id": 12345,
        "language": "ar",
        "title": "قراءة في منطقة الساحل",
        "authors": [" نورهان  الشيخ ", "نورهان الشيخ", "Ahmed Kamal"],
        "published": "2024-03-01T10:00:00+02:00",
        "categories": ["تقدير موقف"],
        "tags": [],
        "summary": None,
        "body": "فقرة أولى.\n\nفقرة ثانية.",
        "word_count": 4,
        "sources": {"title": "foxiz", "body": "foxiz"},
        "extractor_version": "1.1.0",
    }
    values.update(changes)
    return Article(**values)


def _capture(body: bytes = b"<html>raw</html>") -> Capture:
    return Capture("https://ecss.com.eg/12345/", 200, {}, body, "2026-01-02T03:04:05+00:00")


def _json_safe(value: Any) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_safe(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_json_safe(v) for v in value)
    return value is None or isinstance(value, str | int | float | bool)


# ---------------------------------------------------------------------------- records


def test_record_holds_the_archive_fields_as_json_safe_values() -> None:
    record = article_record(_article(), fetched_at="2026-01-02T03:04:05+00:00")
    values = vars(record)
    assert tuple(values) == RECORD_FIELDS
    assert all(_json_safe(value) for value in values.values())
    assert record.id == "ecss.com.eg:12345"
    assert record.authors == ["نورهان الشيخ", "Ahmed Kamal"]  # cleaned as the archive stores
    assert record.tags == []
    datetime.fromisoformat(str(record.published))
    datetime.fromisoformat(str(record.fetched_at))


def test_record_pipeline_makes_records_of_accepted_articles_only() -> None:
    pipeline = RecordPipeline()
    stored = CapturedArticle(_article(), _capture(), outcome="new", article_id="ecss.com.eg:x")
    record = pipeline.process_item(stored)
    assert isinstance(record, ArticleRecord)
    assert record.id == "ecss.com.eg:x"  # the archive's id wins
    assert record.fetched_at == "2026-01-02T03:04:05+00:00"
    rejected = CapturedArticle(_article(), _capture(), outcome="rejected")
    assert pipeline.process_item(rejected) is rejected
    unarchived = pipeline.process_item(CapturedArticle(_article(), _capture()))
    assert isinstance(unarchived, ArticleRecord)  # ECSS_DB empty: still a record
    failure = PageFailure("https://ecss.com.eg/1/", "fetch", "HTTP 500", 500, _capture())
    assert pipeline.process_item(failure) is failure


def _feeds_after_addon(settings: Settings) -> dict[str, dict[str, Any]]:
    RecordFeeds().update_settings(settings)
    return settings.getdict("FEEDS")


def test_every_feed_gets_records_only_unless_it_chooses() -> None:
    settings = Settings()
    settings.setmodule("ecss_crawler.settings", priority="project")
    settings.set(
        "FEEDS",
        {
            "all.jsonl": {"format": "jsonlines"},
            "mine.jsonl": {"format": "jsonlines", "item_classes": ["ecss_crawler.items.Article"]},
        },
        priority="project",
    )
    add_cli_feeds(settings, [], ["out.csv", "out.xml"])
    feeds = _feeds_after_addon(settings)
    assert settings.getpriority("FEEDS") == SETTINGS_PRIORITIES["cmdline"]  # as -O set it
    assert feeds["mine.jsonl"]["item_classes"] == ["ecss_crawler.items.Article"]
    internal = [
        CapturedArticle(_article(), _capture(b"\x00\xff raw bytes")),
        PageFailure("u", "extract", "not an HTML response", 200, _capture(b"%PDF")),
        ArticleUnchanged("u", "ecss.com.eg:1"),
        ArticleGone("u", 404, "ecss.com.eg:1"),
    ]
    for uri in ("all.jsonl", "out.csv", "out.xml"):
        item_filter = ItemFilter(feeds[uri])
        assert item_filter.accepts(article_record(_article()))
        assert not any(item_filter.accepts(item) for item in internal), uri


def test_no_feed_no_change() -> None:
    settings = Settings({"FEEDS": {}})
    assert _feeds_after_addon(settings) == {}


def _export(exporter_class: type, record: ArticleRecord, tmp_path: Path) -> bytes:
    path = tmp_path / "out"
    with path.open("wb") as stream:
        exporter = exporter_class(stream, encoding="utf-8")
        exporter.start_exporting()
        exporter.export_item(record)
        exporter.finish_exporting()
    return path.read_bytes()


def test_csv_joins_lists_readably_in_utf8(tmp_path: Path) -> None:
    data = _export(RecordCsvExporter, article_record(_article()), tmp_path)
    row = next(csv.DictReader(data.decode("utf-8").splitlines(keepends=True)))
    assert row["authors"] == "نورهان الشيخ; Ahmed Kamal"
    assert row["tags"] == ""
    assert row["summary"] == ""  # None, not the text "None"
    assert json.loads(row["sources"]) == {"title": "foxiz", "body": "foxiz"}
    assert row["body"] == "فقرة أولى.\n\nفقرة ثانية."


def test_xml_writes_lists_as_values_and_none_as_empty(tmp_path: Path) -> None:
    data = _export(RecordXmlExporter, article_record(_article()), tmp_path)
    item = ET.fromstring(data).find("item")
    assert item is not None
    assert [v.text for v in item.findall("authors/value")] == ["نورهان الشيخ", "Ahmed Kamal"]
    assert item.findtext("summary") == ""
    assert item.findtext("sources/title") == "foxiz"
    assert "قراءة في منطقة الساحل".encode() in data


# ---------------------------------------------------------------------------- commands


def test_crawl_command_rejects_an_unknown_feed_format(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["crawl", "--db", str(tmp_path / "x.db"), "-O", str(tmp_path / "out.nope")]
    )
    assert result.exit_code == 2
    assert "Unrecognized output format 'nope'" in result.output
    assert not (tmp_path / "x.db").exists()


def test_base_url_follows_a_start_url_only_when_not_given() -> None:
    def make(**kwargs) -> EcssSpider:
        return EcssSpider.from_crawler(get_crawler(EcssSpider, {"ECSS_DB": ""}), **kwargs)

    spider = make()
    spider.follow_start_url("http://127.0.0.1:8089/2024/05/some-article/")
    assert spider.base_url == "http://127.0.0.1:8089/"
    assert spider.profile.name == "127.0.0.1:8089"
    assert spider.profile.theme == "auto"
    arabic = make()
    arabic.follow_start_url("https://ecss.com.eg/12345/")
    assert arabic.profile.name == "ecss-ar"
    chosen = make(base_url="https://ecss.com.eg/")
    chosen.follow_start_url("http://127.0.0.1:8089/x/")
    assert chosen.base_url == "https://ecss.com.eg/"
    named = make(site="ecss-en")
    named.follow_start_url("http://127.0.0.1:8089/x/")
    assert named.base_url == "https://en.ecss.com.eg/"
    crawl = make()
    crawl.follow_start_url("https://en.ecss.com.eg/")  # a normal crawl's own home page
    crawl.follow_start_url("http://127.0.0.1:8089/x/")  # only the first start request counts
    assert crawl.base_url == "https://en.ecss.com.eg/"


def _spider_response(site: ReplicaSite, url: str) -> tuple[EcssSpider, HtmlResponse]:
    """The spider as ``scrapy parse`` makes it (no base_url), and the replica's page at ``url``."""
    crawler = get_crawler(EcssSpider, {"ECSS_DB": ""})
    spider = EcssSpider.from_crawler(crawler)
    crawler.spider = spider
    spider.follow_start_url(url)
    page = site.render(urlsplit(url).path)
    response = HtmlResponse(
        url, status=page.status, headers=page.headers, body=page.body, request=Request(url)
    )
    return spider, response


def test_spider_parse_gives_a_clean_record_or_the_listing_requests() -> None:
    site = ReplicaSite(ReplicaConfig(seed=5, n_articles=8, arabic_share=0.5, per_page=3))
    spec = site.articles[0]
    spider, response = _spider_response(site, site.url_for(spec))
    [record] = list(spider.parse(response))
    assert isinstance(record, ArticleRecord)
    assert (record.url, record.title) == (site.url_for(spec), spec.title)
    slug = max(site.index.by_category, key=lambda name: len(site.index.by_category[name]))
    spider, response = _spider_response(site, site.category_url(slug))
    requests = list(spider.parse(response))
    assert requests
    assert all(isinstance(request, Request) for request in requests)
    assert {request.callback for request in requests} >= {spider.parse_article}


# ---------------------------------------------------------------------------- crawls


@pytest.fixture(scope="module")
def replica() -> Iterator[ReplicaServer]:
    """Half-Arabic replica; one article answers 500, one is not HTML (failures with bytes)."""
    with serve_replica(CONFIG) as server:
        specs = sorted(server.site.articles, key=lambda spec: spec.post_id)
        server.faults[specs[0].path] = Status(500)
        server.faults[specs[1].path] = Body(b"%PDF-1.4 \x00\xff", headers={"Content-Type": "x/y"})
        yield server


def _expected_urls(server: ReplicaServer) -> set[str]:
    """Every article page except the two faulted ones."""
    faulted = set(server.faults)
    return {server.site.url_for(spec) for spec in server.site.articles if spec.path not in faulted}


def _archived(db_path: Path) -> dict[str, dict[str, Any]]:
    db = connect(db_path, create=False)
    fields = [name for name in RECORD_FIELDS if name != "fetched_at"]
    try:
        return {row["id"]: row for row in queries.iter_articles(db, fields=fields)}
    finally:
        db.conn.close()


def _as_text(value: Any, separator: str = "; ") -> Any:
    """An archived value as CSV / XML text."""
    if value is None:
        return ""
    if isinstance(value, list):
        return separator.join(value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    text = path.read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def _read_stream(path: Path, load: Any) -> list[dict[str, Any]]:
    records = []
    with path.open("rb") as stream:
        while True:
            try:
                records.append(load(stream))
            except EOFError:
                return records


def _read_xml(path: Path) -> list[dict[str, Any]]:
    records = []
    for item in ET.parse(path).getroot():
        record: dict[str, Any] = {}
        for element in item:
            if element.tag in LIST_FIELDS:
                record[element.tag] = "; ".join(v.text or "" for v in element)
            elif element.tag == "sources":
                record[element.tag] = {child.tag: child.text for child in element}
            else:
                record[element.tag] = element.text or ""
        records.append(record)
    return records


def _assert_same(records: list[dict[str, Any]], archived: dict[str, dict[str, Any]], fmt: str):
    by_id = {record["id"]: record for record in records}
    assert len(by_id) == len(records), fmt
    assert set(by_id) == set(archived), fmt
    for key, stored in archived.items():
        record = by_id[key]
        assert set(record) == set(RECORD_FIELDS), fmt
        datetime.fromisoformat(record["fetched_at"])
        for name, value in stored.items():
            if fmt == "csv":
                value = _as_text(value)
            elif fmt == "xml":
                value = value if name == "sources" else _as_text(value)
            assert record[name] == value, (fmt, key, name)


@pytest.fixture(scope="module")
def feeds_crawl(
    tmp_path_factory: pytest.TempPathFactory, replica: ReplicaServer
) -> tuple[Path, Path, subprocess.CompletedProcess[str]]:
    """One ``ecss-crawler crawl`` writing every feed format at once (``FEEDS``, and ``-o``
    to a file and to standard output), plus the archive."""
    out = tmp_path_factory.mktemp("feeds")
    feeds = {
        (out / "file-uri.jsonl").as_uri(): {"format": "jsonlines"},
        str(out / "all.json"): {"format": "json"},
        str(out / "all.csv"): {"format": "csv"},
        str(out / "all.xml"): {"format": "xml"},
        str(out / "all.marshal"): {"format": "marshal"},
        str(out / "all.pickle"): {"format": "pickle"},
        str(out / "batch-%(batch_id)d.jl"): {"format": "jl", "batch_item_count": 5},
    }
    db = out / "archive.db"
    command = [sys.executable, "-m", "ecss_crawler.cli", "crawl", "--base-url", replica.base_url]
    command += ["--db", str(db), "-o", str(out / "cli.jsonl"), "-o", "-:jsonl"]
    for setting in (*FAST, "FEEDS=" + json.dumps(feeds)):
        command += ["-s", setting]
    run = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    return out, db, run


def test_every_feed_format_matches_the_archive(feeds_crawl, replica: ReplicaServer) -> None:
    out, db, run = feeds_crawl
    assert run.returncode == 0, run.stderr[-3000:]
    for problem in ("Traceback", "Error caught on signal handler", "not JSON serializable"):
        assert problem not in run.stderr, run.stderr[-3000:]
    archived = _archived(db)
    assert {row["url"] for row in archived.values()} == _expected_urls(replica)
    read = {
        "jsonl": _read_jsonl(out / "file-uri.jsonl"),
        "cli": _read_jsonl(out / "cli.jsonl"),
        "json": json.loads((out / "all.json").read_text(encoding="utf-8")),
        "csv": list(csv.DictReader((out / "all.csv").open(encoding="utf-8", newline=""))),
        "xml": _read_xml(out / "all.xml"),
        "stdout": [json.loads(line) for line in run.stdout.splitlines()],
        "marshal": _read_stream(out / "all.marshal", marshal.load),
        "pickle": _read_stream(out / "all.pickle", pickle.load),
    }
    for fmt, records in read.items():
        _assert_same(records, archived, fmt)
    assert "Crawl finished (finished)" in run.stderr  # the summary moves off the feed's way


def test_batches_split_the_feed(feeds_crawl) -> None:
    out, db, _ = feeds_crawl
    batches = sorted(out.glob("batch-*.jl"))
    assert len(batches) == 3  # 12 articles, 5 per file
    records = [record for path in batches for record in _read_jsonl(path)]
    assert [len(_read_jsonl(path)) for path in batches] == [5, 5, 2]
    _assert_same(records, _archived(db), "jsonl")


def test_arabic_is_utf8_text_in_json_and_csv(feeds_crawl) -> None:
    out, _, _ = feeds_crawl
    for name in ("cli.jsonl", "all.json", "all.csv", "all.xml"):
        text = (out / name).read_bytes().decode("utf-8")
        assert "\\u" not in text, name
        assert "الدراسات" in text or "تقدير موقف" in text, name
    languages = {record["language"] for record in _read_jsonl(out / "cli.jsonl")}
    assert languages == {"ar", "en"}


def _project(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A folder with the project's scrapy.cfg and an environment without ECSS_DB."""
    shutil.copy(ROOT / "scrapy.cfg", tmp_path / "scrapy.cfg")
    env = {k: v for k, v in os.environ.items() if k != "ECSS_DB"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return tmp_path, env


def _scrapy(project: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "scrapy", *args]
    return subprocess.run(
        command, cwd=project, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_scrapy_crawl_with_a_feed_also_archives_to_the_default_path(
    tmp_path: Path, replica: ReplicaServer
) -> None:
    project, env = _project(tmp_path)
    speed = [arg for setting in FAST for arg in ("-s", setting)]
    args = ["crawl", "ecss", "-a", f"base_url={replica.base_url}", *speed]
    result = _scrapy(project, env, *args, "-O", "articles.jsonl")
    assert result.returncode == 0, result.stderr[-3000:]
    lines = (project / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert {record["url"] for record in records} == _expected_urls(replica)
    assert all(tuple(record) == RECORD_FIELDS for record in records)
    assert "\\u" not in "\n".join(lines)
    archived = _archived(project / "data" / "ecss.db")  # ECSS_DB unset: the default path
    _assert_same(records, archived, "jsonl")

    # A second crawl changes nothing in the archive; its feed still holds every article.
    again = _scrapy(project, env, *args, "-O", "again.csv")
    assert again.returncode == 0, again.stderr[-3000:]
    assert "unchanged 12" in again.stderr
    rows = list(csv.DictReader((project / "again.csv").open(encoding="utf-8", newline="")))
    _assert_same(rows, _archived(project / "data" / "ecss.db"), "csv")


def test_scrapy_parse_reads_an_article_of_another_site(
    tmp_path: Path, replica: ReplicaServer
) -> None:
    project, env = _project(tmp_path)
    spec = next(
        spec
        for spec in sorted(replica.site.articles, key=lambda s: -s.post_id)
        if spec.language == "ar"
    )
    url = replica.site.url_for(spec)
    result = _scrapy(project, env, "parse", "--spider", "ecss", "--nocolour", url)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "OffsiteRequestError" not in result.stderr
    assert f"the site is {replica.base_url}" in result.stderr
    assert "Scraped Items" in result.stdout
    assert spec.title in result.stdout
    assert f"'url': '{url}'" in result.stdout
    assert "'capture'" not in result.stdout  # the clean record, not the raw response
