"""The article body: strip clutter, then render plain-text blocks and clean HTML.

Works on a copy of the body container (an lxml element), so the caller's tree
is never changed. Block rules (see README "Data fields"): one block per
paragraph, heading, list item, quote paragraph, quote citation, table row
(cells joined by a tab) and figure/table caption, in page order.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml.html import HtmlElement, tostring
from lxml_html_clean import Cleaner

from ecss_crawler.extract.compiled import SimpleMatcher
from ecss_crawler.extract.text import normalize_space

#: Generic clutter found inside WordPress post content (plugins and common themes).
GENERIC_BODY_CLUTTER: tuple[str, ...] = (
    "script",
    "style",
    "noscript",
    "template",
    "form",
    "button",
    "input",
    "select",
    "textarea",
    "svg",
    "canvas",
    "object",
    "embed",
    "iframe",
    "nav",
    "aside",
    "[hidden]",
    "[aria-hidden='true']",
    ".screen-reader-text",
    ".sr-only",
    ".sharedaddy",
    ".jp-relatedposts",
    ".yarpp-related",
    ".crp_related",
    ".related-posts",
    ".related_posts",
    ".addtoany_share_save_container",
    ".a2a_kit",
    ".heateor_sss_sharing_container",
    ".shared-counts-wrap",
    ".social-share",
    ".share-buttons",
    ".sharing",
    ".share-box",
    "#toc_container",
    ".ez-toc-container",
    ".lwptoc",
    ".table-of-contents",
    "ins.adsbygoogle",
    ".adsbygoogle",
    ".advertisement",
    ".ads",
    ".ad",
    ".code-block",
    ".wpcnt",
    ".newsletter",
    ".mc4wp-form",
    ".wpforms-container",
    ".subscribe-box",
    ".tnp-subscription",
    ".rt-reading-time",
    ".span-reading-time",
    ".post-last-modified",
    ".wp-last-modified-info",
    ".post-modified-info",
    ".author-box",
    ".post-author-box",
    ".widget",
    ".wp-block-post-comments",
    ".comments-area",
    ".post-navigation",
    ".popup",
    ".modal",
)

#: Class-name families that mark clutter whatever the plugin: ``rb-inline-related``,
#: ``inline-related-sec``, ``share-bar``, ``newsletter-form``, ``ad-slot``, ...
_CLUTTER_CLASS = re.compile(
    r"(?:^|[-_])(?:related|relatedposts|share|sharing|social-share|newsletter|subscribe|"
    r"subscription|advert|advertisement|ads?|sponsored|promo|popup|modal|toc)(?:$|[-_])",
    re.I,
)
_HIDDEN_XPATH = etree.XPath(
    ".//*[contains(translate(@style, ' ', ''), 'display:none')"
    " or contains(translate(@style, ' ', ''), 'visibility:hidden')]"
)
#: Short lines that themes and plugins print at the top or bottom of the content.
_CLUTTER_LINE = re.compile(
    r"(?i)^(?:(?:last\s+updated|updated|آخر\s+تحديث)\s*:.{0,60}"
    r"|(?:reading\s+time\s*:?\s*)?[\d٠-٩]+\s*(?:min(?:ute)?s?\.?\s*read|minutes?|دقائق|دقيقة)(?:\s+(?:read|للقراءة|قراءة))?"
    r"|share(?:\s+this(?:\s+article)?)?|شارك(?:\s+هذا\s+المقال)?|tagged:.*|الوسوم:.*|related\s+posts?)$"
)

_BLOCK_TAGS = frozenset(
    [
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "blockquote",
        "figcaption",
        "caption",
        "pre",
        "dt",
        "dd",
        "address",
        "div",
        "section",
        "article",
        "figure",
        "ul",
        "ol",
        "dl",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "header",
        "footer",
        "main",
        "details",
        "summary",
        "hr",
    ]
)
_HEADINGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])
_CITE_PARENTS = frozenset({"blockquote", "figure", "footer"})
_KEEP_EMPTY = frozenset({"img", "td", "th", "tr", "br"})
_MULTI_SPACE = re.compile(r"\s{2,}|[\t\n\r\f\v\xa0]")
ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx")
_LAZY_SRC_ATTRS = ("data-src", "data-lazy-src", "data-original", "data-orig-file", "src")

#: ``javascript=False``: its link rewriting is the costly pass, and the two things it
#: guards against are handled before cleaning: ``on*`` attributes never pass
#: ``safe_attrs_only``, and :func:`_prepare_for_cleaning` drops every ``javascript:``,
#: ``data:`` (links) and other non-http(s) URL from ``href`` and ``src``.
_CLEANER = Cleaner(
    scripts=True,
    javascript=False,
    comments=True,
    style=True,
    inline_style=False,
    links=True,
    meta=True,
    page_structure=True,
    processing_instructions=True,
    embedded=True,
    frames=True,
    forms=True,
    annoying_tags=True,
    remove_unknown_tags=False,
    safe_attrs_only=True,
    safe_attrs=frozenset({"href", "src", "alt"}),
    allow_tags=frozenset(
        [
            "p",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "ul",
            "ol",
            "li",
            "blockquote",
            "cite",
            "table",
            "thead",
            "tbody",
            "tfoot",
            "tr",
            "th",
            "td",
            "caption",
            "figure",
            "figcaption",
            "img",
            "a",
            "em",
            "strong",
            "sup",
            "sub",
        ]
    ),
)


@dataclass
class Body:
    """A cleaned article body."""

    blocks: list[str] = field(default_factory=list)
    html: str = ""
    attachments: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """Blocks joined by exactly one blank line."""
        return "\n\n".join(self.blocks)


@lru_cache(maxsize=16)
def _clutter_matcher(theme_clutter: tuple[str, ...]) -> SimpleMatcher:
    return SimpleMatcher.build((*GENERIC_BODY_CLUTTER, *theme_clutter), _CLUTTER_CLASS)


def clean_container(container: HtmlElement, clutter: tuple[str, ...]) -> HtmlElement:
    """Return a copy of ``container`` without clutter, hidden elements or comments."""
    root = copy.deepcopy(container)
    root.tail = None
    doomed: list[HtmlElement] = _clutter_matcher(clutter).find(root)
    doomed.extend(_HIDDEN_XPATH(root))
    doomed.extend(root.iter(etree.Comment, etree.ProcessingInstruction))
    for element in doomed:
        if element is not root:
            _drop(element)
    return root


def _drop(element: HtmlElement) -> None:
    """Remove ``element`` but keep its tail text in place."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def build_body(container: HtmlElement, clutter: tuple[str, ...], page_url: str) -> Body:
    """Clean ``container`` and render its text blocks, clean HTML and attachments."""
    root = clean_container(container, clutter)
    blocks = [block for block in _BlockWalker().run(root) if not _CLUTTER_LINE.match(block)]
    attachments = find_attachments(root, page_url)
    # ``root`` is our own copy and is not needed after this: render it in place.
    html = render_clean_html(root, page_url, in_place=True)
    return Body(blocks=blocks, html=html, attachments=attachments)


def body_from_text(text: str) -> Body:
    """A body from plain text (JSON-LD ``articleBody`` or the generic extractor's output)."""
    blocks = [normalize_space(line) for line in re.split(r"\n+", text)]
    return Body(blocks=[block for block in blocks if block and not _CLUTTER_LINE.match(block)])


class _BlockWalker:
    """Depth-first walk that turns a cleaned element into text blocks."""

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self._buffer: list[str] = []

    def run(self, root: HtmlElement) -> list[str]:
        self._walk(root)
        self._flush()
        return self.blocks

    def _flush(self) -> None:
        text = normalize_space("".join(self._buffer))
        self._buffer.clear()
        if text:
            self.blocks.append(text)

    def _walk(self, element: HtmlElement) -> None:
        if element.text:
            self._buffer.append(element.text)
        for child in element:
            if isinstance(child.tag, str):
                self._visit(child, element.tag)
            if child.tail:
                self._buffer.append(child.tail)

    def _visit(self, child: HtmlElement, parent_tag: str) -> None:
        tag = child.tag.lower()
        if tag == "br":
            self._buffer.append(" ")
        elif tag == "tr":
            self._flush()
            self._row(child)
        elif tag in _BLOCK_TAGS or (tag == "cite" and parent_tag in _CITE_PARENTS):
            self._flush()
            self._walk(child)
            self._flush()
        else:
            self._walk(child)

    def _row(self, row: HtmlElement) -> None:
        cells = [
            normalize_space(cell.text_content())
            for cell in row
            if isinstance(cell.tag, str) and cell.tag.lower() in ("td", "th")
        ]
        if any(cells):
            self.blocks.append("\t".join(cells))


def find_attachments(root: HtmlElement, page_url: str) -> list[str]:
    """Absolute URLs of documents (PDF, Word, Excel, PowerPoint) linked from the body."""
    found: list[str] = []
    for href in root.xpath(".//a/@href | .//*[self::iframe or self::embed]/@src | .//object/@data"):
        url = absolute_url(str(href), page_url)
        if url and urlsplit(url).path.lower().endswith(ATTACHMENT_EXTENSIONS) and url not in found:
            found.append(url)
    return found


def absolute_url(href: str, page_url: str) -> str | None:
    """Resolve ``href`` against the page; None unless the result is an http(s) URL
    (so no javascript:, vbscript:, data:, mailto: or empty links survive)."""
    href = href.strip()
    if not href:
        return None
    resolved = urljoin(page_url, href)
    return resolved if urlsplit(resolved).scheme.lower() in ("http", "https") else None


def render_clean_html(root: HtmlElement, page_url: str, *, in_place: bool = False) -> str:
    """Semantic-only HTML: no scripts, styles, classes or event attributes; absolute links.

    ``in_place`` lets the caller hand over a tree it no longer needs (saves a copy).
    """
    tree = root if in_place else copy.deepcopy(root)
    _prepare_for_cleaning(tree, page_url)
    cleaned = _CLEANER.clean_html(tree)
    _tidy(cleaned)
    parts = [normalize_space(cleaned.text)] if normalize_space(cleaned.text) else []
    for child in cleaned:
        parts.append(tostring(child, encoding="unicode", method="html", with_tail=False))
        if normalize_space(child.tail):
            parts.append(normalize_space(child.tail))
    return "\n".join(parts)


def _tidy(root: HtmlElement) -> None:
    """Collapse white space in text and drop elements left empty (no text, no image).

    Children come before their parents (reverse document order), so a parent
    whose children were all dropped is judged empty in the same pass.
    """
    for element in reversed(list(root.iterdescendants())):
        if not isinstance(element.tag, str):
            continue
        if element.tag not in _KEEP_EMPTY and _is_empty(element):
            _drop(element)
            continue
        element.text = _collapse(element.text)
        element.tail = _collapse(element.tail)


def _is_empty(element: HtmlElement) -> bool:
    return not len(element) and not (element.text and not element.text.isspace())


def _collapse(text: str | None) -> str | None:
    if not text or not _MULTI_SPACE.search(text):
        return text
    return _MULTI_SPACE.sub(" ", text)


def _prepare_for_cleaning(tree: HtmlElement, page_url: str) -> None:
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if tag == "br":
            element.tail = " " + (element.tail or "")
        elif tag in ("b", "i", "h1"):
            element.tag = {"b": "strong", "i": "em", "h1": "h2"}[tag]
        elif tag == "a":
            _absolutize(element, "href", page_url)
        elif tag == "img":
            _resolve_image(element, page_url)


def _absolutize(element: HtmlElement, attr: str, page_url: str) -> None:
    value = element.get(attr)
    if value is None:
        return
    url = absolute_url(value, page_url)
    if url is None:
        del element.attrib[attr]
    else:
        element.set(attr, url)


def _resolve_image(img: HtmlElement, page_url: str) -> None:
    """Use the real image URL of lazy-loaded images, made absolute."""
    for attr in _LAZY_SRC_ATTRS:
        value = img.get(attr)
        if value and not value.startswith("data:"):
            url = absolute_url(value, page_url)
            if url:
                img.set("src", url)
                return
    img.attrib.pop("src", None)  # only a placeholder, or a javascript: URL
