"""Crawl at scale: memory and speed over a full crawl of 5,000 and 20,000 generated articles.

For each size, serves a generated Foxiz-like site with nginx on 127.0.0.1
(``benchmarks/support/site.py``), runs ``python -m ecss_crawler.cli crawl`` with
throttling off as a subprocess into a new archive, and samples:

* resident memory (``/proc/PID/status`` VmRSS) every 0.5 s;
* the archive's committed article count every 0.5 s (read-only, WAL), giving the
  time taken by each successive 1,000 articles.

Prints Markdown tables: one row per size (pages/s, articles/s, peak RSS, DB
size), then per 1,000 articles (seconds for that 1,000, RSS at that point).
Targets: peak RSS under 400 MB at 20,000 articles and within 20 % of the 5,000
peak; the time per 1,000 articles flat over the run.

    python benchmarks/crawl_scale.py                          # 5,000 and 20,000
    python benchmarks/crawl_scale.py --articles 2000 --server python
    python benchmarks/crawl_scale.py --shared-frontier        # scrapy-redis, 2 workers + merge
    python benchmarks/crawl_scale.py --scrapyd                # 2 Scrapyd servers + merge
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.support.measure import Run, crawl_command, db_size_mb, measure, table
from benchmarks.support.site import SiteSpec, free_port, serve

DEFAULT_STATIC_ROOT = Path(tempfile.gettempdir()) / "ecss-bench-static"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--arabic-share", type=float, default=0.4)
    parser.add_argument("--per-page", type=int, default=10)
    parser.add_argument("--server", choices=("nginx", "python"), default="nginx")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--static-root", type=Path, default=DEFAULT_STATIC_ROOT)
    parser.add_argument("--workdir", type=Path, help="keep the archives here (default: temp)")
    parser.add_argument("--delete-static", action="store_true", help="remove copies afterwards")
    parser.add_argument("--shared-frontier", action="store_true", help="scrapy-redis experiment")
    parser.add_argument("--workers", type=int, default=2, help="with --shared-frontier")
    parser.add_argument("--scrapyd", action="store_true", help="two Scrapyd servers + merge")
    parser.add_argument(
        "-s",
        dest="settings",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="crawl setting; {articles} is replaced by the size (e.g. JOBDIR=/tmp/job-{articles})",
    )
    return parser.parse_args()


def crawl_once(args: argparse.Namespace, articles: int, workdir: Path) -> tuple[Run, dict, float]:
    spec = SiteSpec(articles, args.arabic_share, args.per_page)
    port = args.port or free_port()
    db = workdir / f"crawl-{articles}.db"
    with serve(spec, args.server, args.static_root, port) as base_url:
        settings = tuple(s.replace("{articles}", str(articles)) for s in args.settings)
        run = measure(crawl_command(base_url, db, settings), db=db)
    if run.returncode:
        raise SystemExit(f"crawl failed ({run.returncode}):\n{run.stderr[-3000:]}")
    return run, run.summary()["counts"], db_size_mb(db)


def size_row(articles: int, run: Run, counts: dict, db_mb: float) -> list[str]:
    return [
        f"{articles:,}",
        f"{counts['pages']:,}",
        f"{counts['stored']:,}",
        f"{run.seconds:.1f}",
        f"{counts['pages'] / run.seconds:.1f}",
        f"{counts['stored'] / run.seconds:.1f}",
        f"{run.peak_rss:.0f}",
        f"{db_mb:,.0f}",
    ]


def per_thousand(run: Run) -> list[list[str]]:
    rows, previous = [], 0.0
    for count, at in run.marks:
        rss = max((mb for t, mb in run.rss if t <= at), default=0.0)
        current = next((mb for t, mb in reversed(run.rss) if t <= at), 0.0)
        rows.append(
            [f"{count:,}", f"{at:.1f}", f"{at - previous:.1f}", f"{current:.0f}", f"{rss:.0f}"]
        )
        previous = at
    return rows


def main() -> None:
    args = parse_args()
    if args.shared_frontier:
        from benchmarks.support.redis_frontier import run_experiment

        run_experiment(args)
        return
    if args.scrapyd:
        from benchmarks.support.scrapyd_cluster import run_experiment as run_scrapyd

        run_scrapyd(args)
        return
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        results = {n: crawl_once(args, n, workdir) for n in args.articles}
        for n, (run, _counts, _size) in results.items():  # raw samples, for plotting
            trace = {"rss": run.rss, "marks": run.marks, "seconds": run.seconds}
            (workdir / f"trace-{n}.json").write_text(json.dumps(trace), encoding="utf-8")
    settings = " ".join(args.settings) or "project defaults + throttling off"
    print(f"\nserver: {args.server}; settings: {settings}\n")
    headers = ["articles", "pages", "stored", "seconds", "pages/s", "articles/s"]
    headers += ["peak RSS MB", "DB MB"]
    print(table(headers, [size_row(n, *results[n]) for n in args.articles]))
    for n in args.articles:
        print(f"\nPer 1,000 articles, {n:,}-article crawl:\n")
        headers = ["articles stored", "elapsed s", "s for this 1,000", "RSS MB", "peak so far MB"]
        print(table(headers, per_thousand(results[n][0])))
    if len(args.articles) > 1:
        low, high = min(args.articles), max(args.articles)
        small, large = results[low][0].peak_rss, results[high][0].peak_rss
        print(f"\npeak RSS {high:,} vs {low:,} articles: {large / small - 1:+.0%}")
    if args.delete_static:
        shutil.rmtree(args.static_root, ignore_errors=True)


if __name__ == "__main__":
    main()
