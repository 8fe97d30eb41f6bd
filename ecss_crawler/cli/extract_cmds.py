"""``ecss-crawler extract``: one page in, one record out (JSON or text)."""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from pathlib import Path

import click

from ecss_crawler import __version__
from ecss_crawler.extract import NotAnArticle, NotHTMLError, extract_article, parse_html
from ecss_crawler.items import Article
from ecss_crawler.sites import ProfileError, SiteProfile, load_registry

#: Exit code for a page that is not an article (listing, home, static page, 404).
EXIT_NOT_ARTICLE = 3
_MAX_FETCH_BYTES = 16 * 1024 * 1024


@click.command("extract")
@click.argument("source")
@click.option(
    "--url",
    "page_url",
    help="The URL the saved page was fetched from (defaults to its canonical link).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["json", "text"]),
    default="json",
    show_default=True,
)
@click.option(
    "--site",
    help="Read the page with this site profile (default: the profile of the page's host, "
    "else the generic one).",
)
@click.option(
    "--sites-dir",
    type=click.Path(file_okay=False),
    help="Folder of your site profiles (setting ECSS_SITES_DIR; default ./sites).",
)
def extract_command(
    source: str, page_url: str | None, output_format: str, site: str | None, sites_dir: str | None
) -> None:
    """Extract the article record from SOURCE: a saved HTML file, or an http(s) URL to fetch once.

    Prints the record as UTF-8 JSON (or readable text). Exits 3 when the page is
    not an article, 2 on unreadable, empty or non-HTML input.
    """
    try:
        body, content_type, fetched_url = _read_source(source)
        url = page_url or fetched_url or _canonical_or_file_url(body, source, content_type)
        profile = _profile(site, sites_dir, url)
        article = extract_article(body, url, content_type=content_type, profile=profile)
    except NotAnArticle as error:
        click.echo(f"error: not an article ({error.kind}): {error.url}", err=True)
        sys.exit(EXIT_NOT_ARTICLE)
    except (NotHTMLError, OSError, ValueError, urllib.error.URLError) as error:
        click.echo(f"error: {source}: {error}", err=True)
        sys.exit(2)
    click.echo(_render(article, output_format))


def _profile(site: str | None, sites_dir: str | None, url: str) -> SiteProfile:
    """The named profile, else the one for the URL's host (shipped or the user's)."""
    from ecss_crawler.cli.sites_cmds import BadProfile, default_sites_dir

    try:
        registry = load_registry([sites_dir or default_sites_dir()])
        return registry.get(site) if site else registry.profile_for(url)
    except ProfileError as error:
        raise BadProfile(str(error)) from None


def _read_source(source: str) -> tuple[bytes, str | None, str | None]:
    """Bytes, Content-Type and final URL of a file or an http(s) URL."""
    if source.startswith(("http://", "https://")):
        # Only http(s) reaches here (checked above), so no file: or custom schemes.
        headers = {"User-Agent": f"ecss-crawler/{__version__}"}
        request = urllib.request.Request(source, headers=headers)  # noqa: S310
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            body = response.read(_MAX_FETCH_BYTES + 1)
            if len(body) > _MAX_FETCH_BYTES:
                raise ValueError("page larger than 16 MB")
            return body, response.headers.get("Content-Type"), response.geturl()
    path = Path(source)
    if path.is_dir():
        raise ValueError("is a directory")
    return path.read_bytes(), None, None


def _canonical_or_file_url(body: bytes, source: str, content_type: str | None) -> str:
    """A saved page with no ``--url``: trust its own canonical link, else a file: URL."""
    file_url = Path(source).resolve().as_uri()
    sel = parse_html(body, file_url, content_type)
    canonical = (
        sel.xpath("//link[@rel='canonical']/@href").get()
        or sel.xpath("//meta[@property='og:url']/@content").get()
    )
    return (
        canonical.strip()
        if canonical and canonical.startswith(("http://", "https://"))
        else file_url
    )


def _render(article: Article, output_format: str) -> str:
    if output_format == "json":
        return json.dumps(article.to_dict(), ensure_ascii=False, indent=2)
    lines = [
        article.title or "(no title)",
        f"By {', '.join(article.authors)}" if article.authors else "(no author)",
        f"Published {article.published or '-'}; modified {article.modified or '-'}",
        f"Categories: {', '.join(article.categories) or '-'}",
        f"Tags: {', '.join(article.tags) or '-'}",
        f"URL: {article.url}",
        "",
        article.body or "",
    ]
    return "\n".join(lines)


COMMANDS = [extract_command]
