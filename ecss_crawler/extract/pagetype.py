"""Is this page an article? If not, what kind of page is it?

WordPress prints the template in ``<body class>``; that is the strongest
evidence (trusted only when the classes are WordPress's own). Without it,
metadata (``og:type``, JSON-LD ``@type``) and the shape of the page decide.
Listing pages, the home page, static pages, search results and 404 pages are
never turned into article records.
"""

from __future__ import annotations

from parsel import Selector

from ecss_crawler.extract.metadata import Metadata, node_types
from ecss_crawler.sites.model import ThemeSelectors

ARTICLE = "article"

#: body class -> page kind, checked in this order.
_BODY_CLASS_KINDS: tuple[tuple[str, str], ...] = (
    ("error404", "404"),
    ("search-results", "search"),
    ("search-no-results", "search"),
    ("search", "search"),
    ("category", "category"),
    ("tag", "tag"),
    ("author", "author"),
    ("date", "date"),
    ("home", "home"),
    ("blog", "home"),
    ("archive", "archive"),
    ("page", "page"),
    ("attachment", "page"),
)


class NotAnArticle(Exception):
    """Raised by :func:`extract_article` for pages that are not articles.

    ``kind`` is one of ``category``, ``tag``, ``author``, ``date``, ``home``,
    ``archive``, ``page``, ``search``, ``404`` or ``unknown``.
    """

    def __init__(self, kind: str, url: str) -> None:
        super().__init__(f"not an article ({kind}): {url}")
        self.kind = kind
        self.url = url

    def __reduce__(self) -> tuple[type[NotAnArticle], tuple[str, str]]:
        """Pickled as its kind and URL (it crosses the page reader's pipe)."""
        return (NotAnArticle, (self.kind, self.url))


def body_classes(sel: Selector) -> set[str]:
    """The ``<body>`` element's classes."""
    body = sel.root.find("body")
    return set(body.get("class", "").split()) if body is not None else set()


#: Classes only WordPress's ``body_class()`` prints: without one of them, ``page`` or
#: ``category`` on ``<body>`` is some other CMS's class and says nothing of the template.
_WORDPRESS_BODY = frozenset(
    {"single", "archive", "error404", "search-results", "search-no-results", "blog", "home"}
)
_WORDPRESS_BODY_PREFIXES = ("postid-", "page-id-", "page-template", "attachmentid-")
#: JSON-LD page types of listings and profiles (any CMS, SEO plugins on WordPress).
_JSONLD_KINDS: tuple[tuple[str, str], ...] = (
    ("SearchResultsPage", "search"),
    ("ProfilePage", "author"),
    ("CollectionPage", "archive"),
)


def classify_page(sel: Selector, meta: Metadata, theme: ThemeSelectors) -> str:
    """Return ``"article"`` or the kind of non-article page."""
    classes = body_classes(sel)
    if (
        "single" in classes
        or "single-post" in classes
        or any(name.startswith("postid-") for name in classes)
    ):
        return ARTICLE
    if _wordpress_body(classes):
        for css_class, kind in _BODY_CLASS_KINDS:
            if css_class in classes:
                return kind
    return _classify_without_body_class(sel, meta, theme)


def _wordpress_body(classes: set[str]) -> bool:
    return bool(classes & _WORDPRESS_BODY) or any(
        name.startswith(_WORDPRESS_BODY_PREFIXES) for name in classes
    )


def _classify_without_body_class(sel: Selector, meta: Metadata, theme: ThemeSelectors) -> str:
    title = " ".join(sel.xpath("//title//text() | //h1//text()").getall()).lower()
    if "page not found" in title or "404" in title.split() or "الصفحة غير موجودة" in title:
        return "404"
    if meta.article_node is None:
        types: set[str] = set()
        for node in meta.jsonld_nodes:
            types |= node_types(node)
        for jsonld_type, kind in _JSONLD_KINDS:
            if jsonld_type in types:
                return kind
    og_type = (meta.first("og:type") or "").lower()
    if (
        og_type == "article"
        or meta.article_node is not None
        or meta.first("article:published_time")
    ):
        return ARTICLE
    if any(sel.css(marker) for marker in theme.single_markers):
        return ARTICLE
    if (
        len(sel.xpath("//article")) > 2
        or len(sel.xpath("//h2[contains(@class,'entry-title')]")) > 2
    ):
        return "archive"
    if og_type == "website":
        return "page"
    if (
        len(sel.xpath("//h1")) == 1
        and len(" ".join(sel.xpath("//p//text()").getall()).split()) >= 30
    ):
        return ARTICLE
    return "unknown"
