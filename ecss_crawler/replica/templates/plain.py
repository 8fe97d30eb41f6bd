"""Themes after a redesign.

``RedesignTheme`` drops every Foxiz class but keeps generic WordPress markup
(``article.post``, ``h1.entry-title``, ``div.entry-content``, ``time.entry-date``,
``rel=tag``, ``rel="category tag"``, ``span.author.vcard``) and an SEO plugin's
meta and JSON-LD ``@graph``. ``BrokenTheme`` keeps none of it: plain ``<h1>``,
a "By" line and the text, no dates, no terms, no meta.
"""

from __future__ import annotations

import re
from typing import Any

from ecss_crawler.replica.clock import long_date
from ecss_crawler.replica.model import ArticleSpec
from ecss_crawler.replica.pages import ArticlePage, ListingPage, StaticPage
from ecss_crawler.replica.templates import chrome
from ecss_crawler.replica.templates.base import (
    body_html,
    core_links,
    esc,
    feed_links,
    html_open,
    jsonld,
    og_meta,
    robots_meta,
    texturize,
)
from ecss_crawler.replica.templates.foxiz import post_classes
from ecss_crawler.replica.view import View

_WP_CLASS = re.compile(r' class="wp-[^"]*"')


def _seo_graph(view: View, spec: ArticleSpec) -> dict[str, Any]:
    url = view.article_url(spec)
    people = [
        {"@type": "Person", "@id": view.author_url(m) + "#person", "name": m.name(spec.language)}
        for m in view.authors_of(spec)
    ]
    article = {
        "@type": "Article",
        "@id": url + "#article",
        "isPartOf": {"@id": url},
        "headline": spec.title,
        "datePublished": spec.published_iso,
        "dateModified": spec.modified_iso,
        "articleSection": list(spec.categories),
        "keywords": list(spec.tags),
        "inLanguage": spec.language,
        "author": [{"@id": p["@id"]} for p in people],
    }
    page = {
        "@type": "WebPage",
        "@id": url,
        "url": url,
        "name": spec.title,
        "description": spec.summary,
        "datePublished": spec.published_iso,
    }
    return {"@context": "https://schema.org", "@graph": [article, page, *people]}


class RedesignTheme:
    """A generic WordPress theme (think Twenty Twenty-One) with an SEO plugin."""

    def document(self, view: View, title: str, head: str, body_class: str, main: str) -> str:
        """A whole page around ``main``."""
        links = "".join(
            f'<li class="menu-item"><a href="{esc(view.category_url(t))}">{esc(t.name)}</a></li>'
            for t in view.catalog.top_categories(view.language)
        )
        latest = "".join(
            f'<li><a href="{esc(view.article_url(s))}">{esc(s.title)}</a></li>'
            for s in view.latest(5)
        )
        return (
            f'{html_open(view.language)}<head>\n<meta charset="UTF-8" />\n'
            f"<title>{esc(title)} &#8211; {texturize(view.site_name)}</title>\n{head}</head>\n"
            f'<body class="{"rtl " if view.rtl else ""}{body_class}">\n<div id="page" class="site">'
            '<a class="skip-link screen-reader-text" href="#content">Skip to content</a>'
            '<header id="masthead" class="site-header"><div class="site-branding"><p '
            'class="site-title">'
            f'<a href="{esc(view.home)}" rel="home">{esc(view.site_name)}</a></p></div>'
            '<nav id="site-navigation" class="primary-navigation"><ul id="primary-menu" '
            'class="menu">'
            f"{links}</ul></nav>{chrome.search_form(view)}</header>\n"
            f'<div id="content" class="site-content"><div id="primary" class="content-area">'
            f'<main id="main" class="site-main">{main}</main></div>'
            '<aside id="secondary" class="widget-area"><section class="widget '
            'widget_recent_entries">'
            f'<h2 class="widget-title">Recent Posts</h2><ul>{latest}</ul></section>'
            f"{chrome.picks_widget(view)}{chrome.calendar_widget(view, None)}</aside></div>\n"
            '<footer id="colophon" class="site-footer"><div class="site-info">'
            f'<a href="{esc(view.url("/about-us/"))}">About Us</a> · © ECSS</div></footer></div>\n'
            "</body>\n</html>\n"
        )

    def article(self, view: View, page: ArticlePage) -> str:
        """A single post in generic WordPress markup."""
        spec = page.spec
        url = view.article_url(spec)
        head = (
            robots_meta(page.noindex)
            + feed_links(view)
            + f'<meta name="description" content="{esc(spec.summary)}" />\n'
            + core_links(view, url, view.url("/", f"?p={spec.post_id}"))
            + og_meta(view, spec)
            + jsonld(_seo_graph(view, spec))
        )
        classes = (
            f"post-template-default single single-post postid-{spec.post_id} single-format-standard"
        )
        return self.document(view, spec.title, head, classes, self.entry(view, spec))

    def entry(self, view: View, spec: ArticleSpec) -> str:
        """``article.post`` with its header, content and footer, then share links and comments."""
        url = view.article_url(spec)
        cats = ", ".join(
            f'<a href="{esc(view.category_url(t))}" rel="category tag">{esc(t.name)}</a>'
            for t in view.categories_of(spec)
        )
        authors = ", ".join(
            f'<span class="author vcard"><a class="url fn n" href="{esc(view.author_url(m))}">'
            f"{esc(m.name(spec.language))}</a></span>"
            for m in view.authors_of(spec)
        )
        tags = ", ".join(
            f'<a href="{esc(view.tag_url(t))}" rel="tag">{esc(t.name)}</a>'
            for t in view.tags_of(spec)
        )
        footer = f'<span class="tags-links">Tagged {tags}</span>' if tags else ""
        replies = "".join(
            f'<li><a class="comment-reply-link" href="{esc(url)}?replytocom={spec.post_id * 10 + n}'
            '#respond">Reply</a></li>'
            for n in range(spec.comments)
        )
        return (
            f'<article id="post-{spec.post_id}" class="{post_classes(view, spec)} hentry">'
            f'<header class="entry-header"><span class="cat-links">{cats}</span>'
            f'<h1 class="entry-title">{esc(spec.title)}</h1><div class="entry-meta">'
            f'<span class="byline">By {authors}</span> <span class="posted-on"><a '
            f'href="{esc(url)}" '
            f'rel="bookmark"><time class="entry-date published" datetime="{spec.published_iso}">'
            f'{long_date(spec.published, view.language)}</time><time class="updated" '
            f'datetime="{spec.modified_iso}">{long_date(spec.modified, view.language)}</time></a>'
            "</span></div></header>\n"
            f'<div class="entry-content">\n{body_html(view, spec)}\n</div>\n'
            f'<footer class="entry-footer">{footer}</footer></article>\n'
            '<div class="sharedaddy sd-sharing-enabled"><h3 class="sd-title">Share this:</h3>'
            f"{chrome.share_links(view, url, spec.title)}</div>"
            f'<div id="comments" class="comments-area"><ol class="comment-list">{replies}</ol>'
            "</div>"
        )

    def listing(self, view: View, page: ListingPage) -> str:
        """A generic archive page with ``the_posts_pagination()``."""
        url = view.url(page.page_path(page.page), page.query)
        head = robots_meta(page.noindex) + feed_links(view) + core_links(view, url)
        items = "".join(
            f'<article id="post-{s.post_id}" class="post-{s.post_id} post type-post hentry">'
            '<header class="entry-header"><h2 class="entry-title"><a '
            f'href="{esc(view.article_url(s))}" '
            f'rel="bookmark">{esc(s.title)}</a></h2><div class="entry-meta"><time '
            'class="entry-date '
            f'published" datetime="{s.published_iso}">{long_date(s.published, view.language)}'
            "</time>"
            f'<time class="updated" datetime="{s.modified_iso}"></time></div></header>'
            f'<div class="entry-summary"><p>{esc(s.summary)}</p></div></article>'
            for s in page.cards
        )
        title = (
            ""
            if page.kind == "home"
            else (
                f'<header class="page-header"><h1 class="page-title">{esc(page.heading)}</h1>'
                "</header>"
            )
        )
        return self.document(
            view, page.heading, head, page.body_class, title + items + self.pagination(view, page)
        )

    @staticmethod
    def pagination(view: View, page: ListingPage) -> str:
        """WordPress core's posts pagination."""
        if page.pages <= 1:
            return ""
        parts = []
        if page.page > 1:
            prev = view.url(page.page_path(page.page - 1), page.query)
            parts.append(f'<a class="prev page-numbers" href="{esc(prev)}">Previous</a>')
        parts.append(f'<span aria-current="page" class="page-numbers current">{page.page}</span>')
        if page.page < page.pages:
            nxt = view.url(page.page_path(page.page + 1), page.query)
            parts.append(f'<a class="next page-numbers" href="{esc(nxt)}">Next</a>')
        return (
            '<nav class="navigation pagination" aria-label="Posts"><h2 class="screen-reader-text">'
            f'Posts navigation</h2><div class="nav-links">{"".join(parts)}</div></nav>'
        )

    def static_page(self, view: View, page: StaticPage) -> str:
        """A WordPress page."""
        url = view.url(page.path)
        head = robots_meta(page.noindex) + core_links(view, url)
        paras = "".join(f"<p>{esc(text)}</p>" for text in page.paragraphs)
        main = (
            f'<article id="post-{page.page_id}" class="page type-page"><header '
            'class="entry-header">'
            f'<h1 class="entry-title">{esc(page.title)}</h1></header>'
            f'<div class="entry-content">{paras}</div></article>'
        )
        classes = page.body_class or f"page-template-default page page-id-{page.page_id}"
        return self.document(view, page.title, head, classes, main)

    def not_found(self, view: View) -> str:
        """Core's 404 markup."""
        main = (
            '<section class="error-404 not-found"><header class="page-header"><h1 '
            'class="page-title">'
            "Nothing here</h1></header></section>"
        )
        return self.document(view, "Page not found", robots_meta(True), "error404", main)


class BrokenTheme:
    """A redesign that no extraction layer knows: no Foxiz or WordPress classes, no meta."""

    @staticmethod
    def document(view: View, title: str, main: str) -> str:
        """A whole page around ``main``."""
        nav = "".join(
            f'<a href="{esc(view.category_url(t))}">{esc(t.name)}</a>'
            for t in view.catalog.top_categories(view.language)
        )
        latest = "".join(
            f'<li><a href="{esc(view.article_url(s))}">{esc(s.title)}</a></li>'
            for s in view.latest(5)
        )
        lang = f' lang="{view.language}"' + (' dir="rtl"' if view.rtl else "")
        return (
            f'<!DOCTYPE html>\n<html{lang}><head><meta charset="utf-8"><title>{esc(title)}</title>'
            '</head>\n<body class="layout-v3"><div class="topbar">'
            f'<a class="brand" href="{esc(view.home)}">ECSS</a><nav class="nav-x">{nav}</nav></div>'
            f'<div class="wrap"><div class="col-main">{main}</div><div class="col-side"><div '
            'class="box">'
            f"<h3>Latest</h3><ul>{latest}</ul></div></div></div>"
            f'<div class="bottom"><a href="{esc(view.url("/about-us/"))}">About</a> © ECSS</div>'
            "</body></html>\n"
        )

    def article(self, view: View, page: ArticlePage) -> str:
        """Title, a "By" line and the text; nothing else is recoverable."""
        spec = page.spec
        names = ", ".join(spec.authors)
        text = _WP_CLASS.sub("", body_html(view, spec))
        main = (
            f'<h1>{esc(spec.title)}</h1><div class="byline">By {esc(names)}</div>'
            f'<div class="story">{text}</div>'
        )
        return self.document(view, spec.title, main)

    def listing(self, view: View, page: ListingPage) -> str:
        """Headlines and an "Older stories" link."""
        cards = "".join(
            f'<div class="story-card"><a class="headline" href="{esc(view.article_url(s))}">'
            f"{esc(s.title)}</a></div>"
            for s in page.cards
        )
        older = ""
        if page.page < page.pages:
            nxt = view.url(page.page_path(page.page + 1), page.query)
            older = f'<div class="pager"><a href="{esc(nxt)}">Older stories</a></div>'
        return self.document(view, page.heading, f'<div class="stories">{cards}</div>{older}')

    def static_page(self, view: View, page: StaticPage) -> str:
        """A plain page."""
        paras = "".join(f"<p>{esc(text)}</p>" for text in page.paragraphs)
        return self.document(view, page.title, f"<h1>{esc(page.title)}</h1>{paras}")

    def not_found(self, view: View) -> str:
        """A plain 404 page."""
        return self.document(view, "Not found", "<h1>Not found</h1>")
