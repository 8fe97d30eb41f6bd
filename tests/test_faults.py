"""Faults: every misbehaviour of the server or the page ends in a retried fetch or a recorded
failure with a clear reason - never a crash, a corrupt or partial row, or a lost version.

One replica site on 127.0.0.1 is crawled cleanly into an archive. Then articles
are added, and faults injected on new and archived article pages (one fault per
page, see ``CASES``), and the site is crawled again into the same archive. Each
case is then checked on its own:

* ``stored``: the (new) article was fetched despite the fault - retried when the
  fault was transient - and stored exactly as the site shows it;
* ``failed``: the (new) article is not stored, and a ``failures`` row says why;
* ``kept``: the archived article keeps its stored version untouched (same content
  hash, no revision), and a ``failures`` row says why the new fetch failed;
* ``removed``: the archived article answered 404/410: flagged removed, nothing deleted.

Docs: ``docs/reliability.md`` lists every case with its test.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pytest

from ecss_crawler.archive.db import check_archive
from ecss_crawler.replica import (
    Delay,
    Fault,
    Mirror,
    Redirect,
    ReplicaConfig,
    ReplicaServer,
    Reset,
    Status,
    Truncate,
    serve_replica,
)
from ecss_crawler.replica.faults import (
    binary_html,
    empty_200,
    gzip_bomb,
    huge_page,
    malformed_html,
    recode,
    rewrite,
    script_only,
)
from tests.test_hard_kill import lost_versions, snapshot

CONFIG = ReplicaConfig(seed=23, n_articles=24, arabic_share=0.4, per_page=4)
#: Short time-outs and retries, alarms off (this test is about data, not verdicts).
SETTINGS = (
    "AUTOTHROTTLE_ENABLED=0",
    "DOWNLOAD_DELAY=0",
    "CONCURRENT_REQUESTS_PER_DOMAIN=8",
    "DOWNLOAD_TIMEOUT=1",
    "RETRY_TIMES=1",
    "ECSS_RETRY_BACKOFF_BASE=0.05",
    "ECSS_RETRY_MAX_DELAY=1",
    "ECSS_MAX_FAILURE_SHARE=1",
    "ECSS_ALARM_MIN_ARTICLES=100000",
    "ECSS_PROGRESS_INTERVAL=0",
    "LOG_LEVEL=INFO",
)
COMPARED = ("url", "post_id", "language", "title", "authors", "published", "modified")
COMPARED += ("categories", "tags", "summary", "body")

Expect = Literal["stored", "failed", "kept", "removed"]


@dataclass(frozen=True)
class World:
    """What a fault factory may refer to."""

    server: ReplicaServer
    decoy: ReplicaServer


@dataclass(frozen=True)
class Case:
    """One fault on one article page, and what must come of it."""

    name: str
    make: Callable[[World, str], Fault]
    target: Literal["new", "archived"]
    expect: Expect
    reason: str = ""  # a substring of the failures row's reason
    language: str = "en"
    #: The page was re-encoded in this charset: text it cannot hold (Arabic-Indic digits
    #: are not in Windows-1256) is expected as the encoder's "?" replacement.
    encoding: str = ""


def _loop(world: World, path: str) -> Fault:
    world.server.faults[path + "loop/"] = Redirect(path)
    return Redirect(path + "loop/")


CASES: tuple[Case, ...] = (
    # Transient server errors: retried (after Retry-After when given), then stored.
    Case("500 once", lambda w, p: Status(500, times=1), "new", "stored"),
    Case("502 once", lambda w, p: Status(502, times=1), "new", "stored"),
    Case("503 once, Retry-After", lambda w, p: Status(503, retry_after=1, times=1), "new", "stored"),
    Case("503 once, no Retry-After", lambda w, p: Status(503, times=1), "new", "stored"),
    Case("429 once, Retry-After", lambda w, p: Status(429, retry_after=1, times=1), "new", "stored"),
    Case("time-out once", lambda w, p: Delay(2.5, times=1), "new", "stored"),
    Case("reset mid-body once", lambda w, p: Reset(after_bytes=400, times=1), "new", "stored"),
    Case("truncated body once", lambda w, p: Truncate(keep=0.5, times=1), "new", "stored"),
    # Persistent server errors: retried, then a failure; the archived version stays.
    Case("500 always", lambda w, p: Status(500), "archived", "kept", "HTTP 500"),
    Case("502 always, Retry-After", lambda w, p: Status(502, retry_after=1), "archived", "kept", "HTTP 502"),
    Case("503 always", lambda w, p: Status(503), "archived", "kept", "HTTP 503"),
    Case("429 always", lambda w, p: Status(429, retry_after=1), "archived", "kept", "HTTP 429"),
    Case("time-out always", lambda w, p: Delay(2.5), "archived", "kept", "took longer than"),
    Case("reset mid-body always", lambda w, p: Reset(after_bytes=400), "archived", "kept", "ResponseDataLoss"),
    Case("truncated body always", lambda w, p: Truncate(keep=0.5), "archived", "kept", "ResponseDataLoss"),
    Case("500 always, new article", lambda w, p: Status(500), "new", "failed", "HTTP 500"),
    # Redirects that go nowhere good.
    Case("redirect loop", _loop, "archived", "kept", "redirect loop"),
    Case("redirect loop, new article", _loop, "new", "failed", "redirect loop"),
    Case("redirect to another site", lambda w, p: Redirect(w.decoy.base_url), "archived", "kept", "off-site"),
    # Missing articles that a listing names.
    Case("404, archived article", lambda w, p: Status(404), "archived", "removed"),
    Case("410, archived article", lambda w, p: Status(410), "archived", "removed"),
    Case("404, new article", lambda w, p: Status(404), "new", "failed", "HTTP 404"),
    Case("410, new article", lambda w, p: Status(410), "new", "failed", "HTTP 410"),
    # Bodies that are not the page.
    Case("empty 200", lambda w, p: empty_200(), "archived", "kept", "empty document"),
    Case("binary body as text/html", lambda w, p: binary_html(), "archived", "kept", "binary"),
    Case("20 MB page", lambda w, p: huge_page(20), "archived", "kept", "download max size"),
    Case("gzip bomb", lambda w, p: gzip_bomb(64), "archived", "kept", "DOWNLOAD_MAXSIZE"),
    Case("content only in scripts", lambda w, p: script_only(), "archived", "kept", "missing body"),
    Case("content only in scripts, new", lambda w, p: script_only(), "new", "failed", "missing body"),
    # Character sets and markup.
    Case("Windows-1256 declared UTF-8", lambda w, p: recode("cp1256", "UTF-8"), "new", "stored", language="ar", encoding="cp1256"),
    Case("Windows-1256 declared nowhere", lambda w, p: recode("cp1256", None), "new", "stored", language="ar", encoding="cp1256"),
    Case("malformed HTML", lambda w, p: malformed_html(), "new", "stored"),
)  # fmt: skip


@dataclass
class Outcome:
    """The faulted crawl: its output, the archive before and after, the case targets."""

    run: subprocess.CompletedProcess[str]
    db: Path
    server: ReplicaServer
    before: Any
    targets: dict[str, tuple[str, int]]  # case name -> (path, post id)
    extra: dict[str, Any]

    def rows(self) -> dict[int, dict[str, Any]]:
        conn = sqlite3.connect(self.db)
        conn.row_factory = sqlite3.Row
        try:
            return {row["post_id"]: dict(row) for row in conn.execute("SELECT * FROM articles")}
        finally:
            conn.close()

    def failures(self, url_part: str) -> list[tuple[str, str, str]]:
        conn = sqlite3.connect(self.db)
        try:
            return conn.execute(
                "SELECT url, stage, reason FROM failures WHERE crawl_id = 2 AND url LIKE ?",
                [f"%{url_part}%"],
            ).fetchall()
        finally:
            conn.close()


def crawl(base_url: str, db: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "ecss_crawler.cli", "crawl", "--base-url", base_url]
    command += ["--db", str(db)]
    for setting in SETTINGS:
        command += ["-s", setting]
    return subprocess.run(command, capture_output=True, text=True, timeout=240, check=False)


def _pick(world: World, archived: list[Any], new: list[Any], case: Case) -> Any:
    pool = archived if case.target == "archived" else new
    for index, spec in enumerate(pool):
        if case.language == "any" or spec.language == case.language:
            return pool.pop(index)
    return pool.pop(0)


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outcome]:
    with (
        serve_replica(ReplicaConfig(seed=3, n_articles=2)) as decoy,
        serve_replica(CONFIG) as server,
    ):
        db = tmp_path_factory.mktemp("faults") / "ecss.db"
        first = crawl(server.base_url, db)
        assert first.returncode == 0, first.stdout + first.stderr
        world = World(server, decoy)
        archived = list(server.site.articles)
        wanted_new = [c for c in CASES if c.target == "new"] + [Case("dup", _loop, "new", "stored")]
        new = [server.site.add_article(language=c.language) for c in wanted_new]
        targets: dict[str, tuple[str, int]] = {}
        for case in CASES:
            spec = _pick(world, archived, new, case)
            server.faults[spec.path] = case.make(world, spec.path)
            targets[case.name] = (spec.path, spec.post_id)
        extra = _same_post_two_urls(server, new.pop(0))
        before = snapshot(db)
        server.reset_log()
        run = crawl(server.base_url, db)
        yield Outcome(run, db, server, before, targets, extra)


def _same_post_two_urls(server: ReplicaServer, spec: Any) -> dict[str, Any]:
    """Serve an article at a second URL too, and list that URL in the post sitemap."""
    copy, moved = "/copy-of-post/", "/moved-post/"
    server.faults[copy] = Mirror(spec.path)
    server.faults[moved] = Redirect(spec.path, status=301)  # to a page also listed directly
    entry = "".join(f"<url><loc>{server.url(path)}</loc></url>" for path in (copy, moved))
    server.faults["/wp-sitemap-posts-post-1.xml"] = rewrite(
        lambda xml: xml.replace("</urlset>", entry + "</urlset>")
    )
    return {"copy": copy, "moved": moved, "post_id": spec.post_id, "path": spec.path}


# -- the crawl as a whole -----------------------------------------------------------------------


def test_faulted_crawl_completes_without_crashing(outcome: Outcome) -> None:
    output = outcome.run.stdout + outcome.run.stderr
    assert outcome.run.returncode == 0, output[-4000:]
    assert "Crawl finished (finished)" in output
    assert "Traceback" not in output, output[-4000:]


def test_archive_is_sound_and_lost_nothing(outcome: Outcome) -> None:
    assert check_archive(outcome.db) == []
    assert lost_versions(outcome.before, snapshot(outcome.db)) == []


def test_unfaulted_articles_all_stored(outcome: Outcome) -> None:
    faulted = {post_id for _path, post_id in outcome.targets.values()}
    rows = outcome.rows()
    for record in outcome.server.site.expected_records():
        if record["post_id"] in faulted:
            continue
        row = rows.get(record["post_id"])
        assert row is not None, record["url"]
        assert row["title"] == record["title"]


def test_same_post_at_two_urls_is_one_article(outcome: Outcome) -> None:
    extra = outcome.extra
    copy_fetched = outcome.server.requests.count(extra["copy"])
    real_fetched = outcome.server.requests.count(extra["path"])
    assert copy_fetched + real_fetched >= 2, "both URLs should have been offered"
    rows = [r for r in outcome.rows().values() if r["post_id"] == extra["post_id"]]
    assert len(rows) == 1
    assert rows[0]["url"] == outcome.server.url(extra["path"])  # the canonical URL
    assert outcome.failures(extra["copy"]) == []


def test_redirect_to_a_listed_article_is_no_failure(outcome: Outcome) -> None:
    """An old URL redirecting to a page fetched anyway: a duplicate, not a redirect loop."""
    extra = outcome.extra
    assert outcome.server.requests.count(extra["moved"]) == 1
    assert outcome.failures(extra["moved"]) == []
    assert outcome.failures(extra["path"]) == []
    assert extra["post_id"] in outcome.rows()


# -- one test per fault ------------------------------------------------------------------------


def _params() -> list[Any]:
    return [pytest.param(case, id=case.name) for case in CASES]


@pytest.mark.parametrize("case", _params())
def test_fault(outcome: Outcome, case: Case) -> None:
    path, post_id = outcome.targets[case.name]
    assert outcome.server.requests.count(path) >= 1, "the faulted page was never requested"
    check = {
        "stored": _check_stored,
        "failed": _check_failed,
        "kept": _check_kept,
        "removed": _check_removed,
    }[case.expect]
    check(outcome, case, path, post_id)


def _check_stored(outcome: Outcome, case: Case, path: str, post_id: int) -> None:
    row = outcome.rows().get(post_id)
    assert row is not None, outcome.failures(path)
    expected = outcome.server.site.expected_record(post_id)
    for name in COMPARED:
        value = json.loads(row[name]) if name in ("authors", "categories", "tags") else row[name]
        assert value == _as_served(expected[name], case.encoding), name
    if "once" in case.name:  # a transient fault: the page was fetched again
        assert _count_when_settled(outcome.server, path) >= 2
    if ", Retry-After" in case.name:
        times = [r.time for r in outcome.server.requests if r.path == path]
        assert times[1] - times[0] >= 0.9, "Retry-After: 1 was not honoured"


def _count_when_settled(server: ReplicaServer, path: str, wait: float = 4.0) -> int:
    """Requests for ``path``; a delayed answer is logged when it is sent, so wait for it."""
    deadline = time.monotonic() + wait
    while server.requests.count(path) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    return server.requests.count(path)


def _as_served(value: Any, encoding: str) -> Any:
    """``value`` as it survives a page re-encoded in ``encoding`` (unchanged when none)."""
    if not encoding:
        return value
    if isinstance(value, str):
        return value.encode(encoding, errors="replace").decode(encoding)
    if isinstance(value, list):
        return [_as_served(item, encoding) for item in value]
    return value


def _check_failed(outcome: Outcome, case: Case, path: str, post_id: int) -> None:
    assert post_id not in outcome.rows()
    reasons = [reason for _url, _stage, reason in outcome.failures(path)]
    assert any(case.reason in reason for reason in reasons), reasons


def _check_kept(outcome: Outcome, case: Case, path: str, post_id: int) -> None:
    row = outcome.rows()[post_id]
    key = row["id"]
    assert row["content_hash"] == outcome.before.articles[key]
    assert not [k for k in snapshot(outcome.db).revisions if k[0] == key]
    assert row["removed_at"] is None
    reasons = [reason for _url, _stage, reason in outcome.failures(path)]
    assert any(case.reason in reason for reason in reasons), reasons


def _check_removed(outcome: Outcome, case: Case, path: str, post_id: int) -> None:
    row = outcome.rows()[post_id]
    assert row["removed_at"] is not None
    assert row["content_hash"] == outcome.before.articles[row["id"]]


# -- the documentation -------------------------------------------------------------------------


def test_reliability_doc_lists_every_case_and_only_real_tests() -> None:
    """``docs/reliability.md`` names every fault case, and every test it names exists."""
    root = Path(__file__).resolve().parents[1]
    doc = (root / "docs" / "reliability.md").read_text(encoding="utf-8")
    missing = [case.name for case in CASES if f"[{case.name}]" not in doc]
    assert missing == [], "cases missing from docs/reliability.md"
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (root / "tests").glob("test_*.py"))
    named = set(re.findall(r"\b(test_\w+)", doc))
    assert named
    modules = {p.stem for p in (root / "tests").glob("test_*.py")}
    unknown = [n for n in sorted(named - modules) if f"def {n}(" not in sources]
    assert unknown == []


# -- retry backoff ------------------------------------------------------------------------------


def test_backoff_slows_the_site_only_while_it_lasts(monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``Retry-After: 30`` slows the site's download slot for 30 s, not for the rest of
    the crawl; an overlapping longer backoff keeps it slow until that one is over."""
    from types import SimpleNamespace

    from scrapy import Request
    from scrapy.utils.test import get_crawler

    from ecss_crawler.middlewares import retry

    scheduled: list[tuple[float, Any, tuple[Any, ...]]] = []
    monkeypatch.setattr(retry, "call_later", lambda d, f, *a: scheduled.append((d, f, a)))
    slot = SimpleNamespace(delay=0.5)
    downloader = SimpleNamespace(slots={"site": slot}, get_slot_key=lambda request: "site")
    crawler = get_crawler(settings_dict={"ECSS_RETRY_MAX_DELAY": 120})
    crawler.engine = SimpleNamespace(downloader=downloader)  # type: ignore[assignment]
    middleware = retry.BackoffRetryMiddleware(crawler.settings, crawler)
    request = Request("http://127.0.0.1:1/a/")

    middleware._slow_slot(request, 30)
    middleware._slow_slot(request, 60)
    assert slot.delay == 60
    (first, restore, args), (second, _, later_args) = scheduled
    assert (first, second) == (30, 60)
    restore(*args)  # the first backoff is over, the second is not
    assert slot.delay == 60
    middleware._slowed_until["site"] = 0.0  # ... now the second is over too
    restore(*later_args)
    assert slot.delay == 0.5
