"""Article pages read in a child process: the same records and errors as in-process.

The crawl sends each article page to a page-reader child
(:mod:`ecss_crawler.extract.worker`); it must return exactly what
:func:`~ecss_crawler.extract.extract_article` returns in the crawl's own process,
raise the same exceptions, and survive a child that dies.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ecss_crawler.childproc import ChildGone
from ecss_crawler.extract import NotAnArticle, NotHTMLError, extract_article
from ecss_crawler.extract.worker import ProcessPageReader
from ecss_crawler.offload import ProcessReader
from ecss_crawler.sites import SiteProfile, generic_profile, profile_for
from tests.test_golden import fixture_dirs, fixture_id

FIXTURES = fixture_dirs()


@pytest.fixture(scope="module")
def reader() -> Iterator[ProcessPageReader]:
    made = ProcessPageReader()
    yield made
    made.close()


def page(path: Path) -> tuple[bytes, str]:
    url = json.loads((path / "meta.json").read_text(encoding="utf-8"))["url"]
    return (path / "input.html").read_bytes(), url


def test_every_fixture_reads_the_same_in_the_child(reader: ProcessPageReader) -> None:
    """All pages are sent before any answer is awaited (the child works through a queue)."""
    sent = []
    for path in FIXTURES:
        body, url = page(path)
        sent.append((path, body, url, reader.read(body, url, "text/html", profile_for(url))))
    for path, body, url, future in sent:
        try:
            here: object = extract_article(body, url, profile=profile_for(url))
        except NotAnArticle as error:
            here = ("not an article", error.kind)
        try:
            there: object = future.result(60)
        except NotAnArticle as error:
            there = ("not an article", error.kind)
        assert there == here, fixture_id(path)


def test_a_non_article_and_unreadable_input_raise_as_in_process(reader: ProcessPageReader) -> None:
    url = "http://127.0.0.1:8089/category/economy/"
    listing = (
        b"<html><body class='archive category'><main><h1>Economy</h1>"
        b"<article class='post'><h2><a href='/a/'>A</a></h2></article></main></body></html>"
    )
    with pytest.raises(NotAnArticle) as raised:
        reader.read(listing, url, "text/html", generic_profile(url)).result(30)
    with pytest.raises(NotAnArticle) as here:
        extract_article(listing, url, profile=generic_profile(url))
    assert (raised.value.kind, raised.value.url) == (here.value.kind, here.value.url)
    with pytest.raises(NotHTMLError):
        reader.read(b"\x00\x01\x02" * 100, url, None, generic_profile(url)).result(30)


def test_each_profile_crosses_the_pipe_pickled_once(reader: ProcessPageReader) -> None:
    body, url = page(FIXTURES[0])
    profile = profile_for(url)
    reader.read(body, url, "text/html", profile).result(30)
    first = reader._pickled(profile)
    reader.read(body, url, "text/html", profile).result(30)
    assert reader._pickled(profile)[1] is first[1]  # the same bytes object, not pickled again


def started(reader: ProcessPageReader) -> tuple[bytes, str, SiteProfile, int]:
    """Read a first page (the child starts); its bytes, URL, profile and the child's pid."""
    body, url = page(FIXTURES[0])
    profile = profile_for(url)
    reader.read(body, url, "text/html", profile).result(60)
    pid = reader.worker.pid
    assert pid is not None
    return body, url, profile, pid


def test_a_dead_child_fails_its_pages_and_the_next_page_gets_a_new_one() -> None:
    reader = ProcessPageReader()
    try:
        body, url, profile, first = started(reader)
        os.kill(first, signal.SIGSTOP)
        waiting = [reader.read(body, url, "text/html", profile) for _ in range(3)]
        os.kill(first, signal.SIGKILL)
        for future in waiting:
            with pytest.raises(ChildGone, match="page reader process stopped"):
                future.result(60)
        again = reader.read(body, url, "text/html", profile).result(60)
        assert again.title
        assert reader.worker.pid not in (None, first)
    finally:
        reader.close()


def test_the_crawls_reader_reads_a_page_again_after_its_child_died() -> None:
    """The page in the child when it died may not be the one that killed it: it is read
    once more by a new child."""
    crawl_reader = ProcessReader()
    try:
        body, url = page(FIXTURES[0])
        profile = profile_for(url)
        asyncio.run(crawl_reader.read(body, url, "text/html", profile))
        child = crawl_reader.reader.worker.pid
        assert child is not None
        os.kill(child, signal.SIGSTOP)
        threading.Timer(0.3, os.kill, (child, signal.SIGKILL)).start()
        article = asyncio.run(crawl_reader.read(body, url, "text/html", profile))
        assert article == extract_article(body, url, profile=profile)
        assert crawl_reader.reader.worker.pid != child
    finally:
        crawl_reader.close()


def test_a_page_that_takes_too_long_stops_its_reader() -> None:
    """A reader that has a page and answers nothing for ``timeout`` seconds is killed: its
    pages fail with a reason that says so, and the next page gets a new reader."""
    reader = ProcessPageReader(timeout=3.0)  # the first page (cold caches) takes well under
    try:
        body, url, profile, stuck = started(reader)
        os.kill(stuck, signal.SIGSTOP)  # as a page the parser loops on
        with pytest.raises(ChildGone, match=r"took over 3 s: stopped"):
            reader.read(body, url, "text/html", profile).result(60)
        assert reader.read(body, url, "text/html", profile).result(60).title
        assert reader.worker.pid not in (None, stuck)
    finally:
        reader.close()


def test_an_idle_reader_is_not_stopped() -> None:
    """The time limit counts only while a page waits for its answer."""
    import time

    reader = ProcessPageReader(timeout=2.0)
    try:
        body, url, profile, first = started(reader)
        time.sleep(2.5)
        reader.read(body, url, "text/html", profile).result(60)
        assert reader.worker.pid == first
    finally:
        reader.close()


def _swollen(html: str) -> str:
    """The article with 100,000 more paragraphs in its body: ~0.8 s to parse and read."""
    end = html.index("</p>", html.index("entry-content"))
    return html[:end] + "</p>" + "<p>a <b>b</b> c</p>" * 100_000 + html[end + 4 :]


def test_pages_the_reader_cannot_finish_are_recorded_failures(tmp_path: Path) -> None:
    """End to end: article pages that take far longer to read than the time limit (pages
    of 2 MB against 0.05 s) each become an ``extract`` failure saying why, nothing
    half-read is stored, and the crawl exits 6."""
    from ecss_crawler.replica import ReplicaConfig, serve_replica
    from ecss_crawler.replica.faults import rewrite
    from tests.crawl_support import FAST, run_crawl

    with serve_replica(ReplicaConfig(seed=5, n_articles=6)) as server:
        for spec in server.site.articles:
            server.faults[spec.path] = rewrite(_swollen)
        settings = (*FAST, "ECSS_READ_TIMEOUT=0.05", "ECSS_DOCUMENTS=0")
        run = run_crawl(server.base_url, tmp_path / "ecss.db", settings=settings)
    assert run.returncode == 6, run.output[-3000:]
    failures = list(run.db.query("SELECT stage, reason FROM failures"))
    assert len(failures) == len(server.site.articles) == 6
    assert {row["stage"] for row in failures} == {"extract"}
    assert all("page reader process took over 0.05 s" in row["reason"] for row in failures)
    assert run.db["articles"].count == 0


def test_settings_choose_the_reader_and_its_time_limit() -> None:
    from scrapy.settings import Settings

    from ecss_crawler.offload import ThreadReader, log_level, page_reader

    default = page_reader(Settings({"LOG_LEVEL": "WARNING"}))
    assert isinstance(default, ProcessReader)
    assert default.reader.worker.timeout == 60.0
    assert default.reader.worker.command[-1] == "30"  # the child forwards WARNING and up
    unlimited = page_reader(Settings({"ECSS_READ_TIMEOUT": 0}))
    assert isinstance(unlimited, ProcessReader)
    assert unlimited.reader.worker.timeout is None
    assert isinstance(page_reader(Settings({"ECSS_READ_PROCESS": False})), ThreadReader)
    assert [log_level(v) for v in ("INFO", "debug", 40, None, "nonsense")] == [20, 10, 40, 10, 10]
