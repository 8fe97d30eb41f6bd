"""Main-content finding for pages whose theme no selector knows (any CMS, any markup).

The container of an article's text is the element whose own paragraphs hold the
most text: a CMS saves the body as a run of sibling ``<p>``, headings and lists
inside one wrapper (Drupal's ``field--name-body``, Ghost's ``gh-content``, a
hand-made ``div.story``). Paragraphs inside page furniture (menus, sidebars,
comments, related posts, footers) never count. The container is then written by
the same body writer as every other layer, so clutter rules and the output form
are the same.
"""

from __future__ import annotations

from collections.abc import Callable

from lxml.html import HtmlElement

#: Least text (characters) the winning container's paragraphs must hold.
MIN_CONTENT_CHARS = 120
#: A sibling wrapper holding at least this share of the winner's text is part of the
#: same body (a CMS that splits the text into sections): their common parent wins.
_SIBLING_SHARE = 0.25


def main_content(
    root: HtmlElement, is_furniture: Callable[[HtmlElement], bool]
) -> HtmlElement | None:
    """The element that holds the page's main text, or None when no element holds enough."""
    scores: dict[HtmlElement, int] = {}
    for paragraph in root.iter("p"):
        parent = paragraph.getparent()
        if parent is None or _outside_main(paragraph) or is_furniture(paragraph):
            continue
        length = len(" ".join(paragraph.text_content().split()))
        if length:
            scores[parent] = scores.get(parent, 0) + length
    if not scores:
        return None
    best = max(scores, key=lambda element: scores[element])
    if scores[best] < MIN_CONTENT_CHARS:
        return None
    return _widen(best, scores)


def _widen(best: HtmlElement, scores: dict[HtmlElement, int]) -> HtmlElement:
    """The parent of ``best`` when sibling wrappers of the same kind (same tag and class:
    one body split into sections) also hold a good share of the text. A different
    sibling (the header's standfirst, a caption box) never widens the body."""
    parent = best.getparent()
    if parent is None or parent.tag in ("body", "html"):
        return best
    kind = (best.tag, best.get("class"))
    siblings = sum(
        score
        for element, score in scores.items()
        if element is not best
        and element.getparent() is parent
        and (element.tag, element.get("class")) == kind
    )
    return parent if siblings >= _SIBLING_SHARE * scores[best] else best


def _outside_main(node: HtmlElement) -> bool:
    """Inside the page's ``<header>`` or ``<footer>`` (not an article's own header)."""
    for ancestor in node.iterancestors("header", "footer"):
        if (
            ancestor.getparent() is not None
            and next(ancestor.iterancestors("article"), None) is None
        ):
            return True
    return False
