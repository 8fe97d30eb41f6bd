"""Body-extraction quality and speed on the golden fixtures: ours vs trafilatura vs readability.

Usage::

    python benchmarks/extract_quality.py [--fixtures tests/fixtures] [--repeat 5] [--per-page]
        [--speed-pages PAGE.html ...] [--speed-per-fixture] [--speed-replica 12]

Every fixture folder ``<site>/<case>/`` holding ``input.html``, ``meta.json`` (``{"url": ...}``)
and ``expected.json`` is used, except the ``{"not_article": ...}`` ones. Three extractors run
on each page:

* ours: ``ecss_crawler.extract.extract_article(html: bytes, url: str)``, the ``.body`` text
  (``--ours module:function`` points the benchmark at another function with that signature);
* trafilatura: ``trafilatura.extract(html, url=url, favor_precision=False)``;
* readability-lxml: ``Document(html).summary()`` turned into text by lxml ``text_content()``.

Body quality uses the article-extraction-benchmark metric: each text becomes the multiset of
its shingles (4-grams of lower-cased ``\\w+`` tokens); per document, true positives, false
positives and false negatives are counted over the shingle multisets and normalised by their
sum; precision and recall are computed per document and averaged over documents (a document
where an extractor returned nothing counts for recall but not for precision, as in the
reference implementation); F1 is taken from the averaged precision and recall.

For our extractor the script also counts exact matches per field against ``expected.json``,
and for each extractor it reports pages per second in one process: one warm-up pass, then
``--repeat`` timed passes over all pages. ``--speed-pages`` times saved full-size pages,
``--speed-per-fixture`` each fixture on its own (ours against trafilatura), and
``--speed-replica N`` N article pages of each Foxiz theme of the bundled replica (rendered
in process, never read by a test), with their fields checked against the replica's truth,
and ``--speed-variants`` each ``--speed-pages`` page changed the way theme options change
a page (header outside the ``<article>``, renamed header class, no OG/JSON-LD, no tag bar,
a plain content class, no ``<article>`` element), with the fields that changed.
Output is Markdown on stdout. No Scrapy import.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # run from a checkout without installing the package

#: Fields compared for exact matches, in the order of the report.
FIELDS: tuple[str, ...] = (
    "title",
    "authors",
    "published",
    "modified",
    "categories",
    "tags",
    "language",
    "post_id",
    "summary",
    "body",
)
SHINGLE_SIZE = 4
_TOKEN = re.compile(r"\w+")

BodyExtractor = Callable[[bytes, str], str]


@dataclass(frozen=True)
class Fixture:
    """One article fixture page with its expected record."""

    name: str
    url: str
    html: bytes
    expected: dict[str, Any]


@dataclass(frozen=True)
class Counts:
    """Normalised true positive, false positive and false negative shares of one document."""

    tp: float
    fp: float
    fn: float


@dataclass(frozen=True)
class Scores:
    """Precision, recall and F1 over a set of documents."""

    precision: float
    recall: float
    f1: float


# ---------------------------------------------------------------- fixtures


def load_fixtures(root: Path) -> list[Fixture]:
    """Article fixtures under ``root`` (``<site>/<case>/``), sorted by path."""
    fixtures = []
    for page in sorted(root.glob("*/*/input.html")):
        folder = page.parent
        expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
        if "not_article" in expected:
            continue
        url = json.loads((folder / "meta.json").read_text(encoding="utf-8"))["url"]
        name = f"{folder.parent.name}/{folder.name}"
        fixtures.append(Fixture(name, url, page.read_bytes(), expected))
    return fixtures


# ---------------------------------------------------------------- extractors


def load_function(spec: str) -> Callable[..., Any]:
    """Import ``module:function``."""
    module_name, _, func_name = spec.partition(":")
    func: Callable[..., Any] = getattr(importlib.import_module(module_name), func_name)
    return func


def ours_record(extract: Callable[..., Any], html: bytes, url: str) -> dict[str, Any] | None:
    """Our extractor's record as a field dict, or None when it refuses or fails."""
    try:
        article = extract(html, url)
    except Exception:  # a failure is scored as an empty record
        return None
    return {name: getattr(article, name, None) for name in FIELDS}


def ours_body_extractor(extract: Callable[..., Any]) -> BodyExtractor:
    """Wrap our record extractor into a body-text extractor."""

    def body(html: bytes, url: str) -> str:
        record = ours_record(extract, html, url)
        return (record or {}).get("body") or ""

    return body


def trafilatura_body(html: bytes, url: str) -> str:
    """Plain text from trafilatura with its default balance of precision and recall."""
    import trafilatura

    return trafilatura.extract(html, url=url, favor_precision=False) or ""


def readability_body(html: bytes, url: str) -> str:
    """Plain text of readability-lxml's summary HTML."""
    import lxml.html
    from readability import Document

    summary = Document(html).summary()
    return str(lxml.html.fromstring(summary).text_content()) if summary.strip() else ""


def extractors(ours_spec: str) -> dict[str, BodyExtractor]:
    """The three body extractors by report name."""
    return {
        "ours": ours_body_extractor(load_function(ours_spec)),
        "trafilatura": trafilatura_body,
        "readability-lxml": readability_body,
    }


# ---------------------------------------------------------------- metric


def shingles(text: str, size: int = SHINGLE_SIZE) -> Counter[tuple[str, ...]]:
    """Multiset of ``size``-grams of lower-cased word tokens (one shorter gram for short texts)."""
    tokens = [token.lower() for token in _TOKEN.findall(text or "")]
    if not tokens:
        return Counter()
    last = max(1, len(tokens) - size + 1)
    return Counter(tuple(tokens[i : i + size]) for i in range(last))


def match_counts(true: str, pred: str) -> Counts:
    """Normalised TP/FP/FN of one document, so long texts do not weigh more."""
    want, got = shingles(true), shingles(pred)
    tp = sum((want & got).values())
    fp = sum((got - want).values())
    fn = sum((want - got).values())
    total = tp + fp + fn
    if not total:
        return Counts(0.0, 0.0, 0.0)
    return Counts(tp / total, fp / total, fn / total)


def precision_of(c: Counts) -> float:
    """Per-document precision; 1 for a perfect match, 0 when nothing true was predicted."""
    if c.fp == c.fn == 0:
        return 1.0
    return c.tp / (c.tp + c.fp) if c.tp + c.fp else 0.0


def recall_of(c: Counts) -> float:
    """Per-document recall; 1 for a perfect match, 0 when nothing true was found."""
    if c.fp == c.fn == 0:
        return 1.0
    return c.tp / (c.tp + c.fn) if c.tp + c.fn else 0.0


def _mean(values: Sequence[float]) -> float:
    return statistics.mean(values) if values else 0.0


def score(pairs: Iterable[tuple[str, str]]) -> Scores:
    """Average per-document precision and recall over ``(true, predicted)`` texts."""
    counts = [match_counts(true, pred) for true, pred in pairs]
    precision = _mean([precision_of(c) for c in counts if c.tp + c.fp > 0])
    recall = _mean([recall_of(c) for c in counts if c.tp + c.fn > 0])
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1)


# ---------------------------------------------------------------- runs


def run_bodies(extract: BodyExtractor, fixtures: Sequence[Fixture]) -> list[str]:
    """One body text per fixture; an exception counts as an empty body."""
    bodies = []
    for fx in fixtures:
        try:
            bodies.append(extract(fx.html, fx.url))
        except Exception:  # scored as a miss
            bodies.append("")
    return bodies


def pages_per_second(extract: BodyExtractor, fixtures: Sequence[Fixture], repeat: int) -> float:
    """Throughput over ``repeat`` passes, after one untimed warm-up pass."""
    run_bodies(extract, fixtures)
    start = time.perf_counter()
    for _ in range(repeat):
        run_bodies(extract, fixtures)
    elapsed = time.perf_counter() - start
    return len(fixtures) * repeat / elapsed if elapsed > 0 else float("inf")


def field_matches(extract: Callable[..., Any], fixtures: Sequence[Fixture]) -> dict[str, int]:
    """How many fixtures our extractor gets exactly right, per field."""
    hits = dict.fromkeys(FIELDS, 0)
    for fx in fixtures:
        record = ours_record(extract, fx.html, fx.url)
        if record is None:
            continue
        for name in FIELDS:
            if name in fx.expected and record.get(name) == fx.expected[name]:
                hits[name] += 1
    return hits


# ---------------------------------------------------------------- report


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]], align: str) -> str:
    """A Markdown table; ``align`` holds one of ``l``/``r`` per column."""
    marks = {"l": ":---", "r": "---:"}
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(marks[a] for a in align) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def quality_table(results: dict[str, tuple[Scores, float]]) -> str:
    rows = [
        (name, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}", f"{pps:.1f}")
        for name, (s, pps) in results.items()
    ]
    return markdown_table(("extractor", "precision", "recall", "F1", "pages/s"), rows, "lrrrr")


def fields_table(hits: dict[str, int], total: int) -> str:
    rows = [
        (name, f"{count}/{total}", f"{count / total:.0%}" if total else "-")
        for name, count in hits.items()
    ]
    return markdown_table(("field", "exact matches", "share"), rows, "lrr")


def per_page_table(fixtures: Sequence[Fixture], bodies: dict[str, list[str]]) -> str:
    rows = []
    for i, fx in enumerate(fixtures):
        true = fx.expected.get("body") or ""
        rows.append([fx.name] + [f"{score([(true, b[i])]).f1:.3f}" for b in bodies.values()])
    return markdown_table(
        ["fixture", *(f"F1 {name}" for name in bodies)], rows, "l" + "r" * len(bodies)
    )


# ---------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--fixtures",
        type=Path,
        default=REPO / "tests" / "fixtures",
        help="fixture root (default: tests/fixtures)",
    )
    parser.add_argument(
        "--repeat", type=int, default=5, help="timed passes per extractor (default: 5)"
    )
    parser.add_argument(
        "--ours",
        default="ecss_crawler.extract:extract_article",
        help="our extractor as module:function (default: %(default)s)",
    )
    parser.add_argument("--per-page", action="store_true", help="also print body F1 per fixture")
    parser.add_argument(
        "--speed-per-fixture",
        action="store_true",
        help="pages/s of ours and trafilatura per fixture",
    )
    parser.add_argument(
        "--speed-replica",
        type=int,
        default=0,
        metavar="N",
        help="pages/s on N generated article pages of each replica theme",
    )
    parser.add_argument(
        "--speed-variants",
        action="store_true",
        help="also time each --speed-pages page changed as theme options change it",
    )
    parser.add_argument(
        "--speed-pages",
        nargs="*",
        type=Path,
        default=[],
        metavar="HTML",
        help="extra saved pages (e.g. full-size real pages) timed for pages/s only",
    )
    return parser.parse_args(argv)


def load_speed_pages(paths: Sequence[Path]) -> list[Fixture]:
    """Saved pages with no expected output; their URL is their canonical link."""
    pages = []
    for path in paths:
        html = path.read_bytes()
        found = re.search(rb'<link rel=["\']canonical["\'] href=["\']([^"\']+)', html)
        url = found.group(1).decode() if found else path.resolve().as_uri()
        pages.append(Fixture(path.name, url, html, {}))
    return pages


def speed_table(pages: Sequence[Fixture], ours: str, repeat: int) -> str:
    """Pages per second of each extractor on each page, and ours as a multiple of trafilatura."""
    rows = []
    for page in pages:
        rates = {
            name: pages_per_second(fn, [page], repeat) for name, fn in extractors(ours).items()
        }
        ratio = rates["ours"] / rates["trafilatura"]
        rows.append(
            [
                page.name,
                f"{len(page.html) // 1024} KB",
                *(f"{rate:.1f}" for rate in rates.values()),
                f"{ratio:.1f}x",
            ]
        )
    header = ["page", "size", *extractors(ours), "ours / trafilatura"]
    return markdown_table(header, rows, "l" + "r" * (len(header) - 1))


def pair_rates(page: Fixture, ours: BodyExtractor, repeat: int) -> tuple[float, float]:
    """Pages per second of ours and of trafilatura on one page, best of three runs each (a
    page takes milliseconds, so one burst of load on a shared machine would decide it)."""
    return (
        max(pages_per_second(ours, [page], repeat) for _ in range(3)),
        max(pages_per_second(trafilatura_body, [page], max(2, repeat // 5)) for _ in range(3)),
    )


def pair_speed_table(fixtures: Sequence[Fixture], ours: str, repeat: int) -> str:
    """Each fixture: our pages/s, trafilatura's, the ratio; slowest ratio first."""
    extract = ours_body_extractor(load_function(ours))
    rows = []
    for page in fixtures:
        mine, theirs = pair_rates(page, extract, repeat)
        rows.append((mine / theirs, page.name, mine, theirs))
    rows.sort()
    lines = [
        [name, f"{mine:.1f}", f"{theirs:.1f}", f"{ratio:.1f}x"]
        for ratio, name, mine, theirs in rows
    ]
    return markdown_table(["fixture", "ours", "trafilatura", "ours / trafilatura"], lines, "lrrr")


#: Replica themes timed by ``--speed-replica``: Foxiz with and without metadata, and a
#: generic WordPress theme.
REPLICA_THEMES = ("foxiz", "foxiz-nometa", "redesign")


def replica_pages(theme: str, count: int) -> list[tuple[Fixture, dict[str, Any]]]:
    """``count`` article pages of a generated site (seed 11, half Arabic) and their records."""
    from ecss_crawler.replica import ReplicaConfig
    from ecss_crawler.replica.site import ReplicaSite

    site = ReplicaSite(ReplicaConfig(n_articles=count, seed=11, theme=theme))
    pages = []
    for spec in site.articles[:count]:
        url = site.url_for(spec)
        body = site.render(url[len(site.base_url) - 1 :]).body
        pages.append(
            (Fixture(f"{theme}/{spec.post_id}", url, body, {}), site.expected_record(spec.post_id))
        )
    return pages


def replica_table(count: int, ours: str, repeat: int) -> str:
    """Per replica theme: mean page size, pages/s of ours and trafilatura, fields exact."""
    function = load_function(ours)
    extract = ours_body_extractor(function)
    rows = []
    for theme in REPLICA_THEMES:
        pages = replica_pages(theme, count)
        fixtures = [page for page, _ in pages]
        mine = pages_per_second(extract, fixtures, repeat)
        theirs = pages_per_second(trafilatura_body, fixtures, max(2, repeat // 5))
        exact = sum(
            all(getattr(function(page.html, page.url), name) == truth[name] for name in FIELDS)
            for page, truth in pages
        )
        size = sum(len(page.html) for page in fixtures) // len(fixtures) // 1024
        rows.append(
            [
                theme,
                f"{size} KB",
                f"{mine:.1f}",
                f"{theirs:.1f}",
                f"{mine / theirs:.1f}x",
                f"{exact}/{len(pages)}",
            ]
        )
    header = ["theme", "page size", "ours", "trafilatura", "ours / trafilatura", "fields exact"]
    return markdown_table(header, rows, "lrrrrr")


def _main_article(root: Any) -> Any:
    return next(a for a in root.iter("article") if a.find(".//h1") is not None)


def _header_outside_article(root: Any) -> None:
    article = _main_article(root)
    header = article.find("header")
    article.remove(header)
    article.addprevious(header)


def _header_class_renamed(root: Any) -> None:
    _main_article(root).find("header").set("class", "entry-header")


def _no_metadata(root: Any) -> None:
    for meta in list(root.iter("meta")):
        key = meta.get("property") or meta.get("name") or ""
        if key.startswith(("og:", "article:")) or key in ("description", "author"):
            meta.getparent().remove(meta)
    for script in list(root.iter("script")):
        if script.get("type") == "application/ld+json":
            script.getparent().remove(script)


def _no_tag_bar(root: Any) -> None:
    for bar in root.xpath("//div[contains(@class, 'tag-bar')]"):
        bar.getparent().remove(bar)


def _plain_content_class(root: Any) -> None:
    for content in root.xpath("//div[contains(@class, 'entry-content')]"):
        content.set("class", "entry-content")


def _no_article_element(root: Any) -> None:
    _main_article(root).tag = "div"


#: How theme options (layout, metadata plugin, tag bar) change a Foxiz article page.
VARIANTS: dict[str, Callable[[Any], None]] = {
    "header outside the article": _header_outside_article,
    "header class renamed": _header_class_renamed,
    "no OG, article:*, JSON-LD, description": _no_metadata,
    "no tag bar": _no_tag_bar,
    "content class without rbct": _plain_content_class,
    "no article element": _no_article_element,
}
VARIANT_FIELDS = (*FIELDS, "featured_image", "reading_minutes")


def variants_table(pages: Sequence[Fixture], ours: str, repeat: int) -> str:
    """Each page changed by each variant: pages/s against trafilatura, fields that changed."""
    import lxml.html

    function = load_function(ours)
    extract = ours_body_extractor(function)
    rows = []
    for page in pages:
        original = function(page.html, page.url)
        for name, change in VARIANTS.items():
            root = lxml.html.fromstring(page.html)
            change(root)
            html = lxml.html.tostring(root, encoding="utf-8", doctype="<!DOCTYPE html>")
            variant = Fixture(f"{page.name}: {name}", page.url, html, {})
            mine, theirs = pair_rates(variant, extract, repeat)
            result = function(html, page.url)
            changed = [
                field
                for field in VARIANT_FIELDS
                if getattr(result, field) != getattr(original, field)
            ]
            rows.append(
                [
                    variant.name,
                    f"{mine:.1f}",
                    f"{theirs:.1f}",
                    f"{mine / theirs:.1f}x",
                    ", ".join(changed) or "none",
                ]
            )
    header = ["page: variant", "ours", "trafilatura", "ours / trafilatura", "fields that changed"]
    return markdown_table(header, rows, "lrrrl")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    fixtures = load_fixtures(args.fixtures)
    if not fixtures:
        print(f"no article fixtures under {args.fixtures}", file=sys.stderr)
        return 1
    truths = [fx.expected.get("body") or "" for fx in fixtures]
    results: dict[str, tuple[Scores, float]] = {}
    bodies: dict[str, list[str]] = {}
    for name, extract in extractors(args.ours).items():
        bodies[name] = run_bodies(extract, fixtures)
        quality = score(zip(truths, bodies[name], strict=True))
        results[name] = (quality, pages_per_second(extract, fixtures, max(1, args.repeat)))
    print(f"## Body extraction on {len(fixtures)} article fixtures ({args.fixtures})\n")
    print(quality_table(results))
    print("\n## Exact field matches, our extractor\n")
    print(fields_table(field_matches(load_function(args.ours), fixtures), len(fixtures)))
    if args.per_page:
        print("\n## Body F1 per fixture\n")
        print(per_page_table(fixtures, bodies))
    if args.speed_pages:
        print("\n## Pages per second on full-size saved pages\n")
        print(speed_table(load_speed_pages(args.speed_pages), args.ours, max(5, args.repeat * 20)))
    if args.speed_variants and args.speed_pages:
        print("\n## Theme-option variants of the full-size pages\n")
        print(
            variants_table(load_speed_pages(args.speed_pages), args.ours, max(5, args.repeat * 4))
        )
    if args.speed_per_fixture:
        print("\n## Ours against trafilatura, per fixture\n")
        print(pair_speed_table(fixtures, args.ours, max(5, args.repeat * 4)))
    if args.speed_replica:
        print(f"\n## Generated replica pages ({args.speed_replica} per theme)\n")
        print(replica_table(args.speed_replica, args.ours, max(5, args.repeat * 4)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
