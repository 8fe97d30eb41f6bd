"""Agreement of the archive's Arabic analysis with Lucene's published test cases.

Runs the input -> output pairs of Apache Lucene's Arabic analysis tests
(TestArabicStemFilter, TestArabicNormalizationFilter, TestArabicAnalyzer,
TestArabicFilters; the table is tests/arabic_cases.py, which cites them) through
``arabic.light_stem`` / ``fold`` / ``normalise`` and prints the agreement per test
class, then the query/form tables' sizes and the stemmer's speed.

    python benchmarks/arabic_stemmer.py
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ecss_crawler.archive import arabic
from tests.arabic_cases import LUCENE_CASES, MUST_MATCH, MUST_NOT_MATCH
from tests.test_arabic_analysis import lucene_agrees


def main() -> None:
    total: Counter[str] = Counter()
    agreed: Counter[str] = Counter()
    disagreements = []
    for source, function, text, expected in LUCENE_CASES:
        test_class = source.split(".")[0]
        total[test_class] += 1
        if lucene_agrees(function, text, expected):
            agreed[test_class] += 1
        else:
            disagreements.append((source, text, expected))
    print("| Lucene test class | cases | agree | agreement |\n|---|---|---|---|")
    for test_class in total:
        share = agreed[test_class] / total[test_class]
        print(f"| {test_class} | {total[test_class]} | {agreed[test_class]} | {share:.1%} |")
    all_cases, all_agreed = sum(total.values()), sum(agreed.values())
    print(f"| **all** | {all_cases} | {all_agreed} | {all_agreed / all_cases:.1%} |")
    for source, text, expected in disagreements:
        print(f"disagrees: {source}: {text} -> {expected}")
    print(f"\nmust-match pairs: {len(MUST_MATCH)}, must-not pairs: {len(MUST_NOT_MATCH)}")
    words = [w for q, d, _ in MUST_MATCH for w in (q, d)] * 2000
    started = time.perf_counter()
    for word in words:
        arabic.light_stem.__wrapped__(arabic.fold(word))
    per_word = (time.perf_counter() - started) / len(words) * 1e6
    print(f"light_stem(fold(word)) uncached: {per_word:.1f} µs per word ({len(words):,} words)")


if __name__ == "__main__":
    main()
