"""Generic layers for sites that are not Foxiz: block and classic WordPress themes and other
CMSs. Page objects and listings over small pages, and the replica's three other themes."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from ecss_crawler.extract import NotAnArticle, extract_article, parse_html
from ecss_crawler.extract.compiled import is_furniture
from ecss_crawler.extract.content import main_content
from ecss_crawler.extract.listing import parse_listing, section_links
from ecss_crawler.replica import ReplicaConfig, ReplicaSite
from ecss_crawler.sites import generic_profile

BASE = "https://think.example.org/"
PARAGRAPH = "The committee met twice in the spring and agreed on a common reporting format. " * 3


def _page(body: str, head: str = "", body_class: str = "") -> str:
    return (
        f'<html lang="en"><head><title>T</title>{head}</head>'
        f'<body class="{body_class}">{body}</body></html>'
    )


def test_main_content_is_the_wrapper_with_most_paragraph_text() -> None:
    html = _page(
        "<header><nav><p>Menu text that is not the article at all, though it is long enough "
        "to count if it were counted.</p></nav></header>"
        f'<main><article><h1>Title</h1><p class="standfirst">{PARAGRAPH[:90]}</p>'
        f'<div class="field--name-body"><p>{PARAGRAPH}</p><h2>Part</h2><p>{PARAGRAPH}</p></div>'
        f'<aside class="related"><p>{PARAGRAPH}{PARAGRAPH}{PARAGRAPH}</p></aside></article></main>'
        f"<footer><p>{PARAGRAPH}{PARAGRAPH}{PARAGRAPH}</p></footer>"
    )
    root = parse_html(html, BASE).root
    found = main_content(root, is_furniture)
    assert found is not None
    assert found.get("class") == "field--name-body"


def test_main_content_joins_sections_of_one_body_but_not_a_standfirst() -> None:
    html = _page(
        f'<article><h1>T</h1><div class="intro"><p>{PARAGRAPH[:150]}</p></div>'
        f'<div class="body"><section class="part"><p>{PARAGRAPH}</p></section>'
        f'<section class="part"><p>{PARAGRAPH}</p></section></div></article>'
    )
    found = main_content(parse_html(html, BASE).root, is_furniture)
    assert found is not None
    assert found.get("class") == "body"


def test_main_content_needs_some_text() -> None:
    assert main_content(parse_html(_page("<p>Too short.</p>"), BASE).root, is_furniture) is None


def test_cms_article_body_comes_from_the_main_content_finder() -> None:
    head = (
        '<meta property="og:type" content="article" />'
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "H", '
        '"author": {"@type": "Person", "name": "A. Writer"}, "datePublished": '
        '"2024-05-01T09:00:00+01:00", "articleSection": "Briefs", "keywords": "x, y"}</script>'
    )
    html = _page(
        f'<main><article><h1>H</h1><div class="story"><p>{PARAGRAPH}</p><p>Second.</p></div>'
        "</article></main>",
        head,
        "path-node page",  # another CMS's "page" class: no WordPress template name
    )
    article = extract_article(html, BASE + "news/h")
    assert article.body == f"{PARAGRAPH.strip()}\n\nSecond."
    assert article.sources["body"] == "generic"
    assert (article.authors, article.categories, article.tags) == (
        ["A. Writer"],
        ["Briefs"],
        ["x", "y"],
    )
    assert article.published == "2024-05-01T09:00:00+01:00"


@pytest.mark.parametrize(
    ("jsonld_type", "kind"),
    [("CollectionPage", "archive"), ("SearchResultsPage", "search"), ("ProfilePage", "author")],
)
def test_non_wordpress_listing_kinds_from_jsonld(jsonld_type: str, kind: str) -> None:
    head = f'<script type="application/ld+json">{{"@type": "{jsonld_type}"}}</script>'
    html = _page(f"<main><h1>Topic</h1><p>{PARAGRAPH}</p></main>", head, "path-taxonomy")
    with pytest.raises(NotAnArticle) as error:
        extract_article(html, BASE + "topics/x")
    assert error.value.kind == kind


def test_wordpress_body_classes_still_decide_on_wordpress() -> None:
    html = _page(
        f"<main><h1>About</h1><p>{PARAGRAPH}</p></main>", "", "page-template-default page page-id-2"
    )
    with pytest.raises(NotAnArticle) as error:
        extract_article(html, BASE + "about/")
    assert error.value.kind == "page"


def test_block_theme_listing_cards_ids_dates_and_next() -> None:
    html = _page(
        '<main><div class="wp-block-query"><ul class="wp-block-post-template">'
        '<li class="wp-block-post post-41 post type-post"><h2 class="wp-block-post-title">'
        '<a href="/a/">A</a></h2><div class="wp-block-post-date">'
        '<time datetime="2024-02-03T10:00:00+02:00">Feb 3</time></div></li>'
        '<li class="wp-block-post post-40 post type-post"><h2 class="wp-block-post-title">'
        '<a href="/b/">B</a></h2></li></ul>'
        '<nav class="wp-block-query-pagination"><a href="/page/2/" '
        'class="wp-block-query-pagination-next">Next Page</a></nav></div></main>',
        body_class="home blog",
    )
    listing = parse_listing(parse_html(html, BASE), BASE, generic_profile(BASE))
    assert [(c.url, c.post_id) for c in listing.cards] == [(BASE + "a/", 41), (BASE + "b/", 40)]
    assert listing.cards[0].date == "2024-02-03T10:00:00+02:00"
    assert listing.next_url == BASE + "page/2/"


def test_cms_listing_cards_and_pager() -> None:
    html = _page(
        '<main><div class="view-content"><div class="views-row"><article class="node">'
        '<h2 class="node__title"><a href="/publications/2024/a">A</a></h2></article></div></div>'
        '<nav class="pager"><ul><li class="pager__item pager__item--next">'
        '<a href="?page=1" rel="next">Next</a></li></ul></nav></main>'
    )
    url = BASE + "topics/energy"
    listing = parse_listing(parse_html(html, url), url, generic_profile(url))
    assert [c.url for c in listing.cards] == [BASE + "publications/2024/a"]
    assert listing.next_url == url + "?page=1"


def test_section_links_are_the_menus_links_on_the_site() -> None:
    html = _page(
        '<header><a href="/" rel="home">Home</a><ul class="menu"><li><a href="/topics/a">A</a>'
        '</li></ul></header><nav><a href="/topics/b#top">B</a><a href="https://other.org/x">X</a>'
        '<a href="/topics/a">A again</a></nav><main><a href="/publications/2024/p">P</a></main>'
    )
    assert section_links(parse_html(html, BASE), BASE) == [BASE + "topics/a", BASE + "topics/b"]


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("theme", ["block", "classic", "cms"])
def test_replica_theme_pages_extract_to_the_ground_truth(theme: str, language: str) -> None:
    share = 0.3 if language == "en" else 0.8  # an English site, and an Arabic one
    config = ReplicaConfig(
        seed=3, n_articles=12, arabic_share=share, language=language, per_page=4, theme=theme
    )
    site = ReplicaSite(config, "http://127.0.0.1:9/")
    for record in site.expected_records():
        article = extract_article(site.render(urlsplit(record["url"]).path).body, record["url"])
        got = article.to_dict()
        compared = [name for name in record if name not in ("site", "word_count")]
        assert {k: got[k] for k in compared} == {k: record[k] for k in compared}


def test_block_theme_shows_no_modified_date_and_one_author() -> None:
    site = ReplicaSite(ReplicaConfig(seed=3, n_articles=30, theme="block"), "http://127.0.0.1:9/")
    two = next(spec for spec in site.articles if len(spec.authors) == 2)
    html = site.render(urlsplit(site.url_for(two)).path).body.decode()
    for absent in ("modified", "og:", "ld+json"):
        assert absent not in html
    assert site.expected_record(two.post_id)["authors"] == [two.authors[0]]
    assert site.expected_record(two.post_id)["modified"] is None


def test_cms_replica_has_its_own_url_scheme_and_no_wordpress_endpoints() -> None:
    site = ReplicaSite(ReplicaConfig(seed=3, n_articles=12, theme="cms"), "http://127.0.0.1:9/")
    record = site.expected_records()[0]
    path = urlsplit(record["url"]).path
    assert "/publications/" in path
    assert not path.endswith("/")
    assert site.render(path + "/").status == 301
    assert "Sitemap: http://127.0.0.1:9/sitemap.xml" in site.render("/robots.txt").body.decode()
    assert record["url"].encode() in site.render("/sitemap.xml").body
    for missing in ("/wp-json", "/wp-sitemap.xml", "/category/analysis", "/feed", "/tag/x"):
        assert site.render(missing).status == 404, missing
    topic = site.render("/topics/analysis").body.decode()
    assert 'rel="next" ' in topic.replace('rel="next">', 'rel="next" >')
    assert "?page=1" in topic
    assert site.render("/topics/analysis?page=1").status == 200
    assert site.render("/topics/analysis?page=99").status == 404


def test_cms_static_copy_lists_only_pages_that_exist() -> None:
    site = ReplicaSite(ReplicaConfig(seed=3, n_articles=10, theme="cms"), "http://127.0.0.1:9/")
    paths = list(site.paths())
    assert any("/publications/" in path for path in paths)
    assert all(site.render(path).status == 200 for path in paths)
