"""Crawl figures from Scrapy's stats: counts, field coverage, HTTP errors, a human summary.

Pure functions over the stats dict, so the summary, the ``crawls`` row and the
JSON report all say the same thing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ecss_crawler.items import COVERAGE_FIELDS


def crawl_counts(stats: dict[str, Any]) -> dict[str, int]:
    """Articles found/stored/failed and the other headline counts of a crawl."""
    stored = {k.rsplit("/", 1)[1]: int(v) for k, v in stats.items() if k.startswith("ecss/stored/")}
    failures = sum(int(v) for k, v in stats.items() if k.startswith("ecss/failures/"))
    return {
        "pages": int(stats.get("response_received_count", 0)),
        "listing_pages": int(stats.get("ecss/listing_pages", 0)),
        "articles_found": int(stats.get("ecss/articles_extracted", 0))
        + int(stats.get("ecss/failures/fetch", 0)),
        "articles_extracted": int(stats.get("ecss/articles_extracted", 0)),
        "stored": sum(v for k, v in stored.items() if k != "rejected"),
        "new": stored.get("new", 0),
        "changed": stored.get("changed", 0),
        "unchanged": stored.get("unchanged", 0),
        "rejected": stored.get("rejected", 0),
        "failed": failures,
        "not_articles": sum(int(v) for k, v in stats.items() if k.startswith("ecss/not_article/")),
        "offsite_blocked": int(stats.get("ecss/offsite_blocked", 0)),
    }


def document_counts(stats: dict[str, Any]) -> dict[str, int]:
    """Documents stored by outcome (new, changed, linked, unchanged, not_modified) and failed."""
    return {
        k.rsplit("/", 1)[1]: int(v) for k, v in stats.items() if k.startswith("ecss/documents/")
    }


def field_coverage(stats: dict[str, Any]) -> dict[str, float]:
    """Share (0-1) of extracted articles that have each field."""
    total = int(stats.get("ecss/articles_extracted", 0))
    if not total:
        return {}
    return {
        name: round(int(stats.get(f"ecss/coverage/{name}", 0)) / total, 4)
        for name in COVERAGE_FIELDS
    }


def layer_shares(stats: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Per field, how many records each extraction layer supplied."""
    shares: dict[str, dict[str, int]] = {}
    for key, value in stats.items():
        if key.startswith("ecss/layer/"):
            _, _, field_name, layer = key.split("/", 3)
            shares.setdefault(field_name, {})[layer] = int(value)
    return shares


def http_errors(stats: dict[str, Any]) -> dict[str, int]:
    """Responses by non-2xx status, and download exceptions by type."""
    errors: dict[str, int] = {}
    for key, value in stats.items():
        if key.startswith("downloader/response_status_count/") and not key.endswith(
            ("/200", "/304")
        ):
            errors[key.rsplit("/", 1)[1]] = int(value)
        elif key.startswith("downloader/exception_type_count/"):
            errors[key.rsplit("/", 1)[1].rsplit(".", 1)[-1]] = int(value)
    return errors


def duration_seconds(stats: dict[str, Any]) -> float:
    """Seconds from the crawl's start to its end (or now)."""
    start = stats.get("start_time")
    end = stats.get("finish_time")
    if not isinstance(start, datetime):
        return 0.0
    if not isinstance(end, datetime):
        end = datetime.now(start.tzinfo)
    return max(0.0, (end - start).total_seconds())


def summary(stats: dict[str, Any]) -> dict[str, Any]:
    """Everything the end-of-crawl summary reports."""
    return {
        "counts": crawl_counts(stats),
        "documents": document_counts(stats),
        "coverage": field_coverage(stats),
        "layers": layer_shares(stats),
        "http_errors": http_errors(stats),
        "duration_seconds": round(duration_seconds(stats), 1),
        "finish_reason": stats.get("finish_reason"),
    }


def summary_text(data: dict[str, Any]) -> str:
    """A short human summary of :func:`summary`'s result."""
    counts = data["counts"]
    lines = [
        f"Crawl finished ({data.get('finish_reason') or 'unknown'}) "
        f"in {data['duration_seconds']:.1f} s",
        f"  pages fetched: {counts['pages']} (listing pages: {counts['listing_pages']})",
        f"  articles: found {counts['articles_found']}, stored {counts['stored']} "
        f"(new {counts['new']}, changed {counts['changed']}, unchanged {counts['unchanged']}), "
        f"kept older version {counts['rejected']}, failed {counts['failed']}",
    ]
    documents = data.get("documents") or {}
    if documents:
        done = ", ".join(f"{k} {v}" for k, v in sorted(documents.items()) if k != "failed")
        lines.append(f"  documents: {done or 'none stored'}, failed {documents.get('failed', 0)}")
    if data["coverage"]:
        cover = ", ".join(f"{name} {share:.0%}" for name, share in data["coverage"].items())
        lines.append(f"  field coverage: {cover}")
    if data["http_errors"]:
        errors = ", ".join(
            f"{status}: {count}" for status, count in sorted(data["http_errors"].items())
        )
        lines.append(f"  HTTP errors: {errors}")
    if counts["offsite_blocked"]:
        lines.append(f"  off-site requests refused: {counts['offsite_blocked']}")
    return "\n".join(lines)
