"""A think tank on another CMS (Drupal-like markup): no WordPress class, path or endpoint.

Articles live at ``[/ar]/publications/YYYY/slug`` (no trailing slash), sections at
``/topics/slug``, tags at ``/tags/slug``, people at ``/people/slug``; listings page
with ``?page=N`` (counted from 0, as Drupal does) behind a ``nav.pager`` link with
``rel="next"``. What a reader sees of an article's meta is in the JSON-LD
(``NewsArticle`` in an ``@graph``) and Open Graph; the visible byline and term
fields carry no class an extractor knows. Listings say ``CollectionPage``.
"""

from __future__ import annotations

import json
from typing import Any

from ecss_crawler.replica.clock import long_date
from ecss_crawler.replica.model import ArticleSpec
from ecss_crawler.replica.pages import ArticlePage, ListingPage, StaticPage
from ecss_crawler.replica.templates.base import body_html, esc
from ecss_crawler.replica.view import View


def _jsonld(graph: list[dict[str, Any]]) -> str:
    data = {"@context": "https://schema.org", "@graph": graph}
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return f'<script type="application/ld+json">{text}</script>\n'


def _og(pairs: list[tuple[str, str]]) -> str:
    return "".join(
        f'<meta property="{key}" content="{esc(value)}" />\n' for key, value in pairs if value
    )


class CmsTheme:
    """Drupal-like templates: ``node--type-article``, ``field--name-*`` wrappers, regions."""

    def document(
        self, view: View, title: str, head: str, body_class: str, main: str, language: str = ""
    ) -> str:
        """A whole page: header region with the main menu, content region, footer region."""
        lang = language or view.language
        direction = "rtl" if lang == "ar" else "ltr"
        oldest = view.index.specs(view.index.ascending[:1])
        featured = "".join(  # a menu link straight to a publication, as sites feature one
            f'<li class="menu-item"><a href="{esc(view.article_url(spec))}">From the archive'
            "</a></li>"
            for spec in oldest
        )
        menu = "".join(
            f'<li class="menu-item"><a href="{esc(view.category_url(t))}" '
            f'data-drupal-link-system-path="taxonomy/term/{t.term_id}">{esc(t.name)}</a></li>'
            for t in view.catalog.top_categories(view.language)
        )
        return (
            f'<!DOCTYPE html>\n<html lang="{lang}" dir="{direction}">\n<head>\n'
            '<meta charset="utf-8" />\n<meta name="Generator" content="Drupal 10" />\n'
            f"<title>{esc(title)} | {esc(view.site_name)}</title>\n{head}</head>\n"
            f'<body class="{body_class}"><a href="#main-content" class="visually-hidden '
            'focusable skip-link">Skip to main content</a>'
            '<div class="dialog-off-canvas-main-canvas"><div class="layout-container">'
            '<header role="banner"><div class="region region-header">'
            f'<a href="{esc(view.home)}" rel="home" class="site-logo">{esc(view.site_name)}</a>'
            '</div><div class="region region-primary-menu"><nav role="navigation" '
            'id="block-mainnavigation"><ul class="menu">'
            f'{menu}{featured}<li class="menu-item"><a href="{esc(view.url("/about"))}">About</a>'
            "</li>"
            '</ul></nav></div><div class="search-block-form"><form action="'
            f'{esc(view.url("/search"))}" method="get"><input type="search" name="keys" />'
            "</form></div></header>\n"
            f'<main role="main"><a id="main-content" tabindex="-1"></a>'
            f'<div class="layout-content"><div class="region region-content">{main}</div></div>'
            "</main>\n"
            '<footer role="contentinfo"><div class="region region-footer">'
            f"<p>{esc(view.site_name)} is an independent research centre. All publications "
            "are released under the centre's open access policy and may be quoted with "
            "attribution.</p><p>Contact the centre's press office for interviews and "
            "permissions to republish longer excerpts of its work.</p></div></footer>"
            "</div></div></body>\n</html>\n"
        )

    def article(self, view: View, page: ArticlePage) -> str:
        """A full ``node--type-article``."""
        spec = page.spec
        url = view.article_url(spec)
        people = view.authors_of(spec)
        names = [member.name(spec.language) for member in people]
        head = (
            f'<link rel="canonical" href="{esc(url)}" />\n'
            f'<meta name="description" content="{esc(spec.summary)}" />\n'
            + _og(
                [
                    ("og:site_name", view.site_name),
                    ("og:type", "article"),
                    ("og:url", url),
                    ("og:title", spec.title),
                    ("og:description", spec.summary),
                    ("og:image", view.url(spec.featured_path) if spec.featured else ""),
                ]
            )
            + _jsonld([self.article_node(view, spec, url, names)])
        )
        byline = ", ".join(
            f'<a href="{esc(view.author_url(m))}" hreflang="{spec.language}">'
            f"{esc(m.name(spec.language))}</a>"
            for m in people
        )
        topics = self.field(
            "field-topics",
            "Topics" if spec.language == "en" else "المواضيع",
            [(view.category_url(t), t.name) for t in view.categories_of(spec)],
        )
        tags = self.field(
            "field-tags",
            "Tags" if spec.language == "en" else "الوسوم",
            [(view.tag_url(t), t.name) for t in view.tags_of(spec)],
        )
        image = (
            '<div class="field field--name-field-image field--type-image"><img src="'
            f'{esc(view.url(spec.featured_path))}" width="800" height="450" alt="" '
            'loading="lazy" /></div>'
            if spec.featured
            else ""
        )
        main = (
            f'<article role="article" about="{esc(url)}" class="node node--type-article '
            'node--promoted node--view-mode-full">'
            f'<h1 class="page-title"><span class="field field--name-title">{esc(spec.title)}'
            "</span></h1>"
            f'<div class="node__meta"><span class="node__submitted">{byline}</span> · '
            f'<span class="node__date">{long_date(spec.published, spec.language)}</span></div>'
            f'{image}<div class="node__content"><div class="clearfix text-formatted field '
            'field--name-body field--type-text-with-summary field--label-hidden field__item">'
            f"\n{body_html(view, spec)}\n</div>{topics}{tags}</div></article>"
            f"{self.related(view, spec)}"
        )
        body_class = "path-node page-node-type-article" + (
            " lang-ar" if spec.language == "ar" else ""
        )
        return self.document(view, spec.title, head, body_class, main, spec.language)

    @staticmethod
    def article_node(view: View, spec: ArticleSpec, url: str, names: list[str]) -> dict[str, Any]:
        """The ``NewsArticle`` node (``keywords`` only when the article has tags)."""
        node: dict[str, Any] = {
            "@type": "NewsArticle",
            "@id": url + "#article",
            "headline": spec.title,
            "description": spec.summary,
            "name": spec.title,
            "author": [{"@type": "Person", "name": name} for name in names],
            "datePublished": spec.published_iso,
            "dateModified": spec.modified_iso,
            "articleSection": list(spec.categories),
            "inLanguage": spec.language,
            "mainEntityOfPage": url,
            "publisher": {"@type": "Organization", "name": view.site_name, "url": view.home},
        }
        if spec.tags:
            node["keywords"] = list(spec.tags)
        if spec.featured:
            node["image"] = {"@type": "ImageObject", "url": view.url(spec.featured_path)}
        return node

    @staticmethod
    def field(name: str, label: str, links: list[tuple[str, str]]) -> str:
        """A labelled entity-reference field (nothing when empty, as Drupal prints it)."""
        if not links:
            return ""
        items = "".join(
            f'<div class="field__item"><a href="{esc(href)}">{esc(text)}</a></div>'
            for href, text in links
        )
        return (
            f'<div class="field field--name-{name} field--type-entity-reference '
            f'field--label-above"><div class="field__label">{esc(label)}</div>'
            f'<div class="field__items">{items}</div></div>'
        )

    @staticmethod
    def related(view: View, spec: ArticleSpec) -> str:
        """A "Related publications" view block with teasers (paragraphs that are not the body)."""
        teasers = "".join(
            f'<div class="views-row"><h3><a href="{esc(view.article_url(s))}">{esc(s.title)}</a>'
            f"</h3><p>{esc(s.summary)}</p></div>"
            for s in view.related(spec, 3)
        )
        if not teasers:
            return ""
        return (
            '<div class="views-element-container block-views-related"><h2>Related '
            f'publications</h2><div class="view view-related-content">{teasers}</div></div>'
        )

    def listing(self, view: View, page: ListingPage) -> str:
        """A view page of teasers with a pager (``?page=`` from 0)."""
        url = view.url(page.path) + (f"?page={page.page - 1}" if page.page > 1 else "")
        head = (
            f'<link rel="canonical" href="{esc(url)}" />\n'
            + _og([("og:site_name", view.site_name), ("og:type", "website"), ("og:url", url)])
            + _jsonld([{"@type": "CollectionPage", "@id": url, "name": page.heading}])
        )
        rows = "".join(
            '<div class="views-row"><article role="article" class="node node--type-article '
            'node--view-mode-teaser">'
            f'<h2 class="node__title"><a href="{esc(view.article_url(s))}" rel="bookmark">'
            f"<span>{esc(s.title)}</span></a></h2>"
            f'<div class="node__meta">{long_date(s.published, view.language)}</div>'
            f'<div class="field field--name-body"><p>{esc(s.summary)}</p></div></article></div>'
            for s in page.cards
        )
        heading = f'<h1 class="page-title">{esc(page.heading)}</h1>' if page.kind != "home" else ""
        main = (
            f'{heading}<div class="views-element-container"><div class="view view-content-list">'
            f'<div class="view-content">{rows}</div>{self.pager(view, page)}</div></div>'
        )
        kind = "path-frontpage" if page.kind == "home" else "path-taxonomy"
        return self.document(view, page.heading, head, kind, main)

    @staticmethod
    def pager(view: View, page: ListingPage) -> str:
        """Drupal's mini pager: previous and next only."""
        if page.pages <= 1:
            return ""
        base = view.url(page.path)
        items: list[str] = []
        if page.page > 1:
            prev = base + (f"?page={page.page - 2}" if page.page > 2 else "")
            items.append(
                '<li class="pager__item pager__item--previous">'
                f'<a href="{esc(prev)}" title="Go to previous page" rel="prev">‹ Previous</a></li>'
            )
        items.append(f'<li class="pager__item is-active">Page {page.page}</li>')
        if page.page < page.pages:
            items.append(
                '<li class="pager__item pager__item--next">'
                f'<a href="{esc(base)}?page={page.page}" title="Go to next page" rel="next">'
                "Next ›</a></li>"
            )
        return (
            '<nav class="pager" role="navigation" aria-labelledby="pagination-heading">'
            f'<ul class="pager__items js-pager__items">{"".join(items)}</ul></nav>'
        )

    def static_page(self, view: View, page: StaticPage) -> str:
        """A basic page node."""
        url = view.url("/about")
        head = (
            f'<link rel="canonical" href="{esc(url)}" />\n'
            + _og([("og:type", "website"), ("og:url", url)])
            + _jsonld([{"@type": "WebPage", "@id": url, "name": page.title}])
        )
        paras = "".join(f"<p>{esc(text)}</p>" for text in page.paragraphs)
        main = (
            '<article role="article" class="node node--type-page node--view-mode-full">'
            f'<h1 class="page-title">{esc(page.title)}</h1><div class="field field--name-body">'
            f"{paras}</div></article>"
        )
        return self.document(view, page.title, head, "path-node page-node-type-page", main)

    def not_found(self, view: View) -> str:
        """Drupal's 404 page."""
        main = (
            '<h1 class="page-title">Page not found</h1>'
            "<p>The requested page could not be found.</p>"
        )
        return self.document(view, "Page not found", "", "path-system", main)
