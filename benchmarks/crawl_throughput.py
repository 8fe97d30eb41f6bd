"""Crawl throughput: the full crawl (extract + store) beside a bare spider, same site, same links.

Serves a generated Foxiz-like site (``benchmarks/support/site.py``: the bundled
replica, written out statically and served by nginx on 127.0.0.1 so the server
is not the bottleneck), then runs, each as its own process with throttling off
(``AUTOTHROTTLE_ENABLED=0 DOWNLOAD_DELAY=0 CONCURRENT_REQUESTS(_PER_DOMAIN)=16``,
robots.txt obeyed):

1. ``benchmarks/bare_spider.py``: follows the same links, extracts and stores nothing;
2. ``python -m ecss_crawler.cli crawl`` into a new archive.

Prints a Markdown table: pages, seconds, pages/s, articles/s, peak RSS, and the
share of the bare spider's pages per second that the whole pipeline keeps
(target: at least 60 %).

    python benchmarks/crawl_throughput.py                      # 5,000 articles, nginx
    python benchmarks/crawl_throughput.py --articles 2000 --server python
    python benchmarks/crawl_throughput.py -s CONCURRENT_ITEMS=8  # try a setting (both spiders)
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.support.measure import Run, bare_command, crawl_command, measure, table
from benchmarks.support.site import SiteSpec, free_port, serve

DEFAULT_STATIC_ROOT = Path(tempfile.gettempdir()) / "ecss-bench-static"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--arabic-share", type=float, default=0.4)
    parser.add_argument("--per-page", type=int, default=10)
    parser.add_argument("--server", choices=("nginx", "python"), default="nginx")
    parser.add_argument("--port", type=int, default=0, help="nginx port (0: a free one)")
    parser.add_argument("--static-root", type=Path, default=DEFAULT_STATIC_ROOT)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each spider (best kept)")
    parser.add_argument("--delete-static", action="store_true", help="remove the copy afterwards")
    parser.add_argument("-s", dest="settings", action="append", default=[], metavar="NAME=VALUE")
    return parser.parse_args()


def run_pair(base_url: str, workdir: Path, extra: tuple[str, ...], index: int) -> tuple[Run, Run]:
    bare = measure(bare_command(base_url, extra))
    if bare.returncode:
        raise SystemExit(f"bare spider failed:\n{bare.stderr[-3000:]}")
    db = workdir / f"full-{index}.db"
    full = measure(crawl_command(base_url, db, extra), db=db)
    if full.returncode:
        raise SystemExit(f"crawl failed ({full.returncode}):\n{full.stderr[-3000:]}")
    return bare, full


def row(name: str, pages: int, articles: int, run: Run) -> list[str]:
    return [
        name,
        f"{pages:,}",
        f"{articles:,}",
        f"{run.seconds:.1f}",
        f"{pages / run.seconds:.1f}",
        f"{articles / run.seconds:.1f}",
        f"{run.peak_rss:.0f}",
    ]


def main() -> None:
    args = parse_args()
    spec = SiteSpec(args.articles, args.arabic_share, args.per_page)
    extra = tuple(args.settings)
    best: tuple[Run, Run] | None = None
    with (
        tempfile.TemporaryDirectory() as tmp,
        serve(spec, args.server, args.static_root, args.port or free_port()) as base_url,
    ):
        for index in range(args.repeat):
            bare, full = run_pair(base_url, Path(tmp), extra, index)
            if best is None or full.seconds < best[1].seconds:
                best = (bare if best is None or bare.seconds < best[0].seconds else best[0], full)
    assert best is not None
    bare, full = best
    bare_stats, counts = bare.summary(), full.summary()["counts"]
    bare_pps = bare_stats["pages"] / bare.seconds
    full_pps = counts["pages"] / full.seconds
    print(
        f"\n{args.articles:,} articles ({args.arabic_share:.0%} Arabic, {args.per_page} per "
        f"listing page), served by {args.server}; settings: {' '.join(extra) or 'defaults'}\n"
    )
    headers = ["spider", "pages", "articles", "seconds", "pages/s", "articles/s", "peak RSS MB"]
    rows = [
        row("bare (follow links only)", bare_stats["pages"], bare_stats["articles"], bare),
        row("full (extract + store)", counts["pages"], counts["stored"], full),
    ]
    print(table(headers, rows))
    print(f"\nfull / bare pages per second: {full_pps / bare_pps:.0%} (target >= 60%)")
    if args.delete_static and args.server == "nginx":
        shutil.rmtree(args.static_root, ignore_errors=True)


if __name__ == "__main__":
    main()
