"""``ecss-crawler browse``: the archive in Datasette, read-only, on 127.0.0.1."""

from __future__ import annotations

import importlib
import json
import signal
import sys
import tempfile
from pathlib import Path

import click

from ecss_crawler.archive.db import DEFAULT_DB_PATH
from ecss_crawler.datasette import (
    DEFAULT_PORT,
    HOST,
    database_name,
    metadata_for,
    serve_arguments,
)

#: Exit code and advice when Datasette is not installed.
MISSING_EXIT = 2
MISSING_MESSAGE = (
    "error: `ecss-crawler browse` needs Datasette, which is not installed. Install the "
    'browse extra: python -m pip install "ecss-crawler[browse]" (from a checkout: '
    'python -m pip install -e ".[browse]").'
)


def datasette_cli() -> click.Command | None:
    """Datasette's command line, or None when Datasette is not installed."""
    try:
        module = importlib.import_module("datasette.cli")
    except ImportError:
        return None
    command: click.Command = module.cli
    return command


@click.command()
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="ECSS_DB",
    default=DEFAULT_DB_PATH,
    show_default=True,
    show_envvar=True,
    help="Archive database file.",
)
@click.option(
    "--port",
    default=DEFAULT_PORT,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port on 127.0.0.1 (0: any free port).",
)
@click.option("--no-open", is_flag=True, help="Do not open a web browser.")
def browse(db_path: Path, port: int, no_open: bool) -> None:
    """Open the archive in Datasette: search, facets, canned queries, article history.

    Served on 127.0.0.1 only, read-only (immutable mode: Datasette never writes
    the file); stop it with Ctrl-C. Needs the browse extra
    (pip install "ecss-crawler[browse]").
    """
    cli = datasette_cli()
    if cli is None:
        click.echo(MISSING_MESSAGE, err=True)
        sys.exit(MISSING_EXIT)
    if not db_path.is_file():
        raise click.ClickException(f"no archive database at {db_path} (use --db or set ECSS_DB)")
    name = database_name(db_path)
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        _serve(cli, db_path, name, port, no_open)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    """SIGTERM ends ``browse`` like Ctrl-C does, through its clean-up. (Uvicorn handles the
    signal while it serves, then raises it again once it has shut down: with the default
    handler the process would end there and leave its metadata folder behind.)"""
    raise SystemExit(128 + signum)


def _serve(cli: click.Command, db_path: Path, name: str, port: int, no_open: bool) -> None:
    """Run Datasette with the archive's metadata in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="ecss-browse-") as folder:
        metadata = Path(folder) / "metadata.json"
        metadata.write_text(json.dumps(metadata_for(name), ensure_ascii=False), encoding="utf-8")
        if port:
            url = f"http://{HOST}:{port}/{name}"
            click.echo(f"Browsing {db_path} at {url} (read-only; Ctrl-C stops)", err=True)
        cli.main(
            args=serve_arguments(db_path, metadata, port, open_browser=not no_open),
            prog_name="datasette",
        )


COMMANDS: list[click.Command] = [browse]
