"""Documents: text extraction (English, Arabic, scanned, bad files), the isolated reader,
storage once per SHA-256, and search/export of document text."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils

from ecss_crawler.archive import Archive
from ecss_crawler.archive.queries import Filters, iter_documents, search
from ecss_crawler.documents import text as doctext
from ecss_crawler.documents.isolate import IsolatedExtractor
from ecss_crawler.documents.text import DocumentError, extract_document, pdf_date, sniff
from ecss_crawler.items import Article
from tests.document_support import (
    EXPECTED,
    HTML_PAGE,
    docx_bomb,
    fixture,
    pdf_bomb,
    squeeze,
)

# --------------------------------------------------------------------------- extraction


def test_english_pdf_text_pages_and_metadata() -> None:
    found = extract_document(fixture("en-report.pdf"), "application/pdf")
    expected = EXPECTED["en-report.pdf"]
    assert found.kind == "pdf"
    assert found.pages == 3
    assert found.title == expected["title"]
    assert found.author == expected["author"]
    assert found.created
    assert found.created.startswith("20")
    assert found.language == "en"
    pages = found.text.split(doctext.PAGE_BREAK)
    assert [squeeze(p) for p in pages] == [squeeze(p) for p in expected["pages"]]
    assert found.extractor.startswith("pypdfium2 ")


def test_arabic_pdf_comes_out_in_logical_order() -> None:
    found = extract_document(fixture("ar-study.pdf"))
    expected = EXPECTED["ar-study.pdf"]
    assert found.language == "ar"
    assert found.title == expected["title"]
    assert found.author == expected["author"]
    pages = [squeeze(p) for p in found.text.split(doctext.PAGE_BREAK)]
    assert pages == [squeeze(p) for p in expected["pages"]]
    # lam-alef ligatures and a year in Arabic-Indic digits, as written
    for word in ("الإرهاب", "الأوسط", "الأمن", "الإدارة", "٢٠٢٤"):
        assert word in found.text


def test_ligature_repair_is_what_fixes_lam_alef(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(doctext, "_repair_ligatures", lambda _page, text: text)
    raw = extract_document(fixture("ar-study.pdf")).text
    assert "الأمن" not in raw  # PDFium alone reverses the ligature's letters
    assert "األمن" in raw


def test_docx_text_and_core_properties() -> None:
    found = extract_document(fixture("en-note.docx"))
    expected = EXPECTED["en-note.docx"]
    assert found.kind == "docx"
    assert found.title == expected["title"]
    assert found.author == expected["author"]
    assert squeeze(found.text) == squeeze(" ".join(expected["pages"]))


def test_scanned_pdf_is_stored_without_text_and_flagged() -> None:
    found = extract_document(fixture("scanned.pdf"))
    assert found.pages == 1
    assert found.text == ""
    assert found.language is None
    assert found.warnings == ["no text layer (scanned pages?)"]


def test_page_limit_reads_the_first_pages_only() -> None:
    found = extract_document(fixture("en-report.pdf"), max_pages=2)
    assert found.pages == 3
    assert len(found.text.split(doctext.PAGE_BREAK)) == 2
    assert found.warnings == ["only the first 2 of 3 pages were read"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file (0 bytes)"),
        (HTML_PAGE, "not a document: an HTML page served as application/pdf"),
        (b"\x00\x01binary junk" * 20, "not a PDF, DOCX or DOC file (unrecognised content)"),
        (fixture("encrypted.pdf"), "encrypted (a password is needed to open it)"),
        (fixture("en-report.pdf")[:4000], "corrupt or unreadable PDF"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog", "corrupt or unreadable PDF"),
        (pdf_bomb(), "nested too deeply"),
        (fixture("en-note.docx")[:300], "corrupt or unreadable DOCX"),
        (docx_bomb(), "word/document.xml unpacks to"),
    ],
    ids=[
        "zero",
        "html",
        "junk",
        "encrypted",
        "truncated",
        "corrupt",
        "bomb",
        "bad-docx",
        "zip-bomb",
    ],
)
def test_bad_documents_raise_one_line_reasons(data: bytes, reason: str) -> None:
    with pytest.raises(DocumentError) as caught:
        extract_document(data, "application/pdf")
    assert str(caught.value).startswith(reason)
    assert "\n" not in str(caught.value)


def test_shallow_nesting_is_not_a_bomb() -> None:
    found = extract_document(pdf_bomb(depth=50))
    assert found.pages == 1


def test_sniff_trusts_bytes_not_the_declared_type() -> None:
    assert sniff(fixture("en-report.pdf"), "text/html") == "pdf"
    assert sniff(fixture("en-note.docx"), "application/octet-stream") == "docx"
    assert sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100)) == "doc"


def test_pdf_dates() -> None:
    assert pdf_date("D:20240305101500+02'00'") == "2024-03-05T10:15:00+02:00"
    assert pdf_date("D:20240305101500Z") == "2024-03-05T10:15:00+00:00"
    assert pdf_date("D:2024") == "2024-01-01T00:00:00"
    assert pdf_date("yesterday") is None
    assert pdf_date("D:20241399") is None


# --------------------------------------------------------------------------- isolation


def test_isolated_reader_gives_the_same_result_and_survives_failures() -> None:
    reader = IsolatedExtractor(timeout=60)
    try:
        found = reader.extract(fixture("ar-study.pdf"), "application/pdf")
        assert found.text == extract_document(fixture("ar-study.pdf")).text
        with pytest.raises(DocumentError, match="encrypted"):
            reader.extract(fixture("encrypted.pdf"))
        assert reader.extract(fixture("en-report.pdf")).pages == 3  # same child, still fine
    finally:
        reader.close()


def test_isolated_reader_stops_a_document_that_takes_too_long() -> None:
    reader = IsolatedExtractor(timeout=0.000_001)  # the child cannot even start in time
    try:
        with pytest.raises(DocumentError, match="took longer than"):
            reader.extract(fixture("en-report.pdf"))
        reader.timeout = 60
        assert reader.extract(fixture("en-report.pdf")).pages == 3  # a fresh child
    finally:
        reader.close()


def test_isolated_reader_survives_its_process_dying() -> None:
    # A child that crashes (here: exits with code 3) while it holds a document.
    crash = [sys.executable, "-c", "import os, sys; sys.stdin.buffer.read(1); os._exit(3)"]
    reader = IsolatedExtractor(timeout=60, command=crash)
    try:
        with pytest.raises(DocumentError, match=r"reader process died \(exit code 3\)"):
            reader.extract(fixture("en-report.pdf"))
        reader.command = IsolatedExtractor().command
        assert reader.extract(fixture("en-report.pdf")).pages == 3  # a fresh, healthy child
    finally:
        reader.close()


def test_isolated_reader_reports_running_out_of_memory() -> None:
    reader = IsolatedExtractor(timeout=60, memory_limit=160 * 1024 * 1024)
    try:
        with pytest.raises(DocumentError, match=r"ran out of memory|reader process died"):
            reader.extract(b"%PDF-1.4\n" + bytes(128 * 1024 * 1024))
    finally:
        reader.close()


def test_isolation_module_imports_no_scrapy() -> None:
    code = (
        "import sys, ecss_crawler.documents.text, ecss_crawler.documents.isolate;"
        "print('scrapy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------------------- archive


def _article(post_id: int, title: str, body: str, language: str = "en") -> Article:
    return Article(
        url=f"https://en.ecss.com.eg/{post_id}/",
        site="en.ecss.com.eg",
        post_id=post_id,
        language=language,
        title=title,
        published="2024-03-05T10:00:00+02:00",
        body=body,
        authors=["Analyst"],
    )


@pytest.fixture
def archive_with_documents(tmp_path: Path) -> Path:
    db = tmp_path / "a.db"
    with Archive(db) as archive:
        crawl = archive.begin_crawl("en.ecss.com.eg", {})
        archive.store_article(_article(1, "Nile report", "Reservoirs and flows."), crawl)
        archive.store_article(_article(2, "تقرير الأمن", "نص قصير عن المياه.", "ar"), crawl)
        archive.store_article(_article(3, "Unrelated", "Nothing about documents."), crawl)
        en, ar = fixture("en-report.pdf"), fixture("ar-study.pdf")
        pdf_en = "https://en.ecss.com.eg/wp-content/uploads/en.pdf"
        pdf_ar = "https://en.ecss.com.eg/wp-content/uploads/ar.pdf"
        archive.link_documents(["en.ecss.com.eg:1"], [pdf_en])
        archive.link_documents(["en.ecss.com.eg:2"], [pdf_ar])
        archive.store_document(pdf_en, en, crawl, extracted=extract_document(en))
        archive.store_document(pdf_ar, ar, crawl, extracted=extract_document(ar))
        archive.finish_crawl(crawl, "finished", {}, {}, "finished")
    return db


def test_document_stored_once_by_sha256_under_several_urls(tmp_path: Path) -> None:
    data = fixture("en-report.pdf")
    found = extract_document(data)
    with Archive(tmp_path / "a.db") as archive:
        crawl = archive.begin_crawl("s", {})
        first = archive.store_document("https://s/a.pdf", data, crawl, extracted=found)
        second = archive.store_document("https://s/b.pdf", data, crawl, extracted=found)
        again = archive.store_document("https://s/a.pdf", data, crawl, extracted=found)
        assert (first.outcome, second.outcome, again.outcome) == ("new", "linked", "unchanged")
        assert archive.document_body(first.sha256) == data
        archive.flush()
        db = archive.db
        assert db.execute("SELECT count(*) FROM documents").fetchone()[0] == 1
        assert db.execute("SELECT count(*) FROM document_urls").fetchone()[0] == 2
        row = db.execute("SELECT size, pages, length(body), title FROM documents").fetchone()
        assert row[0] == len(data)
        assert row[1] == 3
        assert row[2] < len(data) * 2  # compressed blob, not text
        assert row[3] == EXPECTED["en-report.pdf"]["title"]
        assert archive.crawl_tallies(crawl)["documents_new"] == 1


def test_url_serving_new_bytes_keeps_the_old_document(tmp_path: Path) -> None:
    old, new = fixture("en-report.pdf"), fixture("ar-study.pdf")
    with Archive(tmp_path / "a.db") as archive:
        crawl = archive.begin_crawl("s", {})
        first = archive.store_document("https://s/a.pdf", old, crawl, extracted=None)
        changed = archive.store_document("https://s/a.pdf", new, crawl, extracted=None)
        assert changed.outcome == "changed"
        archive.flush()
        shas = {r[0] for r in archive.db.execute("SELECT sha256 FROM documents").fetchall()}
        assert shas == {first.sha256, changed.sha256}
        current = archive.db.execute("SELECT sha256 FROM document_urls").fetchone()[0]
        assert current == changed.sha256


def test_not_modified_and_failures(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.db") as archive:
        crawl = archive.begin_crawl("s", {})
        archive.store_document("https://s/a.pdf", b"%PDF-1.4 x", crawl, headers={"ETag": '"v1"'})
        assert archive.mark_document_seen("https://s/a.pdf", etag='"v2"', crawl_id=crawl)
        assert not archive.mark_document_seen("https://s/unknown.pdf")
        archive.record_document_failure("https://s/b.pdf", crawl, "encrypted", 200)
        tallies = archive.crawl_tallies(crawl)
        assert tallies["documents_not_modified"] == 1
        assert tallies["document_failures"] == 1
        assert "failed" not in tallies  # article failures feed the alarm; documents do not
        archive.flush()
        etag = archive.db.execute("SELECT etag FROM document_urls").fetchone()[0]
        assert etag == '"v2"'
        stage = archive.db.execute("SELECT stage, reason FROM failures").fetchone()
        assert tuple(stage) == ("document", "encrypted")


def test_search_finds_words_only_in_a_document_with_its_article(
    archive_with_documents: Path,
) -> None:
    db = sqlite_utils.Database(archive_with_documents)
    hits = search(db, "hydrodiplomacy")
    assert [h["id"] for h in hits] == ["en.ecss.com.eg:1"]
    assert hits[0]["title"] == "Nile report"
    assert hits[0]["document"]["url"].endswith("/en.pdf")
    assert "[Hydrodiplomacy]" in hits[0]["snippet"]
    assert search(db, "hydrodiplomacy", documents=False) == []
    assert search(db, "hydrodiplomacy", Filters(lang="ar")) == []


@pytest.mark.parametrize(
    "query",
    ["الهيدرودبلوماسية", "الهيدرودبلوماسيه", "الامن المائي", "الإرهاب", "٢٠٢٤", "2024"],
)
def test_arabic_document_search_is_normalised(archive_with_documents: Path, query: str) -> None:
    db = sqlite_utils.Database(archive_with_documents)
    hits = search(db, query)
    assert [h["id"] for h in hits] == ["en.ecss.com.eg:2"]
    assert hits[0]["document"]["url"].endswith("/ar.pdf")


def test_export_documents(archive_with_documents: Path) -> None:
    db = sqlite_utils.Database(archive_with_documents)
    rows = list(iter_documents(db))
    assert len(rows) == 2
    assert {r["articles"][0] for r in rows} == {"en.ecss.com.eg:1", "en.ecss.com.eg:2"}
    only_ar = list(iter_documents(db, Filters(lang="ar"), fields=["title", "urls"]))
    assert only_ar == [
        {
            "title": EXPECTED["ar-study.pdf"]["title"],
            "urls": ["https://en.ecss.com.eg/wp-content/uploads/ar.pdf"],
        }
    ]
    assert [r["pages"] for r in iter_documents(db, query="hydrodiplomacy", fields=["pages"])] == [3]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ecss_crawler.cli", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_cli_search_and_export_show_documents(archive_with_documents: Path) -> None:
    db = str(archive_with_documents)
    result = _cli("search", "الهيدرودبلوماسية", "--db", db)
    assert result.returncode == 0, result.stderr
    assert "تقرير الأمن" in result.stdout
    assert (
        "in document: دراسة الأمن المائي: https://en.ecss.com.eg/wp-content/uploads/ar.pdf"
        in result.stdout
    )
    assert "(pdf, 3 pages)" in result.stdout
    exported = _cli("export", "--documents", "--fields", "sha256,text,articles", "--db", db)
    assert exported.returncode == 0, exported.stderr
    lines = [json.loads(line) for line in exported.stdout.splitlines()]
    assert len(lines) == 2
    assert "Exported 2 document(s)." in exported.stderr
    bad = _cli("export", "--documents", "--fields", "body_html", "--db", db)
    assert bad.returncode == 2
    assert "unknown document field(s): body_html" in bad.stderr


def test_documents_switch_argument_wins_over_setting() -> None:
    from ecss_crawler.documents.crawl import enabled, is_document_url

    assert enabled(True, None)
    assert not enabled(True, "0")
    assert not enabled(True, "false")
    assert enabled(False, "1")
    assert not enabled(False, "")
    assert is_document_url("https://x/wp-content/uploads/a.PDF")
    assert is_document_url("https://x/a.docx")
    assert not is_document_url("https://x/a.xlsx")


def test_merge_carries_documents(archive_with_documents: Path, tmp_path: Path) -> None:
    from ecss_crawler.archive.merge import merge_archives

    other = tmp_path / "other.db"
    scanned = fixture("scanned.pdf")
    with Archive(other) as archive:
        crawl = archive.begin_crawl("en.ecss.com.eg", {})
        archive.store_article(_article(4, "Scans", "A scanned annex."), crawl)
        url = "https://en.ecss.com.eg/wp-content/uploads/scan.pdf"
        archive.link_documents(["en.ecss.com.eg:4"], [url])
        archive.store_document(url, scanned, crawl, extracted=extract_document(scanned))
    output = tmp_path / "merged.db"
    merge_archives(output, [archive_with_documents, other])
    merge_archives(output, [archive_with_documents, other])  # idempotent
    db = sqlite_utils.Database(output)
    assert db["documents"].count == 3
    assert db["document_urls"].count == 3
    assert db["document_links"].count == 3
    assert [h["id"] for h in search(db, "hydrodiplomacy")] == ["en.ecss.com.eg:1"]


def test_document_requests_conditional_and_incremental(tmp_path: Path) -> None:
    from ecss_crawler.documents.crawl import DocumentRequests
    from ecss_crawler.documents.items import DocumentLinks

    db = tmp_path / "a.db"
    base = "https://en.ecss.com.eg/wp-content/uploads/"
    with Archive(db) as archive:
        crawl = archive.begin_crawl("en.ecss.com.eg", {})
        archive.store_document(base + "tagged.pdf", b"%PDF-1 a", crawl, headers={"ETag": '"v1"'})
        archive.store_document(base + "bare.pdf", b"%PDF-1 b", crawl)
    article = _article(9, "Links", "Three documents.")
    article.attachments = [base + n for n in ("tagged.pdf", "bare.pdf", "new.pdf", "sheet.xlsx")]
    article.attachments.append("https://elsewhere.example/x.pdf")

    def same_site(url: str) -> bool:
        return url.startswith("https://en.ecss.com.eg/")

    def build(incremental: bool) -> list[object]:
        requests = DocumentRequests(True, 1000, str(db), incremental)
        return list(requests.for_article(article, same_site, print, print))

    full = build(False)
    assert isinstance(full[0], DocumentLinks)
    assert full[0].urls == [base + "tagged.pdf", base + "bare.pdf", base + "new.pdf"]
    assert full[0].article_ids == ["en.ecss.com.eg:9", "en.ecss.com.eg:https://en.ecss.com.eg/9/"]
    asked = {r.url: r for r in full[1:]}  # type: ignore[attr-defined]
    assert set(asked) == {base + "tagged.pdf", base + "bare.pdf", base + "new.pdf"}
    assert asked[base + "tagged.pdf"].headers.get("If-None-Match") == b'"v1"'
    assert asked[base + "new.pdf"].meta["download_maxsize"] == 1000
    incremental = build(True)
    assert {r.url for r in incremental[1:]} == {base + "tagged.pdf", base + "new.pdf"}  # type: ignore[attr-defined]
    assert (
        list(DocumentRequests(False, 1000, str(db)).for_article(article, same_site, print, print))
        == []
    )
