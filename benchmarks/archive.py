"""Archive benchmark: storing throughput (FTS + m2m) and search latency.

Generates N synthetic articles (about 70 % English, 30 % Arabic, Zipf-distributed
vocabulary, some Arabic words written with harakat/tatweel/hamza variants),
stores them through :class:`ecss_crawler.archive.Archive` exactly as a crawl
would, then times ~200 varied searches through the same code path as
``ecss-crawler search`` (bm25 ranking + snippet, limit 20). Prints a Markdown table.

    python benchmarks/archive.py                 # 100,000 articles (several minutes)
    python benchmarks/archive.py --articles 5000 # quick run

Targets: >= 500 articles/s stored, FTS p95 < 50 ms at 100,000 articles.
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ecss_crawler.archive import Archive
from ecss_crawler.archive.queries import Filters, search
from ecss_crawler.items import Article

ENGLISH_WORDS = [
    "security",
    "water",
    "nile",
    "dam",
    "egypt",
    "ethiopia",
    "sudan",
    "africa",
    "policy",
    "strategy",
    "economy",
    "inflation",
    "election",
    "parliament",
    "government",
    "minister",
    "president",
    "army",
    "military",
    "defense",
    "terrorism",
    "extremism",
    "border",
    "libya",
    "gaza",
    "israel",
    "palestine",
    "iran",
    "turkey",
    "russia",
    "china",
    "america",
    "europe",
    "energy",
    "gas",
    "oil",
    "electricity",
    "renewable",
    "climate",
    "drought",
    "agriculture",
    "food",
    "wheat",
    "prices",
    "currency",
    "pound",
    "dollar",
    "debt",
    "investment",
    "tourism",
    "canal",
    "suez",
    "shipping",
    "trade",
    "export",
    "import",
    "region",
    "regional",
    "international",
    "diplomacy",
    "negotiation",
    "agreement",
    "treaty",
    "crisis",
    "conflict",
    "war",
    "peace",
    "ceasefire",
    "refugees",
    "migration",
    "population",
    "youth",
    "education",
    "health",
    "reform",
    "technology",
    "cyber",
    "digital",
    "media",
    "information",
    "analysis",
    "study",
    "report",
    "research",
    "center",
    "think",
    "tank",
    "future",
    "scenario",
    "risk",
    "threat",
    "stability",
    "growth",
    "development",
    "infrastructure",
    "project",
    "capital",
    "cairo",
    "alexandria",
    "sinai",
    "red",
    "sea",
    "mediterranean",
    "gulf",
    "saudi",
    "emirates",
    "qatar",
    "jordan",
    "syria",
    "lebanon",
    "iraq",
    "yemen",
    "somalia",
    "eritrea",
    "horn",
    "sahel",
    "alliance",
    "partnership",
    "summit",
    "united",
    "nations",
    "council",
    "resolution",
    "sanctions",
    "budget",
    "deficit",
    "bank",
    "interest",
    "rate",
    "market",
    "stock",
]

ARABIC_WORDS = [
    "الأمن",
    "المائي",
    "النيل",
    "السد",
    "مصر",
    "إثيوبيا",
    "السودان",
    "أفريقيا",
    "السياسة",
    "الاستراتيجية",
    "الاقتصاد",
    "التضخم",
    "الانتخابات",
    "البرلمان",
    "الحكومة",
    "الوزير",
    "الرئيس",
    "الجيش",
    "الدفاع",
    "الإرهاب",
    "التطرف",
    "الحدود",
    "ليبيا",
    "غزة",
    "إسرائيل",
    "فلسطين",
    "إيران",
    "تركيا",
    "روسيا",
    "الصين",
    "أمريكا",
    "أوروبا",
    "الطاقة",
    "الغاز",
    "النفط",
    "الكهرباء",
    "المناخ",
    "الجفاف",
    "الزراعة",
    "الغذاء",
    "القمح",
    "الأسعار",
    "العملة",
    "الجنيه",
    "الدولار",
    "الديون",
    "الاستثمار",
    "السياحة",
    "قناة",
    "السويس",
    "التجارة",
    "المنطقة",
    "الإقليمي",
    "الدولي",
    "الدبلوماسية",
    "المفاوضات",
    "الاتفاق",
    "الأزمة",
    "الصراع",
    "الحرب",
    "السلام",
    "اللاجئين",
    "الهجرة",
    "السكان",
    "الشباب",
    "التعليم",
    "الصحة",
    "الإصلاح",
    "التكنولوجيا",
    "السيبراني",
    "الرقمي",
    "الإعلام",
    "المعلومات",
    "التحليل",
    "الدراسة",
    "التقرير",
    "المركز",
    "المستقبل",
    "المخاطر",
    "التهديد",
    "الاستقرار",
    "النمو",
    "التنمية",
    "البنية",
    "المشروع",
    "القاهرة",
    "سيناء",
    "البحر",
    "الأحمر",
    "الخليج",
    "السعودية",
    "الإمارات",
    "الأردن",
    "سوريا",
    "لبنان",
    "العراق",
    "اليمن",
    "الصومال",
    "القرن",
    "الساحل",
    "التحالف",
    "الشراكة",
    "القمة",
    "المتحدة",
    "مجلس",
    "العقوبات",
    "الموازنة",
    "العجز",
    "البنك",
    "الفائدة",
    "مكافحة",
    "القومي",
    "المصرية",
    "الدولة",
    "القوى",
    "العظمى",
    "مستوى",
    "رؤية",
]

HARAKAT = "\u064e\u064f\u0650\u0652\u0651"
LATIN_SYLLABLES = [
    "ka",
    "ri",
    "to",
    "ma",
    "ne",
    "so",
    "lu",
    "vi",
    "de",
    "pa",
    "gor",
    "tin",
    "bel",
    "mar",
    "dos",
    "fen",
]
ARABIC_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
AUTHORS = [f"Author {i:03d}" for i in range(240)] + [f"كاتب رقم {i}" for i in range(60)]
CATEGORIES = [f"Category {i}" for i in range(18)] + [f"قسم {i}" for i in range(7)]
TAGS = [f"tag-{i}" for i in range(600)] + [f"وسم {i}" for i in range(200)]


@dataclass
class Vocabulary:
    """Words and cumulative Zipf weights for one language."""

    words: list[str]
    cum_weights: list[float]

    @classmethod
    def build(cls, real: list[str], synthetic: list[str]) -> Vocabulary:
        """Zipf over all words, with the real (queried) words spread from rank 20 to ~5,000.

        So queries for real words hit anything from ~90 % of the articles
        (rank 20, the worst case for ranking) down to ~2 % (rank 5,000).
        """
        words = list(synthetic)
        step = 5000 // len(real)
        for i, word in enumerate(real):
            words.insert(20 + i * step, word)
        weights = [1.0 / (rank + 10) for rank in range(len(words))]
        return cls(words, list(itertools.accumulate(weights)))

    def sample(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cum_weights, k=k)


def synthetic_words(rng: random.Random, alphabet: list[str] | str, n: int, size: int) -> list[str]:
    words: dict[str, None] = {}
    while len(words) < n:
        words["".join(rng.choice(alphabet) for _ in range(rng.randint(2, size)))] = None
    return list(words)


def decorate_arabic(word: str, rng: random.Random) -> str:
    """The same word as it might be written: with harakat or tatweel."""
    if rng.random() < 0.5:
        return "".join(ch + (rng.choice(HARAKAT) if rng.random() < 0.6 else "") for ch in word)
    middle = len(word) // 2
    return word[:middle] + "\u0640\u0640" + word[middle:]


def inflect_arabic(word: str, rng: random.Random) -> str:
    """The word with another clitic and suffix, as an analyst might type it (والسياسات)."""
    bare = word.removeprefix("ال")
    if bare.endswith("ة"):
        bare = bare[:-1]
    prefix = rng.choice(("", "و", "وال", "بال", "لل", "ال"))
    return prefix + bare + rng.choice(("", "ات", "ية", "ين"))


def paragraphs(words: list[str], rng: random.Random) -> str:
    out, start = [], 0
    while start < len(words):
        size = rng.randint(40, 110)
        out.append(" ".join(words[start : start + size]).capitalize() + ".")
        start += size
    return "\n\n".join(out)


def generate(n: int, seed: int) -> Iterator[Article]:
    rng = random.Random(seed)
    english = Vocabulary.build(ENGLISH_WORDS, synthetic_words(rng, LATIN_SYLLABLES, 15000, 4))
    arabic = Vocabulary.build(ARABIC_WORDS, synthetic_words(rng, ARABIC_LETTERS, 8000, 6))
    for post_id in range(1, n + 1):
        is_arabic = rng.random() < 0.3
        vocab = arabic if is_arabic else english
        body_words = vocab.sample(rng, rng.randint(300, 900))
        if is_arabic:
            body_words = [decorate_arabic(w, rng) if rng.random() < 0.08 else w for w in body_words]
        year = rng.randint(2015, 2025)
        yield Article(
            url=f"https://ecss.com.eg/{'ar/' if is_arabic else ''}{post_id}/",
            site="ecss",
            post_id=post_id,
            language="ar" if is_arabic else "en",
            title=" ".join(vocab.sample(rng, rng.randint(5, 11))),
            authors=rng.sample(AUTHORS, rng.choice((1, 1, 1, 2, 3))),
            published=f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T10:00:00+02:00",
            categories=rng.sample(CATEGORIES, rng.choice((1, 2))),
            tags=rng.sample(TAGS, rng.randint(0, 5)),
            summary=" ".join(vocab.sample(rng, rng.randint(25, 45))),
            body=paragraphs(body_words, rng),
            body_html=None,
            word_count=len(body_words),
            extractor_version="bench",
        )


def build_queries(seed: int, count: int) -> list[tuple[str, str, Filters]]:
    """(kind, query, filters) triples: varied English and Arabic searches."""
    rng = random.Random(seed + 1)
    head_en, tail_en = ENGLISH_WORDS[:25], ENGLISH_WORDS[25:]
    queries: list[tuple[str, str, Filters]] = []
    kinds = [
        ("en common word", lambda: rng.choice(head_en), 0.10),
        ("en rarer word", lambda: rng.choice(tail_en), 0.15),
        ("en two words", lambda: f"{rng.choice(tail_en)} {rng.choice(ENGLISH_WORDS)}", 0.15),
        ("en phrase", lambda: f'"{rng.choice(ENGLISH_WORDS)} {rng.choice(ENGLISH_WORDS)}"', 0.08),
        ("en prefix", lambda: rng.choice(ENGLISH_WORDS)[:4] + "*", 0.07),
        ("ar word", lambda: rng.choice(ARABIC_WORDS), 0.10),
        ("ar two words", lambda: f"{rng.choice(ARABIC_WORDS)} {rng.choice(ARABIC_WORDS)}", 0.07),
        ("ar with harakat", lambda: decorate_arabic(rng.choice(ARABIC_WORDS), rng), 0.08),
        ("ar variant spelling", lambda: rng.choice(ARABIC_WORDS).replace("أ", "ا"), 0.05),
        ("ar inflected", lambda: inflect_arabic(rng.choice(ARABIC_WORDS), rng), 0.08),
        ("ar prefix", lambda: rng.choice(ARABIC_WORDS)[:4] + "*", 0.04),
    ]
    filters = [
        ("+lang", lambda: Filters(lang=rng.choice(("en", "ar")))),
        ("+author", lambda: Filters(author=rng.choice(AUTHORS))),
        ("+category", lambda: Filters(category=rng.choice(CATEGORIES))),
        ("+since", lambda: Filters(since=f"{rng.randint(2016, 2024)}-01-01")),
    ]
    weights = [w for _, _, w in kinds]
    while len(queries) < count:
        name, make, _ = rng.choices(kinds, weights=weights)[0]
        if rng.random() < 0.2:
            suffix, make_filter = rng.choice(filters)
            queries.append((name + " " + suffix, make(), make_filter()))
        else:
            queries.append((name, make(), Filters()))
    return queries


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--db", type=Path, help="Database file (default: a temporary file)")
    args = parser.parse_args()

    tmp = None
    if args.db is None:
        tmp = tempfile.TemporaryDirectory(prefix="ecss-bench-")
        args.db = Path(tmp.name) / "ecss.db"
    if args.db.exists():
        sys.exit(f"{args.db} exists: the benchmark needs a new database")

    rows: list[tuple[str, str]] = []
    archive = Archive(args.db, batch_size=args.batch_size)
    crawl = archive.begin_crawl("ecss", {"benchmark": True})
    store_seconds = 0.0
    started = time.perf_counter()
    last_report = started
    for n, article in enumerate(generate(args.articles, args.seed), 1):
        t0 = time.perf_counter()
        archive.store_article(article, crawl)
        store_seconds += time.perf_counter() - t0
        if time.perf_counter() - last_report > 30:
            last_report = time.perf_counter()
            print(f"  stored {n:,} ({n / store_seconds:,.0f}/s)", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    archive.flush()
    store_seconds += time.perf_counter() - t0
    wall = time.perf_counter() - started
    rows.append(("Articles stored", f"{args.articles:,}"))
    rows.append(
        (
            "Store throughput (store_article only)",
            f"{args.articles / store_seconds:,.0f} articles/s",
        )
    )
    rows.append(("Wall time incl. synthetic generation", f"{wall:,.1f} s"))

    # Re-crawl paths: unchanged re-store and a real change (revision + re-index).
    sample = list(itertools.islice(generate(min(2000, args.articles), args.seed), 2000))
    t0 = time.perf_counter()
    for article in sample:
        archive.store_article(article, crawl)
    archive.flush()
    rows.append(
        ("Re-store unchanged", f"{len(sample) / (time.perf_counter() - t0):,.0f} articles/s")
    )
    t0 = time.perf_counter()
    for article in sample:
        article.title = (article.title or "") + " updated"
        archive.store_article(article, crawl)
    archive.flush()
    rows.append(
        ("Store changed (revision)", f"{len(sample) / (time.perf_counter() - t0):,.0f} articles/s")
    )
    archive.finish_crawl(crawl, "finished", {}, {}, "finished")
    archive.close()

    archive = Archive(args.db)
    queries = build_queries(args.seed, args.queries)
    for _, query, filters in queries[:10]:  # warm the page cache
        search(archive.db, query, filters)
    timings: list[float] = []
    hits = 0
    by_kind: dict[str, list[float]] = {}
    for kind, query, filters in queries:
        t0 = time.perf_counter()
        found = search(archive.db, query, filters, limit=20)
        elapsed = (time.perf_counter() - t0) * 1000
        timings.append(elapsed)
        by_kind.setdefault(kind.split(" +")[0], []).append(elapsed)
        hits += bool(found)
    archive.close()
    rows.append(("Search queries", f"{len(queries)} ({hits} with results)"))
    rows.append(("Search latency median", f"{statistics.median(timings):.1f} ms"))
    rows.append(("Search latency p95", f"{percentile(timings, 95):.1f} ms"))
    rows.append(("Search latency max", f"{max(timings):.1f} ms"))
    for kind, values in sorted(by_kind.items()):
        rows.append(
            (
                f"  {kind} (n={len(values)}) median / p95",
                f"{statistics.median(values):.1f} / {percentile(values, 95):.1f} ms",
            )
        )
    size = sum(p.stat().st_size for p in args.db.parent.glob(args.db.name + "*"))
    rows.append(("Database size", f"{size / 1e6:,.0f} MB"))

    print("| Measure | Value |\n| --- | --- |")
    for name, value in rows:
        print(f"| {name} | {value} |")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
