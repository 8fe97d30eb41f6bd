"""Pure extraction: HTML + URL in, a clean :class:`~ecss_crawler.items.Article` out.

Nothing here imports Scrapy, touches the network or keeps global state, so every
function is testable offline on saved pages.

>>> from ecss_crawler.extract import extract_article, NotAnArticle
>>> article = extract_article(html_bytes, "https://en.ecss.com.eg/some-article/")  # doctest: +SKIP
"""

from __future__ import annotations

from urllib.parse import urlsplit

from lxml import etree
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HtmlProcessingInstruction
from parsel import Selector
from parsel.selector import create_root_node

from ecss_crawler.extract.article import ArticlePage
from ecss_crawler.extract.decode import (
    NotHTMLError,
    decode_html,
    detect_encoding,
    repair_markup,
)
from ecss_crawler.extract.metadata import Metadata
from ecss_crawler.extract.pagetype import ARTICLE, NotAnArticle, classify_page
from ecss_crawler.items import Article
from ecss_crawler.sites import SiteProfile, profile_for, theme_for_page

#: Bumped whenever extraction output may change; stored with every record.
EXTRACTOR_VERSION = "1.2.0"
SHORT_BODY_WORDS = 50

__all__ = [
    "EXTRACTOR_VERSION",
    "NotAnArticle",
    "NotHTMLError",
    "extract_article",
    "extract_from_selector",
    "page_kind",
    "parse_html",
]


_ELEMENT_CLASSES = etree.ElementDefaultClassLookup(
    element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity
)


class _HtmlParser(etree.HTMLParser):  # type: ignore[misc]
    """libxml2's HTML parser giving ``lxml.html`` elements through a C-level class lookup.

    ``lxml.html``'s own parser calls a Python function to pick the class of every
    element object it creates (for its form-element classes, which we never use);
    that call was a third of the cost of walking a page.
    """

    def __init__(self, **kwargs: object) -> None:
        # No id index: nothing here looks elements up by id, and building it costs 5 %.
        super().__init__(collect_ids=False, **kwargs)
        self.set_element_class_lookup(_ELEMENT_CLASSES)


def parse_html(html: str | bytes, url: str, content_type: str | None = None) -> Selector:
    """Decode and parse a page once; raises :class:`NotHTMLError` for non-HTML input.

    Elements are ``lxml.html.HtmlElement`` (not its form-element subclasses), and the tree
    has no id index: XPath ``id()`` finds nothing (``#id`` and ``@id`` work as usual).
    """
    if isinstance(html, str):
        root = create_root_node(repair_markup(decode_html(html)), _HtmlParser, base_url=url)
    else:
        encoding = detect_encoding(html, content_type)
        decode_html(html[:8192].decode(encoding, "ignore"))  # refuses binary and non-HTML input
        root = create_root_node(
            "", _HtmlParser, base_url=url, body=repair_markup(html), encoding=encoding
        )
    return Selector(root=root, type="html")


def page_kind(sel: Selector, profile: SiteProfile) -> str:
    """``"article"`` or the kind of non-article page (see :class:`NotAnArticle`)."""
    profile = theme_for_page(profile, sel)
    return classify_page(sel, Metadata(sel), profile.selectors)


def extract_article(
    html: str | bytes,
    url: str,
    *,
    profile: SiteProfile | None = None,
    content_type: str | None = None,
) -> Article:
    """Extract one article record from an article page.

    Raises :class:`NotAnArticle` (with ``.kind``) for listings, the home page,
    static pages, search results and 404 pages, and :class:`NotHTMLError` for
    empty, binary or non-HTML input.
    """
    sel = parse_html(html, url, content_type)
    return extract_from_selector(sel, url, profile=profile)


def extract_from_selector(
    sel: Selector, url: str, *, profile: SiteProfile | None = None
) -> Article:
    """Like :func:`extract_article`, over an already parsed page (parse once, reuse)."""
    profile = theme_for_page(profile or profile_for(url), sel)
    page = ArticlePage(sel, url, profile)
    kind = classify_page(sel, page.meta, profile.selectors)
    if kind != ARTICLE:
        raise NotAnArticle(kind, url)
    return _assemble(page)


def _assemble(page: ArticlePage) -> Article:
    sources: dict[str, str] = {}

    def take(name: str, found: tuple[object, str | None]) -> object:
        value, layer = found
        if layer is not None and value not in (None, [], ""):
            sources[name] = layer
        return value

    canonical = str(take("url", page.url()))
    body, body_layer = page.body()
    body_text = body.text if body else None
    take("body", (body_text, body_layer))
    title = take("title", page.title())
    article = Article(
        url=canonical,
        site=urlsplit(canonical).netloc.lower(),
        post_id=take("post_id", page.post_id(canonical)),  # type: ignore[arg-type]
        title=title,  # type: ignore[arg-type]
        authors=take("authors", page.authors()),  # type: ignore[arg-type]
        published=take("published", page.published()),  # type: ignore[arg-type]
        modified=take("modified", page.modified()),  # type: ignore[arg-type]
        categories=take("categories", page.categories()),  # type: ignore[arg-type]
        tags=take("tags", page.tags()),  # type: ignore[arg-type]
        summary=take("summary", page.summary()),  # type: ignore[arg-type]
        body=body_text,
        body_html=body.html if body else None,
        reading_minutes=take("reading_minutes", page.reading_minutes()),  # type: ignore[arg-type]
        featured_image=take("featured_image", page.featured_image()),  # type: ignore[arg-type]
        attachments=body.attachments if body else [],
        extractor_version=EXTRACTOR_VERSION,
    )
    article.language = take("language", page.language(article.title, article.body))  # type: ignore[assignment]
    article.word_count = body.word_count if body else 0
    article.sources = sources
    article.warnings = _warnings(article)
    return article


def _warnings(article: Article) -> list[str]:
    """Problems a reviewer should know about; empty for a complete record."""
    warnings = [
        f"no {name}" for name in ("title", "published", "authors") if not getattr(article, name)
    ]
    if not article.body:
        warnings.append("no body")
    elif article.word_count < SHORT_BODY_WORDS:
        warnings.append(f"body under {SHORT_BODY_WORDS} words ({article.word_count})")
    if not article.categories:
        warnings.append("no categories")
    if article.sources.get("body") in ("metadata", "generic"):
        warnings.append(f"body from the {article.sources['body']} layer")
    if article.post_id is None:
        warnings.append("no post id")
    return warnings
