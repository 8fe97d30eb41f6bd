"""The body renderer as it was before the one-pass writer: lxml_html_clean's Cleaner over a
cleaned copy, a separate text walker and per-element serialisation.

Kept only as the reference that ``test_body_writer.py`` compares the one-pass writer
against (same blocks, same HTML, same attachments) on many generated bodies.
"""

from __future__ import annotations

import copy
import html as html_lib
from urllib.parse import urlsplit

from lxml import etree
from lxml.html import HtmlElement, tostring
from lxml_html_clean import Cleaner

from ecss_crawler.extract.body import (
    _BLOCK_TAGS,
    _CELL_BREAKS,
    _CITE_PARENTS,
    _CLUTTER_LINE,
    _KEEP_EMPTY,
    _LAZY_SRC_ATTRS,
    ALLOWED_TAGS,
    ATTACHMENT_EXTENSIONS,
    _clutter_matcher,
    absolute_url,
)
from ecss_crawler.extract.text import normalize_space

_HIDDEN_XPATH = etree.XPath(
    ".//*[contains(translate(@style, ' ', ''), 'display:none')"
    " or contains(translate(@style, ' ', ''), 'visibility:hidden')]"
)
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
    allow_tags=ALLOWED_TAGS,
)


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


def reference_body(
    container: HtmlElement, clutter: tuple[str, ...], page_url: str
) -> tuple[list[str], str, list[str]]:
    """Blocks, HTML and attachments the way the Cleaner-based renderer made them."""
    root = clean_container(container, clutter)
    blocks = [block for block in _BlockWalker().run(root) if not _CLUTTER_LINE.match(block)]
    attachments = find_attachments(root, page_url)
    html = render_clean_html(root, page_url, in_place=True)
    return blocks, html, attachments


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
        if not self._buffer:
            return
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
            _cell_text(cell)
            for cell in row
            if isinstance(cell.tag, str) and cell.tag.lower() in ("td", "th")
        ]
        if any(cells):
            self.blocks.append("\t".join(cells))


def _cell_text(cell: HtmlElement) -> str:
    """Changed on purpose with the one-pass writer: a ``<br>`` or a block inside a cell
    separates words (``text_content()`` alone ran them together)."""
    cell = copy.deepcopy(cell)
    for element in cell.iterdescendants():
        if isinstance(element.tag, str) and element.tag in _CELL_BREAKS:
            element.tail = " " + (element.tail or "")
            if element.tag != "br":
                element.text = " " + (element.text or "")
    return normalize_space(cell.text_content())


def find_attachments(root: HtmlElement, page_url: str) -> list[str]:
    """Absolute URLs of documents (PDF, Word, Excel, PowerPoint) linked from the body."""
    found: list[str] = []
    for href in root.xpath(".//a/@href | .//*[self::iframe or self::embed]/@src | .//object/@data"):
        url = absolute_url(str(href), page_url)
        if url and urlsplit(url).path.lower().endswith(ATTACHMENT_EXTENSIONS) and url not in found:
            found.append(url)
    return found


def render_clean_html(root: HtmlElement, page_url: str, *, in_place: bool = False) -> str:
    """Semantic-only HTML: no scripts, styles, classes or event attributes; absolute links.

    One line per top-level element, white space collapsed. ``in_place`` lets the
    caller hand over a tree it no longer needs (saves a copy).
    """
    tree = root if in_place else copy.deepcopy(root)
    _prepare_for_cleaning(tree, page_url)
    cleaned = _CLEANER.clean_html(tree)
    _drop_empty(cleaned)
    # Top-level text escaped: the old renderer printed it raw (fixed with the one-pass writer).
    lead = html_lib.escape(normalize_space(cleaned.text), quote=False)
    parts = [lead] if lead else []
    for child in cleaned:
        # Collapsing the serialised element in one pass is much cheaper than per text node.
        parts.append(_collapse(tostring(child, encoding="unicode", method="html", with_tail=False)))
        tail = html_lib.escape(normalize_space(child.tail), quote=False)
        if tail:
            parts.append(tail)
    return "\n".join(parts)


def _drop_empty(root: HtmlElement) -> None:
    """Drop elements left empty (no text, no image).

    Children come before their parents (reverse document order), so a parent
    whose children were all dropped is judged empty in the same pass.
    """
    for element in reversed(list(root.iterdescendants())):
        if isinstance(element.tag, str) and element.tag not in _KEEP_EMPTY and _is_empty(element):
            _drop(element)


def _is_empty(element: HtmlElement) -> bool:
    return not len(element) and not (element.text and not element.text.isspace())


def _collapse(markup: str) -> str:
    """Every run of white space (NBSP included) as one space: a C-speed split, not a regex."""
    return " ".join(markup.split())


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
