"""The Foxiz theme: single posts, listings, pages and the 404 page, with or without SEO meta."""

from __future__ import annotations

import json

from ecss_crawler.replica.clock import long_date, updated_line
from ecss_crawler.replica.model import ArticleSpec
from ecss_crawler.replica.pages import ArticlePage, ListingPage, StaticPage
from ecss_crawler.replica.templates import chrome
from ecss_crawler.replica.templates.base import (
    article_ld,
    body_html,
    core_links,
    esc,
    feed_links,
    html_open,
    jsonld,
    og_meta,
    organization_ld,
    robots_meta,
    texturize,
    website_ld,
)
from ecss_crawler.replica.templates.cards import avatar, category_badges, grid_card, list_card
from ecss_crawler.replica.view import View

CORE_LINKS_START = '<link rel="https://api.w.org/"'
BODY_FLAGS = (
    "wp-embed-responsive personalized-all menu-ani-1 hover-ani-1 btn-ani-1 is-rm-0 lmeta-dot "
    "loader-1 is-hd-1 is-backtop none-m-backtop"
)


class FoxizTheme:
    """Foxiz 2.5 markup; ``meta=False`` drops Open Graph, ``article:*`` meta and JSON-LD."""

    def __init__(self, meta: bool = True) -> None:
        self.meta = meta

    def document(
        self,
        view: View,
        title: str,
        head: str,
        body_class: str,
        content: str,
        url: str,
        sticky: str = "",
    ) -> str:
        """A whole page around ``content``."""
        rtl = "rtl " if view.rtl else ""
        org = jsonld(organization_ld(view)) if self.meta else ""
        # As in wp_head: robots, feeds, description, Organization, assets, then the core links,
        # canonical, shortlink, WebSite and Article JSON-LD and Open Graph tags.
        top, marker, rest = head.partition(CORE_LINKS_START)
        return (
            f'{html_open(view.language)}<head>\n    <meta charset="UTF-8" />\n'
            '\t<meta name="viewport" content="width=device-width, initial-scale=1.0" />\n'
            f"\t<title>{esc(title)} &#8211; {texturize(view.site_name)}</title>\n{top}"
            f"{org}{chrome.stylesheets(view)}{marker}{rest}</head>\n"
            f'<body class="{rtl}{body_class} {BODY_FLAGS} " data-theme="default">\n'
            f"{chrome.header(view, url, sticky)}"
            f'\t\t    <div class="site-wrap">{content}</div>\n{chrome.footer(view)}</div>\n'
            f"{chrome.popups(view, url)}</body>\n</html>\n"
        )

    # Articles ------------------------------------------------------------------------------

    def article(self, view: View, page: ArticlePage) -> str:
        """A single post with all of its clutter."""
        spec = page.spec
        url = view.article_url(spec)
        head = robots_meta(page.noindex) + feed_links(view)
        if self.meta:
            head += f'<meta name="description" content="{esc(spec.summary)}">\n'
        head += core_links(view, url, view.url("/", f"?p={spec.post_id}"))
        if self.meta:
            head += jsonld(website_ld(view)) + jsonld(article_ld(view, spec)) + og_meta(view, spec)
        classes = (
            f"post-template-default single single-post postid-{spec.post_id} single-format-standard"
        )
        sticky = chrome.sticky_title(view, url, spec.title)
        return self.document(view, spec.title, head, classes, self.single(view, spec), url, sticky)

    def single(self, view: View, spec: ArticleSpec) -> str:
        """``div.single-standard-1``: header, content, sidebar and related posts."""
        related = "".join(grid_card(view, other) for other in view.related(spec))
        return (
            '<div class="single-standard-1 is-sidebar-right"><div class="rb-s-container '
            'edge-padding">'
            f'<article id="post-{spec.post_id}" class="{post_classes(view, spec)}">'
            f'{self.single_header(view, spec)}<div class="grid-container"><div class="s-ct">'
            f"{self.featured(view, spec)}{self.content(view, spec)}"
            f"{author_boxes(view, spec)}{comments(view, spec)}</div>"
            f"{chrome.sidebar(view, 'single-sidebar')}</div></article>"
            '<aside class="sfoter-sec single-related "><div class="block-h heading-layout-1">'
            '<div class="heading-inner"><h3 class="heading-title"><span>Related Posts</span></h3>'
            '</div></div><div id="uuid_r5" class="block-wrap block-small block-grid '
            f'block-grid-small-1 rb-columns rb-col-4"><div class="block-inner">{related}</div>'
            "</div>"
            "</aside></div></div>\n"
        )

    def single_header(self, view: View, spec: ArticleSpec) -> str:
        """``header.single-header``: categories, title, tagline, meta, share bar, reading time."""
        members = view.authors_of(spec)
        first = members[0]
        names = ", ".join(
            f'<a href="{esc(view.author_url(m))}">{esc(m.name(spec.language))}</a>' for m in members
        )
        return (
            '<header class="single-header"><div class="s-cats ecat-bg-1 ecat-size-big">'
            f'{category_badges(view, spec)}</div>\t\t<h1 class="s-title '
            f'fw-headline">{esc(spec.title)}'
            f'</h1>\n<h2 class="s-tagline">{esc(spec.summary)}</h2>\n'
            '<div class="single-meta meta-s-default yes-0"><div class="smeta-in">'
            f'<a class="meta-el meta-avatar" href="{esc(view.author_url(first))}">'
            f'{avatar(first.user_id, 120, first.name(spec.language))}</a><div class="smeta-sec">'
            '<div class="smeta-bottom meta-text"><time class="updated-date" '
            f'datetime="{spec.modified_iso}">{updated_line(spec.modified, view.language)}</time>'
            "</div>"
            '<div class="p-meta"><div class="meta-inner is-meta"><span class="meta-el '
            'meta-author">\n'
            f'\t\t\t\t{names}\n\t\t\t\t</span>\n\t\t<span class="meta-el meta-date">\n'
            f'\t\t\t\t<time class="date published" datetime="{spec.published_iso}">Published '
            f"{long_date(spec.published, view.language)}</time>\n\t\t</span></div></div></div>"
            "</div>"
            '<div class="smeta-extra"><div class="t-shared-sec tooltips-n has-read-meta is-color">'
            '<div class="t-shared-header is-meta"><i class="rbi rbi-share" aria-hidden="true"></i>'
            '<span class="share-label">Share</span></div><div class="effect-fadeout">'
            f"{chrome.share_links(view, view.article_url(spec), spec.title)}</div></div>"
            '<div class="single-right-meta single-time-read is-meta"><span class="meta-el '
            'meta-read">'
            f"{spec.reading_minutes} Min Read</span></div></div></div></header>\n"
        )

    @staticmethod
    def featured(view: View, spec: ArticleSpec) -> str:
        """``.s-feat``: the featured image."""
        if not spec.featured:
            return ""
        src = esc(view.url(spec.featured_path))
        return (
            f'<div class="s-feat-outer"><div class="s-feat"><div class="featured-lightbox-trigger" '
            f'data-source="{src}" data-caption=""><img width="800" height="450" src="{src}" '
            'class="attachment-foxiz_crop_o1 size-foxiz_crop_o1 wp-post-image" alt="" '
            'decoding="async" loading="eager" /></div></div></div>'
        )

    def content(self, view: View, spec: ArticleSpec) -> str:
        """Share rail, optional table of contents, the entry content and the tag bar."""
        url = view.article_url(spec)
        printable = view.url(spec.path, "?print=1")
        return (
            '<div class="s-ct-wrap has-lsl"><div class="s-ct-inner"><div class="l-shared-sec-outer '
            'show-mobile"><div class="l-shared-sec"><div class="l-shared-header meta-text">'
            '<span class="share-label">SHARE</span></div><div class="l-shared-items '
            'effect-fadeout">'
            f"{chrome.share_links(view, url, spec.title, 'w')}</div></div></div>"
            '<div class="e-ct-outer"><div class="entry-content rbct clearfix">\n'
            f"{table_of_contents(spec)}{body_html(view, spec, inserts(view, spec))}\n"
            f"</div>\n{tag_bar(view, spec)}</div></div></div>"
            '<div class="e-shared-sec entry-sec"><div class="e-shared-header h4"><i class="rbi '
            'rbi-share" aria-hidden="true"></i><span>Share This Article</span></div><div '
            'class="rbbsl '
            f'tooltips-n effect-fadeout is-bg">{chrome.share_links(view, url, spec.title)}'
            f'<a class="share-action icon-print-page" href="{esc(printable)}" rel="nofollow">'
            "<span>Printer friendly</span></a></div></div>"
        )

    # Listings ------------------------------------------------------------------------------

    def listing(self, view: View, page: ListingPage) -> str:
        """A listing page with its main block, pagination and sidebar."""
        url = view.url(page.page_path(page.page), page.query)
        head = robots_meta(page.noindex) + feed_links(view)
        if self.meta and page.description:
            head += f'<meta name="description" content="{esc(page.description)}">\n'
        head += core_links(view, "" if page.noindex else url)
        if self.meta:
            head += jsonld(website_ld(view)) + (
                f'\t\t\t<meta property="og:title" content="{esc(page.heading)}"/>\n'
                f'\t\t\t<meta property="og:url" content="{esc(url)}"/>\n'
                f'\t\t\t<meta property="og:site_name" content="{esc(view.site_name)}"/>\n'
            )
        content = (
            f'{archive_header(view, page)}<div class="blog-wrap is-sidebar-right"><div '
            'class="rb-container '
            'edge-padding"><div class="grid-container"><div class="blog-content">'
            f"{main_block(view, page)}</div>"
            f"{chrome.sidebar(view, 'blog-sidebar', page.calendar, page.calendar_style)}"
            "</div></div></div>"
        )
        return self.document(view, page.heading, head, page.body_class, content, url)

    # Pages ---------------------------------------------------------------------------------

    def static_page(self, view: View, page: StaticPage) -> str:
        """A WordPress page (``body.page``)."""
        url = view.url(page.path)
        head = robots_meta(page.noindex) + feed_links(view) + core_links(view, url)
        paras = "".join(f"<p>{esc(text)}</p>\n" for text in page.paragraphs)
        content = (
            '<div class="single-page without-sidebar"><div class="rb-container edge-padding">'
            f'<header class="page-header"><h1 class="s-title">{esc(page.title)}</h1></header>'
            f'<div class="s-ct"><div class="entry-content rbct clearfix">{paras}</div></div></div>'
            "</div>"
        )
        classes = page.body_class or f"page-template-default page page-id-{page.page_id}"
        return self.document(view, page.title, head, classes, content, url)

    def not_found(self, view: View) -> str:
        """Foxiz's 404 page."""
        head = robots_meta(False) + feed_links(view)
        content = (
            '<div class="page404-wrap rb-container edge-padding"><div class="page404-inner">'
            '<h1 class="page-title">Something&#039;s wrong here...</h1><p '
            'class="page404-description">'
            "It looks like nothing was found at this location. The page you were looking for does "
            "not "
            f"exist or was loading incorrectly.</p>{chrome.search_form(view)}"
            f'<div class="page404-btn-wrap"><a href="{esc(view.home)}" class="page404-btn is-btn">'
            "Return to Homepage</a></div></div></div>"
        )
        return self.document(view, "Page not found", head, "error404", content, view.home)


def post_classes(view: View, spec: ArticleSpec) -> str:
    """``post_class()`` for an article."""
    from ecss_crawler.replica.slugs import html_class

    cats = " ".join(
        "category-" + html_class(term.slug, str(term.term_id)) for term in view.categories_of(spec)
    )
    tags = " ".join(
        "tag-" + html_class(term.slug, str(term.term_id)) for term in view.tags_of(spec)
    )
    thumb = " has-post-thumbnail" if spec.featured else ""
    return (
        f"post-{spec.post_id} post type-post status-publish format-standard{thumb} {cats} {tags}"
    ).strip()


def inserts(view: View, spec: ArticleSpec) -> dict[int, str]:
    """Theme extras placed inside the entry content: an inline related post and an ad."""
    extras: dict[int, str] = {}
    related = view.related(spec, 1)
    if related and spec.post_id % 3 == 0 and len(spec.paragraphs) > 4:
        other = related[0]
        extras[2] = (
            '<div class="inline-single-related"><span class="h5">Read Also</span>'
            f'<a class="p-url" href="{esc(view.article_url(other))}">{esc(other.title)}</a></div>'
        )
    if spec.post_id % 4 == 1 and len(spec.paragraphs) > 6:
        extras[5] = (
            '<div class="rb-ad ad-wrap"><span class="ad-description">- Advertisement -</span></div>'
        )
    return extras


def table_of_contents(spec: ArticleSpec) -> str:
    """Foxiz's table of contents for long posts with several headings (every other such post)."""
    headings = [b for b in spec.paragraphs if b.kind in ("h2", "h3")]
    if len(headings) < 3 or spec.post_id % 2:
        return ""
    items = "".join(
        f'<div class="toc-item"><a href="#toc-{n}">{esc(block.runs[0].text)}</a></div>'
        for n, block in enumerate(headings)
    )
    return (
        '<div class="ruby-table-contents rbtoc"><div class="toc-header"><span class="h3">'
        f'Table of Contents</span></div><div class="toc-content">{items}</div></div>'
    )


def tag_bar(view: View, spec: ArticleSpec) -> str:
    """``.efoot-bar.tag-bar`` ("TAGGED:"), absent when the post has no tags."""
    terms = view.tags_of(spec)
    if not terms:
        return ""
    links = "".join(f'<a href="{esc(view.tag_url(t))}" rel="tag">{esc(t.name)}</a>' for t in terms)
    return (
        '\t\t<div class="efoot efoot-commas h5">\t\t<div class="efoot-bar tag-bar">\n\t\t\t'
        '<span class="blabel is-meta"><i class="rbi rbi-tag" aria-hidden="true"></i>TAGGED:</span>'
        f"{links}\t\t</div>\n\t\t</div>"
    )


def author_boxes(view: View, spec: ArticleSpec) -> str:
    """``.usr-holder .ubox`` for each author who has a bio."""
    boxes = []
    for member in view.authors_of(spec):
        if not member.bio:
            continue
        url = esc(view.author_url(member))
        boxes.append(
            '<div class="usr-holder entry-sec"><div class="ubox"><div class="ubox-header">'
            f'<div class="author-info-wrap"><a class="author-avatar" href="{url}">'
            f'{avatar(member.user_id, 120)}</a><div class="is-meta"><div class="nname-info '
            'meta-author">'
            f'<span class="meta-label">By</span><a class="nice-name" href="{url}">'
            f'{esc(member.name(spec.language))}</a></div><span class="author-job"></span></div>'
            "</div>"
            f'</div><div class="ubio description-text rb-text">{esc(member.bio)}</div></div></div>'
        )
    return "".join(boxes)


def comments(view: View, spec: ArticleSpec) -> str:
    """The comment list (with ``?replytocom=`` links) and the comment form."""
    from ecss_crawler.replica.lexicon import COMMENT_TEXTS, COMMENTERS

    url = view.article_url(spec)
    items = []
    for number in range(spec.comments):
        comment_id = spec.post_id * 10 + number
        items.append(
            f'<li id="comment-{comment_id}" class="comment even thread-even depth-1">'
            f'<article id="div-comment-{comment_id}" class="comment-body"><footer '
            'class="comment-meta">'
            f'<b class="fn">{esc(COMMENTERS[comment_id % len(COMMENTERS)])}</b></footer>'
            f'<div class="comment-content"><p>{esc(COMMENT_TEXTS[comment_id % len(COMMENT_TEXTS)])}'
            f'</p></div><div class="reply"><a rel="nofollow" class="comment-reply-link" '
            f'href="{esc(url)}?replytocom={comment_id}#respond">Reply</a></div></article></li>'
        )
    listing = f'<ol class="comment-list">{"".join(items)}</ol>' if items else ""
    return (
        f'<div class="comment-box-wrap entry-sec" id="comments"><div class="comment-box-header">'
        f'<span class="h4">{spec.comments} Comments</span></div>{listing}'
        '<div id="respond" class="comment-respond"><form action="'
        f'{esc(view.url("/wp-comments-post.php"))}" method="post" id="commentform">'
        '<textarea id="comment" name="comment" placeholder="Leave a comment"></textarea>'
        f'<input type="hidden" name="comment_post_ID" value="{spec.post_id}" /></form></div></div>'
    )


def archive_header(view: View, page: ListingPage) -> str:
    """``header.archive-header`` (not on the home page)."""
    if page.kind == "home":
        return ""
    subcats = "".join(
        f'<span class="sub-cat-item h5"><a href="{esc(view.category_url(term))}">'
        f"{esc(term.name)}</a></span>"
        for term in page.subcategories
    )
    if subcats:
        label = '<span class="subcat-heading">Find More:</span>'
        subcats = f'<div class="subcat-wrap">{label}{subcats}</div>'
    description = (
        f'<div class="taxonomy-description rb-text"><p>{esc(page.description)}</p></div>'
        if page.description
        else ""
    )
    return (
        '<header class="archive-header category-header-1 is-pattern pattern-dot"><div '
        'class="rb-container edge-padding"><div class="archive-inner"><div '
        'class="archive-header-content">'
        f'<h1 class="archive-title">{esc(page.heading)}</h1>{description}{subcats}</div></div>'
        "</div>"
        "</header>"
    )


def main_block(view: View, page: ListingPage) -> str:
    """The ``div.block-wrap[id^=uid_]`` main post list and its pagination."""
    cards = "".join(list_card(view, spec) for spec in page.cards)
    if not cards:
        cards = '<p class="empty-notice">Nothing found. Please try another search.</p>'
    heading = "Latest News" if page.kind == "home" else f"Latest {page.heading} News"
    return (
        '<div class="block-h heading-layout-1"><div class="heading-inner"><span '
        'class="heading-title '
        f'h3"><span>{esc(heading)}</span></span></div></div>'
        f'<div id="{page.uid}" class="block-wrap block-big block-list block-list-1 ecat-bg-1 '
        f'is-feat-right meta-s-default"><div class="block-inner">\n{cards}\t</div>'
        f"{pagination(view, page)}</div>"
    )


def pagination(view: View, page: ListingPage) -> str:
    """Numbered pagination, or the "Show More" button with its settings script."""
    if page.pages <= 1:
        return ""
    if page.load_more:
        settings = {
            "uuid": page.uid,
            "category": str(page.ajax_term),
            "name": "list_1",
            "pagination": "load_more",
            "excerpt_length": "12",
            "paged": str(page.page),
            "page_max": str(page.pages),
        }
        return (
            '\t\t<div class="pagination-wrap pagination-loadmore">\n\t\t\t<a href="#" '
            'class="loadmore-trigger"><span>Show More</span><i class="rb-loader" '
            'aria-hidden="true">'
            f"</i></a>\n\t\t</div>\n<script>var {page.uid} = {json.dumps(settings)};</script>"
        )
    return (
        '\t\t<nav class="pagination-wrap pagination-number">\n'
        + page_numbers(view, page)
        + "</nav>"
    )


def page_numbers(view: View, page: ListingPage) -> str:
    """``paginate_links()`` with one page at each end and two around the current one."""
    out: list[str] = []

    def link(number: int, css: str, text: str) -> str:
        href = esc(view.url(page.page_path(number), page.query))
        return f'<a class="{css}" href="{href}">{text}</a>\n'

    if page.page > 1:
        out.append(
            link(page.page - 1, "prev page-numbers", '<i class="rbi-cleft" aria-hidden="true"></i>')
        )
    shown = {1, page.pages, *range(max(1, page.page - 2), min(page.pages, page.page + 2) + 1)}
    previous = 0
    for number in sorted(shown):
        if number - previous > 1:
            out.append('<span class="page-numbers dots">&hellip;</span>\n')
        if number == page.page:
            out.append(f'<span aria-current="page" class="page-numbers current">{number}</span>\n')
        else:
            out.append(link(number, "page-numbers", str(number)))
        previous = number
    if page.page < page.pages:
        out.append(
            link(
                page.page + 1, "next page-numbers", '<i class="rbi-cright" aria-hidden="true"></i>'
            )
        )
    return "".join(out)
