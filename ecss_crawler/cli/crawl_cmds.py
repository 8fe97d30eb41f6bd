"""``ecss-crawler crawl`` and ``ecss-crawler demo``: run the spider with the project settings."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from ecss_crawler.cli.output import (
    announce_log,
    choose_output,
    print_outcome,
    shows_summary,
    terminal_is_interactive,
)
from ecss_crawler.outcome import (
    EXIT_LAYOUT_BREAK,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_STORAGE,
    EXIT_TOO_MANY_FAILURES,
    EXIT_UNREACHABLE,
    STORAGE_ADVICE_STAT,
    STORAGE_ERROR_STAT,
    Outcome,
    exit_code,
    outcome_for,
)
from ecss_crawler.report import summary, summary_text

__all__ = [
    "EXIT_LAYOUT_BREAK",
    "EXIT_LOCKED",
    "EXIT_OK",
    "EXIT_STORAGE",
    "EXIT_TOO_MANY_FAILURES",
    "EXIT_UNREACHABLE",
    "exit_code",
]


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

    folders = {"archive": settings.get("ECSS_DB"), "log file": settings.get("LOG_FILE")}
    for what, path in folders.items():
        try:
            if path:
                Path(path).resolve().parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:  # an expected condition: say so, never a traceback
            from ecss_crawler.pipelines import storage_hint

            return {
                STORAGE_ERROR_STAT: f"could not create the {what}'s folder: {error}",
                STORAGE_ADVICE_STAT: storage_hint(error),
            }
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(EcssSpider)
    process.crawl(crawler, **{k: v for k, v in spider_args.items() if v is not None})
    process.start()
    assert crawler.stats is not None
    return dict(crawler.stats.get_stats())


def _http_url(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    """An http(s) URL with a host (a bad one is a usage error, exit 2, not a traceback)."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise click.BadParameter(f"{value!r} is not an http(s) URL with a host")
    return value


def _iso_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a YYYY-MM-DD date") from None


def crawl_options(func: Any) -> Any:
    """Options shared by ``crawl`` and ``demo``."""
    options = [
        click.option(
            "--db", help="SQLite archive to write (setting ECSS_DB; default data/ecss.db)."
        ),
        click.option("--categories", help="Comma-separated category slugs: only these are walked."),
        click.option(
            "--since",
            callback=_iso_date,
            help="YYYY-MM-DD: stop paging a listing once a whole page is older.",
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
        click.option(
            "-v",
            "--verbose",
            is_flag=True,
            help="Show Scrapy's log on the terminal (with plain progress lines) instead of "
            "writing it to a file beside the archive behind a live progress display.",
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
    "--base-url",
    default="https://en.ecss.com.eg/",
    show_default=True,
    callback=_http_url,
    help="Site to crawl, e.g. https://ecss.com.eg/ or a local replica.",
)
@crawl_options
def crawl_command(
    base_url: str,
    incremental: bool,
    recheck_older_than: float | None,
    db: str | None,
    categories: str | None,
    since: str | None,
    max_articles: int | None,
    overrides: tuple[str, ...],
    json_summary: bool,
    verbose: bool,
) -> None:
    """Crawl a whole site (or some categories) into the SQLite archive.

    On a terminal: a live progress display, and Scrapy's log in a file beside the
    archive (its path is printed) unless --verbose. The last lines always say how
    the crawl ended and what the exit code means.
    """
    settings = project_settings(db, overrides)
    announce_log(choose_output(settings, verbose, terminal_is_interactive()))
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
    outcome = outcome_for(stats)
    _print_summary(stats, json_summary, outcome)
    print_outcome(outcome)
    sys.exit(outcome.code)


def _print_summary(stats: dict[str, Any], as_json: bool, outcome: Outcome) -> None:
    data = dict(stats.get("ecss/summary") or summary(stats))
    verdict = stats.get("ecss/verdict") or {}
    if as_json:
        data["verdict"] = verdict
        data["report"] = stats.get("ecss/report_path")
        data["outcome"] = outcome.as_dict()
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        return
    if not shows_summary(outcome):
        return
    click.echo(summary_text(data))
    for reason in verdict.get("reasons", []):
        click.echo(f"  ALARM: {reason}")
    for name, urls in (verdict.get("samples") or {}).items():
        for url in urls[:3]:
            click.echo(f"    {name} missing on {url}")
    if stats.get("ecss/report_path"):
        click.echo(f"  report: {stats['ecss/report_path']}")


#: Settings for crawling the local replica: no throttling, progress every second.
DEMO_SETTINGS = (
    "AUTOTHROTTLE_ENABLED=0",
    "DOWNLOAD_DELAY=0",
    "CONCURRENT_REQUESTS_PER_DOMAIN=4",
    "ECSS_PROGRESS_INTERVAL=1",
    "LOG_LEVEL=INFO",
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
@click.option(
    "-v", "--verbose", is_flag=True, help="Show Scrapy's log on the terminal instead of a file."
)
def demo_command(db: str, articles: int, port: int, verbose: bool) -> None:
    """Serve the bundled replica site on 127.0.0.1 and crawl it end to end.

    Needs no network: the replica is an ECSS-like Foxiz site in English and
    Arabic, generated on the fly. Shows progress (a live display on a terminal,
    plain lines elsewhere; Scrapy's log goes to a file beside the archive unless
    --verbose), the crawl summary, and a sample search of the resulting archive
    (DB, default data/demo.db).
    """
    from ecss_crawler.replica import ReplicaConfig, serve_replica

    config = ReplicaConfig(n_articles=articles, arabic_share=0.4, per_page=4)
    settings = project_settings(db, DEMO_SETTINGS)
    log = choose_output(settings, verbose, terminal_is_interactive(), log_to_file=True, kind="demo")
    with serve_replica(config, port=port) as server:
        click.echo(f"Serving the replica site at {server.base_url} ({articles} articles)")
        announce_log(log)
        stats = run_crawl(settings, {"base_url": server.base_url})
    outcome = outcome_for(stats)
    _print_summary(stats, False, outcome)
    if outcome.code == EXIT_OK:
        _print_sample_search(db)
    print_outcome(outcome)
    sys.exit(outcome.code)


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
