"""``ecss-crawler sites``: list the site profiles, check them, and probe a new site."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ecss_crawler.sites import ProfileError, SiteRegistry, load_registry

_SITES_DIR_HELP = (
    "Folder of your site profiles (*.toml) and themes (themes/*.toml) "
    "(setting ECSS_SITES_DIR; default ./sites)."
)


class BadProfile(click.ClickException):
    """A bad or unknown site profile: one line, exit code 2 (bad arguments)."""

    exit_code = 2


def registry_or_exit(sites_dir: str | None) -> SiteRegistry:
    """The shipped and the user's profiles; a bad file is a one-line error (exit 2)."""
    return _registry(sites_dir)


def _registry(sites_dir: str | None) -> SiteRegistry:
    try:
        return load_registry([sites_dir or default_sites_dir()])
    except ProfileError as error:
        raise BadProfile(str(error)) from None


def default_sites_dir() -> str:
    """The ``ECSS_SITES_DIR`` project default (``sites``, relative to the current folder)."""
    from ecss_crawler import settings

    return str(settings.ECSS_SITES_DIR)


@click.group("sites")
def sites_group() -> None:
    """Site profiles: which sites the crawler knows, and drafting one for a new site."""


@sites_group.command("list")
@click.option("--sites-dir", type=click.Path(file_okay=False), help=_SITES_DIR_HELP)
def list_command(sites_dir: str | None) -> None:
    """List every site profile (shipped and yours): name, base URL, languages, theme, file."""
    registry = _registry(sites_dir)
    for profile in registry.profiles:
        languages = ",".join(profile.languages)
        click.echo(
            f"{profile.name:<24} {profile.base_url:<40} {languages:<6} {profile.theme:<8} "
            f"{profile.source}"
        )
    themes = ", ".join(theme.name for theme in registry.themes)
    click.echo(f"themes: {themes}")


@sites_group.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("--sites-dir", type=click.Path(file_okay=False), help=_SITES_DIR_HELP)
def check_command(paths: tuple[str, ...], sites_dir: str | None) -> None:
    """Check profile files (default: every profile of the sites folder); exit 2 on the first
    bad one, with a line naming the file, the key and what is expected."""
    from ecss_crawler.sites import themes_by_name
    from ecss_crawler.sites.loader import load_profile

    registry = _registry(sites_dir)
    try:
        for path in paths:
            load_profile(Path(path), themes_by_name(registry))
    except ProfileError as error:
        raise BadProfile(str(error)) from None
    click.echo(f"ok: {len(paths) or len(registry.profiles)} profile(s)")


@sites_group.command("probe")
@click.argument("url")
@click.option("--name", help="Profile name (default: from the host, e.g. example-org).")
@click.option("--sites-dir", type=click.Path(file_okay=False), help=_SITES_DIR_HELP)
@click.option(
    "--delay",
    default=1.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Seconds between requests.",
)
@click.option("--articles", default=3, show_default=True, type=click.IntRange(1, 10))
@click.option("--force", is_flag=True, help="Overwrite an existing profile file.")
@click.option("--stdout", "to_stdout", is_flag=True, help="Print the draft instead of writing it.")
def probe_command(
    url: str,
    name: str | None,
    sites_dir: str | None,
    delay: float,
    articles: int,
    force: bool,
    to_stdout: bool,
) -> None:
    """Fetch a handful of pages of URL (robots.txt, home page, REST API root, sitemaps, one
    listing, a few articles) and write a draft profile for it into the sites folder."""
    from ecss_crawler import probe, settings

    if not url.startswith(("http://", "https://")):
        raise click.BadParameter("expected an http(s) URL", param_hint="URL")
    base_url = url if url.endswith("/") else url + "/"
    name = name or probe.profile_name(base_url)
    folder = Path(sites_dir or default_sites_dir())
    target = folder / f"{name}.toml"
    if target.exists() and not (force or to_stdout):
        raise click.ClickException(f"{target} exists (use --force to overwrite)")
    registry = _registry(sites_dir)
    try:
        findings = probe.probe_site(
            base_url,
            registry,
            user_agent=str(settings.USER_AGENT),
            delay=delay,
            max_articles=articles,
        )
    except probe.ProbeError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(4)
    text = probe.draft_text(findings, name)
    _print_findings(findings)
    if to_stdout:
        click.echo(text)
        return
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    click.echo(f"wrote {target}: crawl it with `ecss-crawler crawl --site {name}`")


def _print_findings(findings: object) -> None:
    from ecss_crawler.probe import Findings

    assert isinstance(findings, Findings)
    rest = "yes" if findings.rest_api else "no"
    click.echo(f"CMS: {findings.cms} (REST API: {rest}); theme: {findings.theme}", err=True)
    click.echo(
        f"languages: {', '.join(findings.languages) or '?'} ({findings.direction}); "
        f"time zone: {findings.timezone}",
        err=True,
    )
    click.echo(f"sitemaps: {', '.join(findings.sitemaps) or 'none'}", err=True)
    click.echo(f"sample articles: {len(findings.articles)}", err=True)
    for field_name, layers in sorted(findings.field_layers.items()):
        click.echo(f"  {field_name:<11} {', '.join(layers)}", err=True)


COMMANDS = [sites_group]
