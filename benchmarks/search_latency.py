"""Search latency on an existing archive, optionally with another checkout's code.

Runs the 200 queries of ``benchmarks/archive.py`` (``build_queries``, same seed)
through ``queries.search`` (bm25 + snippet, limit 20) after one warm-up pass and
prints wall-clock and CPU (process) time, median and p95, overall and per kind.
``--code`` imports ``ecss_crawler`` from another checkout, so a baseline archive
built by that checkout can be measured in the same minutes as this one (on a
shared machine the load changes from one quarter of an hour to the next;
``--repeat 5`` keeps each query's fastest of five runs, which filters out most
of the other processes' interference):

    git worktree add /tmp/base 2a8eb06
    (cd /tmp/base && python benchmarks/archive.py --articles 100000 --db /tmp/base.db)
    python benchmarks/search_latency.py --code /tmp/base --db /tmp/base.db
    python benchmarks/search_latency.py --db /tmp/archive100k.db
"""

from __future__ import annotations

import argparse
import importlib.util
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
    parser.add_argument(
        "--repeat", type=int, default=1, help="time each query N times, keep its fastest run"
    )
    args = parser.parse_args()
    sys.path.insert(0, str(args.code))
    from ecss_crawler.archive import connect
    from ecss_crawler.archive.queries import search

    # This checkout's query set, whatever --code is (the baseline's may be older).
    spec = importlib.util.spec_from_file_location("_queries", HERE / "benchmarks" / "archive.py")
    assert spec is not None
    assert spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    sys.modules["_queries"] = bench
    spec.loader.exec_module(bench)
    build_queries, percentile = bench.build_queries, bench.percentile

    db = connect(args.db, create=False)
    queries = build_queries(args.seed, args.queries)
    for _, query, filters in queries:  # warm-up: page cache and statement cache
        search(db, query, filters)
    wall: list[float] = []
    cpu: list[float] = []
    kinds: dict[str, list[float]] = {}
    hits = 0
    for kind, query, filters in queries:
        runs = []
        for _ in range(args.repeat):
            started, cpu_started = time.perf_counter(), time.process_time()
            found = search(db, query, filters, limit=20)
            runs.append((time.perf_counter() - started, time.process_time() - cpu_started))
        wall.append(min(w for w, _ in runs) * 1000)
        cpu.append(min(c for _, c in runs) * 1000)
        kinds.setdefault(kind.split(" +")[0], []).append(wall[-1])
        hits += bool(found)
    db.close()
    print(
        f"code: {args.code}  archive: {args.db}  queries: {len(queries)} ({hits} with hits)"
        f"  fastest of {args.repeat}"
    )
    print("| measure | median ms | p95 ms | max ms |\n|---|---|---|---|")
    for name, values in (("wall", wall), ("CPU", cpu)):
        med, p95 = statistics.median(values), percentile(values, 95)
        print(f"| {name} | {med:.1f} | {p95:.1f} | {max(values):.1f} |")
    for kind, values in sorted(kinds.items()):
        med, p95 = statistics.median(values), percentile(values, 95)
        print(f"| wall: {kind} (n={len(values)}) | {med:.1f} | {p95:.1f} | {max(values):.1f} |")


if __name__ == "__main__":
    main()
