"""Documents in a real crawl of the replica: every linked PDF is fetched once, read and
archived; bad documents become recorded failures and the crawl goes on; re-crawls ask
conditionally; ``--no-documents`` fetches none; ``search`` finds words only a PDF holds.

One replica site is crawled (module fixture); its article PDFs are replaced, path by path,
with the committed fixtures and the bad cases (``CASES``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlite_utils

from ecss_crawler.replica import Body, ReplicaConfig, ReplicaServer, Status, serve_replica
from ecss_crawler.replica.faults import Stream, huge_document
from tests.crawl_support import FAST, run_crawl
from tests.document_support import HTML_PAGE, fixture, pdf_bomb

CONFIG = ReplicaConfig(seed=11, n_articles=40, arabic_share=0.4, per_page=4)
LIMIT = 1024 * 1024
SETTINGS = (*FAST, f"ECSS_DOCUMENT_MAXSIZE={LIMIT}", "ECSS_ALARM_MIN_ARTICLES=1000")
PDF = {"Content-Type": "application/pdf"}

#: Case name -> (the body served instead of the replica's PDF, the failure reason expected or
#: None when the document must be stored).
CASES: dict[str, tuple[object, str | None]] = {
    "arabic": (Body(fixture("ar-study.pdf"), headers=PDF), None),
    "scanned": (Body(fixture("scanned.pdf"), headers=PDF), None),
    "shared-1": (Body(fixture("en-report.pdf"), headers=PDF), None),
    "shared-2": (Body(fixture("en-report.pdf"), headers=PDF), None),
    "encrypted": (Body(fixture("encrypted.pdf"), headers=PDF), "encrypted"),
    "truncated": (Body(fixture("en-report.pdf")[:3000], headers=PDF), "corrupt or unreadable PDF"),
    "zero-bytes": (Body(b"", headers=PDF), "empty file (0 bytes)"),
    "html-as-pdf": (Body(HTML_PAGE, headers=PDF), "not a document: an HTML page served as"),
    "200-mb": (huge_document(200), "larger than the document size limit"),
    "bomb": (Body(pdf_bomb(), headers=PDF), "nested too deeply"),
    "missing": (Status(404), "HTTP 404"),
}


@dataclass
class Crawled:
    server: ReplicaServer
    db_path: Path
    output: str
    returncode: int
    paths: dict[str, str]  # case -> PDF path
    plain: list[str]  # PDF paths served as the replica makes them

    @property
    def db(self) -> sqlite_utils.Database:
        return sqlite_utils.Database(self.db_path)

    def url(self, path: str) -> str:
        return self.server.base_url.rstrip("/") + path


def _assign(server: ReplicaServer) -> tuple[dict[str, str], list[str]]:
    specs = [a for a in server.site.articles if a.attachment_paths]
    arabic = next(a for a in specs if a.language == "ar")
    others = [a for a in specs if a is not arabic]
    paths = {"arabic": arabic.attachment_paths[0]}
    for case, spec in zip([c for c in CASES if c != "arabic"], others, strict=False):
        paths[case] = spec.attachment_paths[0]
    assert len(paths) == len(CASES), "the replica has too few articles with PDFs"
    plain = [a.attachment_paths[0] for a in others[len(CASES) - 1 :]]
    assert plain
    return paths, plain


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    with serve_replica(CONFIG) as server:
        paths, plain = _assign(server)
        for case, path in paths.items():
            server.faults[path] = CASES[case][0]  # type: ignore[assignment]
        db = tmp_path_factory.mktemp("documents") / "a.db"
        run = run_crawl(server.base_url, db, settings=SETTINGS)
        yield Crawled(server, db, run.output, run.returncode, paths, plain)


def _failure(db: sqlite_utils.Database, url: str) -> str | None:
    row = db.execute(
        "SELECT reason FROM failures WHERE stage = 'document' AND url = ?", [url]
    ).fetchone()
    return row[0] if row else None


def test_crawl_finishes_and_stores_every_article(crawled: Crawled) -> None:
    assert crawled.returncode == 0, crawled.output[-3000:]
    assert crawled.db["articles"].count == CONFIG.n_articles
    assert "documents: " in crawled.output  # the summary line


def test_every_linked_pdf_is_stored_once_or_failed_with_a_reason(crawled: Crawled) -> None:
    db = crawled.db
    linked: set[str] = set()
    for (attachments,) in db.execute("SELECT attachments FROM articles").fetchall():
        linked.update(u for u in json.loads(attachments) if u.endswith(".pdf"))
    stored = {r[0] for r in db.execute("SELECT url FROM document_urls").fetchall()}
    failed = {
        r[0] for r in db.execute("SELECT url FROM failures WHERE stage = 'document'").fetchall()
    }
    assert linked == stored | failed
    assert not stored & failed
    for path in crawled.plain:
        row = db.execute(
            "SELECT d.text, d.pages FROM document_urls u JOIN documents d USING (sha256)"
            " WHERE u.url = ?",
            [crawled.url(path)],
        ).fetchone()
        assert row is not None
        assert "hydrodiplomacy" in row[0]
        assert row[1] == 1
    links = db.execute("SELECT count(*) FROM document_links").fetchone()[0]
    assert links == len(linked)  # each article links its PDF, failed ones included


@pytest.mark.parametrize("case", [c for c, (_, reason) in CASES.items() if reason])
def test_bad_documents_are_recorded_failures(crawled: Crawled, case: str) -> None:
    url = crawled.url(crawled.paths[case])
    reason = _failure(crawled.db, url)
    assert reason is not None, f"no failure recorded for {case}"
    assert reason.startswith(CASES[case][1] or ""), reason
    assert crawled.db.execute("SELECT 1 FROM document_urls WHERE url = ?", [url]).fetchone() is None


def test_the_200_mb_document_was_not_read(crawled: Crawled) -> None:
    fault = crawled.server.faults[crawled.paths["200-mb"]]
    assert isinstance(fault, Stream)
    assert fault.sent < 40 * 1024 * 1024  # the crawler hung up at the declared length


def test_same_file_under_two_urls_is_stored_once(crawled: Crawled) -> None:
    urls = [crawled.url(crawled.paths[c]) for c in ("shared-1", "shared-2")]
    rows = crawled.db.execute(
        "SELECT sha256 FROM document_urls WHERE url IN (?, ?)", urls
    ).fetchall()
    assert len(rows) == 2
    assert rows[0][0] == rows[1][0]
    count = crawled.db.execute(
        "SELECT count(*) FROM documents WHERE sha256 = ?", [rows[0][0]]
    ).fetchone()[0]
    assert count == 1


def test_scanned_pdf_is_stored_without_text(crawled: Crawled) -> None:
    row = crawled.db.execute(
        "SELECT d.text, d.warnings FROM document_urls u JOIN documents d USING (sha256)"
        " WHERE u.url = ?",
        [crawled.url(crawled.paths["scanned"])],
    ).fetchone()
    assert row[0] == ""
    assert json.loads(row[1]) == ["no text layer (scanned pages?)"]


def _search(db: Path, query: str) -> list[dict[str, object]]:
    out = subprocess.run(
        [sys.executable, "-m", "ecss_crawler.cli", "search", query, "--json", "--db", str(db)],
        capture_output=True,
        text=True,
        check=True,
    )
    hits: list[dict[str, object]] = json.loads(out.stdout)
    return hits


def test_search_finds_words_only_in_pdfs_english_and_arabic(crawled: Crawled) -> None:
    english = _search(crawled.db_path, "hydrodiplomacy")
    assert english
    assert all(h["document"] for h in english)
    arabic = _search(crawled.db_path, "الهيدرودبلوماسيه")  # ta marbuta folded
    pdf = crawled.url(crawled.paths["arabic"])
    assert [h["document"]["url"] for h in arabic] == [pdf]  # type: ignore[index]
    owner = crawled.db.execute(
        "SELECT a.url FROM document_links l JOIN articles a ON a.id = l.article_id WHERE l.url = ?",
        [pdf],
    ).fetchone()[0]
    assert arabic[0]["url"] == owner


def test_recrawl_asks_conditionally_and_incremental_skips_documents(crawled: Crawled) -> None:
    server = crawled.server
    server.reset_log()
    again = run_crawl(server.base_url, crawled.db_path, settings=SETTINGS)
    assert again.returncode == 0, again.output[-3000:]
    plain = {r.path: r for r in server.requests if r.path in crawled.plain}
    assert set(plain) == set(crawled.plain)
    assert {r.status for r in plain.values()} == {304}
    assert all("If-None-Match" in r.headers for r in plain.values())
    counts = json.loads(
        crawled.db.execute("SELECT counts FROM crawls ORDER BY id DESC LIMIT 1").fetchone()[0]
    )
    assert counts["documents_not_modified"] == len(crawled.plain)
    before = crawled.db["documents"].count
    server.reset_log()
    incremental = run_crawl(server.base_url, crawled.db_path, "--incremental", settings=SETTINGS)
    assert incremental.returncode == 0, incremental.output[-3000:]
    # Only the few articles re-read (canaries) ask for their documents, conditionally.
    asked = [r for r in server.requests if r.path.endswith(".pdf")]
    assert len(asked) < len(plain)
    assert all(r.status == 304 for r in asked if r.path in crawled.plain)
    assert crawled.db["documents"].count == before


def test_no_documents_flag_fetches_none(crawled: Crawled, tmp_path: Path) -> None:
    server = crawled.server
    server.reset_log()
    run = run_crawl(server.base_url, tmp_path / "b.db", "--no-documents", settings=SETTINGS)
    assert run.returncode == 0, run.output[-3000:]
    assert not [r for r in server.requests if r.path.endswith(".pdf")]
    assert sqlite_utils.Database(tmp_path / "b.db")["documents"].count == 0
