"""WARC output: a crawl of the replica with ``--warc``, and ``export --format warc``.

The files are checked with warcio's own tools (``warcio check``, ``warcio index``) and
reader (every digest verified), and replayed: each response record's payload must be
the bytes the server sent (gzip and all), decode to the page the archive stored, and
extract to the archived record.
"""

from __future__ import annotations

import gzip
import re
import subprocess
import sys
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator

from ecss_crawler.extract import extract_article
from ecss_crawler.replica import ReplicaConfig, ReplicaServer, Status, serve_replica
from ecss_crawler.warc.extension import WarcWriter, exchange_from
from ecss_crawler.warc.files import (
    Exchange,
    WarcFile,
    WarcFileSet,
    crawl_info,
    response_headers,
    status_line,
    with_host,
    write_exchange,
)
from tests.crawl_support import CrawlRun, run_crawl

CONFIG = ReplicaConfig(seed=13, n_articles=12, arabic_share=0.4, per_page=3)
MAX_SIZE = 60_000
NAME = re.compile(r"^ECSS-\d{17}-(\d{5})-\d+~[^/]+\.warc\.gz$")


class Crawled:
    def __init__(self, server: ReplicaServer, run: CrawlRun, warc_dir: Path) -> None:
        self.server, self.run, self.warc_dir = server, run, warc_dir
        self.files = sorted(warc_dir.iterdir())
        self.served = server.requests.snapshot()  # before any test asks the server again
        self.broken = self.server.site.expected_records()[0]["url"]
        self.missing = self.server.site.expected_records()[1]["url"]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    tmp = tmp_path_factory.mktemp("warc")
    with serve_replica(CONFIG) as server:
        records = server.site.expected_records()
        server.faults[urlsplit(records[0]["url"]).path] = Status(500, times=1)
        server.faults[urlsplit(records[1]["url"]).path] = Status(404)
        run = run_crawl(
            server.base_url,
            tmp / "ecss.db",
            "--warc",
            str(tmp / "warc"),
            settings=(*_fast(), f"ECSS_WARC_MAX_SIZE={MAX_SIZE}"),
        )
        yield Crawled(server, run, tmp / "warc")


def _fast() -> tuple[str, ...]:
    from tests.crawl_support import FAST

    return FAST


def records(path: Path) -> list[dict[str, Any]]:
    """Every record of a file: WARC and HTTP headers, raw payload, decoded content."""
    out = []
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream, check_digests=True):
            raw = record.raw_stream.read()
            out.append(
                {
                    "type": record.rec_type,
                    "warc": record.rec_headers,
                    "http": record.http_headers,
                    "raw": raw,
                    "digest_ok": record.digest_checker.passed,
                    "problems": list(record.digest_checker.problems),
                }
            )
    return out


def all_records(crawled: Crawled) -> list[dict[str, Any]]:
    return [record for path in crawled.files for record in records(path)]


def responses(crawled: Crawled) -> list[dict[str, Any]]:
    return [r for r in all_records(crawled) if r["type"] == "response"]


def warcio_cli(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "warcio.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


# --------------------------------------------------------------------------- the crawl


def test_crawl_with_warc_succeeds(crawled: Crawled) -> None:
    assert crawled.run.returncode == 0, crawled.run.output[-3000:]
    assert "WARC:" in crawled.run.output
    assert "Traceback" not in crawled.run.output


def test_files_named_rotated_and_closed(crawled: Crawled) -> None:
    names = [path.name for path in crawled.files]
    assert len(names) >= 3, names  # rotated at the small size limit
    assert not [name for name in names if name.endswith(".open")]
    serials = [int(NAME.match(name).group(1)) for name in names]  # type: ignore[union-attr]
    assert serials == list(range(len(names)))
    assert len({name.split("-00")[0] for name in names}) == 1  # one crawl, one stem
    for path in crawled.files[:-1]:
        assert path.stat().st_size >= MAX_SIZE
    for path in crawled.files:
        found = records(path)
        assert found[0]["type"] == "warcinfo"
        assert found[0]["warc"].get_header("WARC-Filename") == path.name
        assert b"software: ecss-crawler/" in found[0]["raw"]
        assert found[0]["warc"].protocol == "WARC/1.1"
        assert {r["type"] for r in found[1:]} == {"response", "request"}


def test_warcio_check_and_index_pass(crawled: Crawled) -> None:
    files = [str(path) for path in crawled.files]
    check = warcio_cli("check", "-v", *files)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count("digest pass") == len(all_records(crawled))
    index = warcio_cli("index", "-f", "warc-type,warc-target-uri,http:status", *files)
    assert index.returncode == 0, index.stderr
    assert index.stdout.count('"warc-type": "response"') == len(responses(crawled))


def test_every_digest_verified_by_the_reader(crawled: Crawled) -> None:
    found = all_records(crawled)
    for record in found:
        if record["type"] == "warcinfo":
            continue
        assert record["digest_ok"] is True, record["problems"]
        assert record["warc"].get_header("WARC-Payload-Digest").startswith("sha1:")
        assert record["warc"].get_header("WARC-Block-Digest").startswith("sha1:")


def test_every_fetch_is_a_response_record(crawled: Crawled) -> None:
    served = Counter((entry.target, entry.status) for entry in crawled.served)
    written = Counter(
        (_target(r["warc"].get_header("WARC-Target-URI")), int(r["http"].get_statuscode()))
        for r in responses(crawled)
    )
    assert written == served
    files = len(crawled.files)
    assert f"WARC: {sum(written.values())} responses in {files} file(s)" in crawled.run.output


def test_errors_are_responses_too(crawled: Crawled) -> None:
    by_url: dict[str, list[int]] = {}
    for record in responses(crawled):
        url = record["warc"].get_header("WARC-Target-URI")
        by_url.setdefault(url, []).append(int(record["http"].get_statuscode()))
    assert by_url[crawled.broken] == [500, 200]  # the failed try, then the retry
    assert by_url[crawled.missing] == [404]
    statuses = {r["http"].statusline for r in responses(crawled)}
    assert {"500 Internal Server Error", "404 Not Found", "200 OK"} <= statuses


def test_requests_pair_with_responses(crawled: Crawled) -> None:
    found = all_records(crawled)
    by_id = {r["warc"].get_header("WARC-Record-ID"): r for r in found}
    requests = [r for r in found if r["type"] == "request"]
    assert len(requests) == len(responses(crawled))
    for request in requests:
        response = by_id[request["warc"].get_header("WARC-Concurrent-To")]
        assert response["type"] == "response"
        for name in ("WARC-Target-URI", "WARC-Date", "WARC-IP-Address"):
            assert request["warc"].get_header(name) == response["warc"].get_header(name)
        url = request["warc"].get_header("WARC-Target-URI")
        assert request["http"].protocol == "GET"
        assert request["http"].statusline == f"{_target(url)} HTTP/1.1"
        assert request["http"].get_header("Host") == urlsplit(url).netloc
        assert request["http"].get_header("User-Agent").startswith("ecss-crawler/")
        assert "gzip" in request["http"].get_header("Accept-Encoding")
    assert {r["warc"].get_header("WARC-IP-Address") for r in requests} == {"127.0.0.1"}
    assert all(
        re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", r["warc"].get_header("WARC-Date"))
        for r in found
    )


def test_payloads_are_the_bytes_served(crawled: Crawled) -> None:
    """Replay: ask the server again, as the crawler did; the raw bodies must be equal."""
    checked = 0
    for record in responses(crawled):
        if record["http"].get_statuscode() != "200":
            continue
        url = record["warc"].get_header("WARC-Target-URI")
        request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert record["raw"] == answer.read(), url
        checked += 1
    assert checked >= 20


def test_gzip_bodies_kept_encoded(crawled: Crawled) -> None:
    html = [
        r
        for r in responses(crawled)
        if "text/html" in (r["http"].get_header("Content-Type") or "")
        and r["http"].get_statuscode() == "200"
    ]
    assert html
    for record in html:
        assert record["http"].get_header("Content-Encoding") == "gzip"
        assert record["raw"][:2] == b"\x1f\x8b"
        assert int(record["http"].get_header("Content-Length")) == len(record["raw"])
        assert b"<html" in gzip.decompress(record["raw"])


def test_replayed_pages_match_the_archive(crawled: Crawled) -> None:
    """Decoded through warcio, each article page equals the stored capture and extracts
    to the stored record."""
    db = crawled.run.db
    stored = {row["url"]: row for row in db["articles"].rows}
    captures = {row["url"]: row for row in db["captures"].rows}
    from ecss_crawler.archive.store import Archive

    archive = Archive(crawled.run.db_path)
    compared = 0
    try:
        for path in crawled.files:
            with path.open("rb") as stream:
                for record in ArchiveIterator(stream):
                    url = record.rec_headers.get_header("WARC-Target-URI")
                    if record.rec_type != "response" or url not in captures:
                        continue
                    if record.http_headers.get_statuscode() != "200":
                        continue
                    page = record.content_stream().read()
                    assert page == archive.capture_body(captures[url]["id"])
                    article = extract_article(page, url)
                    assert article.title == stored[article.url]["title"]
                    assert article.body == stored[article.url]["body"]
                    compared += 1
    finally:
        archive.close()
    assert compared == len(stored) == len(captures)


def test_crawl_without_warc_writes_none(tmp_path: Path) -> None:
    with serve_replica(CONFIG) as server:
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "ecss_crawler.cli",
                "crawl",
                "--base-url",
                server.base_url,
                "--db",
                "out/ecss.db",
                "-s",
                "DOWNLOAD_DELAY=0",
                "-s",
                "AUTOTHROTTLE_ENABLED=0",
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert run.returncode == 0, run.stderr[-3000:]
    assert not [p for p in tmp_path.rglob("*") if ".warc" in p.name]
    assert "WARC:" not in run.stderr
    with pytest.raises(NotConfigured):
        WarcWriter.from_crawler(get_crawler(settings_dict={}))


def test_unwritable_warc_dir_stops_with_exit_7(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the WARC directory should be")
    with serve_replica(ReplicaConfig(seed=5, n_articles=3, per_page=3)) as server:
        run = run_crawl(
            server.base_url,
            tmp_path / "ecss.db",
            settings=(*_fast(), f"ECSS_WARC_DIR={blocker}"),
        )
    assert run.returncode == 7, run.output[-3000:]
    assert "STORAGE ERROR: could not write WARC files" in run.output
    assert "Traceback" not in run.output


# --------------------------------------------------------------------------- export


def export(db: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    command = [sys.executable, "-m", "ecss_crawler.cli", "export", "--db", str(db)]
    return subprocess.run(
        [*command, "--format", "warc", *args], capture_output=True, timeout=120, check=False
    )


def test_export_warc_from_captures(crawled: Crawled, tmp_path: Path) -> None:
    db = crawled.run.db_path
    result = export(db, "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    files = sorted((tmp_path / "out").iterdir())
    assert len(files) == 1
    assert files[0].name.startswith("ECSS-export-")
    check = warcio_cli("check", "-v", str(files[0]))
    assert check.returncode == 0, check.stdout
    found = records(files[0])
    assert found[0]["type"] == "warcinfo"
    assert b"no request records" in found[0]["raw"]
    exported = [r for r in found if r["type"] == "response"]
    captures = list(crawled.run.db["captures"].rows)
    assert len(exported) == len(captures)
    from ecss_crawler.archive.store import Archive

    archive = Archive(db)
    try:
        for record, capture in zip(exported, captures, strict=True):
            assert record["digest_ok"] is True
            assert record["warc"].get_header("WARC-Target-URI") == capture["url"]
            assert record["raw"] == archive.capture_body(capture["id"])
            assert record["http"].get_header("Content-Encoding") is None
            assert int(record["http"].get_header("Content-Length")) == len(record["raw"])
            assert record["warc"].get_header("WARC-Date").startswith(capture["fetched_at"][:19])
    finally:
        archive.close()


def test_export_warc_file_stdout_and_filters(crawled: Crawled, tmp_path: Path) -> None:
    db = crawled.run.db_path
    one = tmp_path / "arabic.warc.gz"
    assert export(db, "--lang", "ar", "-o", str(one)).returncode == 0
    arabic = {row["url"] for row in crawled.run.articles() if row["language"] == "ar"}
    urls = {r["warc"].get_header("WARC-Target-URI") for r in records(one)[1:]}
    assert urls == arabic
    again = export(db, "-o", str(one))
    assert again.returncode == 2
    assert b"exists already" in again.stderr
    piped = export(db)
    assert piped.returncode == 0
    (tmp_path / "stdout.warc.gz").write_bytes(piped.stdout)
    assert warcio_cli("check", str(tmp_path / "stdout.warc.gz")).returncode == 0
    assert len(records(tmp_path / "stdout.warc.gz")) == 1 + len(
        list(crawled.run.db["captures"].rows)
    )
    wrong = export(db, "--fields", "title")
    assert wrong.returncode == 2
    assert b"--fields" in wrong.stderr


# --------------------------------------------------------------------------- units


def _target(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_status_lines_and_headers() -> None:
    assert status_line(200) == "200 OK"
    assert status_line(599) == "599"
    assert response_headers([("Transfer-Encoding", "chunked"), ("ETag", '"x"')]) == [
        ("ETag", '"x"')
    ]
    assert with_host("http://a.example:8080/x", [("Accept", "*/*")])[0] == (
        "Host",
        "a.example:8080",
    )
    assert with_host("http://a.example/", [("host", "b")]) == [("host", "b")]


def test_exchange_from_a_scrapy_response() -> None:
    request = Request("http://a.example/p?q=1", headers={"User-Agent": "ua", "X-Two": ["1", "2"]})
    response = HtmlResponse(
        "http://a.example/p?q=1",
        status=404,
        headers={"Content-Encoding": "gzip", "Set-Cookie": ["a=1", "b=2"]},
        body=gzip.compress(b"<html></html>"),
        request=request,
        protocol="HTTP/1.0",
    )
    exchange = exchange_from(request, response)
    assert exchange.status == 404
    assert exchange.protocol == "HTTP/1.0"
    assert ("X-Two", "1") in exchange.request_headers
    assert ("X-Two", "2") in exchange.request_headers
    assert exchange.response_headers.count(("Set-Cookie", "a=1")) == 1
    assert exchange.body[:2] == b"\x1f\x8b"
    assert exchange.ip_address is None


def test_files_written_as_open_then_renamed(tmp_path: Path) -> None:
    exchange = Exchange(
        "http://a.example/", "GET", [], b"", 200, "HTTP/1.1", [], b"hello", "2026-01-01T00:00:00Z"
    )
    files = WarcFileSet(tmp_path, prefix="T", max_size=10**9, info=crawl_info())
    files.write(lambda writer: write_exchange(writer, exchange))
    assert [p.name.endswith(".warc.gz.open") for p in tmp_path.iterdir()] == [True]
    finished = files.close()
    assert [p.name for p in tmp_path.iterdir()] == [finished[0].name]
    with pytest.raises(FileExistsError):
        WarcFile(finished[0], crawl_info())


def test_rotation_at_the_size_limit_or_never(tmp_path: Path) -> None:
    exchange = Exchange(
        "http://a.example/", "GET", [], b"", 200, "HTTP/1.1", [], b"x" * 5000, "2026-01-01T00:00Z"
    )
    for limit, expected in ((1, 3), (0, 1)):
        files = WarcFileSet(tmp_path / str(limit), max_size=limit, info=crawl_info())
        for _ in range(3):
            files.write(lambda writer: write_exchange(writer, exchange))
        assert len(files.close()) == expected


def test_writer_queue_bounded_in_bytes() -> None:
    from ecss_crawler.warc.extension import ByteBoundedQueue

    waiting: ByteBoundedQueue[str] = ByteBoundedQueue(limit=100)
    assert waiting.put("big", 150, block=False)  # alone, any size may wait
    assert not waiting.put("more", 1, block=False)
    assert waiting.get() == "big"
    assert not waiting.put("more", 1, block=False)  # still being written
    waiting.done()
    assert waiting.put("a", 60, block=False)
    assert waiting.put("b", 40, block=False)
    assert not waiting.put("c", 1, block=False)
    assert waiting.get() == "a"
    waiting.done()
    assert waiting.pending == 40


def test_export_errors_are_one_line(crawled: Crawled, tmp_path: Path) -> None:
    db = crawled.run.db_path
    command = [sys.executable, "-m", "ecss_crawler.cli", "export", "--db", str(db)]
    to_dir = subprocess.run(
        [*command, "--format", "csv", "-o", str(tmp_path)], capture_output=True, check=False
    )
    assert to_dir.returncode == 2
    assert b"is a directory" in to_dir.stderr
    nowhere = export(db, "-o", str(tmp_path / "missing" / "x.warc.gz"))
    assert nowhere.returncode == 1
    assert b"could not write" in nowhere.stderr
    assert b"Traceback" not in nowhere.stderr + to_dir.stderr


def test_write_error_mid_crawl_reported_and_queue_drained(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A disk filling up mid-crawl: the error is reported once and nothing blocks (the
    writer thread keeps emptying the queue, which here holds one body at a time)."""

    def disk_full(self: WarcFileSet, write: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(WarcFileSet, "write", disk_full)
    monkeypatch.setattr("ecss_crawler.warc.extension.PENDING_BYTES", 1500)
    crawler = get_crawler(settings_dict={"ECSS_WARC_DIR": str(tmp_path / "warc")})
    extension = WarcWriter.from_crawler(crawler)
    extension.spider_opened()
    request = Request("http://a.example/")
    response = HtmlResponse("http://a.example/", body=b"x" * 1000, request=request)
    for _ in range(20):
        extension.response_downloaded(response, request)
    extension.spider_closed()
    assert crawler.stats is not None
    error = crawler.stats.get_value("ecss/storage_error")
    assert error.startswith("could not write WARC files in ")
    assert error.endswith("OSError: [Errno 28] No space left on device")
    assert crawler.stats.get_value("ecss/warc/files") is None
