"""Scale-out commands: ``merge`` folds per-worker archives into one.

See ``docs/scaling.md``: workers that share a frontier each write their own
archive (one writer per SQLite file); ``ecss-crawler merge`` then builds the
archive analysts query.
"""

from __future__ import annotations

from pathlib import Path

import click

from ecss_crawler.archive.db import ArchiveError


@click.command("merge")
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("inputs", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--no-fts-rebuild",
    is_flag=True,
    help="Skip the final full-text index rebuild (the triggers keep it in sync anyway).",
)
def merge_command(output: Path, inputs: tuple[Path, ...], no_fts_rebuild: bool) -> None:
    """Merge archives INPUTS into OUTPUT (created if missing); idempotent.

    Articles are matched by id and the most recently seen version becomes
    current; every other version is kept as a revision. All crawls, captures
    and failures are copied with their ids renumbered. Inputs are only read.
    """
    from ecss_crawler.archive.merge import merge_archives, summary_lines

    try:
        stats = merge_archives(output, inputs, rebuild_fts=not no_fts_rebuild)
    except ArchiveError as error:
        raise click.ClickException(str(error)) from error
    for line in summary_lines(stats):
        click.echo(line)


COMMANDS = [merge_command]
