"""Compiled selectors (translated to XPath and compiled once per process), and page furniture.

Simple selectors (``tag``, ``.class``, ``#id``, ``tag.class``, ``[attr]``) used for
clutter removal are matched in a single walk over a subtree instead of one
XPath pass each, which keeps body cleaning cheap on long pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from lxml.cssselect import CSSSelector
from lxml.html import HtmlElement

_SIMPLE = re.compile(r"^(?P<tag>[a-z][a-z0-9]*)?(?P<rest>(?:[.#][\w-]+)*)$|^\[(?P<attr>[\w-]+)\]$")


@lru_cache(maxsize=512)
def css(selector: str) -> CSSSelector:
    """The compiled form of a CSS selector (cached for the life of the process)."""
    return CSSSelector(selector)


def select(root: HtmlElement, selector: str) -> list[HtmlElement]:
    """Elements under ``root`` matching ``selector``, in document order."""
    result: list[HtmlElement] = css(selector)(root)
    return result


def select_first_match(root: HtmlElement, selectors: Sequence[str]) -> list[HtmlElement]:
    """The elements of the first selector in ``selectors`` that matches anything."""
    for selector in selectors:
        found = select(root, selector)
        if found:
            return found
    return []


@dataclass
class SimpleMatcher:
    """Matches many simple selectors in one pass; complex ones fall back to compiled CSS."""

    tags: set[str] = field(default_factory=set)
    classes: set[str] = field(default_factory=set)
    ids: set[str] = field(default_factory=set)
    attrs: set[str] = field(default_factory=set)
    tag_classes: set[tuple[str, str]] = field(default_factory=set)
    complex: list[str] = field(default_factory=list)
    #: Class tokens matching this pattern also match (families like ``*-related-*``).
    class_pattern: re.Pattern[str] | None = None

    @classmethod
    def build(
        cls, selectors: Iterable[str], class_pattern: re.Pattern[str] | None = None
    ) -> SimpleMatcher:
        """Sort ``selectors`` into the simple sets or the complex list."""
        matcher = cls(class_pattern=class_pattern)
        for selector in selectors:
            matcher._add(selector.strip())
        return matcher

    def _add(self, selector: str) -> None:
        match = _SIMPLE.match(selector)
        parts = re.findall(r"[.#][\w-]+", match.group("rest") or "") if match else []
        if not match or len(parts) > 1:
            self.complex.append(selector)
        elif match.group("attr"):
            self.attrs.add(match.group("attr"))
        elif not parts:
            self.tags.add(match.group("tag"))
        elif match.group("tag"):
            self.tag_classes.add((match.group("tag"), parts[0][1:]))
        elif parts[0].startswith("."):
            self.classes.add(parts[0][1:])
        else:
            self.ids.add(parts[0][1:])

    def matches(self, element: HtmlElement) -> bool:
        """True when ``element`` matches one of the simple selectors."""
        tag = element.tag
        if tag in self.tags:
            return True
        attrib = element.attrib
        if self.attrs and any(name in attrib for name in self.attrs):
            return True
        if attrib.get("id") in self.ids:
            return True
        classes = attrib.get("class")
        if not classes:
            return False
        tokens = classes.split()
        if any(token in self.classes or (tag, token) in self.tag_classes for token in tokens):
            return True
        pattern = self.class_pattern
        return pattern is not None and any(pattern.search(token) for token in tokens)

    def find(self, root: HtmlElement) -> list[HtmlElement]:
        """Outermost-first list of elements under ``root`` that match."""
        found = [
            el for el in root.iterdescendants() if isinstance(el.tag, str) and self.matches(el)
        ]
        for selector in self.complex:
            found.extend(select(root, selector))
        return found


#: Class/id tokens of ancestors that mark an element as page furniture, not the article.
_FURNITURE_TOKEN = re.compile(
    r"^(?:[\w]+[-_])?(?:sidebar|secondary|widget|related|comments?|respond|ubox|usr-holder"
    r"|author-box|menu|site-header|header-mobile|masthead|footer-wrap|site-footer|colophon"
    r"|popup|mega|breadcrumbs?|navigation|share|shared|sharing|newsletter)"
    r"(?:[-_](?:wrap|inner|area|sec|list|box|container|holder|outer|posts|item|items|block))?$"
)
_FURNITURE_TAGS = frozenset({"aside", "nav"})


def is_furniture(element: HtmlElement) -> bool:
    """True when ``element`` sits inside a sidebar, menu, comment, related-posts box, etc."""
    for ancestor in element.iterancestors():
        if ancestor.tag in ("body", "html"):
            return False
        if ancestor.tag in _FURNITURE_TAGS:
            return True
        tokens = f"{ancestor.get('class', '')} {ancestor.get('id', '')}".lower().split()
        if any(_FURNITURE_TOKEN.match(token) for token in tokens):
            return True
    return False
