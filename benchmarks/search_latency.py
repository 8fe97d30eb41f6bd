"""Search latency on an existing archive, optionally with another checkout's code.

Runs the 200 queries of ``benchmarks/archive.py`` (``build_queries``, same seed)
through ``queries.search`` (bm25 + snippet, limit 20) after one warm-up pass and
prints wall-clock and CPU (process) time, median and p95, overall and per kind.
``--code`` imports ``ecss_crawler`` from another checkout, so a baseline archive
built by that checkout can be measured in the same minutes as this one (on a
shared machine the load changes from one quarter of an hour to the next):

    git worktree add /tmp/base 2a8eb06
    (cd /tmp/base && python benchmarks/archive.py --articles 100000 --db /tmp/base.db)
    python benchmarks/search_latency.py --code /tmp/base --db /tmp/base.db
    python benchmarks/search_latency.py --db /tmp/archive100k.db
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--code", type=Path, default=HERE, help="checkout to import from")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()
    sys.path.insert(0, str(args.code))
    from ecss_crawler.archive import connect
    from ecss_crawler.archive.queries import search

    sys.path.insert(1, str(HERE))
    from benchmarks.archive import build_queries, percentile

    db = connect(args.db, create=False)
    queries = build_queries(args.seed, args.queries)
    for _, query, filters in queries:  # warm-up: page cache and statement cache
        search(db, query, filters)
    wall: list[float] = []
    cpu: list[float] = []
    kinds: dict[str, list[float]] = {}
    hits = 0
    for kind, query, filters in queries:
        started, cpu_started = time.perf_counter(), time.process_time()
        found = search(db, query, filters, limit=20)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        kinds.setdefault(kind.split(" +")[0], []).append(wall[-1])
        hits += bool(found)
    db.close()
    print(f"code: {args.code}  archive: {args.db}  queries: {len(queries)} ({hits} with hits)")
    print("| measure | median ms | p95 ms | max ms |\n|---|---|---|---|")
    for name, values in (("wall", wall), ("CPU", cpu)):
        med, p95 = statistics.median(values), percentile(values, 95)
        print(f"| {name} | {med:.1f} | {p95:.1f} | {max(values):.1f} |")
    for kind, values in sorted(kinds.items()):
        med, p95 = statistics.median(values), percentile(values, 95)
        print(f"| wall: {kind} (n={len(values)}) | {med:.1f} | {p95:.1f} | {max(values):.1f} |")


if __name__ == "__main__":
    main()
