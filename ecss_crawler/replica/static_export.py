"""Write the whole replica to disk, for serving with a fast static server (nginx) in benchmarks.

Pretty URLs become folders holding ``index.html`` (``index.xml`` for feeds);
names on disk are decoded UTF-8, as nginx maps decoded URIs to files. Pages that
only exist with a query string (``?p=``, ``?s=``, ``?m=``, AJAX) and redirects
are left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from ecss_crawler.replica.slugs import encode_path
from ecss_crawler.replica.static_pages import STATIC_PAGES
from ecss_crawler.replica.view import ANNUAL_REPORT, cms_article_path, language_prefix

if TYPE_CHECKING:
    from ecss_crawler.replica.site import ReplicaSite


def _paged(base: str, count: int, per_page: int) -> Iterator[str]:
    pages = max(1, -(-count // per_page))
    yield base
    for number in range(2, pages + 1):
        yield f"{base}page/{number}/"


def _cms_paths(site: ReplicaSite) -> Iterator[str]:
    """The ``cms`` theme's pages (first pages of listings: later ones need ``?page=``)."""
    yield from ("/", "/about", "/robots.txt")
    if site.config.sitemap:
        yield "/sitemap.xml"
    for term in site.catalog.categories.values():
        yield f"{language_prefix(term.language)}/topics/{term.slug}"
    for slug in site.index.by_tag:
        yield f"{language_prefix(site.catalog.tags[slug].language)}/tags/{slug}"
    for slug in site.index.by_author:
        yield f"/people/{slug}"
    for post_id in site.index.ascending:
        spec = site.index.by_id[post_id]
        yield cms_article_path(spec)
        yield from spec.attachment_paths


def _decoded_paths(site: ReplicaSite) -> Iterator[str]:
    if site.config.theme == "cms":
        yield from _cms_paths(site)
        return
    index, per = site.index, site.config.per_page
    yield from _paged("/", len(index.newest), per)
    for term in site.catalog.categories.values():
        yield from _paged(
            site.catalog.category_path(term), len(index.by_category.get(term.slug, [])), per
        )
    for slug, ids in index.by_tag.items():
        yield from _paged(f"/tag/{slug}/", len(ids), per)
    for slug, ids in index.by_author.items():
        yield from _paged(f"/author/{slug}/", len(ids), per)
    prefix = site.view().date_prefix
    for (year, month), ids in index.by_month.items():
        yield from _paged(f"{prefix}/{year:04d}/{month:02d}/", len(ids), per)
    for post_id in index.ascending:
        spec = index.by_id[post_id]
        yield spec.path
        yield from spec.attachment_paths
    yield from STATIC_PAGES
    yield from ("/robots.txt", "/feed/", "/comments/feed/", ANNUAL_REPORT)
    if site.config.sitemap:
        yield from (
            "/wp-sitemap.xml",
            "/wp-sitemap-posts-page-1.xml",
            "/wp-sitemap-taxonomies-category-1.xml",
            "/wp-sitemap-taxonomies-post_tag-1.xml",
            "/wp-sitemap-users-1.xml",
        )
        for number in range(1, -(-len(index.ascending) // 2000) + 1):
            yield f"/wp-sitemap-posts-post-{number}.xml"


def site_paths(site: ReplicaSite) -> Iterator[str]:
    """Every crawlable path without a query (percent-encoded)."""
    return (encode_path(path) for path in _decoded_paths(site))


def _file_for(root: Path, path: str, content_type: str) -> Path:
    relative = unquote(path).lstrip("/")
    if not relative or relative.endswith("/"):
        name = "index.xml" if "xml" in content_type else "index.html"
        return root / relative / name
    return root / relative


def write_static(
    site: ReplicaSite, directory: str | Path, progress: Callable[[int], None] | None = None
) -> int:
    """Write every page of ``site`` under ``directory``; returns the number of files written."""
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    written = 0
    for path in site.paths():
        response = site.render(path)
        if response.status != 200:
            continue
        target = _file_for(root, path, response.header("Content-Type") or "")
        if root.resolve() not in target.resolve().parents:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(response.body)
        written += 1
        if progress and written % 1000 == 0:
            progress(written)
    (root / "404.html").write_bytes(site.render("/this-page-does-not-exist/").body)
    return written + 1


def nginx_conf(root: str | Path, port: int = 8089, state_dir: str | Path | None = None) -> str:
    """An nginx configuration serving a static copy on 127.0.0.1:``port`` in the foreground.

    Run it as ``nginx -c FILE`` and stop it by its process id. Its pid file, error
    log and temporary files go to ``state_dir`` (default: ``ROOT.nginx`` beside the
    copy), which this function creates.
    """
    site_root = Path(root).resolve()
    state = Path(state_dir) if state_dir else site_root.with_name(site_root.name + ".nginx")
    state = state.resolve()
    state.mkdir(parents=True, exist_ok=True)
    temps = "".join(
        f"    {kind}_temp_path {state}/{kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""daemon off;
worker_processes 2;
pid {state}/nginx.pid;
error_log {state}/error.log;
events {{ worker_connections 1024; }}
http {{
    types {{ text/html html; application/xml xml; text/plain txt; application/pdf pdf; }}
    access_log off;
{temps}    server {{
        listen 127.0.0.1:{port};
        root {site_root};
        index index.html index.xml;
        charset utf-8;
        gzip on;
        gzip_types application/xml text/plain;
        error_page 404 /404.html;
        location / {{ try_files $uri $uri/ =404; }}
    }}
}}
"""
