"""Shared frontier experiment: several crawl workers, one scrapy-redis queue, one archive each.

``python benchmarks/crawl_scale.py --shared-frontier --articles 5000 [--workers 2]``
(needs ``python -m pip install scrapy-redis`` and the ``redis-server`` Debian package;
neither is a project dependency):

1. serves a generated site with nginx and starts a throw-away Redis on 127.0.0.1;
2. crawls it once with a single plain worker (the reference);
3. runs N workers of the ``ecss`` spider with scrapy-redis' scheduler and
   dupe filter (the frontier: one request queue and one fingerprint set in
   Redis), each writing its **own** archive (one writer per SQLite file);
   the second worker starts once the first has queued work;
4. merges the workers' archives with ``ecss-crawler merge`` and checks the
   merged archive has every article exactly once.

The worker spider differs from ``ecss`` only in when it stops: an idle worker
stays up while the shared queue is non-empty or was non-empty in the last few
seconds (another worker may still be adding requests). The dupe filter uses the
project's own request fingerprinter, so URL spellings dedupe as in a normal crawl.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.support.measure import (
    UNTHROTTLED,
    Run,
    crawl_command,
    db_size_mb,
    measure,
    merge_command,
    table,
)
from benchmarks.support.services import redis_server
from benchmarks.support.site import SiteSpec, free_port, serve

#: Seconds the shared queue must stay empty before an idle worker may stop.
IDLE_GRACE = 6.0


def worker_settings(redis_url: str) -> tuple[str, ...]:
    return (
        *UNTHROTTLED,
        "SCHEDULER=scrapy_redis.scheduler.Scheduler",
        "SCHEDULER_PERSIST=1",  # a finishing worker must not flush the others' queue
        "SCHEDULER_DUPEFILTER_CLASS=benchmarks.support.redis_frontier.SharedDupeFilter",
        "DUPEFILTER_CLASS=benchmarks.support.redis_frontier.SharedDupeFilter",
        f"REDIS_URL={redis_url}",
        "ECSS_PROGRESS_INTERVAL=5",
    )


def _dupefilter_base() -> Any:
    from scrapy_redis.dupefilter import RFPDupeFilter

    return RFPDupeFilter


class SharedDupeFilter(_dupefilter_base()):  # type: ignore[misc]
    """scrapy-redis' Redis-set dupe filter, fingerprinting with the crawler's fingerprinter."""

    fingerprinter: Any = None

    @classmethod
    def from_spider(cls, spider: Any) -> Any:
        instance = super().from_spider(spider)
        instance.fingerprinter = spider.crawler.request_fingerprinter
        return instance

    def request_fingerprint(self, request: Any) -> str:
        if self.fingerprinter is None:
            return str(super().request_fingerprint(request))
        return str(self.fingerprinter.fingerprint(request).hex())


def _spider_class() -> Any:
    from scrapy.exceptions import DontCloseSpider

    from ecss_crawler.spiders.ecss import EcssSpider

    class SharedFrontierSpider(EcssSpider):
        """``ecss`` that stays up while the shared frontier may still get work."""

        name = "ecss"  # same Redis keys for every worker
        last_busy = 0.0

        def on_idle(self) -> None:
            scheduler = self.crawler.engine.scheduler
            if scheduler is not None and len(scheduler.queue) > 0:
                self.last_busy = time.monotonic()
                raise DontCloseSpider
            if time.monotonic() - self.last_busy < IDLE_GRACE:
                raise DontCloseSpider
            super().on_idle()

    return SharedFrontierSpider


def run_worker(base_url: str, db: str, overrides: list[str]) -> None:
    """One worker process (``python benchmarks/support/redis_frontier.py worker ...``)."""
    from scrapy.crawler import CrawlerProcess

    from ecss_crawler.cli.crawl_cmds import project_settings

    settings = project_settings(db, tuple(overrides))
    process = CrawlerProcess(settings)
    spider = _spider_class()
    spider.last_busy = time.monotonic()
    crawler = process.create_crawler(spider)
    process.crawl(crawler, base_url=base_url)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    print(f"pages={stats.get('response_received_count', 0)}")


def _worker_command(base_url: str, db: Path, redis_url: str) -> list[str]:
    command = [sys.executable, str(Path(__file__).resolve()), "worker", base_url]
    command.append(str(db))
    for setting in worker_settings(redis_url):
        command += ["-s", setting]
    return command


def _queue_length(redis_url: str) -> int:
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        return int(client.zcard("ecss:requests"))
    finally:
        client.close()


def _run_workers(base_url: str, redis_url: str, dbs: list[Path]) -> tuple[float, list[Run]]:
    """Start the workers (the 2nd+ once the queue has work); measure each; wall seconds."""
    import threading

    runs: list[Run] = [Run() for _ in dbs]

    def go(index: int) -> None:
        runs[index] = measure(_worker_command(base_url, dbs[index], redis_url), db=dbs[index])

    started = time.monotonic()
    threads = [threading.Thread(target=go, args=(0,))]
    threads[0].start()
    deadline = time.monotonic() + 60
    while _queue_length(redis_url) < 50 and time.monotonic() < deadline:
        time.sleep(0.2)
    for index in range(1, len(dbs)):
        threads.append(threading.Thread(target=go, args=(index,)))
        threads[-1].start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started, runs


def _count(db: Path, sql: str) -> int:
    import sqlite3

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


def run_experiment(args: argparse.Namespace) -> None:
    """The whole experiment; prints Markdown tables."""
    articles = min(args.articles)
    spec = SiteSpec(articles, args.arabic_share, args.per_page)
    with tempfile.TemporaryDirectory() as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        with serve(spec, args.server, args.static_root, args.port or free_port()) as base_url:
            single_db = work / "single.db"
            single = measure(crawl_command(base_url, single_db), db=single_db)
            with redis_server() as redis_url:
                dbs = [work / f"worker-{i + 1}.db" for i in range(args.workers)]
                wall, runs = _run_workers(base_url, redis_url, dbs)
        merged = work / "merged.db"
        merge_started = time.monotonic()
        result = subprocess.run(
            merge_command(merged, dbs), capture_output=True, text=True, check=True
        )
        merge_seconds = time.monotonic() - merge_started
        again = subprocess.run(
            merge_command(merged, dbs),
            capture_output=True,
            text=True,
            check=True,
        )
        _report(articles, single, single_db, wall, runs, dbs, merged, merge_seconds)
        print(f"\nmerge output:\n{result.stdout}\nsecond merge (idempotence):\n{again.stdout}")


def _report(
    articles: int,
    single: Run,
    single_db: Path,
    wall: float,
    runs: list[Run],
    dbs: list[Path],
    merged: Path,
    merge_seconds: float,
) -> None:
    rows = [
        [
            "1 worker (plain scheduler)",
            f"{_count(single_db, 'SELECT count(*) FROM articles'):,}",
            f"{single.seconds:.1f}",
            f"{articles / single.seconds:.1f}",
            f"{single.peak_rss:.0f}",
        ]
    ]
    for index, (run, db) in enumerate(zip(runs, dbs, strict=True)):
        rows.append(
            [
                f"worker {index + 1} (shared Redis frontier)",
                f"{_count(db, 'SELECT count(*) FROM articles'):,}",
                f"{run.seconds:.1f}",
                "",
                f"{run.peak_rss:.0f}",
            ]
        )
    total = _count(merged, "SELECT count(*) FROM articles")
    distinct = _count(merged, "SELECT count(DISTINCT post_id) FROM articles")
    rows.append(
        [
            f"{len(runs)} workers together",
            f"{sum(_count(db, 'SELECT count(*) FROM articles') for db in dbs):,}",
            f"{wall:.1f}",
            f"{articles / wall:.1f}",
            "",
        ]
    )
    rows.append(
        [
            "merged archive (`ecss-crawler merge`)",
            f"{total:,} ({distinct:,} distinct post ids)",
            f"{merge_seconds:.1f}",
            "",
            "",
        ]
    )
    print(f"\nShared frontier, {articles:,}-article site\n")
    print(table(["run", "articles", "seconds", "articles/s", "peak RSS MB"], rows))
    print(f"\nmerged DB {db_size_mb(merged):,.0f} MB;", end=" ")
    print(f"single-worker DB {db_size_mb(single_db):,.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["worker"])
    parser.add_argument("base_url")
    parser.add_argument("db")
    parser.add_argument("-s", dest="settings", action="append", default=[])
    args = parser.parse_args()
    run_worker(args.base_url, args.db, args.settings)


if __name__ == "__main__":
    main()
