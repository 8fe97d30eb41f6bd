"""The article body: skip clutter, render plain-text blocks and clean HTML in one walk.

The caller's tree is never changed: clutter is found first (one pass for the
simple selectors, see :class:`SimpleMatcher`) and then skipped by a single
depth-first walk that writes the text blocks, the allowlisted HTML and the
attachment list together. Block rules (see README "Data fields"): one block per
paragraph, heading, list item, quote paragraph, quote citation, table row
(cells joined by a tab) and figure/table caption, in page order.

The HTML is built by allowlist: only the tags of :data:`ALLOWED_TAGS` and the
attributes ``a[href]``, ``img[src]`` and ``img[alt]`` are ever written, every text and
attribute value escaped, links made absolute (http/https only). Anything else
is unwrapped (its text kept) or, for scripts, styles, forms and embeds, dropped
with its content.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import quote, urljoin, urlsplit

from lxml.html import HtmlElement

from ecss_crawler.extract.compiled import SimpleMatcher
from ecss_crawler.extract.text import collapse_space, normalize_space

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
_CITE_PARENTS = frozenset({"blockquote", "figure", "footer"})
#: Inside a table cell these keep the words on either side apart (a nested table's cells too).
_CELL_BLOCKS = _BLOCK_TAGS | {"tr", "td", "th"}
_CELL_BREAKS = _CELL_BLOCKS | {"br"}
_KEEP_EMPTY = frozenset({"img", "td", "th", "tr", "br"})
ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx")
_LAZY_SRC_ATTRS = ("data-src", "data-lazy-src", "data-original", "data-orig-file", "src")

#: Tags written to ``body_html``; every other tag is unwrapped (its content kept) ...
ALLOWED_TAGS = frozenset(
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
)
#: ... or dropped with everything inside it.
_DROPPED_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "meta",
        "link",
        "applet",
        "object",
        "embed",
        "param",
        "iframe",
        "frame",
        "button",
        "input",
        "select",
        "textarea",
    ]
)
#: Elements nested deeper than this in the body are written as their text alone (the
#: walk is recursive; real articles nest a dozen levels, a hostile page thousands).
MAX_DEPTH = 150
#: Presentational and top-level tags written as their semantic equivalent.
_RENAMED = {"b": "strong", "i": "em", "h1": "h2"}
#: Characters libxml2 percent-encodes in URL attributes (kept so ``body_html`` stays as
#: the HTML serialiser wrote it): white space, controls and everything non-ASCII.
_URL_UNSAFE = re.compile(r"[\x00-\x20\x7f-\U0010ffff]")


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

    @property
    def word_count(self) -> int:
        """``len(self.text.split())``, counted without splitting: blocks are single-spaced."""
        return sum(
            len(block.split()) if "\t" in block else block.count(" ") + 1 for block in self.blocks
        )


def is_hidden(element: HtmlElement) -> bool:
    """Hidden by an inline style (``display: none`` or ``visibility: hidden``)."""
    style = element.get("style")
    if not style:
        return False
    style = style.replace(" ", "")
    return "display:none" in style or "visibility:hidden" in style


@lru_cache(maxsize=16)
def _clutter_matcher(theme_clutter: tuple[str, ...]) -> SimpleMatcher:
    return SimpleMatcher.build(
        (*GENERIC_BODY_CLUTTER, *theme_clutter), _CLUTTER_CLASS, also=is_hidden
    )


def find_clutter(container: HtmlElement, clutter: tuple[str, ...]) -> set[HtmlElement]:
    """Elements under ``container`` that are never article text (clutter and hidden)."""
    found: set[HtmlElement] = set(_clutter_matcher(clutter).find(container))
    found.discard(container)
    return found


def build_body(container: HtmlElement, clutter: tuple[str, ...], page_url: str) -> Body:
    """Render ``container`` without its clutter: text blocks, clean HTML and attachments."""
    writer = _BodyWriter(find_clutter(container, clutter), page_url)
    writer.write(container)
    blocks = [block for block in writer.blocks if not _CLUTTER_LINE.match(block)]
    return Body(blocks=blocks, html="\n".join(writer.lines), attachments=writer.attachments)


def body_from_text(text: str) -> Body:
    """A body from plain text (JSON-LD ``articleBody`` or the generic extractor's output)."""
    blocks = [normalize_space(line) for line in re.split(r"\n+", text)]
    return Body(blocks=[block for block in blocks if block and not _CLUTTER_LINE.match(block)])


class _BodyWriter:
    """One depth-first walk that writes text blocks, clean HTML and attachments together.

    HTML goes to ``lines``: one line per top-level element, and one per run of
    top-level text between them. Inside an element, content is collected in a
    list passed down the walk (``out``); ``out is None`` means the top level.
    """

    def __init__(self, clutter: set[HtmlElement], page_url: str) -> None:
        self.clutter = clutter
        self.page_url = page_url
        self.blocks: list[str] = []
        self.lines: list[str] = []
        self.attachments: list[str] = []
        self._block: list[str] = []
        self._run: list[str] = []
        self._depth = 0
        #: Inside a table row the row is one block (cells joined by a tab), written at once.
        self._in_row = 0

    def write(self, container: HtmlElement) -> None:
        self._content(container, None)
        self._end_run()
        self._end_block()

    # -- text blocks -------------------------------------------------------------------------

    def _end_block(self) -> None:
        _flush_text(self._block, self.blocks)

    def _row(self, row: HtmlElement) -> None:
        cells = [
            normalize_space("".join(self._visible_text(cell)))
            for cell in row
            if isinstance(cell.tag, str)
            and cell.tag.lower() in ("td", "th")
            and cell not in self.clutter
        ]
        if any(cells):
            self.blocks.append("\t".join(cells))

    def _visible_text(self, element: HtmlElement) -> list[str]:
        """Text under ``element`` without clutter; line breaks, blocks (``<p>`` in a cell)
        and the cells of a nested table become spaces, so words stay apart. Iterative, so
        any depth of nesting is fine."""
        parts = [element.text] if element.text else []
        open_elements: list[HtmlElement] = []
        children = [iter(element)]
        while children:
            child = next(children[-1], None)
            if child is None:
                children.pop()
                if open_elements:
                    closed = open_elements.pop()
                    if closed.tag.lower() in _CELL_BLOCKS:
                        parts.append(" ")
                    if closed.tail:
                        parts.append(closed.tail)
                continue
            tag = child.tag.lower() if isinstance(child.tag, str) else ""
            if not tag or child in self.clutter or tag in _DROPPED_TAGS:
                if child.tail:
                    parts.append(child.tail)
                continue
            if tag in _CELL_BREAKS:
                parts.append(" ")
            if child.text:
                parts.append(child.text)
            open_elements.append(child)
            children.append(iter(child))
        return parts

    # -- the walk ----------------------------------------------------------------------------

    def _text(self, text: str, out: list[str] | None) -> None:
        if not self._in_row:
            self._block.append(text)
        if "&" in text or "<" in text or ">" in text:
            text = html_lib.escape(text, quote=False)
        (self._run if out is None else out).append(text)

    def _end_run(self) -> None:
        _flush_text(self._run, self.lines)

    def _content(self, element: HtmlElement, out: list[str] | None) -> None:
        """The text, children and children's tails of ``element``."""
        text = element.text
        if text:
            self._text(text, out)
        clutter = self.clutter
        for child in element:
            if isinstance(child.tag, str) and child not in clutter:
                self._element(child, element.tag, out)
            tail = child.tail
            if tail:
                self._text(tail, out)

    def _element(self, element: HtmlElement, parent_tag: str, out: list[str] | None) -> None:
        tag = element.tag.lower()
        if tag == "br":
            self._text(" ", out)
            return
        if tag in _DROPPED_TAGS:
            return
        if tag == "a":
            self._note_attachment(element.get("href"))
        row = tag == "tr"
        block = row or tag in _BLOCK_TAGS or (tag == "cite" and parent_tag in _CITE_PARENTS)
        if block:
            self._end_block()
        if row:
            if not self._in_row:  # a table nested in a cell is part of that cell's text
                self._row(element)
            self._in_row += 1
        name = _RENAMED.get(tag, tag)
        self._depth += 1
        if self._depth > MAX_DEPTH:  # absurd nesting: its text, without its markup
            self._text("".join(self._visible_text(element)), out)
        elif name in ALLOWED_TAGS:
            inner: list[str] = []
            self._content(element, inner)
            markup = self._markup(name, element, "".join(inner))
            if markup and out is None:
                self._end_run()
                self.lines.append(collapse_space(markup))
            elif markup and out is not None:
                out.append(markup)
        else:
            self._content(element, out)  # unwrapped: its content takes its place
        self._depth -= 1
        if row:
            self._in_row -= 1
        if block:
            self._end_block()

    # -- HTML --------------------------------------------------------------------------------

    def _markup(self, name: str, element: HtmlElement, inner: str) -> str:
        """``element`` as allowlisted HTML; empty when it has no text and no image."""
        if name not in _KEEP_EMPTY and not inner.strip():
            return ""
        attributes = (
            "".join(f" {key}={_quoted(value)}" for key, value in self._attributes(name, element))
            if len(element.attrib)
            else ""
        )
        if name == "img":
            return f"<img{attributes}>"
        return f"<{name}{attributes}>{inner}</{name}>"

    def _attributes(self, name: str, element: HtmlElement) -> list[tuple[str, str]]:
        """``href``, ``src`` and ``alt`` in page order: links absolute, images' real source."""
        image_src = _image_source(element, self.page_url) if name == "img" else None
        kept: list[tuple[str, str]] = []
        for key, value in element.attrib.items():
            if key == "href" and name == "a":
                value = absolute_url(value, self.page_url)
            elif key == "src" and name == "img":
                value, image_src = image_src, None
            elif key != "alt" or name != "img":
                continue  # only a[href], img[src] and img[alt] are ever written
            if value is not None:
                kept.append((key, _escape_url(value) if key in ("href", "src") else value))
        if image_src is not None:  # only a lazy-loading attribute had the real source
            kept.append(("src", _escape_url(image_src)))
        return kept

    def _note_attachment(self, href: str | None) -> None:
        url = absolute_url(href, self.page_url) if href else None
        if (
            url
            and "." in url
            and urlsplit(url).path.lower().endswith(ATTACHMENT_EXTENSIONS)
            and url not in self.attachments
        ):
            self.attachments.append(url)


def _flush_text(pieces: list[str], into: list[str]) -> None:
    """Append the pieces, joined and white-space normalised, to ``into`` (unless empty)."""
    if pieces:
        text = normalize_space("".join(pieces))
        pieces.clear()
        if text:
            into.append(text)


def _image_source(img: HtmlElement, page_url: str) -> str | None:
    """The real image URL of a (possibly lazy-loaded) image, made absolute."""
    for attr in _LAZY_SRC_ATTRS:
        value = img.get(attr)
        if value and not value.startswith("data:"):
            url = absolute_url(value, page_url)
            if url:
                return url
    return None


def _escape_url(url: str) -> str:
    url = url.strip()
    return _URL_UNSAFE.sub(lambda match: quote(match.group(), safe=""), url)


def _quoted(value: str) -> str:
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if '"' not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    return '"' + value.replace('"', "&quot;") + '"'


@lru_cache(maxsize=4096)
def absolute_url(href: str, page_url: str) -> str | None:
    """Resolve ``href`` against the page; None unless the result is an http(s) URL
    (so no javascript:, vbscript:, data:, mailto: or empty links survive)."""
    href = href.strip()
    if not href:
        return None
    resolved = urljoin(page_url, href)
    return resolved if urlsplit(resolved).scheme.lower() in ("http", "https") else None
