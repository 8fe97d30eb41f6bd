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
EXIT_USAGE = 2
EXIT_UNREACHABLE = 4
EXIT_STORAGE = 7


def project_settings(db: str | None, overrides: tuple[str, ...]) -> Any:
    """The project settings, then ``--db``, then ``-s NAME=VALUE`` (like ``scrapy crawl``)."""
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("ecss_crawler.settings", priority="project")
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
    """0 on success; 4 when the site never answered; 7 when the archive could not be written."""
    if stats.get("ecss/storage_error"):
        return EXIT_STORAGE
    answered = sum(
        int(v)
        for k, v in stats.items()
        if k.startswith("downloader/response_status_count/") and not k.endswith(("/404", "/410"))
    )
    if not answered:
        return EXIT_UNREACHABLE
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
    "--base-url",
    default="https://en.ecss.com.eg/",
    show_default=True,
    help="Site to crawl, e.g. https://ecss.com.eg/ or a local replica.",
)
@crawl_options
def crawl_command(
    base_url: str,
    db: str | None,
    categories: str | None,
    since: str | None,
    max_articles: int | None,
    overrides: tuple[str, ...],
    json_summary: bool,
) -> None:
    """Crawl a whole site (or some categories) into the SQLite archive."""
    settings = project_settings(db, overrides)
    stats = run_crawl(
        settings,
        {
            "base_url": base_url,
            "categories": categories,
            "since": since,
            "max_articles": max_articles,
        },
    )
    _print_summary(stats, json_summary)
    sys.exit(exit_code(stats))


def _print_summary(stats: dict[str, Any], as_json: bool) -> None:
    data = stats.get("ecss/summary") or summary(stats)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(summary_text(data))


COMMANDS = [crawl_command]
