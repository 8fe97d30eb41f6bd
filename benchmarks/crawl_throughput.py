"""Crawl throughput: the full crawl (extract + store) beside a bare spider, same site, same links.

Serves a generated Foxiz-like site (``benchmarks/support/site.py``: the bundled
replica, written out statically and served by nginx on 127.0.0.1 so the server
is not the bottleneck), then runs, each as its own process with throttling off
(``AUTOTHROTTLE_ENABLED=0 DOWNLOAD_DELAY=0 CONCURRENT_REQUESTS(_PER_DOMAIN)=16``,
robots.txt obeyed):

1. ``benchmarks/bare_spider.py``: follows the same links, extracts and stores nothing;
2. ``python -m ecss_crawler.cli crawl`` into a new archive.

With ``--warc``, each round also runs
3. the same crawl with ``--warc DIR`` (every response also written to WARC files),
alternating which of the two crawls goes first from round to round.

Prints a Markdown table: pages, seconds, pages/s, articles/s, peak RSS, and the
share of the bare spider's pages per second that the whole pipeline keeps
(target: at least 60 %); with ``--warc``, the share of the crawl's pages per second
kept with WARC on (target: at least 85 %) and the WARC files' size.

    python benchmarks/crawl_throughput.py                      # 5,000 articles, nginx
    python benchmarks/crawl_throughput.py --articles 2000 --server python
    python benchmarks/crawl_throughput.py -s CONCURRENT_ITEMS=8  # try a setting (both spiders)
    python benchmarks/crawl_throughput.py --warc --repeat 3     # the crawl with and without WARC
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
    parser.add_argument("--warc", action="store_true", help="also crawl with --warc DIR")
    parser.add_argument("-s", dest="settings", action="append", default=[], metavar="NAME=VALUE")
    return parser.parse_args()


def run_full(base_url: str, workdir: Path, extra: tuple[str, ...], name: str) -> Run:
    """One full crawl into a new archive ``name``.db (and WARC files in ``name``/ if asked)."""
    db = workdir / f"{name}.db"
    command = crawl_command(base_url, db, extra)
    if name.startswith("warc"):
        command += ["--warc", str(workdir / name)]
    full = measure(command, db=db)
    if full.returncode:
        raise SystemExit(f"crawl failed ({full.returncode}):\n{full.stderr[-3000:]}")
    return full


def run_round(
    base_url: str, workdir: Path, extra: tuple[str, ...], index: int, warc: bool
) -> tuple[Run, Run, Run | None]:
    """The bare spider, then the full crawl without and (if ``warc``) with WARC; with WARC
    first in every other round, so a machine getting busier does not favour one."""
    bare = measure(bare_command(base_url, extra))
    if bare.returncode:
        raise SystemExit(f"bare spider failed:\n{bare.stderr[-3000:]}")
    if not warc:
        return bare, run_full(base_url, workdir, extra, f"full-{index}"), None
    names = [f"full-{index}", f"warc-{index}"]
    order = names if index % 2 == 0 else names[::-1]
    runs = {name: run_full(base_url, workdir, extra, name) for name in order}
    return bare, runs[names[0]], runs[names[1]]


def warc_mb(workdir: Path) -> float:
    """Size of the WARC files of the last ``--warc`` crawl, in MB."""
    dirs = sorted(p for p in workdir.glob("warc-*") if p.is_dir())
    return sum(f.stat().st_size for f in dirs[-1].glob("*.warc.gz")) / 1e6 if dirs else 0.0


def row(name: str, pages: int, articles: int, run: Run) -> list[str]:
    return [
        name,
        f"{pages:,}",
        f"{articles:,}",
        f"{run.seconds:.1f}",
        f"{pages / run.seconds:.1f}",
        f"{articles / run.seconds:.1f}",
        f"{run.peak_rss:.0f}",
        f"{run.cpu_seconds / pages * 1000:.2f}",
    ]


def main() -> None:
    args = parse_args()
    spec = SiteSpec(args.articles, args.arabic_share, args.per_page)
    extra = tuple(args.settings)
    bares: list[Run] = []
    fulls: list[Run] = []
    warcs: list[Run] = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        serve(spec, args.server, args.static_root, args.port or free_port()) as base_url,
    ):
        for index in range(args.repeat):
            bare, full, warc = run_round(base_url, Path(tmp), extra, index, args.warc)
            bares.append(bare)
            fulls.append(full)
            warcs += [warc] if warc is not None else []
        size = warc_mb(Path(tmp))
    bare, full = (min(runs, key=lambda run: run.seconds) for runs in (bares, fulls))
    bare_stats, counts = bare.summary(), full.summary()["counts"]
    bare_pps = bare_stats["pages"] / bare.seconds
    full_pps = counts["pages"] / full.seconds
    print(
        f"\n{args.articles:,} articles ({args.arabic_share:.0%} Arabic, {args.per_page} per "
        f"listing page), served by {args.server}; settings: {' '.join(extra) or 'defaults'}\n"
    )
    headers = ["spider", "pages", "articles", "seconds", "pages/s", "articles/s", "peak RSS MB"]
    headers.append("CPU ms/page")
    rows = [
        row("bare (follow links only)", bare_stats["pages"], bare_stats["articles"], bare),
        row("full (extract + store)", counts["pages"], counts["stored"], full),
    ]
    if warcs:
        warc = min(warcs, key=lambda run: run.seconds)
        warc_counts = warc.summary()["counts"]
        rows.append(row("full + WARC (--warc)", warc_counts["pages"], warc_counts["stored"], warc))
    print(table(headers, rows))
    print(f"\nfull / bare pages per second: {full_pps / bare_pps:.0%} (target >= 60%)")
    if warcs:
        warc_pps = warc_counts["pages"] / warc.seconds
        cpu = warc.cpu_seconds / warc_counts["pages"] - full.cpu_seconds / counts["pages"]
        print(
            f"full + WARC / full pages per second: {warc_pps / full_pps:.0%} (target >= 85%); "
            f"WARC files {size:.1f} MB; WARC CPU cost {cpu * 1000:.2f} ms/page"
        )
        for index, (plain, with_warc) in enumerate(zip(fulls, warcs, strict=True)):
            first = "WARC first" if index % 2 else "WARC second"
            print(
                f"  round {index + 1} ({first}): {plain.seconds:.1f} s without, "
                f"{with_warc.seconds:.1f} s with WARC ({plain.seconds / with_warc.seconds:.0%}); "
                f"CPU {plain.cpu_seconds:.1f} s without, {with_warc.cpu_seconds:.1f} s with"
            )
    if args.delete_static and args.server == "nginx":
        shutil.rmtree(args.static_root, ignore_errors=True)


if __name__ == "__main__":
    main()
