"""Foxiz post cards (``.p-wrap[data-pid]``) in their list, grid and small variants."""

from __future__ import annotations

from ecss_crawler.replica.clock import long_date
from ecss_crawler.replica.model import ArticleSpec
from ecss_crawler.replica.templates.base import esc
from ecss_crawler.replica.view import View

AVATAR = "http://1.gravatar.com/avatar/{0:032x}?s={1}&#038;d=mm&#038;r=g"


def avatar(user_id: int, size: int, alt: str = "") -> str:
    """A Gravatar ``<img>`` (an external URL, as on the real site)."""
    src = AVATAR.format(user_id * 7919, size)
    return (
        f"<img alt='{esc(alt)}' src='{src}' class='avatar avatar-{size} photo' "
        f"height='{size}' width='{size}' loading='lazy' decoding='async'/>"
    )


def title_link(view: View, spec: ArticleSpec, tag: str) -> str:
    """``<hN class="entry-title"><a class="p-url">``."""
    return (
        f'<{tag} class="entry-title">\t\t<a class="p-url" href="{esc(view.article_url(spec))}" '
        f'rel="bookmark">{esc(spec.title)}</a></{tag}>'
    )


def updated_time(view: View, spec: ArticleSpec) -> str:
    """The card date: the modified date, as Foxiz shows it."""
    return (
        '<span class="meta-el meta-update">\n\t\t\t\t<time class="updated" '
        f'datetime="{spec.modified_iso}">{long_date(spec.modified, view.language)}</time>\n\t\t'
        "</span>"
    )


def category_badges(view: View, spec: ArticleSpec, extra: str = "") -> str:
    """``.p-categories`` links."""
    links = "".join(
        f'<a class="p-category category-id-{term.term_id}" href="{esc(view.category_url(term))}" '
        f'rel="category">{esc(term.name)}</a>'
        for term in view.categories_of(spec)
    )
    return f'<div class="p-categories{extra}">{links}</div>'


def featured(view: View, spec: ArticleSpec, size: str) -> str:
    """The card's thumbnail, when the post has a featured image."""
    if not spec.featured:
        return ""
    src = view.url(spec.featured_path.replace("-featured.png", f"-featured-{size}.png"))
    width, height = size.split("x")
    return (
        '<div class="feat-holder overlay-text"><div class="p-featured">'
        f'<a class="p-flink" href="{esc(view.article_url(spec))}" title="{esc(spec.title)}">'
        f'<img width="{width}" height="{height}" src="{esc(src)}" class="featured-img '
        'wp-post-image" '
        'alt="" decoding="async" loading="lazy" /></a></div>'
        f"{category_badges(view, spec, ' p-top')}</div>"
    )


def excerpt(spec: ArticleSpec, words: int = 12) -> str:
    """The card excerpt: the summary cut to ``words`` words."""
    parts = spec.summary.split()
    text = " ".join(parts[:words])
    return esc(text) + ("&hellip;" if len(parts) > words else "")


def author_meta(view: View, spec: ArticleSpec) -> str:
    """Avatar and author links."""
    members = view.authors_of(spec)
    links = ", ".join(
        f'<a href="{esc(view.author_url(m))}">{esc(m.name(spec.language))}</a>' for m in members
    )
    first = members[0]
    return (
        f'<a class="meta-el meta-avatar" href="{esc(view.author_url(first))}">'
        f"{avatar(first.user_id, 44, first.name(spec.language))}</a>\n"
        f'\t\t<span class="meta-el meta-author">\n\t\t\t\t{links}\n\t\t\t\t</span>\n'
    )


def list_card(view: View, spec: ArticleSpec) -> str:
    """A main-listing card (``p-list-1``)."""
    return (
        f'\t\t<div class="p-wrap p-list p-list-1" data-pid="{spec.post_id}">\n'
        '\t\t\t<div class="list-holder">\n\t\t\t<div class="list-feat-holder">'
        f"{featured(view, spec, '330x220')}</div>\n"
        f'\t\t\t<div class="p-content">\n\t\t\t\t{title_link(view, spec, "h3")}'
        f'<p class="entry-summary">{excerpt(spec)}</p>\n'
        '\t\t\t\t\t\t<div class="p-meta">\n\t\t\t\t<div class="meta-inner is-meta">\n'
        f"\t\t\t\t\t\t\t{author_meta(view, spec)}\t\t{updated_time(view, spec)}\n"
        "\t\t\t\t\t\t</div>\n\t\t\t\t\t\t\t</div>\n\t\t\t\t\t</div>\n\t\t</div>\n\t\t\t\t</div>\n"
    )


def grid_card(view: View, spec: ArticleSpec, tag: str = "h4") -> str:
    """A small grid card (related posts, mega menus)."""
    return (
        f'\t\t<div class="p-wrap p-grid p-grid-small-1" data-pid="{spec.post_id}">\n'
        f'{featured(view, spec, "330x220")}\n\t\t\t<div class="p-content">\n'
        f'\t\t\t{title_link(view, spec, tag)}\t\t\t<div class="p-meta">\n'
        f'\t\t\t\t<div class="meta-inner is-meta">\n\t\t\t\t\t{updated_time(view, spec)}\n'
        "\t\t\t\t\t\t</div>\n\t\t\t\t\t\t\t</div>\n\t\t\t\t</div>\n\t\t\t\t</div>\n"
    )


def small_card(view: View, spec: ArticleSpec) -> str:
    """A sidebar card with category links (``p-list-small-2``)."""
    cats = "\n".join(
        f'\t\t\t\t\t\t\t\t<a class="meta-separate category-{term.term_id}" '
        f'href="{esc(view.category_url(term))}">{esc(term.name)}</a>'
        for term in view.categories_of(spec)
    )
    return (
        f'\t\t\t<div class="p-wrap p-small p-list-small-2" data-pid="{spec.post_id}">\n'
        f'\t\t\t<div class="p-content">\n\t\t\t{title_link(view, spec, "h5")}'
        '\t\t\t<div class="p-meta">\n\t\t\t\t<div class="meta-inner is-meta">\n'
        f'\t\t\t\t\t\t\t<span class="meta-el meta-category meta-bold">\n{cats}\n'
        "\t\t\t\t\t\t\t\t</span>\n\t\t\t\t\t\t</div>\n\t\t\t\t\t\t\t</div>\n\t\t\t\t</div>\n\t\t\t\t</div>\n"
    )
