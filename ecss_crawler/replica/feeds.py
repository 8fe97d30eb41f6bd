"""Machine-readable files: robots.txt, WordPress core sitemaps, RSS feeds and Foxiz's AJAX JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable
from xml.sax.saxutils import escape

from ecss_crawler.replica.clock import http_date
from ecss_crawler.replica.model import ArticleSpec, Term
from ecss_crawler.replica.templates.cards import list_card
from ecss_crawler.replica.view import View

SITEMAP_PAGE_SIZE = 2000
XSL = '<?xml-stylesheet type="text/xsl" href="{0}wp-sitemap-index.xsl" ?>\n'


def robots_txt(view: View, sitemap: bool) -> str:
    """WordPress core's virtual robots.txt."""
    lines = ["User-agent: *", "Disallow: /wp-admin/", "Allow: /wp-admin/admin-ajax.php", ""]
    if sitemap:
        lines.append(f"Sitemap: {view.url('/wp-sitemap.xml')}")
    return "\n".join(lines) + "\n"


def sitemap_index(view: View, post_pages: int) -> str:
    """``/wp-sitemap.xml``."""
    names = [f"wp-sitemap-posts-post-{n}.xml" for n in range(1, post_pages + 1)] + [
        "wp-sitemap-posts-page-1.xml",
        "wp-sitemap-taxonomies-category-1.xml",
        "wp-sitemap-taxonomies-post_tag-1.xml",
        "wp-sitemap-users-1.xml",
    ]
    entries = "".join(f"<sitemap><loc>{escape(view.home + name)}</loc></sitemap>" for name in names)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + XSL.format(view.home)
        + f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>\n'
    )


def urlset(entries: Iterable[tuple[str, str]]) -> str:
    """A ``<urlset>`` of (URL, lastmod) pairs; an empty lastmod is left out."""
    body = "".join(
        f"<url><loc>{escape(url)}</loc>"
        + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "")
        + "</url>"
        for url, lastmod in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>\n'
    )


def posts_sitemap(view: View, specs: list[ArticleSpec]) -> str:
    """One page of the posts sitemap, with ``lastmod`` = modified."""
    return urlset((view.article_url(spec), spec.modified_iso) for spec in specs)


def terms_sitemap(urls: Iterable[str]) -> str:
    """A taxonomy or users sitemap."""
    return urlset((url, "") for url in urls)


def rss(view: View, title: str, link: str, specs: list[ArticleSpec]) -> str:
    """An RSS 2.0 feed of ``specs`` (newest first)."""
    items = "".join(_rss_item(view, spec) for spec in specs)
    updated = http_date(max(s.modified for s in specs)) if specs else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">\n'
        f"<channel>\n<title>{escape(title)}</title>\n<link>{escape(link)}</link>\n"
        f"<description>Egyptian Center for Strategic Studies</description>\n"
        f"<lastBuildDate>{updated}</lastBuildDate>\n<language>{view.language}</language>\n"
        f"<generator>https://wordpress.org/?v=6.1.9</generator>\n{items}</channel>\n</rss>\n"
    )


def _rss_item(view: View, spec: ArticleSpec) -> str:
    cats = "".join(f"<category><![CDATA[{name}]]></category>" for name in spec.categories)
    return (
        f"<item>\n<title>{escape(spec.title)}</title>\n<link>{escape(view.article_url(spec))}</link>\n"
        f"<dc:creator><![CDATA[{', '.join(spec.authors)}]]></dc:creator>\n"
        f"<pubDate>{http_date(spec.published)}</pubDate>\n{cats}\n"
        f'<guid isPermaLink="false">{escape(view.url("/", f"?p={spec.post_id}"))}</guid>\n'
        f"<description><![CDATA[{spec.summary}]]></description>\n</item>\n"
    )


def ajax_page(view: View, page: int, specs: list[ArticleSpec]) -> str:
    """Foxiz's ``admin-ajax.php?action=rblivep`` answer: the next page's cards as HTML."""
    content = "".join(list_card(view, spec) for spec in specs)
    return json.dumps({"paged": page, "content": content})


def category_urls(view: View, terms: Iterable[Term]) -> list[str]:
    """Archive URLs of categories."""
    return [view.category_url(term) for term in terms]
