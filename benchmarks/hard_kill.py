"""Hard-kill benchmark: SIGKILL a crawl at random points, N times; check the archive each time.

Serves the replica on 127.0.0.1, then repeats: edit a few articles, start
``ecss-crawler crawl``, wait until it has committed new rows, kill it with
SIGKILL a random moment later (batch size 1, 3 or 10, so many kills land inside
an open batch). After every kill the archive must pass ``check_archive``
(``PRAGMA integrity_check``, foreign keys, the FTS index, content hashes, m2m
links, capture bodies) and hold every version it held before. Finally one run
must complete the archive: every article of the live site, with the right fields.

    python benchmarks/hard_kill.py              # 20 kills, 60 articles
    python benchmarks/hard_kill.py --kills 5 --articles 30

Prints a Markdown table; exits 1 if any check failed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ecss_crawler.archive.db import check_archive
from ecss_crawler.replica import ReplicaConfig, serve_replica
from tests.test_hard_kill import (
    expected_mismatches,
    kill_cycles,
    lost_versions,
    run_to_end,
    snapshot,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--max-delay", type=float, default=1.5, help="Longest wait after the first write (s)."
    )
    args = parser.parse_args()
    config = ReplicaConfig(seed=29, n_articles=args.articles, arabic_share=0.4, per_page=4)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp, serve_replica(config) as server:
        db, log = Path(tmp) / "ecss.db", Path(tmp) / "crawl.log"
        results, problems = kill_cycles(
            server, db, log, args.kills, args.seed, max_delay=args.max_delay
        )
        before = snapshot(db)
        code = run_to_end(server.base_url, db, log)
        final = check_archive(db) + lost_versions(before, snapshot(db))
        mismatches = expected_mismatches(server, db)
        after = snapshot(db)
    killed = [r for r in results if r.killed]
    times = [r.seconds for r in killed] or [0.0]
    batches = " / ".join(str(sum(r.batch_size == b for r in killed)) for b in (1, 3, 10))
    spread = f"{min(times):.2f} / {statistics.median(times):.2f} / {max(times):.2f}"
    finished = len(results) - len(killed)
    held = f"{len(after.articles)} / {len(after.revisions)} / {after.captures}"
    rows = [
        ("crawls started", str(len(results))),
        ("killed mid-crawl by SIGKILL (finished first)", f"{len(killed)} ({finished})"),
        ("kills at batch size 1 / 3 / 10", batches),
        (
            "kills of the crawl alone / of its process group",
            f"{sum(not r.whole_group for r in killed)} / {sum(r.whole_group for r in killed)}",
        ),
        ("kill time after start, min / median / max (s)", spread),
        ("problems found after kills", str(len(problems))),
        ("final run exit code", str(code)),
        ("problems after the final run", str(len(final))),
        ("articles differing from the site", str(len(mismatches))),
        ("articles / revisions / captures at the end", held),
        ("wall time (s)", f"{time.monotonic() - started:.1f}"),
    ]
    print("| measure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    for problem in [*problems, *final, *mismatches][:20]:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    return 1 if problems or final or mismatches or code != 0 else 0


if __name__ == "__main__":
    sys.exit(main())
