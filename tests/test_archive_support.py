"""Shared helpers for the archive tests (imported by the other ``test_archive*`` modules)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from ecss_crawler.archive import Archive
from ecss_crawler.items import Article

ARABIC_BODY = (
    "تُعَدُّ مُكافَحَة الإرْهاب أولويةً للدولة المصرية.\n\n"
    "وتناقش الدراسة دور الأمــــن الإقليمي وأمن مصطفى في القاهرة عام ٢٠٢٤."
)


def make_article(n: int = 1, **overrides: Any) -> Article:
    """A complete English article; ``overrides`` replace any field."""
    fields: dict[str, Any] = {
        "url": f"https://ecss.com.eg/{n}/",
        "site": "ecss",
        "post_id": n,
        "language": "en",
        "title": f"Water security and the Nile, part {n}",
        "authors": ["Jane Doe", "Omar Khaled"],
        "published": "2024-03-05T10:00:00+02:00",
        "modified": "2024-03-06T09:00:00+02:00",
        "categories": ["Security", "Africa"],
        "tags": ["Nile", "GERD"],
        "summary": "A short analysis of regional water politics.",
        "body": (
            "The dam negotiations stalled again this spring.\n\n"
            "Elections in the region complicate every agreement on water sharing."
        ),
        "body_html": "<p>The dam negotiations stalled again this spring.</p>",
        "word_count": 20,
        "reading_minutes": 1,
        "featured_image": f"https://ecss.com.eg/img/{n}.jpg",
        "attachments": [],
        "sources": {"title": "og:title"},
        "extractor_version": "1",
        "warnings": [],
    }
    fields.update(overrides)
    return Article(**fields)


def make_arabic(n: int = 100, **overrides: Any) -> Article:
    """An Arabic article whose stored text carries harakat, tatweel and hamza/ta spellings."""
    values: dict[str, Any] = {
        "url": f"https://ecss.com.eg/ar/{n}/",
        "language": "ar",
        "title": "مُكافَحَة الإرهاب في مصر",
        "authors": ["أحمد إبراهيم"],
        "categories": ["الأمن"],
        "tags": ["الإرهاب"],
        "summary": "دراسة عن الأمن القومي المصري.",
        "body": ARABIC_BODY,
        "body_html": "<p>نص</p>",
    }
    values.update(overrides)
    return make_article(n, **values)


def open_archive(path: Path, **kwargs: Any) -> Archive:
    """A fresh Archive at ``path``."""
    return Archive(path, **kwargs)


def rows(path: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Run ``sql`` on a separate, plain sqlite3 connection (sees committed data only)."""
    conn = sqlite3.connect(path, timeout=30)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()
