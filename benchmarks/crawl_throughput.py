"""Crawl throughput: the full crawl (extract + store) against a truly bare spider, in one run.

Serves a generated Foxiz-like site (``benchmarks/support/site.py``: the bundled
replica, written out statically and served by nginx on 127.0.0.1 so the server
is not the bottleneck), then runs, one after the other in each repetition and
each as its own process with throttling off (``AUTOTHROTTLE_ENABLED=0
DOWNLOAD_DELAY=0 CONCURRENT_REQUESTS(_PER_DOMAIN)=16``, robots.txt obeyed):

1. the shared reference spider, ``../shared/bench/bare_spider.py`` beside the
   clone (``--shared-bare`` names another path): robots.txt, the home page, the
   menu's category links, each listing's ``a.next.page-numbers`` and the main
   block's post cards; article responses dropped; Scrapy defaults otherwise;
2. with ``--project-bare``, ``benchmarks/bare_spider.py``: the ``ecss`` spider's own
   links (sitemaps, every listing, the project's listing parser), nothing stored;
3. ``python -m ecss_crawler.cli crawl`` into a new archive.

Every spider is measured the same way: wall time of the process, its CPU time
(user + system), its peak RSS, and what nginx served it (requests by kind, from
the access log). Prints Markdown tables of the medians over ``--repeat`` runs,
each run's ratio, and the two targets: the full crawl at >= 0.6x the shared bare
spider's pages per second, and at most 10 % more listing pages than it.

    python benchmarks/crawl_throughput.py --articles 5000 --repeat 3
    python benchmarks/crawl_throughput.py --articles 2000 --project-bare
    python benchmarks/crawl_throughput.py -s CONCURRENT_ITEMS=8  # a setting for every spider
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.support.kinds import KINDS, AccessLog, listing_pages
from benchmarks.support.measure import (
    Run,
    bare_command,
    crawl_command,
    measure,
    shared_bare_command,
    table,
)
from benchmarks.support.site import SiteSpec, free_port, serve

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_STATIC_ROOT = Path(tempfile.gettempdir()) / "ecss-bench-static"
SHARED_BARE = Path("shared") / "bench" / "bare_spider.py"
SHARED = "shared bare"
PROJECT = "project bare"
FULL = "full crawl"
WARC = "full crawl + WARC"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--arabic-share", type=float, default=0.4)
    parser.add_argument("--per-page", type=int, default=10)
    parser.add_argument("--server", choices=("nginx",), default="nginx")
    parser.add_argument("--port", type=int, default=0, help="nginx port (0: a free one)")
    parser.add_argument("--static-root", type=Path, default=DEFAULT_STATIC_ROOT)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each spider (medians)")
    parser.add_argument(
        "--shared-bare",
        type=Path,
        help=f"the shared reference spider (default: ../{SHARED_BARE} beside the clone)",
    )
    parser.add_argument("--project-bare", action="store_true", help="also run bare_spider.py")
    parser.add_argument(
        "--warc",
        action="store_true",
        help="also run the full crawl with --warc (target: >= 85 %% of its pages/s); "
        "it goes first in every other run",
    )
    parser.add_argument("--delete-static", action="store_true", help="remove the copy afterwards")
    parser.add_argument("-s", dest="settings", action="append", default=[], metavar="NAME=VALUE")
    return parser.parse_args()


def clone_roots() -> list[Path]:
    """This checkout, and the main clone when this is a git worktree of it."""
    roots = [ROOT]
    try:
        common = subprocess.run(
            ["git", "rev-parse", "--path-format=absolute", "--git-common-dir"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return roots
    main = Path(common).parent
    return roots if main == ROOT else [*roots, main]


def find_shared_bare(given: Path | None) -> Path:
    """The shared spider's path, or exit with a one-line error that says where it was sought."""
    candidates = [given] if given else [root.parent / SHARED_BARE for root in clone_roots()]
    for path in candidates:
        if path.is_file():
            return path.resolve()
    looked = ", ".join(str(path) for path in candidates)
    raise SystemExit(
        f"error: the shared bare spider is missing (looked for {looked}); "
        "check out shared/ beside the clone or pass --shared-bare PATH"
    )


@dataclass
class Measured:
    """One spider's run: process figures and what the server served it."""

    run: Run
    kinds: Counter[str]
    articles: int

    @property
    def pages(self) -> int:
        return sum(self.kinds.values())

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.run.seconds

    @property
    def cpu_per_thousand(self) -> float:
        return self.run.cpu_seconds / self.pages * 1000


def run_spider(name: str, command: list[str], log: AccessLog, db: Path | None) -> Measured:
    start = log.mark()
    run = measure(command, db=db)
    if run.returncode:
        raise SystemExit(f"{name} failed ({run.returncode}):\n{run.stderr[-3000:]}")
    kinds = log.kinds(start)
    articles = kinds["article"]
    if name in (FULL, WARC):
        articles = int(run.summary()["counts"]["stored"])
    return Measured(run, kinds, articles)


def one_round(
    args: argparse.Namespace, shared: Path, base_url: str, workdir: Path, log: AccessLog, index: int
) -> dict[str, Measured]:
    extra = tuple(args.settings)
    results = {
        SHARED: run_spider(
            SHARED, shared_bare_command(shared, base_url, workdir / "bare.json", extra), log, None
        )
    }
    if args.project_bare:
        results[PROJECT] = run_spider(PROJECT, bare_command(base_url, extra), log, None)
    crawls = (
        {FULL: [], WARC: ["--warc", str(workdir / f"warc-{index}")]} if args.warc else {FULL: []}
    )
    order = list(crawls) if index % 2 == 0 else list(crawls)[::-1]
    for name in order:
        db = workdir / f"{name.replace(' ', '-').replace('+', '')}-{index}.db"
        command = [*crawl_command(base_url, db, extra), *crawls[name]]
        results[name] = run_spider(name, command, log, db)
        db.unlink(missing_ok=True)
    return results


def median_row(name: str, runs: list[Measured]) -> list[str]:
    def med(values: list[float]) -> float:
        return statistics.median(values)

    return [
        name,
        f"{med([m.pages for m in runs]):,.0f}",
        f"{med([m.articles for m in runs]):,.0f}",
        f"{med([listing_pages(m.kinds) for m in runs]):,.0f}",
        f"{med([m.run.seconds for m in runs]):.1f}",
        f"{med([m.pages_per_second for m in runs]):.1f}",
        f"{med([m.run.cpu_seconds for m in runs]):.1f}",
        f"{med([m.cpu_per_thousand for m in runs]):.2f}",
        f"{med([m.run.peak_rss for m in runs]):.0f}",
    ]


def report(args: argparse.Namespace, rounds: list[dict[str, Measured]], load: str) -> None:
    names = list(rounds[0])
    print(
        f"\n{args.articles:,} articles ({args.arabic_share:.0%} Arabic, {args.per_page} per "
        f"listing page), nginx; {len(rounds)} run(s) of each spider, medians; "
        f"settings: {' '.join(args.settings) or 'defaults'}; load average {load}\n"
    )
    headers = ["spider", "pages", "articles", "listing pages", "seconds", "pages/s"]
    headers += ["CPU s", "CPU s / 1,000 pages", "peak RSS MB"]
    print(table(headers, [median_row(n, [r[n] for r in rounds]) for n in names]))
    print("\nRequests by kind (what nginx served; the last run of each spider):\n")
    last = rounds[-1]
    rows = [[kind, *(f"{last[n].kinds[kind]:,}" for n in names)] for kind in KINDS]
    rows.append(["listing pages, all kinds", *(f"{listing_pages(last[n].kinds):,}" for n in names)])
    print(table(["kind", *names], rows))
    print("\nEach run:\n")
    run_rows = []
    for index, result in enumerate(rounds, 1):
        ratio = result[FULL].pages_per_second / result[SHARED].pages_per_second
        listing = listing_pages(result[FULL].kinds) / max(1, listing_pages(result[SHARED].kinds))
        pps = [f"{result[n].pages_per_second:.1f}" for n in names]
        run_rows.append([str(index), *pps, f"{ratio:.2f}x", f"{listing:.2f}"])
    print(table(["run", *(f"{n} pages/s" for n in names), "full / shared", "listing"], run_rows))
    ratios = [r[FULL].pages_per_second / r[SHARED].pages_per_second for r in rounds]
    listings = [
        listing_pages(r[FULL].kinds) / max(1, listing_pages(r[SHARED].kinds)) for r in rounds
    ]
    print(
        f"\nfull / shared bare pages per second (median of runs): "
        f"{statistics.median(ratios):.2f}x (target >= 0.6x)"
    )
    print(f"full / shared bare listing pages: {statistics.median(listings):.2f} (target <= 1.10)")
    html_only = [
        (r[FULL].pages - r[FULL].kinds["document"])
        / r[FULL].run.seconds
        / r[SHARED].pages_per_second
        for r in rounds
    ]
    print(
        "full / shared bare pages per second, the full crawl's documents not counted "
        f"(their fetch time still is; median of runs): {statistics.median(html_only):.2f}x"
    )
    if WARC in rounds[0]:
        kept = [r[WARC].pages_per_second / r[FULL].pages_per_second for r in rounds]
        cpu = [r[WARC].cpu_per_thousand - r[FULL].cpu_per_thousand for r in rounds]
        print(
            f"full + WARC / full pages per second (median of runs): "
            f"{statistics.median(kept):.0%} (target >= 85%); "
            f"WARC CPU cost {statistics.median(cpu):.2f} s per 1,000 pages"
        )


def main() -> None:
    args = parse_args()
    shared = find_shared_bare(args.shared_bare)
    rounds: list[dict[str, Measured]] = []
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        log = AccessLog(workdir / "access.log")
        spec = SiteSpec(args.articles, args.arabic_share, args.per_page)
        port = args.port or free_port()
        with serve(spec, args.server, args.static_root, port, access_log=log.path) as base_url:
            for index in range(args.repeat):
                rounds.append(one_round(args, shared, base_url, workdir, log, index))
        bare_stats = workdir / "bare.json"
        if bare_stats.exists():  # the shared spider's own count, to cross-check the log
            scrapy_pages = json.loads(bare_stats.read_text())["response_received_count"]
            print(f"shared bare spider, Scrapy's response_received_count: {scrapy_pages:,}")
    load_after = os.getloadavg()
    load = f"{load_before[0]:.1f} before, {load_after[0]:.1f} after"
    report(args, rounds, load)
    if args.delete_static:
        shutil.rmtree(args.static_root, ignore_errors=True)


if __name__ == "__main__":
    main()
