"""``ecss-crawler crawl`` and ``ecss-crawler demo``: run the spider with the project settings."""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from ecss_crawler.cli.archive_cmds import validate_date
from ecss_crawler.cli.output import (
    announce_log,
    choose_output,
    print_outcome,
    shows_summary,
    terminal_is_interactive,
)
from ecss_crawler.outcome import (
    EXIT_BAD_PROFILE,
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
    "EXIT_BAD_PROFILE",
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
    return run_crawls(settings, [spider_args])[0]


def run_crawls(settings: Any, jobs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Run one ``ecss`` crawl per job, one after another in this process (one archive, one
    writer at a time); return each crawl's final stats. With several jobs, a ``JOBDIR``
    gets one sub-folder per site."""
    from scrapy.crawler import CrawlerProcess
    from twisted.internet import defer

    from ecss_crawler.spiders.ecss import EcssSpider

    folders = {"archive": settings.get("ECSS_DB"), "log file": settings.get("LOG_FILE")}
    for what, path in folders.items():
        try:
            if path:
                Path(path).resolve().parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:  # an expected condition: say so, never a traceback
            from ecss_crawler.pipelines import storage_hint

            failed = {
                STORAGE_ERROR_STAT: f"could not create the {what}'s folder: {error}",
                STORAGE_ADVICE_STAT: storage_hint(error),
            }
            return [dict(failed) for _ in jobs]
    process = CrawlerProcess(settings)
    crawlers: list[Any] = []
    for job in jobs:
        crawler = process.create_crawler(EcssSpider)
        if len(jobs) > 1 and settings.get("JOBDIR"):
            jobdir = Path(settings.get("JOBDIR")) / str(job.get("site") or len(crawlers))
            crawler.settings.set("JOBDIR", str(jobdir), priority="cmdline")
        crawlers.append(crawler)

    @defer.inlineCallbacks
    def one_after_another() -> Any:
        try:
            for crawler, job in zip(crawlers, jobs, strict=True):
                yield process.crawl(crawler, **{k: v for k, v in job.items() if v is not None})
        finally:
            from twisted.internet import reactor

            running: Any = reactor
            running.callLater(0, running.stop)

    one_after_another()
    process.start(stop_after_crawl=False)
    stats = []
    for crawler in crawlers:
        assert crawler.stats is not None
        stats.append(dict(crawler.stats.get_stats()))
    return stats


def site_jobs(
    settings: Any, sites: tuple[str, ...], all_sites: bool, base_url: str | None
) -> list[dict[str, Any]]:
    """One spider-argument set per site to crawl (``--site``/``--all-sites``/``--base-url``).

    Profiles are read (and checked) here, so a bad profile file or an unknown name is a
    one-line error before anything is fetched.
    """
    from ecss_crawler.cli.sites_cmds import BadProfile
    from ecss_crawler.sites import ProfileError, load_registry

    if not sites and not all_sites:
        return [{"base_url": base_url}]
    try:
        registry = load_registry([settings.get("ECSS_SITES_DIR") or ""])
        names = registry.names() if all_sites else list(dict.fromkeys(sites))
        profiles = [registry.get(name) for name in names]
    except ProfileError as error:
        raise BadProfile(str(error)) from None
    if base_url and len(profiles) != 1:
        raise click.UsageError("--base-url goes with one --site at most")
    return [{"site": profile.name, "base_url": base_url} for profile in profiles]


def _http_url(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """An http(s) URL with a host (a bad one is a usage error, exit 2, not a traceback)."""
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise click.BadParameter(f"{value!r} is not an http(s) URL with a host")
    return value


def crawl_options(func: Any) -> Any:
    """Options shared by ``crawl`` and ``demo``."""
    options = [
        click.option(
            "--db", help="SQLite archive to write (setting ECSS_DB; default data/ecss.db)."
        ),
        click.option("--categories", help="Comma-separated category slugs: only these are walked."),
        click.option(
            "--since",
            callback=validate_date,
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
            "--no-documents",
            is_flag=True,
            help="Do not download the articles' PDF/DOC(X) attachments (ECSS_DOCUMENTS=0).",
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
    "--warc",
    "warc_dir",
    type=click.Path(file_okay=False, writable=True),
    help="Also write every fetched response as WARC/1.1 files (*.warc.gz) in this "
    "directory (setting ECSS_WARC_DIR).",
)
@click.option(
    "--base-url",
    callback=_http_url,
    help="Site to crawl, e.g. https://ecss.com.eg/ or a local replica (default: the "
    "--site profile's, else https://en.ecss.com.eg/). A site no profile names is read "
    "with the generic layers.",
)
@click.option(
    "--site",
    "sites",
    multiple=True,
    metavar="NAME",
    help="Crawl the site of this profile (repeatable: one crawl after another, one archive). "
    "See `ecss-crawler sites list`.",
)
@click.option("--all-sites", is_flag=True, help="Crawl every site profile, one after another.")
@click.option(
    "--sites-dir",
    type=click.Path(file_okay=False, exists=True),
    help="Folder of your site profiles (*.toml) and themes (themes/*.toml); setting "
    "ECSS_SITES_DIR, default ./sites when it exists.",
)
@click.option(
    "-o",
    "--output",
    multiple=True,
    metavar="FILE[:FORMAT]",
    help="Also export the crawled articles to this feed, appending (as `scrapy crawl -o`): "
    ".jsonl, .json, .csv, .xml, ...; '-:jsonl' for standard output. The archive is "
    "written too.",
)
@click.option(
    "-O",
    "--overwrite-output",
    multiple=True,
    metavar="FILE[:FORMAT]",
    help="As -o, but overwrite the file (as `scrapy crawl -O`).",
)
@crawl_options
def crawl_command(
    base_url: str | None,
    sites: tuple[str, ...],
    all_sites: bool,
    sites_dir: str | None,
    incremental: bool,
    recheck_older_than: float | None,
    warc_dir: str | None,
    db: str | None,
    categories: str | None,
    since: str | None,
    max_articles: int | None,
    overrides: tuple[str, ...],
    json_summary: bool,
    output: tuple[str, ...],
    overwrite_output: tuple[str, ...],
    no_documents: bool,
    verbose: bool,
) -> None:
    """Crawl a whole site (or some categories, or several sites) into the SQLite archive
    (and feeds: -o/-O).

    On a terminal: a live progress display, and Scrapy's log in a file beside the
    archive (its path is printed) unless --verbose. The last lines always say how
    the crawl ended and what the exit code means (with several sites: the worst).
    """
    from ecss_crawler.feeds import add_cli_feeds

    settings = project_settings(db, overrides)
    if sites_dir:
        settings.set("ECSS_SITES_DIR", sites_dir, priority="cmdline")
    if warc_dir:
        settings.set("ECSS_WARC_DIR", warc_dir, priority="cmdline")
    try:
        feed_on_stdout = add_cli_feeds(settings, output, overwrite_output)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    common = {
        "categories": categories,
        "since": since,
        "max_articles": max_articles,
        "incremental": "1" if incremental else None,
        "recheck_older_than": recheck_older_than,
        "documents": "0" if no_documents else None,
    }
    jobs = [job | common for job in site_jobs(settings, sites, all_sites, base_url)]
    if len(jobs) > 1 and (output or overwrite_output):
        raise click.UsageError("-o/-O go with one site per command (one feed per crawl)")
    announce_log(choose_output(settings, verbose, terminal_is_interactive()))
    outcomes = []
    for job, stats in zip(jobs, run_crawls(settings, jobs), strict=True):
        outcome = outcome_for(stats)
        with contextlib.redirect_stdout(sys.stderr if feed_on_stdout else sys.stdout):
            if len(jobs) > 1:
                click.echo(f"\n== {job['site']} ==")
            _print_summary(stats, json_summary, outcome)
        if len(jobs) > 1:
            print_outcome(outcome)
        outcomes.append(outcome)
    worst = max(outcomes, key=lambda outcome: outcome.code)
    if len(jobs) > 1:
        click.echo(f"\n{len(jobs)} sites crawled; the highest exit code follows.", err=True)
    print_outcome(worst)
    sys.exit(worst.code)


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
#: The last one is a word found only in the replica's PDFs: its hits come from documents.
DEMO_QUERIES = ("Egypt", "مصر", "hydrodiplomacy")


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
            if hit.get("document"):
                click.echo(f"    in document {hit['document']['url']}")
            click.echo(f"    {hit['snippet']}")


COMMANDS = [crawl_command, demo_command]
