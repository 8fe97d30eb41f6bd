"""Content hashes: what counts as "the article changed".

The hash covers :data:`ecss_crawler.items.CONTENT_FIELDS` only, so a new
``extractor_version``, word count or HTTP header never creates a revision.
Values are canonicalised first so that noise the extractor may produce from
one fetch to the next does not count as a change:

* strings: Unicode NFC, ``\\r\\n``/``\\r`` -> ``\\n``, trailing spaces on each line
  and leading/trailing blank space removed; ``None`` and ``""`` are equal;
* ``authors``: order kept (first author matters), blanks dropped;
* ``categories`` and ``tags``: order-insensitive (sorted, de-duplicated).
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from ecss_crawler.items import CONTENT_FIELDS

_TRAILING_SPACE = re.compile(r"[ \t\u00a0]+\n")
_UNORDERED = frozenset({"categories", "tags"})


def canonical_text(value: object) -> str:
    """Canonical form of one scalar field value for hashing."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _TRAILING_SPACE.sub("\n", text).strip()


def canonical_list(name: str, values: Iterable[object] | None) -> list[str]:
    """Canonical form of a list field; unordered fields are sorted and de-duplicated."""
    items = [canonical_text(v) for v in values or ()]
    items = [v for v in items if v]
    if name in _UNORDERED:
        return sorted(set(items))
    return items


def content_payload(record: Mapping[str, Any]) -> dict[str, Any]:
    """The canonical content fields of ``record`` that the hash is computed over."""
    payload: dict[str, Any] = {}
    for name in CONTENT_FIELDS:
        value = record.get(name)
        if isinstance(value, list | tuple):
            payload[name] = canonical_list(name, value)
        else:
            payload[name] = canonical_text(value)
    return payload


def content_hash(record: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical content fields of an article record."""
    blob = json.dumps(
        content_payload(record), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def body_sha256(body: bytes) -> str:
    """SHA-256 (hex) of a raw response body."""
    return hashlib.sha256(body).hexdigest()
