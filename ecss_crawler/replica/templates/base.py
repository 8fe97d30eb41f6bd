"""Markup shared by every theme: escaping, JSON-LD, body blocks and the WordPress ``<head>``."""

from __future__ import annotations

import html
import json
from typing import Any
from urllib.parse import quote

from ecss_crawler.replica.model import ArticleSpec, Block, Run
from ecss_crawler.replica.view import View


def esc(text: str) -> str:
    """HTML-escape text and attribute values."""
    return html.escape(text, quote=True)


def texturize(name: str) -> str:
    """WordPress's en dash for `` - `` in titles, escaped."""
    return esc(name).replace(" - ", " &#8211; ")


def jsonld(data: dict[str, Any]) -> str:
    """One ``application/ld+json`` script, pretty-printed like Foxiz Core prints it."""
    text = json.dumps(data, indent=4, ensure_ascii=True).replace("</", "<\\/")
    return f'<script type="application/ld+json">{text}</script>\n'


def enc(url: str) -> str:
    """Percent-encode a URL for use inside another URL's query."""
    return quote(url, safe="")


def run_html(view: View, run: Run) -> str:
    """One inline run."""
    text = esc(run.text)
    if run.kind == "strong":
        return f"<strong>{text}</strong>"
    if run.kind == "em":
        return f"<em>{text}</em>"
    if run.kind == "a":
        return f'<a href="{esc(view.url(run.href))}">{text}</a>'
    if run.kind == "sup":
        anchor = run.href.lstrip("#")
        return f'<sup><a href="{esc(run.href)}" id="ref-{anchor}">{text}</a></sup>'
    return text


def runs_html(view: View, runs: tuple[Run, ...]) -> str:
    """A run sequence."""
    return "".join(run_html(view, run) for run in runs)


def _table_html(block: Block) -> str:
    head, *rows = block.rows
    cells = "".join(f"<th>{esc(cell)}</th>" for cell in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return (
        f'<figure class="wp-block-table"><table><thead><tr>{cells}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
        f'<figcaption class="wp-element-caption">{esc(block.caption)}</figcaption></figure>'
    )


def block_html(view: View, block: Block, post_id: int) -> str:
    """One body block as Gutenberg would save it."""
    kind = block.kind
    if kind == "p":
        return f"<p>{runs_html(view, block.runs)}</p>"
    if kind in ("h2", "h3"):
        return f'<{kind} class="wp-block-heading">{runs_html(view, block.runs)}</{kind}>'
    if kind in ("ul", "ol"):
        items = "".join(f"<li>{runs_html(view, item)}</li>" for item in block.items)
        return f"<{kind}>{items}</{kind}>"
    if kind == "quote":
        paras = "".join(f"<p>{runs_html(view, item)}</p>" for item in block.items)
        return (
            f'<blockquote class="wp-block-quote">{paras}<cite>{esc(block.cite)}</cite></blockquote>'
        )
    if kind == "table":
        return _table_html(block)
    if kind == "footnotes":
        items = "".join(
            f'<li id="fn-{post_id}-{n}">{runs_html(view, item)}</li>'
            for n, item in enumerate(block.items, 1)
        )
        return f'<ol class="wp-block-footnotes">{items}</ol>'
    return (
        f'<figure class="wp-block-image size-large"><img decoding="async" loading="lazy" '
        f'src="{esc(view.url(block.image))}" alt="" class="wp-image-{post_id + 1}"/>'
        f'<figcaption class="wp-element-caption">{esc(block.caption)}</figcaption></figure>'
    )


def body_html(view: View, spec: ArticleSpec, inserts: dict[int, str] | None = None) -> str:
    """The saved post content; ``inserts`` puts theme extras (ads, inline related) after block n."""
    parts: list[str] = []
    for number, block in enumerate(spec.paragraphs):
        parts.append(block_html(view, block, spec.post_id))
        if inserts and number in inserts:
            parts.append(inserts[number])
    return "\n\n\n\n".join(parts)


def html_open(language: str) -> str:
    """``<html>`` with the language attributes WordPress prints."""
    if language == "ar":
        return '<!DOCTYPE html>\n<html dir="rtl" lang="ar">\n'
    return '<!DOCTYPE html>\n<html lang="en-US">\n'


def robots_meta(noindex: bool) -> str:
    """The core robots meta tag."""
    content = "noindex, follow" if noindex else "max-image-preview:large"
    return f"<meta name='robots' content='{content}' />\n"


def feed_links(view: View) -> str:
    """The RSS ``<link rel=alternate>`` tags."""
    name = esc(view.site_name)
    return (
        f'<link rel="alternate" type="application/rss+xml" title="{name} &raquo; Feed" '
        f'href="{view.url("/feed/")}" />\n'
        f'<link rel="alternate" type="application/rss+xml" title="{name} &raquo; Comments Feed" '
        f'href="{view.url("/comments/feed/")}" />\n'
    )


def core_links(view: View, canonical: str = "", shortlink: str = "") -> str:
    """REST, RSD, generator, canonical and shortlink tags from ``wp_head``."""
    out = [
        f'<link rel="https://api.w.org/" href="{view.url("/wp-json/")}" />\n',
        f'<link rel="EditURI" type="application/rsd+xml" title="RSD" '
        f'href="{view.url("/xmlrpc.php", "?rsd")}" />\n',
        '<meta name="generator" content="WordPress 6.1.9" />\n',
    ]
    if canonical:
        out.append(f'<link rel="canonical" href="{esc(canonical)}" />\n')
    if shortlink:
        out.append(f"<link rel='shortlink' href='{esc(shortlink)}' />\n")
    return "".join(out)


def organization_ld(view: View) -> dict[str, Any]:
    """Foxiz Core's Organization block."""
    return {
        "@context": "http://schema.org",
        "@type": "Organization",
        "legalName": view.site_name,
        "url": view.home,
        "sameAs": [
            "https://www.facebook.com/ECSSEgypt",
            "https://twitter.com/ECSS_Egypt",
            "https://www.instagram.com/ecss_egypt",
            "https://www.youtube.com/c/ECSSEgypt",
        ],
    }


def website_ld(view: View) -> dict[str, Any]:
    """Foxiz Core's WebSite block."""
    return {
        "@context": "http://schema.org",
        "@type": "WebSite",
        "@id": view.home + "#website",
        "url": view.home,
        "name": view.site_name,
        "potentialAction": {
            "@type": "SearchAction",
            "target": view.home + "?s={search_term_string}",
            "query-input": "required name=search_term_string",
        },
    }


def article_ld(view: View, spec: ArticleSpec) -> dict[str, Any]:
    """Foxiz Core's Article block."""
    authors = [
        {"@type": "Person", "name": member.name(spec.language), "url": view.author_url(member)}
        for member in view.authors_of(spec)
    ]
    data: dict[str, Any] = {
        "@context": "http://schema.org",
        "@type": "Article",
        "headline": spec.title,
        "description": spec.summary,
        "mainEntityOfPage": {"@type": "WebPage", "@id": view.article_url(spec)},
        "author": authors[0] if len(authors) == 1 else authors,
        "publisher": {
            "@type": "Organization",
            "name": view.site_name,
            "url": view.home,
            "logo": {"@type": "ImageObject", "url": ""},
        },
        "dateModified": spec.modified_iso,
        "datePublished": spec.published_iso,
        "commentCount": spec.comments,
        "articleSection": list(spec.categories),
    }
    if spec.featured:
        data["image"] = {
            "@type": "ImageObject",
            "url": view.url(spec.featured_path),
            "width": "800",
            "height": "450",
        }
    return data


def og_meta(view: View, spec: ArticleSpec) -> str:
    """Foxiz Core's Open Graph, ``article:*`` and Twitter tags for an article."""
    tags = [
        ("property", "og:title", spec.title),
        ("property", "og:description", spec.summary),
        ("property", "og:url", view.article_url(spec)),
        ("property", "og:site_name", view.site_name),
        ("property", "og:locale", "ar_AR" if spec.language == "ar" else "en_US"),
    ]
    if spec.featured:
        tags.append(("property", "og:image", view.url(spec.featured_path)))
    tags += [
        ("property", "og:type", "article"),
        ("property", "article:published_time", spec.published_iso),
        ("property", "article:modified_time", spec.modified_iso),
        ("name", "author", ", ".join(spec.authors)),
        ("name", "twitter:card", "summary_large_image"),
        ("name", "twitter:creator", "@ECSS_Egypt"),
        ("name", "twitter:label1", "Written by"),
        ("name", "twitter:data1", ", ".join(spec.authors)),
        ("name", "twitter:label2", "Est. reading time"),
        ("name", "twitter:data2", f"{spec.reading_minutes} minutes"),
    ]
    return "".join(
        f'\t\t\t<meta {kind}="{key}" content="{esc(value)}"/>\n' for kind, key, value in tags
    )
