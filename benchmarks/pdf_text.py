"""PDF text extraction: speed and Arabic correctness of the candidate libraries.

Usage::

    python benchmarks/pdf_text.py [--repeat 5] [--fixtures tests/fixtures/documents]

Reads the committed fixtures made by ``tests/fixtures/documents/make_pdfs.py`` (LibreOffice
exports, the way office suites write studies: shaped Arabic in visual order with a ToUnicode
map and lam-alef ligatures):

* speed: ``bench-en.pdf`` and ``bench-ar.pdf`` (12 pages each, about 1,800 characters a
  page), all pages' text, one warm-up pass, then ``--repeat`` timed passes; pages per
  second of the best pass, in this one process;
* correctness: every page of ``en-report.pdf``, ``ar-study.pdf``, ``bench-en.pdf`` and
  ``bench-ar.pdf`` must equal the source text (white space collapsed), so Arabic must come
  out in logical order with its ligatures and Arabic-Indic digits as written.

Candidates: pypdfium2 as is, pypdfium2 with our ligature repair (what the crawler runs,
``ecss_crawler.documents.text.extract_pdf``), pypdf, pdfminer.six and, when installed,
PyMuPDF (AGPL: measured for reference only, it cannot ship in this MIT project). A library
that is not installed is listed as such. Output is a Markdown table on stdout.
"""

from __future__ import annotations

import argparse
import io
import json
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

Extractor = Callable[[bytes], list[str]]
ROOT = Path(__file__).resolve().parent.parent
CORRECTNESS = {
    "en": ("en-report.pdf", "bench-en.pdf"),
    "ar": ("ar-study.pdf", "bench-ar.pdf"),
}


def pdfium_raw(data: bytes) -> list[str]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        pages = []
        for page in pdf:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return pages
    finally:
        pdf.close()


def pdfium_repaired(data: bytes) -> list[str]:
    from ecss_crawler.documents.text import PAGE_BREAK, extract_pdf

    return extract_pdf(data).text.split(PAGE_BREAK)


def pypdf_text(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def pdfminer_text(data: bytes) -> list[str]:
    from pdfminer.high_level import extract_text

    return extract_text(io.BytesIO(data)).split("\f")[:-1] or [""]


def pymupdf_text(data: bytes) -> list[str]:
    import pymupdf

    with pymupdf.open(stream=data, filetype="pdf") as doc:
        return [page.get_text() for page in doc]


#: label -> (distribution name, extractor)
CANDIDATES: dict[str, tuple[str, Extractor]] = {
    "pypdfium2 + ligature repair (chosen)": ("pypdfium2", pdfium_repaired),
    "pypdfium2": ("pypdfium2", pdfium_raw),
    "pypdf": ("pypdf", pypdf_text),
    "pdfminer.six": ("pdfminer.six", pdfminer_text),
    "PyMuPDF (AGPL, reference only)": ("pymupdf", pymupdf_text),
}


def squeeze(text: str) -> str:
    return " ".join(text.split())


def installed(distribution: str) -> str | None:
    """The distribution's version, or None when it is not installed."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def correct(
    extract: Extractor, fixtures: Path, expected: dict[str, dict[str, list[str]]], lang: str
) -> tuple[bool, str]:
    """Whether every page of the language's fixtures comes out as written; first mismatch."""
    for name in CORRECTNESS[lang]:
        pages = [squeeze(p) for p in extract((fixtures / name).read_bytes())]
        wanted = [squeeze(p) for p in expected[name]["pages"]]
        if pages != wanted:
            for got, want in zip(pages + [""] * len(wanted), wanted, strict=False):
                if got != want:
                    return False, f"{name}: {got[:60]!r}"
    return True, ""


def pages_per_second(extract: Extractor, data: bytes, repeat: int) -> float:
    count = len(extract(data))  # warm-up
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        extract(data)
        best = min(best, time.perf_counter() - start)
    return count / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--fixtures", type=Path, default=ROOT / "tests/fixtures/documents")
    args = parser.parse_args()
    expected = json.loads((args.fixtures / "expected.json").read_text(encoding="utf-8"))
    en = (args.fixtures / "bench-en.pdf").read_bytes()
    ar = (args.fixtures / "bench-ar.pdf").read_bytes()
    print("| library | version | pages/s EN | pages/s AR | English correct | Arabic correct |")
    print("|---|---|---:|---:|---|---|")
    notes = []
    for label, (module, extract) in CANDIDATES.items():
        version = installed(module)
        if version is None:
            print(f"| {label} | not installed | | | | |")
            continue
        ok_en, why_en = correct(extract, args.fixtures, expected, "en")
        ok_ar, why_ar = correct(extract, args.fixtures, expected, "ar")
        speed_en = pages_per_second(extract, en, args.repeat)
        speed_ar = pages_per_second(extract, ar, args.repeat)
        print(
            f"| {label} | {version} | {speed_en:,.0f} | {speed_ar:,.0f} |"
            f" {'yes' if ok_en else 'no'} | {'yes' if ok_ar else 'no'} |"
        )
        for why in (why_en, why_ar):
            if why:
                notes.append(f"* {label}: first wrong page starts {why}")
    if notes:
        print()
        print("\n".join(notes))


if __name__ == "__main__":
    main()
