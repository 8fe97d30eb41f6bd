"""Small binary files the replica serves: a valid one-page PDF and a 1x1 PNG."""

from __future__ import annotations

import struct
import zlib
from functools import lru_cache


def _pdf_string(text: str) -> bytes:
    return text.encode("ascii", "replace").replace(b"\\", b"").replace(b"(", b"").replace(b")", b"")


def pdf_document(title: str, lines: tuple[str, ...] = ()) -> bytes:
    """A minimal, valid one-page PDF showing ``title`` and then ``lines`` (ASCII only)."""
    shown = b"BT /F1 14 Tf 72 720 Td (" + _pdf_string(title)[:90] + b") Tj"
    for line in lines:
        shown += b" 0 -20 Td (" + _pdf_string(line)[:90] + b") Tj"
    stream = shown + b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
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


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@lru_cache(maxsize=1)
def png_pixel() -> bytes:
    """A valid 1x1 grey PNG."""
    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x80")
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", pixels)
        + _chunk(b"IEND", b"")
    )
