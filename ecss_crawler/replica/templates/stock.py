"""WordPress's stock themes, as a think tank that never bought a theme would run them.

``BlockTheme`` renders what a block theme (Twenty Twenty-Four's templates: ``core/post-title``,
``core/post-date``, ``core/post-author-name``, ``core/post-terms``, ``core/post-content``,
``core/query`` loops) prints, with no SEO plugin: no Open Graph, no JSON-LD, no meta
description, no modified date anywhere, and only the post's own author (core has one
author per post). Its categories are ``core/post-terms`` links with ``rel="tag"``, as
WordPress prints them.

``ClassicTheme`` renders Twenty Twenty's PHP templates (``entry-header``,
``entry-categories``, ``post-meta`` list with ``post-author`` / ``post-date`` /
``post-tags``, ``entry-content``), whose visible date has no ``<time>``, with an SEO
plugin's Open Graph and ``article:*`` tags (so the exact times come from metadata),
and several authors credited by links, as a co-authors plugin prints them.
"""

from __future__ import annotations

from ecss_crawler.replica.clock import long_date
from ecss_crawler.replica.model import ArticleSpec
from ecss_crawler.replica.pages import ArticlePage, ListingPage, StaticPage
from ecss_crawler.replica.templates.base import (
    body_html,
    core_links,
    esc,
    feed_links,
    html_open,
    og_meta,
    robots_meta,
    texturize,
)
from ecss_crawler.replica.templates.foxiz import post_classes
from ecss_crawler.replica.view import View

_SEPARATOR = '<span class="wp-block-post-terms__separator">, </span>'


def _head(view: View, title: str, extra: str) -> str:
    return (
        f'<head>\n<meta charset="UTF-8" />\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1" />\n'
        f"<title>{esc(title)} &#8211; {texturize(view.site_name)}</title>\n{extra}</head>\n"
    )


def _short_date(spec: ArticleSpec, view: View) -> str:
    return long_date(spec.published, view.language)


class BlockTheme:
    """A stock block theme (Twenty Twenty-Four's markup), no SEO plugin."""

    def document(self, view: View, title: str, head: str, body_class: str, main: str) -> str:
        """A whole page: header template part, ``main`` and footer template part."""
        items = "".join(
            '<li class="wp-block-navigation-item wp-block-navigation-link">'
            f'<a class="wp-block-navigation-item__content" href="{esc(view.category_url(t))}">'
            f'<span class="wp-block-navigation-item__label">{esc(t.name)}</span></a></li>'
            for t in view.catalog.top_categories(view.language)
        )
        about = view.url("/about-us/")
        return (
            f"{html_open(view.language)}{_head(view, title, head)}"
            f'<body class="{"rtl " if view.rtl else ""}{body_class} wp-embed-responsive">\n'
            '<div class="wp-site-blocks"><header class="wp-block-template-part">'
            '<div class="wp-block-group alignwide is-layout-flex">'
            f'<p class="wp-block-site-title"><a href="{esc(view.home)}" target="_self" '
            f'rel="home">{esc(view.site_name)}</a></p>'
            '<nav class="is-responsive items-justified-right wp-block-navigation is-layout-flex" '
            'aria-label="Main menu"><ul class="wp-block-navigation__container wp-block-navigation">'
            f'{items}<li class="wp-block-navigation-item wp-block-navigation-link">'
            f'<a class="wp-block-navigation-item__content" href="{esc(about)}">'
            '<span class="wp-block-navigation-item__label">About</span></a></li></ul></nav>'
            "</div></header>\n"
            f"{main}\n"
            '<footer class="wp-block-template-part"><div class="wp-block-group has-global-padding">'
            f'<p class="wp-block-site-tagline">{esc(view.site_name)}</p>'
            '<p class="has-small-font-size">Designed with <a href="https://wordpress.org" '
            'rel="nofollow">WordPress</a></p></div></footer></div>\n</body>\n</html>\n'
        )

    def article(self, view: View, page: ArticlePage) -> str:
        """``single.html``: featured image, title, post meta, content, tags, comments."""
        spec = page.spec
        url = view.article_url(spec)
        head = (
            robots_meta(page.noindex)
            + feed_links(view)
            + core_links(view, url, view.url("/", f"?p={spec.post_id}"))
        )
        featured = (
            '<figure class="wp-block-post-featured-image"><img width="800" height="450" '
            f'src="{esc(view.url(spec.featured_path))}" class="attachment-post-thumbnail '
            'size-post-thumbnail wp-post-image" alt="" decoding="async" /></figure>'
            if spec.featured
            else ""
        )
        member = view.authors_of(spec)[0]
        cats = _SEPARATOR.join(
            f'<a href="{esc(view.category_url(t))}" rel="tag">{esc(t.name)}</a>'
            for t in view.categories_of(spec)
        )
        categories = (
            '<div class="taxonomy-category wp-block-post-terms">'
            f'<span class="wp-block-post-terms__prefix">in </span>{cats}</div>'
            if cats
            else ""
        )
        meta = (
            '<div class="wp-block-group is-layout-flex">'
            f'<div class="wp-block-post-date"><time datetime="{spec.published_iso}">'
            f'<a href="{esc(url)}">{_short_date(spec, view)}</a></time></div>'
            '<p class="has-contrast-2-color has-text-color has-link-color">—</p>'
            '<p class="has-small-font-size">by</p>'
            f'<div class="wp-block-post-author-name"><a href="{esc(view.author_url(member))}" '
            f'target="_self" class="wp-block-post-author-name__link">'
            f"{esc(member.name(spec.language))}</a></div>{categories}</div>"
        )
        tags = _SEPARATOR.join(
            f'<a href="{esc(view.tag_url(t))}" rel="tag">{esc(t.name)}</a>'
            for t in view.tags_of(spec)
        )
        tag_terms = (
            f'<div class="taxonomy-post_tag wp-block-post-terms">{tags}</div>' if tags else ""
        )
        main = (
            '<div class="wp-block-group" style="padding-top:var(--wp--preset--spacing--50)">'
            f'{featured}<div class="wp-block-group"><div class="wp-block-group">'
            f'<h1 class="wp-block-post-title has-x-large-font-size">{esc(spec.title)}</h1></div>'
            f"{meta}</div></div>\n"
            '<main class="wp-block-group alignfull">'
            '<div class="entry-content alignfull wp-block-post-content has-global-padding '
            f'is-layout-constrained">\n{body_html(view, spec)}\n</div></main>\n'
            f'<div class="wp-block-group">{tag_terms}'
            f"{self.comments(view, spec)}{self.more_posts(view, spec)}</div>"
        )
        classes = (
            f"post-template-default single single-post postid-{spec.post_id} single-format-standard"
        )
        return self.document(view, spec.title, head, classes, main)

    @staticmethod
    def comments(view: View, spec: ArticleSpec) -> str:
        """``core/comments`` with its form (dated comments are not the post's date)."""
        items = "".join(
            '<li class="comment"><div class="wp-block-comment-author-name">Reader</div>'
            f'<div class="wp-block-comment-date"><time datetime="{spec.modified_iso}">'
            f"{long_date(spec.modified, view.language)}</time></div>"
            '<div class="wp-block-comment-content"><p>Thank you for this.</p></div></li>'
            for _ in range(spec.comments)
        )
        return (
            '<div class="wp-block-comments"><h2 class="wp-block-heading">Comments</h2>'
            f'<ol class="wp-block-comment-template">{items}</ol>'
            '<div id="respond" class="comment-respond wp-block-post-comments-form">'
            '<h3 id="reply-title" class="comment-reply-title">Leave a Reply</h3></div></div>'
        )

    @staticmethod
    def more_posts(view: View, spec: ArticleSpec) -> str:
        """A ``core/query`` loop of other posts under the article, with their own terms."""
        items = "".join(
            f'<li class="wp-block-post post-{s.post_id} post type-post">'
            f'<h3 class="wp-block-post-title"><a href="{esc(view.article_url(s))}" '
            f'target="_self">{esc(s.title)}</a></h3>'
            f'<div class="wp-block-post-date"><time datetime="{s.published_iso}">'
            f"{long_date(s.published, view.language)}</time></div>"
            '<div class="taxonomy-post_tag wp-block-post-terms">'
            + _SEPARATOR.join(
                f'<a href="{esc(view.tag_url(t))}" rel="tag">{esc(t.name)}</a>'
                for t in view.tags_of(s)
            )
            + "</div></li>"
            for s in view.related(spec, 3)
        )
        if not items:
            return ""
        return (
            '<div class="wp-block-query"><h2 class="wp-block-heading">More posts</h2>'
            f'<ul class="wp-block-post-template">{items}</ul></div>'
        )

    def listing(self, view: View, page: ListingPage) -> str:
        """``index.html`` / ``archive.html``: a query loop and its pagination."""
        url = view.url(page.page_path(page.page), page.query)
        head = robots_meta(page.noindex) + feed_links(view) + core_links(view, url)
        cards = "".join(
            f'<li class="wp-block-post post-{s.post_id} post type-post status-publish '
            f'format-standard hentry">'
            f'<h2 class="wp-block-post-title"><a href="{esc(view.article_url(s))}" '
            f'target="_self">{esc(s.title)}</a></h2>'
            f'<div class="wp-block-post-date"><time datetime="{s.published_iso}">'
            f"{long_date(s.published, view.language)}</time></div>"
            '<div class="wp-block-post-excerpt"><p class="wp-block-post-excerpt__excerpt">'
            f"{esc(s.summary)}</p></div></li>"
            for s in page.cards
        )
        title = (
            ""
            if page.kind == "home"
            else f'<h1 class="wp-block-query-title">{esc(page.heading)}</h1>'
        )
        main = (
            f'<main class="wp-block-group">{title}<div class="wp-block-query">'
            f'<ul class="wp-block-post-template">{cards}</ul>'
            f"{self.pagination(view, page)}</div></main>"
        )
        return self.document(view, page.heading, head, page.body_class, main)

    @staticmethod
    def pagination(view: View, page: ListingPage) -> str:
        """``core/query-pagination``: previous, numbers, next (no next on the last page)."""
        if page.pages <= 1:
            return ""
        parts: list[str] = []
        if page.page > 1:
            prev = view.url(page.page_path(page.page - 1), page.query)
            parts.append(
                f'<a href="{esc(prev)}" class="wp-block-query-pagination-previous">'
                "Previous Page</a>"
            )
        parts.append(
            '<div class="wp-block-query-pagination-numbers">'
            f'<span aria-current="page" class="page-numbers current">{page.page}</span></div>'
        )
        if page.page < page.pages:
            nxt = view.url(page.page_path(page.page + 1), page.query)
            parts.append(
                f'<a href="{esc(nxt)}" class="wp-block-query-pagination-next">Next Page</a>'
            )
        return (
            f'<nav class="wp-block-query-pagination" aria-label="Pagination">{"".join(parts)}</nav>'
        )

    def static_page(self, view: View, page: StaticPage) -> str:
        """``page.html``."""
        head = robots_meta(page.noindex) + core_links(view, view.url(page.path))
        paras = "".join(f"<p>{esc(text)}</p>" for text in page.paragraphs)
        main = (
            f'<main class="wp-block-group"><h1 class="wp-block-post-title">{esc(page.title)}</h1>'
            f'<div class="entry-content wp-block-post-content">{paras}</div></main>'
        )
        classes = page.body_class or f"page-template-default page page-id-{page.page_id}"
        return self.document(view, page.title, head, classes, main)

    def not_found(self, view: View) -> str:
        """``404.html``."""
        main = (
            '<main class="wp-block-group"><h1 class="wp-block-heading">Page Not Found</h1>'
            "<p>The page you are looking for does not exist.</p></main>"
        )
        return self.document(view, "Page not found", robots_meta(True), "error404", main)


class ClassicTheme:
    """Twenty Twenty's PHP templates, with an SEO plugin's meta tags."""

    def document(self, view: View, title: str, head: str, body_class: str, main: str) -> str:
        """A whole page: ``#site-header`` with the primary menu, ``main``, ``#site-footer``."""
        items = "".join(
            f'<li class="menu-item menu-item-type-taxonomy menu-item-object-category">'
            f'<a href="{esc(view.category_url(t))}">{esc(t.name)}</a></li>'
            for t in view.catalog.top_categories(view.language)
        )
        latest = "".join(
            f'<li><a href="{esc(view.article_url(s))}">{esc(s.title)}</a></li>'
            for s in view.latest(5)
        )
        return (
            f"{html_open(view.language)}{_head(view, title, head)}"
            f'<body class="{"rtl " if view.rtl else ""}{body_class} wp-embed-responsive '
            'enable-search-modal show-avatars footer-top-visible">\n'
            '<a class="skip-link screen-reader-text" href="#site-content">Skip to the content</a>'
            '<header id="site-header" class="header-footer-group"><div class="header-inner '
            'section-inner"><div class="header-titles"><div class="site-title faux-heading">'
            f'<a href="{esc(view.home)}">{esc(view.site_name)}</a></div></div>'
            '<div class="header-navigation-wrapper"><nav class="primary-menu-wrapper" '
            f'aria-label="Horizontal"><ul class="primary-menu reset-list-style">{items}'
            f'<li class="menu-item"><a href="{esc(view.url("/about-us/"))}">About Us</a></li>'
            "</ul></nav></div></div></header>\n"
            f'<main id="site-content">{main}</main>\n'
            '<div class="footer-nav-widgets-wrapper header-footer-group"><div '
            'class="footer-widgets-outer-wrapper"><div class="footer-widgets column-one grid-item">'
            '<div class="widget widget_recent_entries"><div class="widget-content">'
            f'<h2 class="widget-title subheading heading-size-3">Recent Posts</h2><ul>{latest}'
            "</ul></div></div></div></div></div>\n"
            '<footer id="site-footer" class="header-footer-group"><div class="section-inner">'
            f'<p class="footer-copyright">&copy; {esc(view.site_name)}</p></div></footer>\n'
            "</body>\n</html>\n"
        )

    def article(self, view: View, page: ArticlePage) -> str:
        """``singular.php`` with ``template-parts/content.php``."""
        spec = page.spec
        url = view.article_url(spec)
        head = (
            robots_meta(page.noindex)
            + f'<meta name="description" content="{esc(spec.summary)}" />\n'
            + core_links(view, url, view.url("/", f"?p={spec.post_id}"))
            + og_meta(view, spec)
            + feed_links(view)
        )
        classes = (
            f"post-template-default single single-post postid-{spec.post_id} "
            "single-format-standard singular has-single-pagination showing-comments"
        )
        return self.document(view, spec.title, head, classes, self.entry(view, spec, url))

    def entry(self, view: View, spec: ArticleSpec, url: str) -> str:
        """``article.post``: entry header, featured media, content, bottom meta, comments."""
        cats = " ".join(
            f'<a href="{esc(view.category_url(t))}" rel="category tag">{esc(t.name)}</a>'
            for t in view.categories_of(spec)
        )
        authors = ", ".join(
            f'<a href="{esc(view.author_url(m))}">{esc(m.name(spec.language))}</a>'
            for m in view.authors_of(spec)
        )
        tags = ", ".join(
            f'<a href="{esc(view.tag_url(t))}" rel="tag">{esc(t.name)}</a>'
            for t in view.tags_of(spec)
        )
        bottom = (
            '<div class="section-inner"><div class="post-meta-wrapper post-meta-single '
            'post-meta-single-bottom"><ul class="post-meta"><li class="post-tags meta-wrapper">'
            '<span class="meta-icon"><span class="screen-reader-text">Tags</span></span>'
            f'<span class="meta-text">{tags}</span></li></ul></div></div>'
            if tags
            else ""
        )
        featured = (
            '<figure class="featured-media"><div class="featured-media-inner section-inner">'
            '<img width="1200" height="675" class="attachment-post-thumbnail '
            f'size-post-thumbnail wp-post-image" src="{esc(view.url(spec.featured_path))}" '
            'alt="" /></div></figure>'
            if spec.featured
            else ""
        )
        return (
            f'<article class="{post_classes(view, spec)} hentry" id="post-{spec.post_id}">'
            '<header class="entry-header has-text-align-center header-footer-group">'
            '<div class="entry-header-inner section-inner medium"><div class="entry-categories">'
            '<span class="screen-reader-text">Categories</span>'
            f'<div class="entry-categories-inner">{cats}</div></div>'
            f'<h1 class="entry-title">{esc(spec.title)}</h1>'
            '<div class="intro-text section-inner max-percentage small">'
            f"<p>{esc(spec.summary)}</p></div>"
            '<div class="post-meta-wrapper post-meta-single post-meta-single-top">'
            '<ul class="post-meta"><li class="post-author meta-wrapper"><span class="meta-icon">'
            '<span class="screen-reader-text">Post author</span></span>'
            f'<span class="meta-text">By {authors}</span></li>'
            '<li class="post-date meta-wrapper"><span class="meta-icon"><span '
            'class="screen-reader-text">Post date</span></span><span class="meta-text">'
            f'<a href="{esc(url)}">{_short_date(spec, view)}</a></span></li></ul></div>'
            f"</div></header>{featured}"
            f'<div class="post-inner thin"><div class="entry-content">\n{body_html(view, spec)}\n'
            f"</div></div>{bottom}"
            '<div class="comments-wrapper section-inner"><div id="respond" '
            'class="comment-respond"><h2 id="reply-title" class="comment-reply-title">'
            "Leave a Reply</h2></div></div></article>"
        )

    def listing(self, view: View, page: ListingPage) -> str:
        """``index.php``: an archive header, posts with their meta, ``the_posts_pagination()``."""
        url = view.url(page.page_path(page.page), page.query)
        head = robots_meta(page.noindex) + feed_links(view) + core_links(view, url)
        posts = '<hr class="post-separator styled-separator is-style-wide section-inner" />'.join(
            f'<article class="post-{s.post_id} post type-post status-publish hentry" '
            f'id="post-{s.post_id}"><header class="entry-header has-text-align-center">'
            '<div class="entry-header-inner section-inner medium">'
            f'<h2 class="entry-title heading-size-1"><a href="{esc(view.article_url(s))}">'
            f"{esc(s.title)}</a></h2>"
            '<div class="post-meta-wrapper post-meta-single post-meta-single-top">'
            '<ul class="post-meta"><li class="post-date meta-wrapper"><span class="meta-text">'
            f'<a href="{esc(view.article_url(s))}">{long_date(s.published, view.language)}</a>'
            "</span></li></ul></div></div></header>"
            f'<div class="post-inner thin"><div class="entry-content"><p>{esc(s.summary)}</p>'
            "</div></div></article>"
            for s in page.cards
        )
        title = (
            ""
            if page.kind == "home"
            else (
                '<header class="archive-header has-text-align-center header-footer-group">'
                '<div class="archive-header-inner section-inner medium">'
                f'<h1 class="archive-title">{esc(page.heading)}</h1></div></header>'
            )
        )
        main = f"{title}{posts}{self.pagination(view, page)}"
        return self.document(view, page.heading, head, page.body_class, main)

    @staticmethod
    def pagination(view: View, page: ListingPage) -> str:
        """``the_posts_pagination()`` with Twenty Twenty's "Newer" / "Older" labels."""
        if page.pages <= 1:
            return ""
        parts: list[str] = []
        if page.page > 1:
            prev = view.url(page.page_path(page.page - 1), page.query)
            parts.append(
                f'<a class="prev page-numbers" href="{esc(prev)}"><span aria-hidden="true">'
                "&larr;</span> Newer Posts</a>"
            )
        parts.append(f'<span aria-current="page" class="page-numbers current">{page.page}</span>')
        if page.page < page.pages:
            nxt = view.url(page.page_path(page.page + 1), page.query)
            parts.append(
                f'<a class="next page-numbers" href="{esc(nxt)}">Older Posts '
                '<span aria-hidden="true">&rarr;</span></a>'
            )
        return (
            '<div class="pagination-wrapper section-inner"><hr class="styled-separator" />'
            '<nav class="navigation pagination" aria-label="Posts"><h2 class="screen-reader-text">'
            f'Posts navigation</h2><div class="nav-links">{"".join(parts)}</div></nav></div>'
        )

    def static_page(self, view: View, page: StaticPage) -> str:
        """A WordPress page."""
        head = robots_meta(page.noindex) + core_links(view, view.url(page.path))
        paras = "".join(f"<p>{esc(text)}</p>" for text in page.paragraphs)
        main = (
            f'<article class="page type-page" id="post-{page.page_id}"><header '
            f'class="entry-header"><h1 class="entry-title">{esc(page.title)}</h1></header>'
            f'<div class="post-inner thin"><div class="entry-content">{paras}</div></div>'
            "</article>"
        )
        classes = page.body_class or f"page-template-default page page-id-{page.page_id}"
        return self.document(view, page.title, head, classes, main)

    def not_found(self, view: View) -> str:
        """``404.php``."""
        main = (
            '<div class="section-inner thin error404-content"><h1 class="entry-title">'
            'Page Not Found</h1><div class="intro-text"><p>The page you were looking for '
            "could not be found.</p></div></div>"
        )
        return self.document(view, "Page not found", robots_meta(True), "error404", main)
