"""Watching a crawl: field coverage per article, and the layout-break alarm at the end.

Scheduled jobs run for years; a site redesign must be reported by the first
crawl after it, loudly. ``CoveragePipeline`` counts, per field, how many
extracted articles have it and which layer supplied it (keeping a few sample
URLs of articles that lack it). ``LayoutAlarm`` compares those figures with
thresholds when the crawl closes, and writes the crawl's JSON report.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals

from ecss_crawler.items import COVERAGE_FIELDS, CapturedArticle
from ecss_crawler.report import summary
from ecss_crawler.sites.model import bare_host

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

#: Fields the alarm watches, with the share of articles that must have each.
DEFAULT_MIN_COVERAGE: dict[str, float] = {
    "title": 0.95,
    "body": 0.95,
    "published": 0.9,
    "authors": 0.8,
    "categories": 0.8,
    "modified": 0.5,
    "tags": 0.2,
}
#: Fields every article page shows, whatever the site: always held to the fixed minimum.
CORE_FIELDS: frozenset[str] = frozenset({"title", "body"})
#: Layers whose values are "fallback only": no structural markup was found for the field.
DEFAULT_FALLBACK_LAYERS: tuple[str, ...] = ("generic",)
SAMPLES_PER_FIELD = 5


class CoveragePipeline:
    """Count, per field, how many extracted articles have it and which layer supplied it."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, CapturedArticle):
            self.count(item)
        return item

    def count(self, item: CapturedArticle) -> None:
        """Add one article's fields and layers to the crawl's stats."""
        article = item.article
        self.stats.inc_value("ecss/articles_extracted")
        for name in COVERAGE_FIELDS:
            if getattr(article, name):
                self.stats.inc_value(f"ecss/coverage/{name}")
            else:
                self._sample(f"ecss/missing/{name}", item.capture.url)
            layer = article.sources.get(name)
            if layer:
                self.stats.inc_value(f"ecss/layer/{name}/{layer}")

    def _sample(self, key: str, url: str) -> None:
        samples = self.stats.get_value(key) or []
        if len(samples) < SAMPLES_PER_FIELD:
            self.stats.set_value(key, [*samples, url])


@dataclass
class Thresholds:
    """When the alarm fires (settings ``ECSS_ALARM_*``)."""

    min_coverage: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_MIN_COVERAGE))
    fallback_layers: tuple[str, ...] = DEFAULT_FALLBACK_LAYERS
    max_fallback_share: float = 0.5
    min_articles: int = 3
    max_empty_listing_share: float = 0.5
    max_failure_share: float = 0.2
    #: From the site's profile: field -> shown always (True) / never (False).
    expectations: dict[str, bool] = field(default_factory=dict)
    #: The site's mean coverage per field over its last judged crawls (None: first crawl).
    baseline: dict[str, float] | None = None
    #: Undeclared fields alarm below this share of their baseline (capped by min_coverage).
    baseline_ratio: float = 0.5


@dataclass
class Verdict:
    """What the end-of-crawl check found."""

    layout_break: bool = False
    too_many_failures: bool = False
    fields: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    samples: dict[str, list[str]] = field(default_factory=dict)
    judged_articles: int = 0
    #: Fields not judged, and why (not shown by the site, or learned on a first crawl).
    notes: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        """``layout_break``, ``too_many_failures`` or ``ok``."""
        if self.layout_break:
            return "layout_break"
        return "too_many_failures" if self.too_many_failures else "ok"


def judge(stats: dict[str, Any], thresholds: Thresholds) -> Verdict:
    """Compare a crawl's coverage, fallback share, listings and failures with the thresholds."""
    verdict = Verdict(judged_articles=int(stats.get("ecss/articles_extracted", 0)))
    _judge_listings(stats, thresholds, verdict)
    if verdict.judged_articles >= thresholds.min_articles:
        _judge_coverage(stats, thresholds, verdict)
        _judge_fallback(stats, thresholds, verdict)
    _judge_failures(stats, thresholds, verdict)
    return verdict


def _judge_coverage(stats: dict[str, Any], thresholds: Thresholds, verdict: Verdict) -> None:
    total = verdict.judged_articles
    for name, fixed in thresholds.min_coverage.items():
        share = int(stats.get(f"ecss/coverage/{name}", 0)) / total
        minimum = field_minimum(name, fixed, thresholds, verdict.notes)
        if minimum is not None and share < minimum:
            verdict.layout_break = True
            verdict.fields.append(name)
            verdict.samples[name] = list(stats.get(f"ecss/missing/{name}") or [])
            verdict.reasons.append(
                f"{name} found in {share:.0%} of articles (minimum {minimum:.0%})"
            )


def field_minimum(
    name: str, fixed: float, thresholds: Thresholds, notes: list[str]
) -> float | None:
    """The least coverage of ``name`` this crawl must reach (None: not judged, noted why).

    Title and body, and fields the profile says the site always shows, keep the fixed
    minimum. A field the profile says the site never shows is not judged. Any other field
    is compared with the site's own previous crawls; a site's first crawl learns it.
    """
    expected = thresholds.expectations.get(name)
    if name in CORE_FIELDS or expected is True:
        return fixed
    if expected is False:
        notes.append(f"{name}: not shown by this site (profile)")
        return None
    if thresholds.baseline is None:
        notes.append(f"{name}: first judged crawl of this site, coverage recorded as baseline")
        return None
    usual = thresholds.baseline.get(name, 0.0)
    if usual <= 0:
        notes.append(f"{name}: never found on this site before")
        return None
    return min(fixed, usual * thresholds.baseline_ratio)


def _judge_fallback(stats: dict[str, Any], thresholds: Thresholds, verdict: Verdict) -> None:
    supplied = fallback = 0
    for key, value in stats.items():
        if key.startswith("ecss/layer/"):
            supplied += int(value)
            if key.rsplit("/", 1)[1] in thresholds.fallback_layers:
                fallback += int(value)
    if supplied and fallback / supplied > thresholds.max_fallback_share:
        verdict.layout_break = True
        layers = ", ".join(thresholds.fallback_layers)
        verdict.reasons.append(
            f"{fallback / supplied:.0%} of field values came only from fallback layers "
            f"({layers}; maximum {thresholds.max_fallback_share:.0%})"
        )


def _judge_listings(stats: dict[str, Any], thresholds: Thresholds, verdict: Verdict) -> None:
    first_pages = int(stats.get("ecss/listing_first_pages", 0))
    empty = int(stats.get("ecss/listing_first_pages_empty", 0))
    if (
        first_pages >= thresholds.min_articles
        and empty / first_pages > thresholds.max_empty_listing_share
    ):
        verdict.layout_break = True
        verdict.fields.append("listing")
        verdict.samples["listing"] = list(stats.get("ecss/missing/listing") or [])
        verdict.reasons.append(
            f"{empty} of {first_pages} listing first pages showed no post cards "
            f"(maximum {thresholds.max_empty_listing_share:.0%})"
        )


def _judge_failures(stats: dict[str, Any], thresholds: Thresholds, verdict: Verdict) -> None:
    failed = sum(int(v) for k, v in stats.items() if k.startswith("ecss/failures/"))
    # Article pages that gave no record at all (unreadable, or their reader died) count
    # as attempted too; records that failed validation are counted as extracted already.
    unread = int(stats.get("ecss/failures/extract", 0)) - int(stats.get("ecss/articles_invalid", 0))
    attempted = (
        int(stats.get("ecss/articles_extracted", 0))
        + int(stats.get("ecss/failures/fetch", 0))
        + max(0, unread)
    )
    if attempted >= thresholds.min_articles and failed / attempted > thresholds.max_failure_share:
        verdict.too_many_failures = True
        verdict.reasons.append(
            f"{failed} of {attempted} article pages failed "
            f"(maximum {thresholds.max_failure_share:.0%})"
        )


def thresholds_from_settings(settings: Any) -> Thresholds:
    """Read ``ECSS_ALARM_*`` settings (defaults in :class:`Thresholds`)."""
    defaults = Thresholds()
    coverage = settings.getdict("ECSS_ALARM_MIN_COVERAGE") or defaults.min_coverage
    return Thresholds(
        min_coverage={name: float(share) for name, share in coverage.items()},
        fallback_layers=tuple(
            settings.getlist("ECSS_ALARM_FALLBACK_LAYERS") or defaults.fallback_layers
        ),
        max_fallback_share=settings.getfloat(
            "ECSS_ALARM_MAX_FALLBACK_SHARE", defaults.max_fallback_share
        ),
        min_articles=settings.getint("ECSS_ALARM_MIN_ARTICLES", defaults.min_articles),
        max_empty_listing_share=settings.getfloat(
            "ECSS_ALARM_MAX_EMPTY_LISTING_SHARE", defaults.max_empty_listing_share
        ),
        max_failure_share=settings.getfloat("ECSS_MAX_FAILURE_SHARE", defaults.max_failure_share),
        baseline_ratio=settings.getfloat("ECSS_ALARM_BASELINE_RATIO", defaults.baseline_ratio),
    )


class LayoutAlarm:
    """At the end of a crawl: judge it, log the verdict loudly, write the JSON report."""

    def __init__(self, crawler: Crawler, thresholds: Thresholds, reports_dir: Path | None) -> None:
        self.crawler = crawler
        self.thresholds = thresholds
        self.reports_dir = reports_dir

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        reports = crawler.settings.get("ECSS_REPORTS_DIR")
        if reports is None and crawler.settings.get("ECSS_DB"):
            reports = Path(str(crawler.settings.get("ECSS_DB"))).parent / "reports"
        extension = cls(
            crawler, thresholds_from_settings(crawler.settings), Path(reports) if reports else None
        )
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Any) -> None:
        """Per-site expectations: the profile's fields, the site's own earlier crawls."""
        profile = getattr(spider, "profile", None)
        expectations = dict(profile.fields) if profile is not None else {}
        baseline = None
        db = self.crawler.settings.get("ECSS_DB")
        site = bare_host(str(getattr(spider, "base_url", "")))
        if db and site:
            baseline = self._baseline(str(db), site)
        self.thresholds = replace(self.thresholds, expectations=expectations, baseline=baseline)

    def spider_closed(self, reason: str) -> None:
        assert self.crawler.stats is not None
        stats = self.crawler.stats
        verdict = judge(stats.get_stats(), self.thresholds)
        stats.set_value("ecss/verdict", asdict(verdict) | {"status": verdict.status})
        if verdict.layout_break:
            logger.error("LAYOUT BREAK: %s", _verdict_text(verdict))
        elif verdict.too_many_failures:
            logger.error("TOO MANY FAILURES: %s", "; ".join(verdict.reasons))
        if self.reports_dir is not None:
            try:
                path = write_report(self.reports_dir, stats.get_stats(), reason, verdict)
            except OSError as error:  # a full disk or read-only folder must not hide the rest
                logger.warning("Could not write the crawl report: %s", error)
                return
            stats.set_value("ecss/report_path", str(path))

    def _baseline(self, db: str, site: str) -> dict[str, float] | None:
        """The site's mean coverage over its earlier crawls; an unreadable archive (the
        pipeline reports why) is judged as a first crawl."""
        from ecss_crawler.archive.lookup import ArchiveReader

        try:
            reader = ArchiveReader(db)
        except (sqlite3.Error, OSError) as error:
            logger.warning("Could not read earlier crawls of %s: %s", site, error)
            return None
        try:
            return reader.coverage_baseline(
                site,
                self.crawler.settings.getint("ECSS_ALARM_BASELINE_CRAWLS", 5),
                self.thresholds.min_articles,
            )
        except sqlite3.Error as error:
            logger.warning("Could not read earlier crawls of %s: %s", site, error)
            return None
        finally:
            reader.close()


def _verdict_text(verdict: Verdict) -> str:
    lines = ["; ".join(verdict.reasons)]
    for name in verdict.fields:
        for url in verdict.samples.get(name, [])[:3]:
            lines.append(f"  {name} missing: {url}")
    return "\n".join(lines)


def write_report(directory: Path, stats: dict[str, Any], reason: str, verdict: Verdict) -> Path:
    """Write ``crawl-<id>-<UTC time>.json`` (summary, verdict, arguments) and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    crawl_id = stats.get("ecss/crawl_id") or 0
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    data = dict(stats)
    data.setdefault("finish_reason", reason)
    report = {
        "crawl_id": crawl_id,
        "written": stamp,
        "site": stats.get("ecss/site"),
        "arguments": stats.get("ecss/arguments"),
        "summary": summary(data),
        "verdict": asdict(verdict) | {"status": verdict.status},
    }
    path = directory / f"crawl-{int(crawl_id):06d}-{stamp}.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return path
