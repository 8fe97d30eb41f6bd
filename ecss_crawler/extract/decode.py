"""Turn a response body into text, surviving wrong or missing charset declarations."""

from __future__ import annotations

import re
from typing import AnyStr

from w3lib.encoding import html_body_declared_encoding, html_to_unicode, resolve_encoding

from ecss_crawler.extract.text import arabic_share

#: Tried in order when the declared encoding cannot decode the body.
_FALLBACK_ENCODINGS: tuple[str, ...] = ("utf-8", "cp1256", "cp1252")


#: ``</body>`` and ``</html>`` end tags. libxml2 drops everything after a ``</html>``, so one
#: printed early (by a plugin or a pasted snippet) would cut the article off.
_END_TAGS = r"</(?:html|body)\s*>"
_END_TAGS_TEXT = re.compile(_END_TAGS, re.IGNORECASE)
_END_TAGS_BYTES = re.compile(_END_TAGS.encode("ascii"), re.IGNORECASE)


def repair_markup(body: AnyStr) -> AnyStr:
    """Remove ``</body>`` and ``</html>`` end tags: the parser infers them at the end, as a
    browser does, instead of losing whatever follows a stray one."""
    if isinstance(body, bytes):
        return _END_TAGS_BYTES.sub(b"", body)
    return _END_TAGS_TEXT.sub("", body)


class NotHTMLError(ValueError):
    """The input is empty, binary, or otherwise not an HTML document."""


def decode_html(body: bytes | str, content_type: str | None = None) -> str:
    """Decode ``body`` to text (see :func:`detect_encoding`); refuse non-HTML input."""
    text = body if isinstance(body, str) else body.decode(detect_encoding(body, content_type))
    _ensure_html(text)
    return text


def detect_encoding(body: bytes, content_type: str | None = None) -> str:
    """The encoding ``body`` is really in.

    The declared encoding (BOM, Content-Type header, ``<meta charset>``) is used
    when the bytes really are in it. Arabic sites sometimes serve Windows-1256
    while declaring UTF-8 (or declare nothing); then UTF-8 is tried, and then
    the single-byte fallback that yields the most Arabic letters wins.
    """
    if not body.strip():
        raise NotHTMLError("empty document")
    if b"\x00" in body[:4096] and not body.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise NotHTMLError("binary content, not HTML")
    declared = _declared_encoding(body, content_type)
    for encoding in (declared, "utf-8") if declared else ("utf-8",):
        try:
            body.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        return encoding
    candidates = []
    for encoding in _FALLBACK_ENCODINGS[1:]:
        try:
            candidates.append((arabic_share(body[:20000].decode(encoding)), encoding))
            body.decode(encoding)
        except UnicodeDecodeError:
            continue
    if candidates:
        return max(candidates)[1]
    return html_to_unicode(content_type, body)[0]


def _declared_encoding(body: bytes, content_type: str | None) -> str | None:
    """The encoding named by the BOM, the header or the document, as Python names it."""
    if body.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if content_type and "charset=" in content_type.lower():
        name = content_type.lower().split("charset=", 1)[1].split(";")[0].strip(" \"'")
        resolved = resolve_encoding(name)
        if resolved:
            return resolved
    declared = html_body_declared_encoding(body)
    return resolve_encoding(declared) if declared else None


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\ufffd]")
_HTML_HINT = re.compile(r"<(?:!doctype\s+html|html|head|body|div|p|article|meta|title)\b", re.I)


def _ensure_html(text: str) -> None:
    head = text[:4096]
    if not text.strip():
        raise NotHTMLError("empty document")
    if len(_CONTROL.findall(head)) > 0.05 * len(head):
        raise NotHTMLError("binary content, not HTML")
    if not _HTML_HINT.search(head):
        raise NotHTMLError("not an HTML document")
