"""Archive commands: ``search``, ``export``, ``stats``, ``history`` and ``reparse``.

Every command takes ``--db PATH`` (default: ``$ECSS_DB`` or ``data/ecss.db``).
The read commands open the database alongside a running crawl safely (WAL):
they see the last committed batch and never block the crawler.
"""

from __future__ import annotations

import csv
import itertools
import json
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click
import sqlite_utils

from ecss_crawler.archive import queries
from ecss_crawler.archive.db import DEFAULT_DB_PATH, ArchiveError, connect
from ecss_crawler.archive.migrations import migrate
from ecss_crawler.archive.records import EXPORT_FIELDS
from ecss_crawler.archive.store import Archive

F = TypeVar("F", bound=Callable[..., Any])


# --------------------------------------------------------------------------- shared options


def db_option(fn: F) -> F:
    """``--db PATH``, defaulting to ``$ECSS_DB`` then ``data/ecss.db``."""
    return click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False, path_type=Path),
        envvar="ECSS_DB",
        default=DEFAULT_DB_PATH,
        show_default=True,
        show_envvar=True,
        help="Archive database file.",
    )(fn)


def validate_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """A ``YYYY-MM-DD`` option (a bad one is a usage error, exit 2)."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a YYYY-MM-DD date") from None


def filter_options(fn: F) -> F:
    """The article filters shared by ``search`` and ``export``."""
    options = [
        click.option("--lang", type=click.Choice(["en", "ar"]), help="Only this language."),
        click.option(
            "--site",
            help="Only this site: a site profile's name (e.g. ecss-en) or a host "
            "(e.g. en.ecss.com.eg).",
        ),
        click.option("--author", help="Only this author (exact, ASCII case-insensitive; % = any)."),
        click.option("--category", help="Only this category (exact; % = any)."),
        click.option("--tag", help="Only this tag (exact; % = any)."),
        click.option(
            "--since", callback=validate_date, metavar="YYYY-MM-DD", help="Published on/after."
        ),
        click.option(
            "--until", callback=validate_date, metavar="YYYY-MM-DD", help="Published on/before."
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _filters(options: dict[str, Any]) -> queries.Filters:
    names = ("lang", "site", "author", "category", "tag", "since", "until")
    return queries.Filters(**{name: options.get(name) for name in names})


@contextmanager
def _reader(db_path: Path) -> Iterator[sqlite_utils.Database]:
    """Open an existing archive (bringing its schema up to date) and close it afterwards."""
    try:
        db = connect(db_path, create=False)
    except ArchiveError as exc:
        raise click.ClickException(f"{exc} (use --db or set ECSS_DB)") from None
    try:
        migrate(db)
        yield db
    except (queries.QueryError, sqlite3.OperationalError) as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        db.close()


def _echo_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


# --------------------------------------------------------------------------- search


@click.command()
@click.argument("query")
@filter_options
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--json", "as_json", is_flag=True, help="Print the results as a JSON array.")
@click.option(
    "--no-documents", is_flag=True, help="Search articles only, not the text of their documents."
)
@click.option(
    "--show-match",
    is_flag=True,
    help="Only print the FTS5 MATCH expression QUERY becomes (for sqlite-utils search or SQL).",
)
@db_option
def search(
    query: str,
    limit: int,
    as_json: bool,
    no_documents: bool,
    show_match: bool,
    db_path: Path,
    **options: Any,
) -> None:
    """Full-text search of titles, summaries, bodies and linked documents, best match first.

    A match in a document (PDF, DOCX) is shown with the article that links it.

    Words are ANDed; use "quoted phrases", OR, NOT and a trailing * for a
    prefix. Arabic is matched with or without harakat and tatweel, across
    alef (أ إ آ ٱ), ya (ى) and ta marbuta (ة) spellings, and light-stemmed:
    سياسة finds والسياسات and بالسياسة. English words are stemmed (election
    finds elections).

    \b
    Examples:
      ecss-crawler search "water security" --lang en --since 2023-01-01
      ecss-crawler search "سد النهضة" --limit 5 --json
      sqlite-utils search data/ecss.db articles "$(ecss-crawler search --show-match والسياسات)"
    """
    if show_match:
        try:
            click.echo(queries.fts_query(query))
        except queries.QueryError as exc:
            raise click.ClickException(str(exc)) from None
        return
    with _reader(db_path) as db:
        hits = queries.search(db, query, _filters(options), limit=limit, documents=not no_documents)
    if as_json:
        _echo_json(hits)
        return
    if not hits:
        click.echo("No matches.", err=True)
        return
    for number, hit in enumerate(hits, 1):
        click.echo(_format_hit(number, hit))


def _format_hit(number: int, hit: dict[str, Any]) -> str:
    meta = ", ".join(str(v) for v in ((hit["published"] or "")[:10], hit["language"]) if v)
    removed = " [removed from site]" if hit["removed_at"] else ""
    lines = [click.style(f"{number:>2}. {hit['title']}", bold=True) + f" ({meta}){removed}"]
    lines.append(f"    {hit['url']}")
    if hit["authors"]:
        lines.append("    by " + "; ".join(hit["authors"]))
    document = hit.get("document")
    if document:
        count = document.get("pages")
        pages = f", {count} page{'s' if count != 1 else ''}" if count else ""
        name = f"{document['title']}: " if document.get("title") else ""
        lines.append(f"    in document: {name}{document['url']} ({document['kind']}{pages})")
    if hit["snippet"]:
        lines.append(f"    {hit['snippet']}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- export


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "jsonl", "warc"]),
    default="jsonl",
    show_default=True,
    help="csv: lists joined with '; '; jsonl: one JSON object per line, lists as arrays; "
    "warc: the stored raw captures as WARC/1.1 response records (see below).",
)
@click.option("--query", "-q", help="Only articles matching this full-text query (as for search).")
@filter_options
@click.option(
    "--fields",
    help="Comma-separated columns to export (default: all). Choose from: "
    + ", ".join(EXPORT_FIELDS)
    + "; with --documents: "
    + ", ".join(queries.DOCUMENT_EXPORT_FIELDS),
)
@click.option(
    "--documents",
    "documents",
    is_flag=True,
    help="Export the archived documents (text, metadata, URLs, linking articles) instead of "
    "articles; filters select documents linked from matching articles.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(allow_dash=True),
    default="-",
    show_default=True,
    help="Output file; - for standard output. With --format warc: a *.warc.gz file, or a "
    "directory for numbered files.",
)
@db_option
def export(
    fmt: str,
    query: str | None,
    fields: str | None,
    documents: bool,
    output: str,
    db_path: Path,
    **options: Any,
) -> None:
    """Export articles (newest first, or by relevance with --query) as CSV or JSON Lines.

    With --documents, export the archived documents (PDF/DOCX text and
    metadata) instead. Rows are streamed from the database as they are
    written, so exports of the whole archive use little memory.

    --format warc writes the raw pages the archive keeps (its captures) as
    WARC/1.1 response records, oldest first: all of them, or those of the
    articles the filters and --query select (docs/warc.md says how they differ
    from the files `ecss-crawler crawl --warc DIR` writes).
    """
    if fmt == "warc":
        if documents:
            raise click.BadParameter(
                "--documents does not apply to --format warc (crawl --warc records documents)",
                param_hint="--documents",
            )
        _export_warc(db_path, output, query, fields, options)
        return
    if output != "-" and Path(output).is_dir():
        raise click.BadParameter(f"{output} is a directory", param_hint="--output")
    default = queries.DOCUMENT_EXPORT_FIELDS if documents else EXPORT_FIELDS
    chosen = [f.strip() for f in fields.split(",") if f.strip()] if fields else list(default)
    with _reader(db_path) as db:
        try:
            check = queries.check_document_fields if documents else queries.check_fields
            check(chosen)
        except queries.QueryError as exc:
            raise click.BadParameter(str(exc), param_hint="--fields") from None
        iterate = queries.iter_documents if documents else queries.iter_articles
        rows = iterate(db, _filters(options), query=query, fields=chosen)
        with click.open_file(output, "w", encoding="utf-8") as out:
            count = _write_csv(out, chosen, rows) if fmt == "csv" else _write_jsonl(out, rows)
    click.echo(f"Exported {count} {'document' if documents else 'article'}(s).", err=True)


def _export_warc(
    db_path: Path, output: str, query: str | None, fields: str | None, options: dict[str, Any]
) -> None:
    from ecss_crawler.warc.export import export_info, export_warc, iter_captures

    if fields:
        raise click.BadParameter("--fields does not apply to --format warc", param_hint="--fields")
    if output != "-" and output.endswith(".warc.gz") and Path(output).exists():
        raise click.BadParameter(f"{output} exists already", param_hint="--output")
    with _reader(db_path) as db:
        ids = None
        if query or any(options.values()):
            rows = queries.iter_articles(db, _filters(options), query=query, fields=["id"])
            ids = {str(row["id"]) for row in rows}
        try:
            count, files = export_warc(
                iter_captures(db, ids),
                output,
                export_info(db_path),
                stdout=lambda: sys.stdout.buffer,
            )
        except OSError as exc:
            raise click.ClickException(f"could not write {output}: {exc}") from None
    where = f" in {len(files)} file(s): " + ", ".join(str(f) for f in files) if files else ""
    click.echo(f"Exported {count} capture(s) as WARC records{where}.", err=True)


def _write_jsonl(out: Any, rows: Iterator[dict[str, Any]]) -> int:
    count = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


def _write_csv(out: Any, fields: list[str], rows: Iterator[dict[str, Any]]) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(fields)
    count = 0
    for row in rows:
        writer.writerow([_csv_value(row[name]) for name in fields])
        count += 1
    return count


def _csv_value(value: Any) -> Any:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value


# --------------------------------------------------------------------------- stats


@click.command()
@click.option("--top", default=10, show_default=True, type=click.IntRange(1), help="Rows per list.")
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
@db_option
def stats(top: int, as_json: bool, db_path: Path) -> None:
    """Counts by site, language, year, category and author, and the last crawl."""
    with _reader(db_path) as db:
        result = queries.stats(db, top=top)
    if as_json:
        _echo_json(result)
        return
    totals = result["totals"]
    click.echo("Totals: " + ", ".join(f"{k} {v}" for k, v in totals.items()))
    sections = (
        ("Sites", "by_site"),
        ("Languages", "by_language"),
        ("Years", "by_year"),
        (f"Top {top} categories", "by_categories"),
        (f"Top {top} authors", "by_authors"),
        (f"Top {top} tags", "by_tags"),
    )
    for title, key in sections:
        click.echo(f"\n{title}:")
        for name, count in result[key] or [["(none)", 0]]:
            click.echo(f"  {count:>7}  {name if name is not None else '(unknown)'}")
    crawl = result["last_crawl"]
    click.echo("\nLast crawl:")
    if crawl is None:
        click.echo("  (none)")
        return
    click.echo(
        f"  #{crawl['id']} {crawl['site']} {crawl['status']}, started {crawl['started']},"
        f" finished {crawl['finished'] or '-'} ({crawl['finish_reason'] or '-'})"
    )
    if crawl["counts"]:
        click.echo("  " + ", ".join(f"{k} {v}" for k, v in sorted(crawl["counts"].items())))


# --------------------------------------------------------------------------- history


@click.command()
@click.argument("url")
@click.option("--json", "as_json", is_flag=True, help="Print versions and diffs as JSON.")
@db_option
def history(url: str, as_json: bool, db_path: Path) -> None:
    """Show every stored version of an article (by URL or id) and what changed between them."""
    with _reader(db_path) as db:
        article = queries.find_article(db, url)
        if article is None:
            raise click.ClickException(f"no article with URL or id {url!r}")
        found = queries.versions(db, article)
    diffs = [queries.diff_versions(a, b) for a, b in itertools.pairwise(found)]
    if as_json:
        _echo_json({"id": article["id"], "url": article["url"], "versions": found, "diffs": diffs})
        return
    click.echo(f"{article['title']}\n{article['url']}  (id {article['id']})")
    click.echo(f"{len(found)} version(s); first seen {article['first_seen']}")
    for version in found:
        until = version["valid_to"] or "now (current)"
        click.echo(
            f"  revision {version['revision']}: {version['valid_from']} -> {until},"
            f" crawl {version['crawl_id']}, hash {version['content_hash'][:12]}"
        )
    for diff in diffs:
        click.echo("")
        for line in diff:
            click.echo(_colour_diff_line(line))


def _colour_diff_line(line: str) -> str:
    if line.startswith(("+++", "---")):
        return click.style(line, bold=True)
    if line.startswith("+"):
        return click.style(line, fg="green")
    if line.startswith("-"):
        return click.style(line, fg="red")
    if line.startswith("@@"):
        return click.style(line, fg="cyan")
    return line


# --------------------------------------------------------------------------- reparse


@click.command()
@click.option("--site", help="Only this site's articles (its host).")
@click.option(
    "--sites-dir",
    type=click.Path(file_okay=False),
    help="Folder of your site profiles (setting ECSS_SITES_DIR; default ./sites).",
)
@db_option
def reparse(site: str | None, sites_dir: str | None, db_path: Path) -> None:
    """Re-run the current extractor over the stored captures (no network).

    Each page is read with its site's profile (shipped, or yours in --sites-dir),
    as a crawl would read it. Adds a revision only where the extracted article
    changed; a worse extraction (lost title/body/date, body halved) is rejected
    and logged in failures, as in a crawl.
    """
    from ecss_crawler.cli.sites_cmds import registry_or_exit
    from ecss_crawler.extract import extract_article  # lazy: heavy, and optional here

    if not db_path.exists():
        raise click.ClickException(f"no archive database at {db_path} (use --db or set ECSS_DB)")
    registry = registry_or_exit(sites_dir)

    def extract(body: bytes, url: str) -> Any:
        return extract_article(body, url, profile=registry.profile_for(url))

    with Archive(db_path) as archive:
        counts = archive.reparse(extract, site=site)
    click.echo(", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "No articles.")


COMMANDS: list[click.Command] = [search, export, stats, history, reparse]
