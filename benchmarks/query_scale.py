"""Query benchmark on a 100,000-article archive: search, stats and export times.

Uses the archive that ``benchmarks/archive.py`` builds (synthetic English and
Arabic articles stored through ``Archive``, exactly as a crawl stores them);
pass ``--db`` to reuse one, otherwise it is built first (a few minutes).

* **search**: the 200 varied English/Arabic queries of ``benchmarks/archive.py``
  (words, phrases, prefixes, harakat, variant spellings, 20 % with a filter)
  through ``ecss_crawler.archive.queries.search`` (bm25 + snippet, limit 20),
  after one warm-up pass; median, p95, max. Plus the ``ecss-crawler search``
  command end to end (a new process each time, so Python start-up included).
* **stats**: ``queries.stats`` in-process and the ``ecss-crawler stats`` command.
* **export**: ``ecss-crawler export`` of every article (JSON lines and CSV) and
  of a filtered subset, to /dev/null, with the exporting process' peak RSS.
* ``--postgres``: the same articles loaded into a throw-away PostgreSQL on
  127.0.0.1 and the same searches with ``to_tsvector`` / GIN (see
  ``benchmarks/support/postgres_fts.py``).

    python benchmarks/query_scale.py --db /tmp/archive100k.db
    python benchmarks/query_scale.py --db /tmp/archive100k.db --postgres
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.archive import build_queries, percentile
from benchmarks.support.measure import measure, table
from ecss_crawler.archive import connect
from ecss_crawler.archive.queries import search, stats

CLI = [sys.executable, "-m", "ecss_crawler.cli"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=Path("/tmp/ecss-archive-100k.db"))
    parser.add_argument("--articles", type=int, default=100_000, help="when building the DB")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20240601, help="same as benchmarks/archive.py")
    parser.add_argument("--postgres", action="store_true", help="also compare with PostgreSQL")
    return parser.parse_args()


def ensure_db(args: argparse.Namespace) -> None:
    if args.db.exists():
        return
    script = Path(__file__).resolve().parent / "archive.py"
    print(f"building {args.db} with benchmarks/archive.py ({args.articles:,} articles)...")
    subprocess.run(
        [sys.executable, str(script), "--articles", str(args.articles), "--db", str(args.db)],
        check=True,
    )


def timed(fn, *fn_args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn(*fn_args, **kwargs)
    return (time.perf_counter() - started) * 1000, result


def wall_ms(command: list[str], runs: int = 5) -> float:
    """Median wall time of a command (a new process each run)."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def search_rows(db_path: Path, queries: list) -> tuple[list[list[str]], list[float]]:
    db = connect(db_path, create=False)
    for _kind, query, filters in queries:  # warm-up: page cache and statement cache
        search(db, query, filters)
    latencies: list[float] = []
    hits = 0
    for _kind, query, filters in queries:
        ms, found = timed(search, db, query, filters, limit=20)
        latencies.append(ms)
        hits += bool(found)
    db.close()
    row = [
        "search (in-process, limit 20, snippets)",
        f"{len(queries)} queries, {hits} with hits",
        f"{statistics.median(latencies):.1f}",
        f"{percentile(latencies, 95):.1f}",
        f"{max(latencies):.1f}",
    ]
    rows = [row]
    return rows, latencies


def stats_rows(db_path: Path) -> list[list[str]]:
    db = connect(db_path, create=False)
    times = [timed(stats, db)[0] for _ in range(5)]
    db.close()
    cli = wall_ms([*CLI, "stats", "--db", str(db_path)])
    search_cli = wall_ms([*CLI, "search", "water security", "--db", str(db_path)])
    startup = wall_ms([*CLI, "--version"])
    median = statistics.median(times)
    return [
        ["stats (in-process)", "5 runs", f"{median:.0f}", "", f"{max(times):.0f}"],
        ["`ecss-crawler stats` (new process)", "5 runs", f"{cli:.0f}", "", ""],
        ["`ecss-crawler search` (new process)", "5 runs", f"{search_cli:.0f}", "", ""],
        ["`ecss-crawler --version` (start-up only)", "5 runs", f"{startup:.0f}", "", ""],
    ]


def export_rows(db_path: Path, articles: int) -> list[list[str]]:
    rows = []
    variants = [
        ("jsonl, all articles", ["--format", "jsonl"], articles),
        ("csv, all articles", ["--format", "csv"], articles),
        ("jsonl, --lang ar", ["--format", "jsonl", "--lang", "ar"], None),
    ]
    for name, options, count in variants:
        run = measure([*CLI, "export", *options, "-o", "/dev/null", "--db", str(db_path)])
        if run.returncode:
            raise SystemExit(run.stderr[-2000:])
        if count is None:
            count = _count(db_path, "SELECT count(*) FROM articles WHERE language = 'ar'")
        workload = f"{count:,} rows, peak RSS {run.peak_rss:.0f} MB"
        rate = f"{count / run.seconds:,.0f} rows/s"
        ms = f"{run.seconds * 1000:,.0f}"
        rows.append([f"`ecss-crawler export` {name}", workload, ms, "", rate])
    return rows


def _count(db_path: Path, sql: str) -> int:
    db = connect(db_path, create=False)
    try:
        return int(db.execute(sql).fetchone()[0])
    finally:
        db.close()


def main() -> None:
    args = parse_args()
    ensure_db(args)
    articles = _count(args.db, "SELECT count(*) FROM articles")
    queries = build_queries(args.seed, args.queries)
    rows, _latencies = search_rows(args.db, queries)
    rows += stats_rows(args.db)
    rows += export_rows(args.db, articles)
    size = sum(p.stat().st_size for p in args.db.parent.glob(args.db.name + "*")) / 1e6
    print(f"\nArchive: {articles:,} articles, {size:,.0f} MB ({args.db})\n")
    print(table(["operation", "workload", "median ms", "p95 ms", "max / note"], rows))
    print("\nTarget: search p95 under 50 ms at 100,000 articles.")
    if args.postgres:
        from benchmarks.support.postgres_fts import run_comparison

        run_comparison(args.db, queries)


if __name__ == "__main__":
    main()
