"""The article page object: one small method per field, each trying the layers in order.

Layers, in order (the name is recorded in ``Article.sources``):

1. the site profile's theme selectors (``foxiz``);
2. generic WordPress markup (``wordpress``);
3. metadata: JSON-LD, Open Graph, ``article:*`` and ``meta[name=author]`` (``metadata``);
4. generic main-content finding (``generic``), for the body only: the element whose
   paragraphs hold the most text (:mod:`~ecss_crawler.extract.content`), else trafilatura.

Dates are special: every machine-readable source (``time[datetime]`` in layers
1-2, then metadata) is tried before any visible date text.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cached_property
from typing import Any, TypeVar
from urllib.parse import parse_qs, urljoin, urlsplit

from lxml.html import HtmlElement
from parsel import Selector

from ecss_crawler.extract.body import Body, absolute_url, body_from_text, build_body
from ecss_crawler.extract.compiled import FurnitureCheck, SelectorCache, select
from ecss_crawler.extract.content import main_content
from ecss_crawler.extract.dates import iso_from_machine, iso_from_text
from ecss_crawler.extract.metadata import Metadata, node_types
from ecss_crawler.extract.text import arabic_share, first_int, normalize_space
from ecss_crawler.sites import SiteProfile

T = TypeVar("T")
Found = tuple[T | None, str | None]

WORDPRESS = "wordpress"
METADATA = "metadata"
GENERIC = "generic"
URL_LAYER = "url"


_WP_TITLE = ("h1.entry-title", ".wp-block-post-title", "h1.post-title", "article h1", "main h1")
_WP_AUTHORS = (
    ".wp-block-post-author-name a",
    ".wp-block-post-author-name",
    ".wp-block-post-author__name",
    ".byline .author a",
    ".post-author .meta-text a",
    "span.author.vcard a",
    ".author.vcard .fn",
    ".entry-meta .author a",
    ".posted-by a",
    "a[rel~='author']",
)
_WP_PUBLISHED = (
    "time.entry-date.published",
    "time.published",
    "time[itemprop='datePublished']",
    ".wp-block-post-date:not(.wp-block-post-date__modified-date) time",
    ".posted-on time",
    "time.entry-date",
    ".post-date .meta-text",
)
_WP_MODIFIED = (
    "time.updated",
    "time[itemprop='dateModified']",
    ".wp-block-post-date__modified-date time",
    ".wp-block-post-date.is-modified time",
)
_WP_CATEGORIES = (
    ".wp-block-post-terms.taxonomy-category a",
    ".entry-categories a",
    ".cat-links a",
    ".post-categories a",
    "a[rel~='category']",
)
_WP_TAGS = (
    ".wp-block-post-terms.taxonomy-post_tag a",
    ".tags-links a",
    ".post-tags a",
    ".tag-links a",
    "a[rel='tag']",
)
#: Containers of a post's categories. Block themes print categories through
#: ``core/post-terms``, whose links carry ``rel="tag"`` like real tags do, so a
#: ``rel="tag"`` link inside one of these is a category, never a tag.
_CATEGORY_CONTAINER = re.compile(
    r"(?:^|\s)(?:taxonomy-category|cat-links|entry-categories(?:-inner)?|post-categories)(?=\s|$)"
)
#: Block-theme loops of other posts (``core/query``): "More posts" under an article.
_OTHER_POSTS = re.compile(r"(?:^|\s)wp-block-(?:query|post-template)(?=\s|$)")
_WP_BODY = (
    "div.entry-content",
    ".wp-block-post-content",
    "[itemprop='articleBody']",
    ".post-content",
    ".article-content",
    ".single-content",
    ".entry-body",
    ".post-body",
)
_WP_READING_TIME = (".rt-reading-time .rt-time", ".span-reading-time", ".reading-time")
_WP_FEATURED = (
    ".wp-block-post-featured-image img",
    ".post-thumbnail img",
    "img.wp-post-image",
)
_TITLE_SEPARATORS = (" - ", " – ", " — ", " | ", " :: ", " » ", " · ")
_BYLINE_PREFIX = re.compile(r"^(?:by|written by|بقلم|كتب|بواسطة|إعداد|اعداد)\s*[:：]?\s*", re.I)
_AUTHOR_SPLIT = re.compile(r"\s*(?:,|،|&|\band\b|\s+و\s+)\s*")
_READING_PREFIX = re.compile(r"^(?:reading\s*:|قراءة\s*:)\s*", re.I)
_POST_ID_CLASS = re.compile(r"\bpostid-(\d+)\b")
#: Body text the script detection reads (after the title): plenty for a clear majority.
LANGUAGE_SAMPLE_CHARS = 600


class ArticlePage:
    """Extraction over one parsed article page. Every field method returns (value, layer)."""

    def __init__(self, sel: Selector, url: str, profile: SiteProfile) -> None:
        self.sel = sel
        self.page_url = url
        self.profile = profile
        self.theme = profile.selectors
        self.meta = Metadata(sel)
        self.root: HtmlElement = sel.root
        self.selectors = SelectorCache(self.root)
        self.is_furniture = FurnitureCheck()

    # -- helpers ---------------------------------------------------------------------------

    def _xpath_first(self, query: str) -> str | None:
        found = self.root.xpath(query)
        return str(found[0]) if found else None

    @cached_property
    def head_links(self) -> dict[str, str]:
        """``<link rel=... href=...>`` of the document head, first per ``rel``."""
        links: dict[str, str] = {}
        head = self.root.find("head")
        for link in head.iterfind("link") if head is not None else ():
            rel, href = (link.get("rel") or "").lower().strip(), link.get("href")
            if rel and href and rel not in links:
                links[rel] = href
        return links

    @cached_property
    def scope(self) -> HtmlElement:
        """The main ``<article>`` (the one holding the headline), else the whole page.

        Theme selectors look here first: it is a fraction of the page, and it
        leaves out menus, popups, the footer and related posts.
        """
        for article in self.root.iter("article"):
            if next(article.iter("h1"), None) is not None:
                return article
        return self.root

    def _theme_elements(
        self, selectors: Sequence[str], *, article_only: bool = False
    ) -> list[HtmlElement]:
        """Elements of the first theme selector that matches (in the article, then the page).

        The page is not searched again with a selector whose leading part (such as
        ``header.single-header``) was found in the article: the article's own header
        does not have that element, and another header on the page is not the article's.
        ``article_only`` fields are never looked for outside the main article.
        """
        found = self.selectors.first_match(self.scope, selectors)
        if not found and self.scope is not self.root and not article_only:
            remaining = [s for s in selectors if not self.selectors.head_found(self.scope, s)]
            found = self.selectors.first_match(self.root, remaining)
        return found

    def _layers(
        self,
        theme_css: Sequence[str],
        wp_css: Sequence[str],
        *,
        article_only: bool = False,
        reject: Callable[[HtmlElement], bool] | None = None,
    ) -> Iterator[tuple[list[HtmlElement], str]]:
        """Lazily yield the theme layer's elements, then (only if asked) the WordPress layer's."""
        yield self._theme_elements(theme_css, article_only=article_only), self.theme.name
        yield self._wp_elements(wp_css, reject), WORDPRESS

    def _wp_elements(
        self, selectors: Sequence[str], reject: Callable[[HtmlElement], bool] | None = None
    ) -> list[HtmlElement]:
        """Elements of the first generic selector that matches outside page furniture.

        Only the main article is searched when there is one: WordPress prints a post's
        own meta inside its ``<article>``, and what matches outside it on such a page
        (the sidebar's dated cards, a tag cloud) is never this article's. Without one
        (block themes), a query loop of other posts is never this article's either.
        ``reject`` drops further elements (category links when looking for tags).
        """
        for selector in selectors:
            found = [
                node
                for node in self.selectors.select(self.scope, selector)
                if not self.is_furniture(node)
                and not (self.scope is self.root and _inside(node, _OTHER_POSTS))
                and not (reject and reject(node))
            ]
            if found:
                return found
        return []

    @cached_property
    def site_names(self) -> list[str]:
        """Names of the site/publisher, used to strip title suffixes and non-person authors."""
        names = [*self.profile.site_names, *self.meta.site_names]
        return sorted(
            {normalize_space(html_lib.unescape(n)) for n in names if n}, key=len, reverse=True
        )

    @cached_property
    def link_base(self) -> str:
        """Base for relative links: ``<base href>`` when it stays on the page's site."""
        base: str | None = next(
            (href for node in self.root.iter("base") if (href := node.get("href"))), None
        )
        if base:
            resolved = urljoin(self.page_url, base.strip())
            if _same_site(resolved, self.page_url):
                return resolved
        return self.page_url

    # -- fields ----------------------------------------------------------------------------

    def url(self) -> Found[str]:
        """Canonical URL when it is on the same site, else the URL we fetched."""
        sources: Iterable[tuple[Callable[[], str | None], str]] = (
            (lambda: self.head_links.get("canonical"), WORDPRESS),
            (lambda: self.meta.first("og:url"), METADATA),
        )
        for source, layer in sources:
            href = source()
            if href:
                resolved = urljoin(self.page_url, href.strip())
                if _same_site(resolved, self.page_url):
                    return resolved, layer
        return self.page_url.split("#", 1)[0], URL_LAYER

    def post_id(self, canonical: str) -> Found[int]:
        """The WordPress post id."""
        for node in self._theme_elements(self.theme.post_id):
            match = re.fullmatch(r"post-(\d+)", node.get("id", ""))
            if match and (node is self.scope or node.xpath(".//h1")):
                return int(match.group(1)), self.theme.name
        wordpress = self._wordpress_post_id()
        if wordpress is not None:
            return wordpress, WORDPRESS
        numeric = re.fullmatch(r"/(\d+)/?", urlsplit(canonical).path)
        if numeric:
            return int(numeric.group(1)), URL_LAYER
        return None, None

    def _wordpress_post_id(self) -> int | None:
        body = self.root.find("body")
        match = _POST_ID_CLASS.search(body.get("class", "") if body is not None else "")
        if match:
            return int(match.group(1))
        shortlink = self.head_links.get("shortlink", "")
        values = parse_qs(urlsplit(shortlink).query).get("p")
        if values and values[0].isdigit():
            return int(values[0])
        api = self._xpath_first("//link[@rel='alternate'][contains(@href,'/wp/v2/posts/')]/@href")
        found = re.search(r"/wp/v2/posts/(\d+)", api or "")
        if found:
            return int(found.group(1))
        comment = self._xpath_first("//input[@name='comment_post_ID']/@value")
        return int(comment) if comment and comment.isdigit() else None

    def title(self) -> Found[str]:
        """The headline, without the site-name suffix or the sticky "Reading:" copy."""
        for elements, layer in self._layers(self.theme.title, _WP_TITLE):
            text = self._clean_title(_text(elements[0]) if elements else "")
            if text:
                return text, layer
        for candidate in (
            self.meta.first("og:title"),
            _as_str(self.meta.article_value("headline")),
            self.meta.first("twitter:title"),
            normalize_space(self._xpath_first("//title/text()")),
        ):
            text = self._clean_title(candidate or "")
            if text:
                return text, METADATA
        return None, None

    def _clean_title(self, text: str) -> str:
        text = _READING_PREFIX.sub("", normalize_space(html_lib.unescape(text)))
        if not any(separator in text for separator in _TITLE_SEPARATORS):
            return text
        for name in self.site_names:
            for separator in _TITLE_SEPARATORS:
                suffix = separator + name
                if text.endswith(suffix) and len(text) > len(suffix):
                    return text[: -len(suffix)].strip()
        return text

    def authors(self) -> Found[list[str]]:
        """Display names of the credited authors."""
        for elements, layer in self._layers(self.theme.authors, _WP_AUTHORS):
            names = self._drop_site_names(self._names_from(elements))
            if names:
                return names, layer
        names = self._drop_site_names(self._metadata_authors())
        return (names, METADATA) if names else ([], None)

    def _names_from(self, elements: Iterable[HtmlElement]) -> list[str]:
        names: list[str] = []
        for element in elements:
            links = [element] if element.tag == "a" else select(element, "a")
            if links:
                texts = [_text(link) for link in links]
            else:
                label = " ".join(_text(node) for node in select(element, ".meta-label"))
                texts = _AUTHOR_SPLIT.split(_text(element).replace(label, "", 1))
            names.extend(_BYLINE_PREFIX.sub("", t).strip() for t in texts)
        return _unique(name for name in names if name and name.lower() != "by")

    def _metadata_authors(self) -> list[str]:
        raw = self.meta.resolve(self.meta.article_value("author"))
        people: list[str] = []
        organisations: list[str] = []
        for node in raw if isinstance(raw, list) else [raw]:
            node = self.meta.resolve(node)
            if isinstance(node, str):
                people.append(normalize_space(node))
            elif isinstance(node, dict) and isinstance(node.get("name"), str):
                bucket = organisations if "Organization" in node_types(node) else people
                bucket.append(normalize_space(node["name"]))
        if not people:
            meta_author = self.meta.first("author", "article:author", "parsely-author")
            if meta_author and not meta_author.startswith("http"):
                people.append(meta_author)
        return _unique(people or organisations)

    def _drop_site_names(self, names: list[str]) -> list[str]:
        """Remove the site/organisation name when a person is also credited."""
        if len(names) < 2:
            return names
        site = {name.lower() for name in self.site_names}
        people = [name for name in names if name.lower() not in site]
        return people or names

    def published(self) -> Found[str]:
        """Publication time, ISO 8601 with offset."""
        return self._date(
            self.theme.published,
            _WP_PUBLISHED,
            ("article:published_time", "og:published_time", "datepublished"),
            "datePublished",
        )

    def modified(self) -> Found[str]:
        """Last modification time, ISO 8601 with offset (None when the page shows none)."""
        return self._date(
            self.theme.modified,
            _WP_MODIFIED,
            ("article:modified_time", "og:updated_time", "datemodified"),
            "dateModified",
        )

    def _date(
        self, theme_css: Sequence[str], wp_css: Sequence[str], meta_keys: Sequence[str], ld_key: str
    ) -> Found[str]:
        tz = self.profile.timezone
        layers: list[tuple[list[HtmlElement], str]] = []
        for nodes, layer in self._layers(theme_css, wp_css):
            layers.append((nodes, layer))
            for node in nodes:
                value = iso_from_machine(node.get("datetime") or node.get("content"), tz)
                if value:
                    return value, layer
        for candidate in (self.meta.first(*meta_keys), self.meta.article_or_page_value(ld_key)):
            value = iso_from_machine(candidate, tz)
            if value:
                return value, METADATA
        for nodes, layer in layers:
            for node in nodes:
                value = iso_from_text(_text(node), tz)
                if value:
                    return value, layer
        return None, None

    def categories(self) -> Found[list[str]]:
        """The article's categories, in page order."""
        for elements, layer in self._layers(self.theme.categories, _WP_CATEGORIES):
            names = _unique(_text(element) for element in elements)
            if names:
                return names, layer
        section = self.meta.all("article:section") or _as_list(
            self.meta.article_value("articleSection")
        )
        names = _unique(section)
        return (names, METADATA) if names else ([], None)

    def tags(self) -> Found[list[str]]:
        """The article's tags (``[]`` when it has none).

        Only the main article's tag bar counts when there is a main article: WordPress
        prints a post's tags at its end, and tag links elsewhere (a tag cloud, the next
        post's teaser) are never this article's.
        """
        for elements, layer in self._layers(
            self.theme.tags, _WP_TAGS, article_only=True, reject=_is_category_link
        ):
            names = _unique(_text(element) for element in elements)
            if names:
                return names, layer
        keywords = self.meta.all("article:tag") or _as_list(self.meta.article_value("keywords"))
        names = _unique(keywords)
        return (names, METADATA) if names else ([], None)

    def summary(self) -> Found[str]:
        """The tagline, description or excerpt."""
        tagline = self._theme_elements(self.theme.summary)
        if tagline and _text(tagline[0]):
            return _text(tagline[0]), self.theme.name
        candidates: Iterable[Callable[[], Any]] = (
            lambda: self.meta.first("description", "og:description", "twitter:description"),
            lambda: _as_str(self.meta.article_or_page_value("description")),
        )
        for candidate in candidates:  # lazily: JSON-LD is parsed only when needed
            text = normalize_space(html_lib.unescape(candidate() or ""))
            if text:
                return text, METADATA
        return None, None

    def body(self) -> Found[Body]:
        """The cleaned body, from the first layer that yields text."""
        clutter = self.theme.body_clutter
        for elements, layer in self._layers(self.theme.body, _WP_BODY):
            if elements:
                body = build_body(elements[0], clutter, self.link_base)
                if body.blocks:
                    return body, layer
        container = main_content(self._content_root(), self.is_furniture)
        if container is not None:
            body = build_body(container, clutter, self.link_base)
            if body.blocks:
                return body, GENERIC
        article_body = _as_str(self.meta.article_value("articleBody"))
        if article_body:
            return _with_html(body_from_text(article_body)), METADATA
        generic = _generic_body(self.sel)
        return (generic, GENERIC) if generic.blocks else (None, None)

    def _content_root(self) -> HtmlElement:
        """Where the main-content finder looks: the main article, else ``<main>``, else the page."""
        if self.scope is not self.root:
            return self.scope
        return next(self.root.iter("main"), None) or self.root

    def reading_minutes(self) -> Found[int]:
        """Reading time in minutes, as the page shows it."""
        for elements, layer in self._layers(self.theme.reading_time, _WP_READING_TIME):
            minutes = first_int(_text(elements[0])) if elements else None
            if minutes:
                return minutes, layer
        return None, None

    def featured_image(self) -> Found[str]:
        """Absolute URL of the featured image."""
        for elements, layer in self._layers(self.theme.featured_image, _WP_FEATURED):
            for element in elements:
                src = _image_src(element)
                url = absolute_url(src, self.link_base) if src else None
                if url:
                    return url, layer
        image = self.meta.first("og:image", "twitter:image") or _jsonld_image(
            self.meta.resolve(self.meta.article_value("image"))
        )
        url = absolute_url(image, self.link_base) if image else None
        return (url, METADATA) if url else (None, None)

    def language(self, title: str | None, body: str | None) -> Found[str]:
        """``en`` or ``ar``: the text's script decides when clear, else the declarations."""
        declared = (
            self._xpath_first("/html/@lang")
            or self.meta.first("og:locale")
            or _as_str(self.meta.article_value("inLanguage"))
            or ""
        )
        declared = declared.replace("_", "-").split("-")[0].lower()
        sample = f"{title or ''} {(body or '')[:LANGUAGE_SAMPLE_CHARS]}"
        share = arabic_share(sample)
        detected = "ar" if share >= 0.5 else "en" if share <= 0.1 and sample.strip() else ""
        if declared and (not detected or declared == detected):
            return declared, WORDPRESS
        if detected:
            return detected, GENERIC
        rtl = self._xpath_first("/html/@dir") == "rtl"
        return ("ar" if rtl else self.profile.language), URL_LAYER


# -- module helpers ------------------------------------------------------------------------


def _text(node: HtmlElement) -> str:
    return normalize_space(" ".join(node.itertext()))


def _unique(values: Iterable[Any]) -> list[str]:
    seen: list[str] = []
    for value in values:
        text = normalize_space(html_lib.unescape(str(value))) if value is not None else ""
        if text and text not in seen:
            seen.append(text)
    return seen


def _inside(node: HtmlElement, classes: re.Pattern[str]) -> bool:
    """True when an ancestor of ``node`` has a class that ``classes`` matches."""
    return any(classes.search(parent.get("class") or "") for parent in node.iterancestors())


def _is_category_link(node: HtmlElement) -> bool:
    """A category link: ``rel="category ..."`` or inside a category container."""
    return "category" in (node.get("rel") or "").split() or _inside(node, _CATEGORY_CONTAINER)


def _as_str(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    if isinstance(value, str):
        return [part for part in value.split(",") if part.strip()]
    return []


def _jsonld_image(value: Any) -> str | None:
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl")
    return value if isinstance(value, str) and value else None


def _image_src(element: HtmlElement) -> str | None:
    source = element.get("data-source")
    if source:
        return str(source)
    images = [element] if element.tag == "img" else select(element, "img")
    for image in images[:1]:
        for attr in ("data-src", "data-lazy-src", "src"):
            value = image.get(attr)
            if value and not value.startswith("data:"):
                return str(value)
    return None


def _same_site(url: str, other: str) -> bool:
    def host(value: str) -> str:
        name = urlsplit(value).netloc.lower()
        return name[4:] if name.startswith("www.") else name

    return bool(host(url)) and host(url) == host(other)


def _with_html(body: Body) -> Body:
    body.html = "".join(f"<p>{html_lib.escape(block)}</p>" for block in body.blocks)
    return body


def _generic_body(sel: Selector) -> Body:
    """Layer 4: trafilatura's main-content extraction over the page."""
    import trafilatura

    text = trafilatura.extract(
        sel.get(),
        include_comments=False,
        include_tables=True,
        favor_precision=True,
        deduplicate=True,
    )
    return _with_html(body_from_text(text or ""))
