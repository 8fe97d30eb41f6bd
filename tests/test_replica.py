"""The local replica site: pages, pagination modes, traps, sitemaps, validators, ground truth,
live changes and fault injection, all fetched over real HTTP on 127.0.0.1.
"""

from __future__ import annotations

import gzip
import http.client
import json
import re
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from parsel import Selector

from ecss_crawler.replica import (
    Body,
    Delay,
    Redirect,
    ReplicaConfig,
    ReplicaServer,
    ReplicaSite,
    Reset,
    Status,
    Truncate,
    serve_replica,
    write_static,
)
from ecss_crawler.replica.__main__ import main as cli_main
from ecss_crawler.replica.faults import binary_html, empty_200, gzip_bomb, huge_page, recode

MAIN_CARDS = "div.block-wrap[id^='uid_'] .p-wrap[data-pid]"


@dataclass
class Fetched:
    """One HTTP answer, whatever its status."""

    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    @property
    def sel(self) -> Selector:
        return Selector(text=self.text)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, headers: dict[str, str] | None = None, data: bytes | None = None) -> Fetched:
    """GET (or POST with ``data``) without following redirects or raising on errors."""
    request = urllib.request.Request(url, headers=headers or {}, data=data)
    try:
        with _OPENER.open(request, timeout=10) as response:
            return Fetched(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as error:
        return Fetched(error.code, dict(error.headers), error.read())


@pytest.fixture(scope="module")
def server() -> Iterator[ReplicaServer]:
    """A default replica (40 articles, half Arabic), shared by the read-only tests."""
    with serve_replica(ReplicaConfig()) as running:
        yield running


@pytest.fixture
def small() -> Iterator[ReplicaServer]:
    """A small replica that a test may change or break."""
    with serve_replica(ReplicaConfig(n_articles=12, seed=3)) as running:
        yield running


def main_pids(page: Fetched) -> list[int]:
    return [int(pid) for pid in page.sel.css(MAIN_CARDS).xpath("@data-pid").getall()]


def biggest_category(site: ReplicaSite, language: str = "en") -> str:
    slugs = [
        t.slug
        for t in site.catalog.categories.values()
        if t.language == language and t.slug not in site.config.load_more_categories
    ]
    return max(slugs, key=site.category_count)


# Listings ---------------------------------------------------------------------------------------


def test_home_page_lists_newest_posts_in_the_main_block(server: ReplicaServer) -> None:
    page = fetch(server.base_url)
    assert page.status == 200
    assert "home blog" in page.sel.css("body::attr(class)").get("")
    newest = server.site.index.newest[: server.site.config.per_page]
    assert main_pids(page) == newest
    card = page.sel.css(MAIN_CARDS)[0]
    assert card.css(".entry-title a.p-url::attr(href)").get() == server.site.url_for(newest[0])
    assert (
        card.css("time.updated::attr(datetime)").get()
        == server.site.article(newest[0]).modified_iso
    )
    sidebar = page.sel.css(".sidebar-wrap .p-wrap[data-pid]")
    assert len(sidebar) == 4
    assert not page.sel.css("div.block-wrap[id^='uid_'] .sidebar-wrap")
    assert "Latest News" in page.text
    assert page.sel.css("#site-header .mega-dropdown .p-wrap[data-pid]")
    nxt = page.sel.css("nav.pagination-wrap a.next.page-numbers")
    assert nxt.xpath("@href").get() == server.base_url + "page/2/"
    assert not "".join(nxt.css("::text").getall()).strip()


def test_numbered_pagination_ends_with_a_404(server: ReplicaServer) -> None:
    site = server.site
    slug = biggest_category(site)
    pages = site.category_pages(slug)
    assert pages >= 2
    base = site.category_url(slug)
    seen: list[int] = []
    for number in range(1, pages + 1):
        page = fetch(base if number == 1 else f"{base}page/{number}/")
        assert page.status == 200
        seen += main_pids(page)
        has_next = bool(page.sel.css("a.next.page-numbers"))
        assert has_next == (number < pages)
    assert seen == site.index.by_category[slug]
    beyond = fetch(f"{base}page/{pages + 1}/")
    assert beyond.status == 404
    assert "error404" in beyond.sel.css("body::attr(class)").get("")
    first = fetch(f"{base}page/1/")
    assert (first.status, first.headers["Location"]) == (301, base)


def test_load_more_category_has_no_next_link_but_serves_pages(server: ReplicaServer) -> None:
    site = server.site
    pages = site.category_pages("analysis")
    assert pages >= 2
    base = site.category_url("analysis")
    page = fetch(base)
    trigger = page.sel.css(".pagination-wrap.pagination-loadmore a.loadmore-trigger")
    assert trigger.xpath("@href").get() == "#"
    assert not page.sel.css("a.next.page-numbers")
    assert fetch(f"{base}page/{pages}/").status == 200
    assert fetch(f"{base}page/{pages + 1}/").status == 404
    term_id = site.catalog.categories["analysis"].term_id
    ajax = fetch(
        f"{server.base_url}wp-admin/admin-ajax.php?action=rblivep"
        f"&data%5Bcategory%5D={term_id}&data%5Bpage_next%5D=2"
    )
    payload = json.loads(ajax.text)
    assert payload["paged"] == 2
    pids = [
        int(p) for p in Selector(text=payload["content"]).css(".p-wrap::attr(data-pid)").getall()
    ]
    assert pids == main_pids(fetch(f"{base}page/2/"))


def test_parent_category_lists_its_childrens_posts(server: ReplicaServer) -> None:
    site = server.site
    for term in site.catalog.categories.values():
        if term.parent:
            assert set(site.index.by_category[term.slug]) <= set(
                site.index.by_category[term.parent]
            )
    child = next(
        t for t in site.catalog.categories.values() if t.parent and site.index.by_category[t.slug]
    )
    assert site.catalog.category_path(child).startswith(f"/category/{child.parent}/")
    parent_url = site.category_url(child.parent)
    listed: list[int] = []
    for number in range(1, site.category_pages(child.parent) + 1):
        listed += main_pids(fetch(parent_url if number == 1 else f"{parent_url}page/{number}/"))
    assert set(site.index.by_category[child.slug]) <= set(listed)
    bare = fetch(server.base_url + "category/" + quote(child.slug) + "/")
    assert bare.status == 301
    assert bare.headers["Location"] == site.category_url(child.slug)


def test_tag_author_and_date_archives(server: ReplicaServer) -> None:
    site = server.site
    tag_slug, tag_ids = max(site.index.by_tag.items(), key=lambda item: len(item[1]))
    tag_page = fetch(site.url(f"/tag/{tag_slug}/"))
    assert tag_page.status == 200
    assert main_pids(tag_page) == tag_ids[: site.config.per_page]
    author, author_ids = max(site.index.by_author.items(), key=lambda item: len(item[1]))
    author_page = fetch(site.url(f"/author/{author}/"))
    assert "archive author" in author_page.sel.css("body::attr(class)").get("")
    assert main_pids(author_page) == author_ids[: site.config.per_page]
    (year, month), ids = next(iter(site.index.by_month.items()))
    month_page = fetch(site.url(f"/{year:04d}/{month:02d}/"))
    assert month_page.status == 200
    assert main_pids(month_page) == ids[: site.config.per_page]
    assert fetch(site.url("/1999/01/")).status == 404


def test_arabic_date_archives_live_under_date() -> None:
    site = ReplicaSite(ReplicaConfig(language="ar", n_articles=10))
    (year, month), _ = next(iter(site.index.by_month.items()))
    assert site.render(f"/date/{year:04d}/{month:02d}/").status == 200
    assert site.render(f"/{year:04d}/{month:02d}/").status == 404
    home = Selector(text=site.render("/").body.decode())
    assert home.css("html::attr(dir)").get() == "rtl"


# Articles ---------------------------------------------------------------------------------------


def test_article_page_carries_fields_meta_and_clutter(server: ReplicaServer) -> None:
    site = server.site
    spec = next(s for s in site.articles if s.language == "en" and s.tags)
    page = fetch(site.url_for(spec))
    sel = page.sel
    assert page.status == 200
    assert f"postid-{spec.post_id}" in sel.css("body::attr(class)").get("")
    assert sel.css("header.single-header h1.s-title::text").get() == spec.title
    assert sel.css(".sticky-title::text").get() == spec.title
    assert sel.css("time.date.published::attr(datetime)").get() == spec.published_iso
    assert sel.css("time.updated-date::attr(datetime)").get() == spec.modified_iso
    assert sel.css(".s-cats a.p-category::text").getall() == list(spec.categories)
    assert sel.css(".efoot-bar.tag-bar a[rel=tag]::text").getall() == list(spec.tags)
    assert sel.css(".single-meta .meta-author a::text").getall() == list(spec.authors)
    assert sel.css("link[rel=canonical]::attr(href)").get() == site.url_for(spec)
    assert sel.css("link[rel=shortlink]::attr(href)").get() == site.url(f"/?p={spec.post_id}")
    assert (
        sel.css("meta[property='article:modified_time']::attr(content)").get() == spec.modified_iso
    )
    types = [
        json.loads(raw)["@type"]
        for raw in sel.css("script[type='application/ld+json']::text").getall()
    ]
    assert types == ["Organization", "WebSite", "Article"]
    for clutter in (
        "#site-header",
        "#header-mobile",
        "footer.footer-wrap",
        "#rb-user-popup-form",
        "aside.single-related",
        ".sidebar-wrap",
        ".e-shared-sec",
        ".l-shared-sec-outer",
    ):
        assert sel.css(clutter), clutter
    assert f"{spec.reading_minutes} Min Read" in page.text
    assert page.headers["Last-Modified"]
    assert page.headers["ETag"].startswith('"')


def test_untagged_article_has_no_tag_bar(server: ReplicaServer) -> None:
    spec = next(s for s in server.site.articles if not s.tags)
    assert not fetch(server.site.url_for(spec)).sel.css(".tag-bar")


def test_arabic_article_is_rtl_with_numeric_permalink(server: ReplicaServer) -> None:
    spec = next(s for s in server.site.articles if s.language == "ar")
    assert spec.path == f"/{spec.post_id}/"
    page = fetch(server.site.url_for(spec))
    assert page.sel.css("html::attr(dir)").get() == "rtl"
    assert page.sel.css("html::attr(lang)").get() == "ar"
    published = page.sel.css("time.date.published::text").get("")
    assert re.search(
        "يناير|فبراير|مارس|أبريل|مايو|يونيو|يوليو|أغسطس|سبتمبر|أكتوبر|نوفمبر|ديسمبر", published
    )


def test_arabic_slugs_are_percent_encoded_and_cut() -> None:
    site = ReplicaSite(ReplicaConfig(n_articles=6, arabic_share=1.0, numeric_permalinks=False))
    spec = site.articles[0]
    url = site.url_for(spec)
    assert "%d8" in url or "%d9" in url
    assert len(urlsplit(url).path) <= 202
    assert site.render(urlsplit(url).path).status == 200
    upper = re.sub(r"%[0-9a-f]{2}", lambda m: m.group(0).upper(), urlsplit(url).path)
    assert site.render(upper).status == 200


def test_url_variants_of_an_article(server: ReplicaServer) -> None:
    site = server.site
    spec = next(s for s in site.articles if s.language == "en")
    url = site.url_for(spec)
    short = fetch(site.url(f"/?p={spec.post_id}"))
    assert (short.status, short.headers["Location"]) == (301, url)
    assert fetch(site.url("/?p=999999")).status == 404
    bare = fetch(url.rstrip("/") + "?utm_source=x")
    assert (bare.status, bare.headers["Location"]) == (301, url + "?utm_source=x")
    tracked = fetch(url + "?utm_source=newsletter&utm_medium=email")
    assert tracked.status == 200
    assert tracked.sel.css("link[rel=canonical]::attr(href)").get() == url
    reply = fetch(url + "?replytocom=12345")
    assert "noindex" in reply.sel.css("meta[name=robots]::attr(content)").get("")
    printed = fetch(url + "?print=1")
    assert printed.status == 200
    assert printed.headers.get("X-Robots-Tag") == "noindex"
    moved = next((s for s in site.articles if s.old_path), None)
    if moved is not None:
        old = fetch(site.url(moved.old_path))
        assert (old.status, old.headers["Location"]) == (301, site.url_for(moved))


def test_traps_are_linked_and_answer_as_wordpress_would(server: ReplicaServer) -> None:
    site = server.site
    spec = next(s for s in site.articles if s.comments)
    page = fetch(site.url_for(spec))
    hrefs = page.sel.css("a::attr(href)").getall()
    base = server.base_url

    def linked(pattern: str) -> list[str]:
        return [h for h in hrefs if re.search(pattern, h)]

    for pattern in (
        r"\?cal=prev$",
        r"/\?m=\d{8}$",
        r"^https://twitter\.com/",
        r"facebook\.com/sharer",
        r"\?replytocom=\d+#respond$",
        r"^javascript:",
        r"\?print=1$",
        r"wp-login\.php",
        r"\.pdf$",
        r"utm_source=",
        r"#comments$",
        "/archive/2015/",
    ):
        assert linked(pattern), pattern
    assert page.sel.css("form input[name=s]")
    assert fetch(linked(r"/archive/2015/")[0]).status == 404
    pdf = fetch(linked(r"\.pdf$")[0])
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.body.startswith(b"%PDF-")
    admin = fetch(base + "wp-admin/")
    assert admin.status == 302
    assert "wp-login.php" in admin.headers["Location"]
    assert fetch(base + "wp-login.php").status == 200
    assert fetch(base + "?s=egypt").status == 200


def test_calendar_traps_page_back_forever(server: ReplicaServer) -> None:
    url = server.site.url("/1985/03/", "?cal=prev")
    for _ in range(3):
        page = fetch(url)
        assert page.status == 200
        url = page.sel.css(".wp-calendar-nav-prev a::attr(href)").get("")
        assert url
        assert "?cal=prev" in url
    assert "/1984/12/" in url
    old = fetch(server.base_url + "?m=197001")
    assert old.status == 200
    assert "?m=196912" in old.sel.css(".wp-calendar-nav-prev a::attr(href)").get("")


# Machine-readable files -------------------------------------------------------------------------


def test_robots_sitemaps_and_feed(server: ReplicaServer) -> None:
    site, base = server.site, server.base_url
    robots = fetch(base + "robots.txt").text
    assert "Disallow: /wp-admin/" in robots
    assert "Allow: /wp-admin/admin-ajax.php" in robots
    assert f"Sitemap: {base}wp-sitemap.xml" in robots
    index = fetch(base + "wp-sitemap.xml")
    locs = Selector(text=index.text, type="xml").xpath("//*[local-name()='loc']/text()").getall()
    assert f"{base}wp-sitemap-posts-post-1.xml" in locs
    assert f"{base}wp-sitemap-taxonomies-category-1.xml" in locs
    posts = Selector(text=fetch(locs[0]).text, type="xml")
    urls = posts.xpath("//*[local-name()='loc']/text()").getall()
    lastmods = posts.xpath("//*[local-name()='lastmod']/text()").getall()
    assert urls == [site.url_for(s) for s in site.articles]
    assert lastmods == [s.modified_iso for s in site.articles]
    feed = Selector(text=fetch(base + "feed/").text, type="xml")
    links = feed.xpath("//item/link/text()").getall()
    assert links == [site.url_for(i) for i in site.index.newest[:10]]
    assert len(feed.xpath("//item/pubDate")) == 10


def test_no_sitemap_variant() -> None:
    site = ReplicaSite(ReplicaConfig(n_articles=5, sitemap=False))
    assert "Sitemap:" not in site.render("/robots.txt").body.decode()
    assert site.render("/wp-sitemap.xml").status == 404


# HTTP behaviour ----------------------------------------------------------------------------------


def test_conditional_requests_get_304(server: ReplicaServer) -> None:
    site = server.site
    for url in (site.url_for(site.articles[0]), site.category_url(biggest_category(site))):
        first = fetch(url)
        etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
        assert fetch(url, {"If-None-Match": etag}).status == 304
        assert fetch(url, {"If-Modified-Since": modified}).status == 304
        assert fetch(url, {"If-None-Match": '"stale"'}).status == 200
        assert fetch(url, {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status == 200


def test_gzip_and_head(server: ReplicaServer) -> None:
    plain = fetch(server.base_url)
    packed = fetch(server.base_url, {"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.body) == plain.body
    assert packed.headers["ETag"] == plain.headers["ETag"][:-1] + '-gzip"'
    again = fetch(
        server.base_url, {"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]}
    )
    assert again.status == 304
    assert again.headers["ETag"] == packed.headers["ETag"]
    connection = http.client.HTTPConnection(server.host, server.port, timeout=5)
    connection.request("HEAD", "/")
    response = connection.getresponse()
    assert response.status == 200
    assert response.read() == b""
    assert int(response.getheader("Content-Length") or 0) == len(plain.body)
    connection.close()


def test_request_log_records_requests(small: ReplicaServer) -> None:
    small.reset_log()
    fetch(small.base_url + "robots.txt", {"User-Agent": "replica-test"})
    record = small.requests[0]
    assert (record.method, record.target, record.status) == ("GET", "/robots.txt", 200)
    assert record.headers["User-Agent"] == "replica-test"
    assert small.requests.count("/robots.txt") == 1


def test_server_only_binds_loopback() -> None:
    with pytest.raises(ValueError, match="loopback"):
        ReplicaServer(ReplicaConfig(n_articles=1), host="0.0.0.0")


# Generation and ground truth --------------------------------------------------------------------


def test_generation_is_deterministic() -> None:
    first = ReplicaSite(ReplicaConfig(seed=11, n_articles=15))
    second = ReplicaSite(ReplicaConfig(seed=11, n_articles=15))
    other = ReplicaSite(ReplicaConfig(seed=12, n_articles=15))
    assert first.articles == second.articles
    assert first.expected_records() == second.expected_records()
    path = first.articles[4].path
    assert first.render(path).body == second.render(path).body
    assert [s.title for s in first.articles] != [s.title for s in other.articles]


def test_specs_are_varied_and_plausible(server: ReplicaServer) -> None:
    specs = server.site.articles
    assert {s.language for s in specs} == {"en", "ar"}
    assert any(not s.tags for s in specs)
    assert any(s.brief for s in specs)
    assert any(len(s.authors) == 2 for s in specs)
    assert all(150 <= s.word_count <= 1000 for s in specs)
    assert all(1 <= len(s.categories) <= 3 for s in specs)
    assert all(re.search(r"\+0[23]:00$", s.published_iso) for s in specs)
    kinds = {block.kind for s in specs for block in s.paragraphs}
    assert {"p", "h2", "h3", "ul", "ol", "quote", "table", "figure", "footnotes"} <= kinds
    names = {t.name for t in server.site.catalog.categories.values()}
    assert "Defense & Security" in names
    assert len(server.site.catalog.top_categories("en")) >= 4


def test_expected_records_match_the_markup(server: ReplicaServer) -> None:
    records = server.site.expected_records()
    assert len(records) == len(server.site.articles)
    for record in records[:12]:
        page = fetch(record["url"]).sel
        content = page.css("div.entry-content.rbct")
        content.css(".inline-single-related, .rb-ad, .ruby-table-contents").drop()
        blocks = []
        for node in content.xpath("./*"):
            tag = node.root.tag
            if tag in ("ul", "ol"):
                blocks += [_text(li) for li in node.xpath("./li")]
            elif tag == "blockquote":
                blocks += [_text(p) for p in node.xpath("./p|./cite")]
            elif tag == "figure":
                blocks += [
                    "\t".join(_text(c) for c in row.xpath("./th|./td")) for row in node.css("tr")
                ]
                blocks += [_text(c) for c in node.css("figcaption")]
            else:
                blocks.append(_text(node))
        assert "\n\n".join(blocks) == record["body"]
        assert record["site"] == urlsplit(server.base_url).netloc
        assert record["attachments"] == [
            h for h in content.css("a::attr(href)").getall() if h.endswith(".pdf")
        ]


def _text(node: Selector) -> str:
    return " ".join("".join(node.xpath(".//text()").getall()).split())


# Theme variants ---------------------------------------------------------------------------------


def test_theme_variants() -> None:
    pages = {}
    for theme in ("foxiz-nometa", "redesign", "broken"):
        site = ReplicaSite(ReplicaConfig(n_articles=6, theme=theme))
        spec = site.articles[2]
        pages[theme] = (site, spec, Selector(text=site.render(spec.path).body.decode()))
    site, spec, sel = pages["foxiz-nometa"]
    assert sel.css("h1.s-title::text").get() == spec.title
    assert not sel.css(
        "meta[property^='og:'], meta[property^='article:'], script[type='application/ld+json']"
    )
    site, spec, sel = pages["redesign"]
    assert not sel.css(".s-title, .rbct, .single-header, .p-wrap")
    assert sel.css("article.post h1.entry-title::text").get() == spec.title
    assert sel.css("time.entry-date.published::attr(datetime)").get() == spec.published_iso
    assert sel.css("a[rel='category tag']::text").getall() == list(spec.categories)
    assert sel.css("a[rel=tag]::text").getall() == list(spec.tags)
    assert sel.css("span.author.vcard a::text").getall() == list(spec.authors)
    assert sel.css("meta[property='article:published_time']")
    assert site.expected_record(spec.post_id)["reading_minutes"] is None
    site, spec, sel = pages["broken"]
    assert sel.css("h1::text").get() == spec.title
    assert not sel.css("time, meta[property], script[type='application/ld+json'], [class*=entry-]")
    record = site.expected_record(spec.post_id)
    assert record["published"] is None
    assert record["tags"] == []
    assert record["body"]


# Live changes -----------------------------------------------------------------------------------


def test_mutations_are_visible(small: ReplicaServer) -> None:
    site = small.site
    added = site.add_article(language="en", tags=["Egypt", "Brand New Tag"])
    assert main_pids(fetch(small.base_url))[0] == added.post_id
    assert fetch(site.url_for(added)).status == 200
    assert site.url_for(added) in fetch(small.base_url + "wp-sitemap-posts-post-1.xml").text

    edited = site.articles[0]
    before = fetch(site.url_for(edited))
    changed = site.edit_body(edited.post_id)
    after = fetch(site.url_for(edited))
    assert changed.modified > edited.modified
    assert changed.body_text != edited.body_text
    assert after.headers["ETag"] != before.headers["ETag"]
    assert fetch(site.url_for(edited), {"If-None-Match": before.headers["ETag"]}).status == 200

    tagged = site.retag(site.articles[1].post_id, ["Sudan", "Nile"])
    tags = fetch(site.url_for(tagged)).sel.css(".tag-bar a[rel=tag]::text").getall()
    assert tags == sorted(["Sudan", "Nile"]) == list(tagged.tags)

    gone = site.articles[2]
    site.remove_article(gone.post_id)
    assert fetch(site.url_for(gone)).status == 404
    assert gone.post_id not in site.index.newest
    assert site.url_for(gone) not in fetch(small.base_url + "wp-sitemap-posts-post-1.xml").text
    assert gone.post_id not in [r["post_id"] for r in site.expected_records()]
    site.restore_article(gone.post_id)
    assert fetch(site.url_for(gone)).status == 200


# Faults -----------------------------------------------------------------------------------------


def test_status_fault_with_retry_after_recovers(small: ReplicaServer) -> None:
    url = small.base_url + "robots.txt"
    small.faults["/robots.txt"] = Status(503, retry_after=7, times=2)
    first, second, third = fetch(url), fetch(url), fetch(url)
    assert (first.status, first.headers["Retry-After"]) == (503, "7")
    assert (second.status, third.status) == (503, 200)
    assert [r.fault for r in small.requests][-3:] == ["status", "status", ""]
    small.faults["/feed/"] = Status(429)
    assert fetch(small.base_url + "feed/").status == 429


def test_delay_fault(small: ReplicaServer) -> None:
    small.faults["/about-us/"] = Delay(0.4, times=1)
    started = time.monotonic()
    assert fetch(small.base_url + "about-us/").status == 200
    assert time.monotonic() - started >= 0.4
    with pytest.raises((TimeoutError, socket.timeout, urllib.error.URLError)):  # noqa: PT012
        small.faults["/about-us/"] = Delay(1.0, times=1)
        urllib.request.urlopen(small.base_url + "about-us/", timeout=0.2).read()


def test_reset_and_truncate_faults(small: ReplicaServer) -> None:
    path = urlsplit(small.site.url_for(small.site.articles[0])).path
    small.faults[path] = Reset(after_bytes=100, times=1)
    with pytest.raises((ConnectionError, http.client.HTTPException, urllib.error.URLError)):
        urllib.request.urlopen(small.base_url.rstrip("/") + path, timeout=5).read()
    small.faults[path] = Truncate(keep=0.5, times=1)
    with pytest.raises(http.client.IncompleteRead):
        urllib.request.urlopen(small.base_url.rstrip("/") + path, timeout=5).read()
    assert fetch(small.base_url.rstrip("/") + path).status == 200


def test_redirect_and_custom_body_faults(small: ReplicaServer) -> None:
    small.faults["/loop-a/"] = Redirect("/loop-b/")
    small.faults["/loop-b/"] = Redirect("/loop-a/")
    assert fetch(small.base_url + "loop-a/").headers["Location"] == small.base_url + "loop-b/"
    small.faults["/away/"] = Redirect("https://example.org/elsewhere", status=301)
    away = fetch(small.base_url + "away/")
    assert (away.status, away.headers["Location"]) == (301, "https://example.org/elsewhere")
    small.faults["/empty/"] = empty_200()
    assert fetch(small.base_url + "empty/").body == b""
    small.faults["/binary/"] = binary_html(512)
    binary = fetch(small.base_url + "binary/")
    assert binary.headers["Content-Type"].startswith("text/html")
    assert b"\x00" in binary.body
    small.faults["/custom/"] = Body(b"gone", status=410, headers={"Content-Type": "text/plain"})
    assert fetch(small.base_url + "custom/").status == 410


def test_recode_fault_serves_windows_1256(small: ReplicaServer) -> None:
    spec = next(s for s in small.site.articles if s.language == "ar")
    path = urlsplit(small.site.url_for(spec)).path
    small.faults[path] = recode("cp1256", declared="UTF-8", times=1)
    page = fetch(small.base_url.rstrip("/") + path)
    with pytest.raises(UnicodeDecodeError):
        page.body.decode("utf-8")
    assert spec.title in page.body.decode("cp1256")


def test_oversized_faults(small: ReplicaServer) -> None:
    small.faults["/big/"] = huge_page(megabytes=2)
    assert len(fetch(small.base_url + "big/").body) > 2_000_000
    small.faults["/bomb/"] = gzip_bomb(megabytes=8)
    bomb = fetch(small.base_url + "bomb/", {"Accept-Encoding": "gzip"})
    assert bomb.headers["Content-Encoding"] == "gzip"
    assert len(bomb.body) < 100_000
    assert len(gzip.decompress(bomb.body)) == 8 * 1024 * 1024
    small.faults["/about-us/"] = Delay(0.2, after_headers=True, times=1)
    assert fetch(small.base_url + "about-us/").status == 200


# Static copy, CLI and speed ----------------------------------------------------------------------


def test_write_static_copy(tmp_path: Path) -> None:
    site = ReplicaSite(ReplicaConfig(n_articles=6, arabic_share=0.5, numeric_permalinks=False))
    count = write_static(site, tmp_path)
    assert count > 20
    assert (tmp_path / "index.html").read_bytes() == site.render("/").body
    for spec in site.articles:
        assert (tmp_path / spec.path.strip("/") / "index.html").is_file()
    assert (tmp_path / "robots.txt").is_file()
    assert (tmp_path / "404.html").is_file()
    assert (tmp_path / "feed" / "index.xml").is_file()


def test_cli_write_static(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["--articles", "4", "--write-static", str(tmp_path), "--port", "8099"]) == 0
    assert "listen 127.0.0.1:8099" in capsys.readouterr().out
    assert "http://127.0.0.1:8099/" in (tmp_path / "robots.txt").read_text()


def test_large_site_builds_and_renders() -> None:
    """A 20,000-article replica (the scale benchmarks) builds and serves any page.
    (No timing here: the benchmarks measure speed; tests never assert it.)"""
    site = ReplicaSite(ReplicaConfig(n_articles=20_000))
    assert len(site.articles) == 20_000
    for spec in site.articles[::400]:
        assert site.render(spec.path).status == 200
