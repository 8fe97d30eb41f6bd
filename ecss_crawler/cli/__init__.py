"""The ``ecss-crawler`` command line: one click group, one module per family of verbs."""

from __future__ import annotations

import click

from ecss_crawler import __version__


@click.group()
@click.version_option(__version__, prog_name="ecss-crawler")
def main() -> None:
    """Crawl, extract and archive think-tank sites: ECSS, and any site a profile file names."""


def _register() -> None:
    """Attach every command module's commands to the group."""
    from ecss_crawler.cli import (
        archive_cmds,
        browse_cmds,
        crawl_cmds,
        extract_cmds,
        scale_cmds,
        sites_cmds,
    )

    for module in (extract_cmds, crawl_cmds, archive_cmds, browse_cmds, scale_cmds, sites_cmds):
        for command in module.COMMANDS:
            main.add_command(command)


_register()
