"""Security: nothing off the allowed site is ever requested; page text never becomes a file
path unchecked; SQL only ever carries data as parameters; article HTML is never rendered.

The crawl test serves the replica with every trick a hostile or compromised site
could play to send the crawler elsewhere - off-site redirects (HTTP and meta
refresh), sitemap and robots.txt entries, canonical and ``og:url`` links,
``<base href>``, user-info and scheme-relative URLs - while a decoy server on
another port counts every request it gets. The decoy must get none.
"""

from __future__ import annotations

import ast
import json
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import sqlite_utils

from ecss_crawler.replica import Redirect, ReplicaConfig, ReplicaServer, serve_replica
from ecss_crawler.replica.faults import rewrite

PACKAGE = Path(__file__).resolve().parents[1] / "ecss_crawler"
CONFIG = ReplicaConfig(seed=41, n_articles=18, arabic_share=0.4, per_page=4)
SETTINGS = (
    "AUTOTHROTTLE_ENABLED=0",
    "DOWNLOAD_DELAY=0",
    "CONCURRENT_REQUESTS_PER_DOMAIN=8",
    "ECSS_RETRY_BACKOFF_BASE=0.05",
    "ECSS_PROGRESS_INTERVAL=0",
    "ECSS_ALARM_MIN_ARTICLES=100000",
    "LOG_LEVEL=INFO",
)
#: Page text that must never reach SQL text or a file name.
MARK = "Zq9Mark"
EVIL = f"{MARK}'); DROP TABLE articles; -- \" ../../../{MARK}-pwned"
EVIL_CONTENT = (
    '<p>Safe text.<img src="x.png" onerror="alert(1)"> <a href="javascript:alert(1)">link</a>'
    '<script>alert("MARK")</script><iframe src="http://evil.invalid/"></iframe></p>'
)


# -- the hostile site crawl ------------------------------------------------------------------


@dataclass
class HostileCrawl:
    server: ReplicaServer
    decoy: ReplicaServer
    run: subprocess.CompletedProcess[str]
    root: Path
    db: Path
    targets: dict[str, str]


def _head(extra: str) -> Any:
    """Insert ``extra`` right after ``<head>``."""
    return rewrite(lambda html: html.replace("<head>", "<head>" + extra, 1))


def _relative_links_and_base(base: str, decoy: str) -> Any:
    """All the site's absolute links made root-relative, under a ``<base href>`` to the decoy."""

    def edit(html: str) -> str:
        html = html.replace(f'href="{base}', 'href="/')
        return html.replace("<head>", f'<head><base href="{decoy}">', 1)

    return rewrite(edit)


def _foreign_canonical(decoy: str) -> Any:
    """``<link rel=canonical>`` and ``og:url`` pointing at the decoy."""
    canonical = re.compile(r'(<link rel="canonical" href=|<meta property="og:url" content=)"[^"]*"')
    return rewrite(lambda html: canonical.sub(lambda m: f'{m.group(1)}"{decoy}stolen/"', html))


def _hostile_content() -> Any:
    """Script, event handler, ``javascript:`` link and iframe inside the article's content."""
    opening = re.compile(r'(<div class="entry-content[^>]*>)')
    return rewrite(lambda html: opening.sub(lambda m: m.group(1) + EVIL_CONTENT, html, count=1))


def _sitemap_entries(urls: list[str]) -> Any:
    entries = "".join(f"<url><loc>{url}</loc></url>" for url in urls)
    return rewrite(lambda xml: xml.replace("</urlset>", entries + "</urlset>"))


def _arm(server: ReplicaServer, decoy: ReplicaServer) -> dict[str, str]:
    """Inject every off-site trick; returns the article paths used, by trick."""
    base, away = server.base_url, decoy.base_url
    host_port = base.split("//", 1)[1].rstrip("/")
    decoy_host_port = away.split("//", 1)[1].rstrip("/")
    specs = list(server.site.articles)
    targets = {
        "redirect": specs[0].path,
        "meta refresh": specs[1].path,
        "canonical": specs[2].path,
        "base href (article)": specs[3].path,
        "hostile content": specs[4].path,
    }
    faults = server.faults
    faults[targets["redirect"]] = Redirect(away + "stolen/", status=301)
    faults[targets["meta refresh"]] = _head(f'<meta http-equiv="refresh" content="0; url={away}">')
    faults[targets["canonical"]] = _foreign_canonical(away)
    faults[targets["base href (article)"]] = _relative_links_and_base(base, away)
    faults[targets["hostile content"]] = _hostile_content()
    faults["/"] = _relative_links_and_base(base, away)  # the home listing, under <base href>
    faults["/page/2/"] = Redirect(away + "page/2/")
    faults["/robots.txt"] = rewrite(lambda text: text + f"\nSitemap: {away}wp-sitemap.xml\n")
    faults["/wp-sitemap.xml"] = rewrite(
        lambda xml: xml.replace(
            "</sitemapindex>",
            f"<sitemap><loc>{away}wp-sitemap-posts-post-1.xml</loc></sitemap></sitemapindex>",
        )
    )
    faults["/wp-sitemap-posts-post-1.xml"] = _sitemap_entries(
        [
            f"{away}stolen-1/",
            f"//{decoy_host_port}/stolen-2/",  # scheme-relative
            f"http://{host_port}@{decoy_host_port}/stolen-3/",  # user-info trick
            f"http://{decoy_host_port.upper()}/stolen-4/",
            f"{base}{quote(EVIL)}/",  # hostile text in a URL on the site (a 404)
        ]
    )
    return targets


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileCrawl]:
    root = tmp_path_factory.mktemp("hostile")
    with (
        serve_replica(ReplicaConfig(seed=3, n_articles=2)) as decoy,
        serve_replica(CONFIG) as server,
    ):
        targets = _arm(server, decoy)
        db = root / "db" / "ecss.db"
        command = [sys.executable, "-m", "ecss_crawler.cli", "crawl", "--base-url", server.base_url]
        command += ["--db", str(db)]
        settings = (
            *SETTINGS,
            "HTTPCACHE_ENABLED=1",
            f"HTTPCACHE_DIR={root / 'cache'}",
            f"JOBDIR={root / 'job'}",
        )
        for setting in settings:
            command += ["-s", setting]
        run = subprocess.run(
            command, capture_output=True, text=True, timeout=180, check=False, cwd=root
        )
        yield HostileCrawl(server, decoy, run, root, db, targets)


def test_hostile_site_crawl_completes(hostile: HostileCrawl) -> None:
    output = hostile.run.stdout + hostile.run.stderr
    assert hostile.run.returncode == 0, output[-3000:]
    assert "Traceback" not in output, output[-3000:]


def test_decoy_site_never_requested(hostile: HostileCrawl) -> None:
    assert [r.target for r in hostile.decoy.requests] == []


def test_off_site_refusals_are_logged(hostile: HostileCrawl) -> None:
    output = hostile.run.stdout + hostile.run.stderr
    assert "Refused off-site request" in output


def test_every_stored_article_is_on_the_site(hostile: HostileCrawl) -> None:
    db = sqlite_utils.Database(hostile.db)
    rows = list(db["articles"].rows)
    assert len(rows) >= len(hostile.server.site.articles) - 2  # the redirected, the refreshed
    for row in rows:
        assert row["url"].startswith(hostile.server.base_url), row["url"]
        assert row["site"] == hostile.server.base_url.split("//")[1].rstrip("/")


def test_foreign_canonical_link_is_not_adopted(hostile: HostileCrawl) -> None:
    db = sqlite_utils.Database(hostile.db)
    path = hostile.targets["canonical"]
    urls = [row["url"] for row in db["articles"].rows]
    assert hostile.server.url(path) in urls
    assert not [url for url in urls if "stolen" in url]


def test_stored_body_html_has_no_active_content(hostile: HostileCrawl) -> None:
    db = sqlite_utils.Database(hostile.db)
    url = hostile.server.url(hostile.targets["hostile content"])
    (row,) = [r for r in db["articles"].rows if r["url"] == url]
    html = row["body_html"]
    assert "Safe text." in row["body"]
    assert "<script" not in html
    assert "<iframe" not in html
    assert not re.search(r"\son\w+\s*=", html), html
    assert "javascript:" not in html.lower()


def test_no_page_text_in_file_names(hostile: HostileCrawl) -> None:
    """Everything the crawl wrote is in the archive's folder, the HTTP cache or the job folder,
    and no file name carries page text."""
    written = [p for p in hostile.root.rglob("*") if p.is_file()]
    assert written
    allowed = [hostile.root / "db", hostile.root / "cache", hostile.root / "job"]
    for path in written:
        assert any(folder in path.parents for folder in allowed), path
        assert MARK not in str(path), path
        assert "pwned" not in str(path), path
    assert not list(Path("/tmp").glob(f"*{MARK}*"))


# -- SQL ---------------------------------------------------------------------------------------


class RecordingConnection:
    """A ``sqlite3.Connection`` stand-in that records the SQL text of every statement."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self.statements: list[str] = []

    def execute(self, sql: str, parameters: Any = ()) -> sqlite3.Cursor:
        self.statements.append(sql)
        return self._conn.execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any) -> sqlite3.Cursor:
        self.statements.append(sql)
        return self._conn.executemany(sql, parameters)

    def executescript(self, sql: str) -> sqlite3.Cursor:
        self.statements.append(sql)
        return self._conn.executescript(sql)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def _evil_article(title: str = EVIL) -> Any:
    from ecss_crawler.items import Article

    return Article(
        url=f"https://ecss.com.eg/{quote(EVIL)}/",
        site="ecss.com.eg",
        post_id=None,  # the id is then built from the URL
        language="en",
        title=title,
        authors=[EVIL, "O'Brien"],
        published="2024-03-05T10:00:00+02:00",
        categories=[EVIL],
        tags=[f'"{MARK}"', "Nile"],
        summary=EVIL,
        body=f"{EVIL} water security and the Nile. " * 20,
        body_html=f"<p>{EVIL}</p>",
    )


def test_page_text_reaches_sql_only_as_parameters(tmp_path: Path) -> None:
    """Hostile text through every archive write and read path: it is stored verbatim, and
    never appears in the text of a SQL statement (so it was always a bound parameter)."""
    from ecss_crawler.archive import Archive
    from ecss_crawler.archive.lookup import ArchiveReader
    from ecss_crawler.archive.queries import Filters, find_article, iter_articles, search, versions

    db_path = tmp_path / "ecss.db"
    article = _evil_article()
    with Archive(db_path, batch_size=3) as archive:
        recorder = RecordingConnection(archive._conn)
        archive._conn = recorder  # type: ignore[assignment]
        crawl = archive.begin_crawl(EVIL, {"args": EVIL})
        capture = archive.store_capture(article.url, 200, {"etag": EVIL}, EVIL.encode(), crawl)
        archive.store_article(article, crawl, etag=EVIL, last_modified=EVIL, capture_id=capture)
        archive.store_article(_evil_article(title=EVIL + " (revised)"), crawl)
        archive.mark_seen(article.url, etag=EVIL)
        archive.record_failure(article.url, crawl, "fetch", EVIL, 500)
        archive.known_articles(EVIL)
        archive.latest_capture(article.url, article_id=EVIL)
        archive.mark_removed(article.url, crawl)
        archive.finish_crawl(crawl, EVIL, {EVIL: 1}, {EVIL: 1.0}, EVIL)
        archive.reparse(lambda body, url: _evil_article(title=EVIL + " (reparsed)"))
        statements = list(recorder.statements)

    db = sqlite_utils.Database(db_path)
    reads = RecordingConnection(db.conn)
    db.conn = reads  # type: ignore[assignment]
    assert search(db, MARK)
    assert search(db, EVIL, Filters(author=EVIL, category=EVIL, tag=f'"{MARK}"', site=EVIL)) == []
    found = find_article(db, article.url)
    assert found is not None
    assert found["title"].startswith(EVIL)
    versions(db, found)
    list(iter_articles(db, Filters(author=EVIL), query=EVIL))
    reader = ArchiveReader(db_path)
    assert reader._conn is not None
    reader_log = RecordingConnection(reader._conn)
    reader._conn = reader_log  # type: ignore[assignment]
    assert reader.find(article.url) is not None
    reader.close()

    executed = statements + reads.statements + reader_log.statements
    assert len(executed) > 30
    assert [sql for sql in executed if MARK in sql] == []
    conn = sqlite3.connect(db_path)
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    conn.close()
    assert {"articles", "revisions", "captures", "failures", "crawls"} <= tables


SQL_CALLS = {"execute", "executemany", "executescript"}


def _sql_argument_problems(path: Path) -> list[str]:
    """SQL built with ``%`` formatting, ``.format()`` or ``+`` (never needed: data goes in
    parameters, and identifiers in f-strings from the code's own constants)."""
    problems = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in SQL_CALLS or not node.args:
            continue
        sql = node.args[0]
        formatted = isinstance(sql, ast.BinOp) and isinstance(sql.op, ast.Mod)
        formatted |= isinstance(sql, ast.Call) and getattr(sql.func, "attr", "") == "format"
        if formatted:
            problems.append(f"{path.name}:{node.lineno}: {ast.unparse(sql)[:80]}")
    return problems


def test_sql_is_never_built_by_string_formatting() -> None:
    problems = [p for path in sorted(PACKAGE.rglob("*.py")) for p in _sql_argument_problems(path)]
    assert problems == []


# -- files and rendering -------------------------------------------------------------------------


def test_static_export_keeps_hostile_paths_inside_its_folder(tmp_path: Path) -> None:
    """The replica's static export turns URL paths into file names: traversal is refused."""
    from ecss_crawler.replica import ReplicaSite, write_static
    from ecss_crawler.replica.model import Response

    class HostileSite:
        def paths(self) -> list[str]:
            return ["/ok/", "/..%2F..%2Fescaped/", "/a/../../escaped-too/", "/%2e%2e/%2e%2e/x"]

        def render(self, path: str) -> Response:
            return Response(200, {"Content-Type": "text/html"}, b"<html></html>")

    out = tmp_path / "out"
    write_static(HostileSite(), out)  # type: ignore[arg-type]
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert written == ["out/404.html", "out/ok/index.html"]
    assert ReplicaSite  # the real site's paths go through the same check


#: Ways to mark HTML as safe to render unescaped.
UNESCAPED_RENDERING = (
    r"\bMarkup\(",
    r"render_html",
    r"autoescape\s*=\s*False",
    r"\|\s*safe\b",
    r"render_cell",
    r"extra_body_script",
)


def test_nothing_shipped_renders_html_unescaped() -> None:
    """No template filter, Datasette plugin hook or metadata option renders stored HTML.

    (The replica, a test site that renders its own generated pages, is not a viewer of
    archived HTML and is left out. Datasette's own escaping of ``body_html`` is tested in
    ``tests/test_archive_datasette.py::test_stored_html_is_escaped``.)
    """
    files = [p for p in PACKAGE.rglob("*") if p.suffix in (".py", ".json", ".html")]
    found = [
        f"{path.relative_to(PACKAGE)}: {pattern}"
        for path in files
        if "replica" not in path.parts
        for pattern in UNESCAPED_RENDERING
        if re.search(pattern, path.read_text(encoding="utf-8"))
    ]
    assert found == []
    metadata = json.loads((PACKAGE / "datasette" / "metadata.json").read_text(encoding="utf-8"))
    assert "plugins" not in json.dumps(metadata)
