"""Text and metadata from a downloaded document: PDF (pypdfium2) and DOCX (zip + lxml).

Pure functions over bytes: no Scrapy, no network, no database. Every problem a
document can have (empty, an HTML page instead of a PDF, encrypted, corrupt,
too large to unpack) raises :class:`DocumentError` with a one-line reason;
nothing else is expected to escape. Hangs and crashes inside the PDF library
are the job of :mod:`ecss_crawler.documents.isolate`, which runs this code in a
child process with a time limit.

Why pypdfium2: it was the fastest of the libraries compared in
``benchmarks/pdf_text.py`` and, with :func:`_repair_ligatures`, the only one
whose Arabic text came out in logical order with the right digits (see
docs/benchmarks.md). PDFium is Chrome's PDF engine, fuzzed against hostile
files, and has its own nesting limits.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from ecss_crawler.extract.text import arabic_share

#: Bump when the extraction rules change (stored with each document).
EXTRACTOR_VERSION = "1"
#: Pages read from one PDF at most; the rest are skipped (with a warning).
DEFAULT_MAX_PAGES = 2000
#: Characters of text kept from one document at most.
DEFAULT_MAX_CHARS = 20_000_000
#: Arrays or dictionaries opened in a row beyond this are taken for a nesting bomb.
MAX_NESTING = 256
#: Largest uncompressed XML part read from a DOCX (a zip bomb stops here).
MAX_DOCX_PART = 64 * 1024 * 1024

PDF_TYPES = frozenset({"application/pdf", "application/x-pdf"})
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOC_TYPE = "application/msword"
PAGE_BREAK = "\f"

_ARABIC_LETTER = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
#: An alef form followed by lam: how PDFium writes a lam-alef ligature (and the article "ال").
_ALEF_LAM = re.compile("[\u0622\u0623\u0625\u0627\u0671]\u0644")
_HTML_START = re.compile(rb"^\s*(<!doctype\s+html|<html|<head|<body|<\?xml|<!--)", re.IGNORECASE)
#: The leading character class lets ``re`` skip ahead fast (0.2 s for 14 MB).
_NESTING_BOMB = re.compile(rb"[\[<](?:(?:\[|<<)\s*){%d}" % MAX_NESTING)
_PDF_DATE = re.compile(
    r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:([Zz+-])(\d{2})?'?(\d{2})?'?)?"
)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_DCTERMS = "{http://purl.org/dc/terms/}"


class DocumentError(Exception):
    """The document cannot be read; ``str(error)`` is the one-line reason recorded."""


@dataclass(frozen=True)
class DocumentText:
    """What was read from one document."""

    kind: str  #: ``pdf``, ``docx`` or ``doc``
    content_type: str
    text: str  #: pages separated by a form feed (``\\f``)
    pages: int | None = None
    title: str | None = None
    author: str | None = None
    created: str | None = None  #: ISO 8601, from the document's own metadata
    language: str | None = None
    extractor: str = ""
    warnings: list[str] = field(default_factory=list)


def sniff(data: bytes, declared: str | None = None, url: str = "") -> str:
    """``pdf``, ``docx`` or ``doc`` from the bytes themselves (the server's type is a hint).

    Raises :class:`DocumentError` for an empty body, an HTML page (a login or
    error page served under a ``.pdf`` URL) and anything unrecognised.
    """
    if not data:
        raise DocumentError("empty file (0 bytes)")
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    if _HTML_START.match(head):
        served = (declared or "unknown type").split(";")[0].strip()
        raise DocumentError(f"not a document: an HTML page served as {served}")
    raise DocumentError("not a PDF, DOCX or DOC file (unrecognised content)")


def extract_document(
    data: bytes,
    declared_type: str | None = None,
    url: str = "",
    *,
    max_pages: int = DEFAULT_MAX_PAGES,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> DocumentText:
    """Read a document's text and metadata; raise :class:`DocumentError` if it cannot be."""
    kind = sniff(data, declared_type, url)
    if kind == "pdf":
        return extract_pdf(data, max_pages=max_pages, max_chars=max_chars)
    if kind == "docx":
        return extract_docx(data, max_chars=max_chars)
    return DocumentText(
        kind="doc",
        content_type=DOC_TYPE,
        text="",
        warnings=["legacy Word (.doc) file: stored without text"],
        extractor=f"ecss-documents {EXTRACTOR_VERSION}",
    )


# --------------------------------------------------------------------------- PDF


def extract_pdf(
    data: bytes, *, max_pages: int = DEFAULT_MAX_PAGES, max_chars: int = DEFAULT_MAX_CHARS
) -> DocumentText:
    """Text (logical order, Arabic included), page count and metadata of a PDF."""
    import pypdfium2 as pdfium

    if _NESTING_BOMB.search(data):
        raise DocumentError(
            f"nested too deeply: more than {MAX_NESTING} arrays or dictionaries"
            " inside each other (a PDF bomb?)"
        )
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        raise DocumentError(_pdfium_reason(str(error))) from None
    try:
        count = len(pdf)
        warnings: list[str] = []
        if count > max_pages:
            warnings.append(f"only the first {max_pages} of {count} pages were read")
        pages: list[str] = []
        size = 0
        for index in range(min(count, max_pages)):
            text = _page_text(pdf, index)
            pages.append(text)
            size += len(text)
            if size > max_chars:
                warnings.append(f"text cut at {max_chars} characters (page {index + 1})")
                break
        text = PAGE_BREAK.join(pages)[:max_chars]
        if count and not text.strip():
            warnings.append("no text layer (scanned pages?)")
        meta = _pdf_metadata(pdf)
        return DocumentText(
            kind="pdf",
            content_type="application/pdf",
            text=text,
            pages=count,
            title=meta.get("Title") or None,
            author=meta.get("Author") or None,
            created=pdf_date(meta.get("CreationDate")),
            language=detect_language(text),
            extractor=f"pypdfium2 {_pdfium_version()}",
            warnings=warnings,
        )
    finally:
        pdf.close()


def _pdfium_reason(message: str) -> str:
    lowered = message.lower()
    if "password" in lowered or "security" in lowered:
        return "encrypted (a password is needed to open it)"
    return f"corrupt or unreadable PDF ({message.rstrip('.')})"


def _pdf_metadata(pdf: Any) -> dict[str, str]:
    try:
        meta = pdf.get_metadata_dict(skip_empty=True)
    except Exception:  # broken info dictionaries are common and harmless
        return {}
    return {str(k): " ".join(str(v).split()) for k, v in meta.items()}


def _page_text(pdf: Any, index: int) -> str:
    page = pdf[index]
    try:
        textpage = page.get_textpage()
        try:
            text = _repair_ligatures(textpage, textpage.get_text_range())
        finally:
            textpage.close()
    finally:
        page.close()
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def _repair_ligatures(textpage: Any, text: str) -> str:
    """Put the letters of each lam-alef ligature back in reading order.

    PDFium returns right-to-left text in logical order, but reverses the
    letters a ligature glyph stands for as well: the lam-alef of ``الأمن``
    comes out as ``األمن``. Lam-alef is the ligature every Arabic font must
    use; each alef-then-lam pair in PDFium's output is checked, and when both
    letters came from one glyph (they share its origin) they are swapped back.
    Checking only these pairs keeps the cost to a few character look-ups per
    line (checking every letter made Arabic pages ten times slower). Optional
    ligatures of some fonts (lam-meem, ...) are not repaired.
    """
    if not _ALEF_LAM.search(text) or len(text) != textpage.count_chars():
        return text  # nothing to repair, or characters outside the BMP (indexes would shift)
    import ctypes

    import pypdfium2.raw as pdfium_c

    x, y = ctypes.c_double(), ctypes.c_double()

    def origin(index: int) -> tuple[float, float]:
        pdfium_c.FPDFText_GetCharOrigin(textpage.raw, index, ctypes.byref(x), ctypes.byref(y))
        return x.value, y.value

    chars = list(text)
    for match in _ALEF_LAM.finditer(text):
        first = match.start()
        if origin(first) == origin(first + 1):
            chars[first], chars[first + 1] = chars[first + 1], chars[first]
    return "".join(chars)


def _pdfium_version() -> str:
    import pypdfium2

    version = getattr(pypdfium2, "PYPDFIUM_INFO", None) or getattr(pypdfium2, "__version__", "")
    return str(version)


def pdf_date(value: str | None) -> str | None:
    """A PDF date (``D:20240305101500+02'00'``) as ISO 8601, else None."""
    match = _PDF_DATE.match((value or "").strip())
    if not match:
        return None
    year, month, day, hour, minute, second, sign, off_h, off_m = match.groups()
    try:
        when = datetime(
            int(year),
            int(month or 1),
            int(day or 1),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
        )
    except ValueError:
        return None
    if sign in ("Z", "z"):
        return when.replace(tzinfo=UTC).isoformat()
    if sign in ("+", "-") and off_h:
        offset = timedelta(hours=int(off_h), minutes=int(off_m or 0))
        return when.replace(tzinfo=timezone(offset if sign == "+" else -offset)).isoformat()
    return when.isoformat()


# --------------------------------------------------------------------------- DOCX


def extract_docx(data: bytes, *, max_chars: int = DEFAULT_MAX_CHARS) -> DocumentText:
    """Paragraph text and core properties of a Word 2007+ file."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        body = _docx_part(archive, "word/document.xml")
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise DocumentError(f"corrupt or unreadable DOCX ({error})") from None
    if body is None:
        raise DocumentError("not a Word document (no word/document.xml)")
    paragraphs = ["".join(t.text or "" for t in p.iter(f"{_W}t")) for p in body.iter(f"{_W}p")]
    text = "\n".join(p for p in paragraphs if p.strip())[:max_chars]
    props = _docx_core(archive)
    return DocumentText(
        kind="docx",
        content_type=DOCX_TYPE,
        text=text,
        title=props.get("title"),
        author=props.get("creator"),
        created=props.get("created"),
        language=detect_language(text),
        extractor=f"ecss-docx {EXTRACTOR_VERSION}",
    )


def _docx_part(archive: zipfile.ZipFile, name: str) -> Any:
    from lxml import etree

    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_DOCX_PART:
        raise DocumentError(f"{name} unpacks to {info.file_size} bytes (limit {MAX_DOCX_PART})")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        return etree.fromstring(archive.read(name), parser)
    except etree.XMLSyntaxError as error:
        raise DocumentError(f"corrupt DOCX part {name} ({error})") from None


def _docx_core(archive: zipfile.ZipFile) -> dict[str, str]:
    core = _docx_part(archive, "docProps/core.xml")
    if core is None:
        return {}
    found: dict[str, str] = {}
    for tag, name in ((f"{_DC}title", "title"), (f"{_DC}creator", "creator")):
        node = core.find(tag)
        if node is not None and (node.text or "").strip():
            found[name] = " ".join(node.text.split())
    created = core.find(f"{_DCTERMS}created")
    if created is not None and created.text:
        found["created"] = created.text.strip()
    return found


# --------------------------------------------------------------------------- helpers


def detect_language(text: str, sample: int = 20_000) -> str | None:
    """``ar`` or ``en`` from the script of the text (as for articles), else None."""
    part = text[:sample]
    if not part.strip():
        return None
    share = arabic_share(part)
    if share >= 0.5:
        return "ar"
    if share <= 0.1 and re.search(r"[A-Za-z]", part):
        return "en"
    return None


def page_texts(text: str) -> Iterator[str]:
    """The stored text split back into pages."""
    yield from text.split(PAGE_BREAK)
