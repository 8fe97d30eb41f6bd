"""Document fixtures for the tests: the committed files and the bad cases made on the fly."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

DOCUMENTS = Path(__file__).parent / "fixtures" / "documents"
EXPECTED: dict[str, Any] = json.loads((DOCUMENTS / "expected.json").read_text(encoding="utf-8"))


def fixture(name: str) -> bytes:
    """The bytes of a committed fixture (made by ``make_pdfs.py``)."""
    return (DOCUMENTS / name).read_bytes()


def squeeze(text: str) -> str:
    """White space collapsed: PDF line breaks are layout, not text."""
    return " ".join(text.split())


def pdf_with(page_object: bytes) -> bytes:
    """A one-page PDF whose page dictionary is ``page_object`` (a valid xref table)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        page_object,
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def pdf_bomb(depth: int = 100_000) -> bytes:
    """A PDF whose page holds arrays nested ``depth`` deep (a parser-stack bomb)."""
    nested = b"[" * depth + b"]" * depth
    return pdf_with(
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Annots " + nested + b" >>"
    )


def docx_bomb(megabytes: int = 80) -> bytes:
    """A DOCX whose document.xml unpacks to ``megabytes`` (a zip bomb; ~100 KB packed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b" " * (megabytes * 1024 * 1024))
    return buffer.getvalue()


HTML_PAGE = b"<!DOCTYPE html><html><head><title>Login</title></head><body>Sign in</body></html>"
