"""``ecss-crawler crawl`` and ``ecss-crawler demo``: run the spider with the project settings."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ecss_crawler.report import summary, summary_text

#: Documented exit codes (README "Exit codes").
EXIT_OK = 0
EXIT_UNREACHABLE = 4
EXIT_LAYOUT_BREAK = 5
EXIT_TOO_MANY_FAILURES = 6
EXIT_STORAGE = 7
EXIT_LOCKED = 8


def project_settings(db: str | None, overrides: tuple[str, ...]) -> Any:
    """The project settings, then ``--db``, then ``-s NAME=VALUE`` (like ``scrapy crawl``)."""
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("ecss_crawler.settings", priority="project")
    settings.set("ECSS_LOG_SUMMARY", False, priority="project")  # printed to stdout instead
    if db:
        settings.set("ECSS_DB", db, priority="cmdline")
    for pair in overrides:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"expected NAME=VALUE, got {pair!r}", param_hint="-s")
        settings.set(name.strip(), value, priority="cmdline")
    return settings


def run_crawl(settings: Any, spider_args: dict[str, Any]) -> dict[str, Any]:
    """Run the ``ecss`` spider to the end in this process; return Scrapy's final stats."""
    from scrapy.crawler import CrawlerProcess

    from ecss_crawler.spiders.ecss import EcssSpider

    db = settings.get("ECSS_DB")
    if db:
        Path(db).resolve().parent.mkdir(parents=True, exist_ok=True)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(EcssSpider)
    process.crawl(crawler, **{k: v for k, v in spider_args.items() if v is not None})
    process.start()
    assert crawler.stats is not None
    return dict(crawler.stats.get_stats())


def exit_code(stats: dict[str, Any]) -> int:
    """The documented exit code for a finished crawl's stats (README "Exit codes")."""
    if stats.get("ecss/locked"):
        return EXIT_LOCKED
    from ecss_crawler.pipelines import STORAGE_ERROR_STAT

    if stats.get(STORAGE_ERROR_STAT):
        return EXIT_STORAGE
    answered = sum(
        int(v)
        for k, v in stats.items()
        if k.startswith("downloader/response_status_count/") and not k.endswith(("/404", "/410"))
    )
    if not answered:
        return EXIT_UNREACHABLE
    status = (stats.get("ecss/verdict") or {}).get("status")
    if status == "layout_break":
        return EXIT_LAYOUT_BREAK
    if status == "too_many_failures":
        return EXIT_TOO_MANY_FAILURES
    return EXIT_OK


def crawl_options(func: Any) -> Any:
    """Options shared by ``crawl`` and ``demo``."""
    options = [
        click.option(
            "--db", help="SQLite archive to write (setting ECSS_DB; default data/ecss.db)."
        ),
        click.option("--categories", help="Comma-separated category slugs: only these are walked."),
        click.option(
            "--since", help="YYYY-MM-DD: stop paging a listing once a whole page is older."
        ),
        click.option("--max-articles", type=int, help="Stop after scheduling this many articles."),
        click.option(
            "-s",
            "--set",
            "overrides",
            multiple=True,
            metavar="NAME=VALUE",
            help="Override a Scrapy/ECSS setting, as with `scrapy crawl -s`.",
        ),
        click.option(
            "--json-summary", is_flag=True, help="Print the summary as JSON instead of text."
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@click.command("crawl")
@click.option(
    "--incremental",
    is_flag=True,
    help="Scheduled-run mode: fetch only new articles and those whose listing or sitemap "
    "date moved, with conditional requests; stop paging at unchanged listing pages.",
)
@click.option(
    "--recheck-older-than",
    type=click.FloatRange(min=0),
    metavar="DAYS",
    help="With --incremental: also fetch archived articles not seen for this many days.",
)
@click.option(
    "--warc",
    "warc_dir",
    type=click.Path(file_okay=False, writable=True),
    help="Also write every fetched response as WARC/1.1 files (*.warc.gz) in this "
    "directory (setting ECSS_WARC_DIR).",
)
@click.option(
    "--base-url",
    default="https://en.ecss.com.eg/",
    show_default=True,
    help="Site to crawl, e.g. https://ecss.com.eg/ or a local replica.",
)
@crawl_options
def crawl_command(
    base_url: str,
    incremental: bool,
    recheck_older_than: float | None,
    warc_dir: str | None,
    db: str | None,
    categories: str | None,
    since: str | None,
    max_articles: int | None,
    overrides: tuple[str, ...],
    json_summary: bool,
) -> None:
    """Crawl a whole site (or some categories) into the SQLite archive."""
    settings = project_settings(db, overrides)
    if warc_dir:
        settings.set("ECSS_WARC_DIR", warc_dir, priority="cmdline")
    stats = run_crawl(
        settings,
        {
            "base_url": base_url,
            "categories": categories,
            "since": since,
            "max_articles": max_articles,
            "incremental": "1" if incremental else None,
            "recheck_older_than": recheck_older_than,
        },
    )
    _print_summary(stats, json_summary)
    code = exit_code(stats)
    if code == EXIT_LOCKED:
        click.echo("error: another crawl is writing this archive; nothing was done", err=True)
    sys.exit(code)


def _print_summary(stats: dict[str, Any], as_json: bool) -> None:
    data = dict(stats.get("ecss/summary") or summary(stats))
    verdict = stats.get("ecss/verdict") or {}
    if as_json:
        data["verdict"] = verdict
        data["report"] = stats.get("ecss/report_path")
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        return
    click.echo(summary_text(data))
    for reason in verdict.get("reasons", []):
        click.echo(f"  ALARM: {reason}")
    for name, urls in (verdict.get("samples") or {}).items():
        for url in urls[:3]:
            click.echo(f"    {name} missing on {url}")
    if stats.get("ecss/report_path"):
        click.echo(f"  report: {stats['ecss/report_path']}")


#: Settings for crawling the local replica: no throttling, a progress line every second.
DEMO_SETTINGS = (
    "AUTOTHROTTLE_ENABLED=0",
    "DOWNLOAD_DELAY=0",
    "CONCURRENT_REQUESTS_PER_DOMAIN=4",
    "ECSS_PROGRESS_INTERVAL=1",
    "LOG_LEVEL=INFO",
    "LOG_FORMAT=%(asctime)s %(levelname)s %(message)s",
)
DEMO_QUERIES = ("Egypt", "مصر")


@click.command("demo")
@click.option("--db", default="data/demo.db", show_default=True, help="Archive the demo writes.")
@click.option(
    "--articles",
    default=60,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="Size of the generated replica site.",
)
@click.option(
    "--port",
    default=0,
    type=click.IntRange(0, 65535),
    help="Port on 127.0.0.1 for the replica (0: any free port).",
)
def demo_command(db: str, articles: int, port: int) -> None:
    """Serve the bundled replica site on 127.0.0.1 and crawl it end to end.

    Needs no network: the replica is an ECSS-like Foxiz site in English and
    Arabic, generated on the fly. Prints progress, the crawl summary, and a
    sample search of the resulting archive (DB, default data/demo.db).
    """
    from ecss_crawler.replica import ReplicaConfig, serve_replica

    config = ReplicaConfig(n_articles=articles, arabic_share=0.4, per_page=4)
    with serve_replica(config, port=port) as server:
        click.echo(f"Serving the replica site at {server.base_url} ({articles} articles)")
        stats = run_crawl(project_settings(db, DEMO_SETTINGS), {"base_url": server.base_url})
    _print_summary(stats, as_json=False)
    _print_sample_search(db)
    sys.exit(exit_code(stats))


def _print_sample_search(db_path: str) -> None:
    import sqlite_utils

    from ecss_crawler.archive import queries

    db = sqlite_utils.Database(db_path)
    for query in DEMO_QUERIES:
        hits = queries.search(db, query, limit=3)
        click.echo(
            f"\nSample search {query!r}: {len(hits)} shown (ecss-crawler search {query!r} "
            f"--db {db_path})"
        )
        for hit in hits:
            click.echo(f"  - {hit['title']} [{hit['language']}] {hit['url']}")
            click.echo(f"    {hit['snippet']}")


COMMANDS = [crawl_command, demo_command]
