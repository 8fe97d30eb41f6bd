"""Unit tests for the extraction building blocks (dates, URLs, decoding, body, listings)."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest
from parsel import Selector

from ecss_crawler.extract import NotAnArticle, NotHTMLError, extract_article, parse_html
from ecss_crawler.extract.body import build_body
from ecss_crawler.extract.compiled import (
    FurnitureCheck,
    SelectorCache,
    is_furniture,
    required_classes,
    select,
)
from ecss_crawler.extract.dates import iso_from_machine, iso_from_text
from ecss_crawler.extract.decode import decode_html
from ecss_crawler.extract.listing import parse_listing
from ecss_crawler.extract.urls import is_never_follow, listing_page_url, same_site, url_key
from ecss_crawler.sites import generic_profile, profile_for, shipped_registry

CAIRO = "Africa/Cairo"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Published January 11, 2025", "2025-01-11T00:00:00+02:00"),
        ("Last updated: 2025/01/11 at 1:04 PM", "2025-01-11T13:04:00+02:00"),
        ("Published 25 أكتوبر 2024", "2024-10-25T00:00:00+03:00"),
        ("نشر في ٢٥ أكتوبر ٢٠٢٤", "2024-10-25T00:00:00+03:00"),
        ("آخر تحديث: 27 أكتوبر 2024 9:05 صباحًا", "2024-10-27T09:05:00+03:00"),
        ("Last updated: 2024/10/27 at 9:05 ص", "2024-10-27T09:05:00+03:00"),
        ("3 مارس 2024 - 3:10 م", "2024-03-03T15:10:00+02:00"),
        ("25 تشرين الأول 2024", "2024-10-25T00:00:00+03:00"),
        ("11/01/2025", "2025-01-11T00:00:00+02:00"),
        ("no date here", None),
    ],
)
def test_visible_dates(text: str, expected: str | None) -> None:
    assert iso_from_text(text, CAIRO) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-01-11T11:42:00+02:00", "2025-01-11T11:42:00+02:00"),
        ("2025-01-11T09:42:00Z", "2025-01-11T11:42:00+02:00"),
        ("2025-01-11T09:42:00+00:00", "2025-01-11T11:42:00+02:00"),
        ("2024-07-11 11:42:00", "2024-07-11T11:42:00+03:00"),
        ("", None),
        (None, None),
    ],
)
def test_machine_dates(value: str | None, expected: str | None) -> None:
    assert iso_from_machine(value, CAIRO) == expected


def test_url_key_merges_url_forms() -> None:
    forms = [
        "https://en.ecss.com.eg/some-post/",
        "http://en.ecss.com.eg/some-post",
        "https://www.en.ecss.com.eg/some-post/#comments",
        "https://en.ecss.com.eg/some-post/?utm_source=x&utm_medium=y",
        "https://en.ecss.com.eg/some-post/?replytocom=12",
        "https://EN.ecss.com.eg:443/some-post/",
    ]
    assert len({url_key(url) for url in forms}) == 1
    assert url_key("https://ecss.com.eg/%d8%a7/") == url_key("https://ecss.com.eg/%D8%A7")


@pytest.mark.parametrize(
    "url",
    [
        "https://x.org/?s=egypt",
        "https://x.org/feed/",
        "https://x.org/wp-admin/edit.php",
        "https://x.org/wp-login.php",
        "https://x.org/a/?replytocom=3",
        "https://x.org/?m=202401",
        "https://x.org/wp-content/uploads/2024/01/report.pdf",
        "javascript:window.print()",
        "mailto:info@x.org",
        "https://x.org/a/?share=facebook",
        "https://x.org/a/?print=1",
        "https://x.org/a/comment-page-2/",
    ],
)
def test_never_follow(url: str) -> None:
    assert is_never_follow(url)


def test_follow_articles_and_listings() -> None:
    assert not is_never_follow("https://x.org/category/a/page/2/")
    assert not is_never_follow("https://x.org/12345/")


def test_same_site_checks_host_and_port() -> None:
    assert same_site("http://127.0.0.1:8089/a/", "http://127.0.0.1:8089/")
    assert not same_site("http://127.0.0.1:9999/a/", "http://127.0.0.1:8089/")
    assert same_site("https://www.ecss.com.eg/a/", "https://ecss.com.eg/")
    assert not same_site("https://en.ecss.com.eg/a/", "https://ecss.com.eg/")


def test_listing_page_url() -> None:
    assert listing_page_url("https://x.org/category/a/", 3) == "https://x.org/category/a/page/3/"
    assert (
        listing_page_url("https://x.org/category/a/page/3/", 4)
        == "https://x.org/category/a/page/4/"
    )


def test_profiles() -> None:
    registry = shipped_registry()
    assert profile_for("https://en.ecss.com.eg/x/") is registry.get("ecss-en")
    assert profile_for("https://www.ecss.com.eg/x/") is registry.get("ecss-ar")
    generic = profile_for("http://127.0.0.1:8089/")
    assert generic.name == "127.0.0.1:8089"
    assert generic.theme == "auto"
    assert generic.base_url == "http://127.0.0.1:8089/"


def test_decode_windows_1256_declared_as_utf8() -> None:
    html = '<html><head><meta charset="utf-8"></head><body><p>مصر والعالم</p></body></html>'
    assert "مصر والعالم" in decode_html(html.encode("cp1256"))


def test_decode_undeclared_utf8() -> None:
    html = "<html><body><p>مصر</p></body></html>"
    assert "مصر" in decode_html(html.encode("utf-8"))


@pytest.mark.parametrize(
    "body", [b"", b"   ", b"\x00\x01\x02\x03" * 100, b"%PDF-1.4 binary", b"just text"]
)
def test_non_html_is_refused(body: bytes) -> None:
    with pytest.raises(NotHTMLError):
        extract_article(body, "https://en.ecss.com.eg/x/")


def _body(html: str) -> list[str]:
    sel = Selector(text=f"<html><body><div class='entry-content'>{html}</div></body></html>")
    return build_body(sel.css("div.entry-content")[0].root, (), "https://x.org/a/").blocks


def test_body_blocks() -> None:
    html = (
        "<p>One <em>two</em><sup>1</sup> three.</p><h3>Head</h3><ul><li>a<ul><li>b</li></ul></li></ul>"
        "<blockquote><p>Quote.</p><cite>Someone</cite></blockquote>"
        "<figure><table><tr><th>x</th><td> y </td></tr></table><figcaption>Cap</figcaption></figure>"
        "<div style='display: none'>hidden</div><script>var x;</script><p hidden>gone</p>"
        "<div class='sharedaddy'>Share</div><p>\u00a0</p><p>Last</p>"
    )
    assert _body(html) == [
        "One two1 three.",
        "Head",
        "a",
        "b",
        "Quote.",
        "Someone",
        "x\ty",
        "Cap",
        "Last",
    ]


def test_body_html_is_semantic_and_absolute() -> None:
    sel = Selector(
        text="<div class='entry-content'><p class='x' onclick='evil()' style='color:red'>"
        "<a href='/wp-content/uploads/r.pdf' target='_blank'>PDF</a> <b>bold</b></p>"
        "<img data-src='/i.jpg' src='data:image/gif;base64,AAA' alt='A' class='lazy'></div>"
    )
    body = build_body(sel.css("div")[0].root, (), "https://x.org/a/")
    assert body.html == (
        '<p><a href="https://x.org/wp-content/uploads/r.pdf">PDF</a> <strong>bold</strong></p>\n'
        '<img src="https://x.org/i.jpg" alt="A">'
    )
    assert body.attachments == ["https://x.org/wp-content/uploads/r.pdf"]


def test_not_article_kinds() -> None:
    for classes, kind in [
        ("archive category", "category"),
        ("error404", "404"),
        ("home blog", "home"),
        ("page page-id-2", "page"),
        ("search search-results", "search"),
    ]:
        html = f"<html><body class='{classes}'><h1>x</h1><p>text</p></body></html>"
        with pytest.raises(NotAnArticle) as caught:
            extract_article(html, "https://en.ecss.com.eg/x/")
        assert caught.value.kind == kind


def test_listing_ignores_sidebar_cards() -> None:
    html = """<html><body class="archive category"><div id="site-header"><div class="block-wrap" id="uid_m">
      <div class="p-wrap"><h3 class="entry-title"><a class="p-url" href="/menu-post/">m</a></h3></div></div></div>
      <div class="block-wrap" id="uid_c2"><div class="p-wrap" data-pid="7"><h3 class="entry-title">
      <a class="p-url" href="/main-post/">x</a></h3><time datetime="2025-01-02T10:00:00+02:00">d</time></div></div>
      <nav class="pagination-wrap"><a class="next page-numbers" href="/category/a/page/2/"></a></nav>
      <div class="sidebar-wrap"><div class="p-wrap"><h3 class="entry-title"><a class="p-url" href="/side/">s</a></h3>
      </div></div></body></html>"""
    sel = parse_html(html, "https://x.org/category/a/")
    listing = parse_listing(sel, "https://x.org/category/a/", generic_profile("https://x.org/"))
    assert [card.url for card in listing.cards] == ["https://x.org/main-post/"]
    assert listing.cards[0].post_id == 7
    assert listing.cards[0].date == "2025-01-02T10:00:00+02:00"
    assert listing.next_url == "https://x.org/category/a/page/2/"


def test_load_more_listing_is_scripted() -> None:
    html = """<html><body class="archive category"><div class="block-wrap" id="uid_1"><div class="p-wrap">
      <h3 class="entry-title"><a class="p-url" href="/p/">x</a></h3></div></div>
      <div class="pagination-wrap pagination-loadmore"><a href="#" class="loadmore-trigger">Show More</a></div>
      </body></html>"""
    listing = parse_listing(
        parse_html(html, "https://x.org/"),
        "https://x.org/category/a/",
        generic_profile("https://x.org/"),
    )
    assert listing.next_url is None
    assert listing.scripted_pagination
    assert listing.last_page is None


def test_listing_last_page_from_the_pagination_numbers() -> None:
    html = """<html><body class="home blog"><div class="block-wrap" id="uid_1"><div class="p-wrap">
      <h3 class="entry-title"><a class="p-url" href="/p/">x</a></h3></div></div>
      <nav class="pagination-wrap"><span class="page-numbers current">1</span>
      <a class="page-numbers" href="/page/2/">2</a><span class="page-numbers dots">...</span>
      <a class="page-numbers" href="/page/1,200/">1,200</a>
      <a class="next page-numbers" href="/page/2/">Next</a></nav></body></html>"""
    listing = parse_listing(
        parse_html(html, "https://x.org/"), "https://x.org/", generic_profile("https://x.org/")
    )
    assert listing.last_page == 1200
    assert listing.next_url == "https://x.org/page/2/"
    assert not listing.scripted_pagination  # not looked for: there is a next link


def test_extraction_imports_no_scrapy() -> None:
    code = "import sys, ecss_crawler.extract; assert not any(m.startswith('scrapy') for m in sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_furniture_check_agrees_with_is_furniture() -> None:
    """The per-page memo gives the same verdict for every element, in any order."""
    pages = sorted(Path(__file__).parent.glob("fixtures/*/*/input.html"))[:6]
    for path in pages:
        root = parse_html(path.read_bytes(), "https://en.ecss.com.eg/x/").root
        elements = [element for element in root.iter() if isinstance(element.tag, str)]
        random.Random(7).shuffle(elements)
        check = FurnitureCheck()
        assert [check(element) for element in elements] == [
            is_furniture(element) for element in elements
        ]


def test_selector_cache_skips_only_impossible_passes() -> None:
    """After a miss, selectors needing a class the page lacks are not run; results never differ."""
    page = parse_html(
        "<html><body><article><h1 class='t'>T</h1><div class='a b'><p class='x'>1</p></div>"
        "</article><aside class='c'><p class='x'>2</p></aside></body></html>",
        "https://x.org/",
    )
    cache = SelectorCache(page.root)
    for selector in ("div.a.b p", ".missing", ".c .x", "div.nothing", ".x", "p:not(.y)", "a, .x"):
        assert cache.select(page.root, selector) == select(page.root, selector), selector
    assert required_classes(".a b.c > d:not(.e), e") == (frozenset({"a", "c"}), frozenset())


def test_selector_cache_equals_plain_selection_on_fixtures() -> None:
    """Every theme and WordPress selector finds the same elements through the cache."""
    from ecss_crawler.extract import article
    from ecss_crawler.sites import themes_by_name

    FOXIZ_SELECTORS = themes_by_name(shipped_registry())["foxiz"]

    selectors = {
        selector
        for value in vars(FOXIZ_SELECTORS).values()
        if isinstance(value, tuple)
        for selector in value
    }
    selectors |= {
        selector
        for name in dir(article)
        if name.startswith("_WP_")
        for selector in getattr(article, name)
    }
    for path in sorted(Path(__file__).parent.glob("fixtures/*/*/input.html")):
        root = parse_html(path.read_bytes(), "https://en.ecss.com.eg/x/").root
        cache = SelectorCache(root)
        for scope in [root, *root.iter("article")][:3]:
            for selector in sorted(selectors):
                assert cache.select(scope, selector) == select(scope, selector), (path, selector)


def test_wordpress_layer_reads_the_main_article_not_the_sidebar() -> None:
    """A sidebar's dated cards, tag cloud and another post's tag bar never stand in for the
    article's own."""
    page = """<html lang="en"><body class="single postid-5"><main>
      <article id="post-5"><h1 class="entry-title">Nile water</h1>
      <time class="entry-date published" datetime="2025-03-01T10:00:00+02:00">1 March</time>
      <div class="entry-content"><p>Body text of the article.</p></div></article>
      <section class="recent-cards"><div class="card"><time class="updated"
        datetime="2025-04-02T10:00:00+02:00">2 April</time></div>
      <div class="cloud"><a rel="tag" href="/tag/sudan/">Sudan</a></div>
      <div class="efoot-bar tag-bar"><a href="/tag/nile/">Nile</a></div></section>
      </main></body></html>"""
    article = extract_article(page, "https://x.org/nile-water/")
    assert article.published == "2025-03-01T10:00:00+02:00"
    assert article.modified is None
    assert article.tags == []


def test_table_cells_keep_words_apart_and_nested_tables_count_once() -> None:
    assert _body("<table><tr><td>a<br>b</td><td><p>c</p><p>d</p></td></tr></table>") == ["a b\tc d"]
    nested = "<table><tr><td>x<table><tr><td>in1</td><td>in2</td></tr></table></td></tr></table>"
    assert _body(nested) == ["x in1 in2"]


def test_only_link_and_image_urls_are_written() -> None:
    sel = Selector(
        text="<div><h2 href='javascript:x()' src='/y'>T</h2><p cite='/c'>x "
        "<a href='/a' alt='z'>link</a></p></div>"
    )
    body = build_body(sel.css("div")[0].root, (), "https://x.org/a/")
    assert body.html == '<h2>T</h2>\n<p>x <a href="https://x.org/a">link</a></p>'


def test_absurdly_deep_nesting_still_gives_the_body() -> None:
    deep = "<div>" * 1500 + "<p>deep text</p><script>x()</script>" + "</div>" * 1500
    page = (
        "<html><body class='single postid-1'><article id='post-1'><h1 class='entry-title'>T</h1>"
        f"<div class='entry-content'>{deep}<p>{'word ' * 60}</p></div></article></body></html>"
    )
    article = extract_article(page, "https://x.org/a/")
    assert article.body is not None
    assert article.body.startswith("deep text\n\nword word")
    assert "x()" not in article.body


def test_base_href_is_the_first_base_with_an_href() -> None:
    page = (
        "<html><head><base target='_blank'><base href='https://x.org/sub/'></head>"
        "<body class='single postid-1'><article><h1 class='entry-title'>T</h1>"
        "<div class='entry-content'><p><a href='r.pdf'>report</a> text</p></div>"
        "</article></body></html>"
    )
    assert extract_article(page, "https://x.org/a/").attachments == ["https://x.org/sub/r.pdf"]
