"""Compiled selectors (translated to XPath and compiled once per process), and page furniture.

Simple selectors (``tag``, ``.class``, ``#id``, ``tag.class``, ``[attr]``) used for
clutter removal are matched in a single walk over a subtree instead of one
XPath pass each, which keeps body cleaning cheap on long pages.

Class tests (``.name``, ``[attr~=name]``) are translated with a cheap substring
test in front of the exact token test, so libxml2 only normalises the ``class``
attributes that can match: about a third off every selector pass.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import cssselect
from cssselect.xpath import XPathExpr
from lxml import etree
from lxml.cssselect import LxmlHTMLTranslator
from lxml.html import HtmlElement

_SIMPLE = re.compile(
    r"^(?P<tag>[a-z][a-z0-9]*)?(?P<rest>(?:[.#][\w-]+)*)$"
    r"|^\[(?P<attr>[\w-]+)(?:=(?P<quote>['\"])(?P<value>[^'\"]*)(?P=quote))?\]$"
)


#: ``head rest``: a leading compound selector (tag, classes, id) and what must lie inside it.
_DESCENDANT_CHAIN = re.compile(r"^(?P<head>[a-z]*(?:[.#][\w-]+)+)\s+(?P<rest>[^\s,>+~].*)$")


class _Translator(LxmlHTMLTranslator):  # type: ignore[misc]
    """cssselect's HTML translation, with a substring test before each class-token test."""

    def xpath_attrib_includes(self, xpath: XPathExpr, name: str, value: str | None) -> XPathExpr:
        if value and not any(char.isspace() for char in value):
            xpath.add_condition(f"{name} and contains({name}, {self.xpath_literal(value)})")
        result: XPathExpr = super().xpath_attrib_includes(xpath, name, value)
        return result


_TRANSLATOR = _Translator()


@lru_cache(maxsize=512)
def css(selector: str, prefix: str = "descendant-or-self::") -> etree.XPath:
    """The compiled form of a CSS selector (cached for the life of the process).

    ``prefix="descendant::"`` leaves out the context element itself.
    """
    return etree.XPath(_TRANSLATOR.css_to_xpath(selector, prefix=prefix))


@lru_cache(maxsize=512)
def descendant_chain(selector: str) -> tuple[str, str] | None:
    """Split ``"header.x div.y a"`` into ``("header.x", "div.y a")``; None when the
    selector does not start with a class/id compound followed by a descendant."""
    if "," in selector:
        return None
    match = _DESCENDANT_CHAIN.match(selector.strip())
    return (match.group("head"), match.group("rest")) if match else None


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


@lru_cache(maxsize=1024)
def required_classes(selector: str) -> tuple[frozenset[str], ...]:
    """For each comma-separated part of ``selector``, the class names an element (or one of
    its ancestors) must carry for that part to match; an empty set means "no class needed".
    Negated classes (``:not(.x)``) are not required."""
    return tuple(frozenset(_classes_in(part.parsed_tree)) for part in cssselect.parse(selector))


def _classes_in(tree: object) -> Iterator[str]:
    if isinstance(tree, cssselect.parser.Class):
        yield tree.class_name
    if isinstance(tree, cssselect.parser.CombinedSelector):
        yield from _classes_in(tree.subselector)
    base = getattr(tree, "selector", None)
    if base is not None:
        yield from _classes_in(base)


#: Every ``class`` attribute under an element run together, in one C-level call (EXSLT).
_ALL_CLASSES = etree.XPath(
    "str:concat(descendant-or-self::*/@class)", namespaces={"str": "http://exslt.org/strings"}
)
#: ``div.a.b`` or ``.a``: looked up in a per-page list of classed elements, not an XPath pass.
_CLASS_COMPOUND = re.compile(r"^(?P<tag>[a-z][a-z0-9]*)?(?P<classes>(?:\.[\w-]+)+)$")
#: XPath's ``normalize-space`` splits on these (so CSS class tokens do too).
_XML_SPACE = str.maketrans("\t\n\r", "   ")


@lru_cache(maxsize=1024)
def class_compound(selector: str) -> tuple[str, str] | None:
    """``("div", ".a.b")`` for ``div.a.b``, ``("*", ".a")`` for ``.a``; None for anything else."""
    match = _CLASS_COMPOUND.match(selector)
    return (match.group("tag") or "*", match.group("classes")) if match else None


def _costly(compound: tuple[str, str] | None) -> bool:
    """An XPath pass, or a compound of any tag: both walk every element under the root."""
    return compound is None or compound[0] == "*"


class SelectorCache:
    """Selector evaluation over one page, with two savings that never change a result.

    * Theme selectors often start the same way (``header.single-header ...``): the
      leading compound is looked up once per root, and the rest of each selector runs
      inside the (small) elements found.
    * Compounds of a tag and classes (``div.entry-content.rbct``, ``.single-meta``) are
      looked up in a list of that tag's classed elements, made once per root: one
      walk serves every such selector.
    * After the first selector that finds nothing, every costly lookup (an XPath pass, or
      a compound without a tag) first checks that the class attributes under its root
      contain the class names the selector needs (one string of them all per root, built
      then): a page without a tag bar pays almost nothing for the tag-bar selectors.
    """

    def __init__(self, document: HtmlElement) -> None:
        self.document = document
        self._heads: dict[tuple[int, str], list[HtmlElement]] = {}
        self._classed: dict[tuple[int, str], list[tuple[HtmlElement, str]]] = {}
        self._class_text: dict[int, str] = {}
        self._missed = False

    def _pass(self, root: HtmlElement, selector: str) -> list[HtmlElement]:
        """The elements of ``selector`` under ``root``: from the classed-element list for a
        tag-and-classes compound, else one XPath pass. After a first miss, a costly lookup
        is skipped when no class under ``root`` has a name it needs."""
        compound = _CLASS_COMPOUND.match(selector)
        costly = compound is None or not compound.group("tag")  # an XPath pass or all elements
        if costly and self._missed and not self._classes_present(root, selector):
            return []
        if compound:
            found = self._with_classes(
                root, compound.group("tag") or "*", compound.group("classes")
            )
        else:
            found = select(root, selector)
        self._missed = self._missed or not found
        return found

    def _classes_present(self, root: HtmlElement, selector: str) -> bool:
        """False when no ``class`` under ``root`` contains a name the selector needs.

        A substring test over those class attributes run together (made once per root):
        it can only say "maybe" wrongly (then the selector runs and finds nothing), never
        "no" wrongly.
        """
        needs = required_classes(selector)
        if any(not needed for needed in needs):
            return True
        text = self._class_text.get(id(root))
        if text is None:
            text = self._class_text[id(root)] = str(_ALL_CLASSES(root))
        return any(all(name in text for name in needed) for needed in needs)

    def _with_classes(self, root: HtmlElement, tag: str, classes: str) -> list[HtmlElement]:
        """Elements ``tag`` (``*``: any) under ``root``, itself included, with all ``classes``."""
        key = (id(root), tag)
        classed = self._classed.get(key)
        if classed is None:
            elements = root.iter(etree.Element) if tag == "*" else root.iter(tag)
            classed = [(element, value) for element in elements if (value := element.get("class"))]
            self._classed[key] = classed
        names = classes[1:].split(".")
        first = names[0]
        # A quick substring test of one name first, then the exact token test.
        return [
            element
            for element, value in classed
            if first in value and set(names).issubset(value.translate(_XML_SPACE).split(" "))
        ]

    def heads(self, root: HtmlElement, head: str) -> list[HtmlElement]:
        """Elements under ``root`` matching the compound selector ``head`` (cached)."""
        key = (id(root), head)
        found = self._heads.get(key)
        if found is None:
            found = self._heads[key] = self._pass(root, head)
        return found

    def select(self, root: HtmlElement, selector: str) -> list[HtmlElement]:
        """Like :func:`select` (same elements, document order for a single head)."""
        chain = descendant_chain(selector)
        if chain is None:
            return self._pass(root, selector)
        if (
            _costly(class_compound(chain[0]))
            and self._missed
            and not self._classes_present(root, selector)
        ):
            return []  # the whole chain cannot match: do not look its head up
        head, rest = chain
        inner = css(rest, "descendant::")
        heads = self.heads(root, head)
        if len(heads) == 1:
            return list(inner(heads[0]))
        found: list[HtmlElement] = []
        for element in heads:
            found.extend(node for node in inner(element) if node not in found)
        return found

    def first_match(self, root: HtmlElement, selectors: Sequence[str]) -> list[HtmlElement]:
        """The elements of the first selector in ``selectors`` that matches under ``root``."""
        for selector in selectors:
            found = self.select(root, selector)
            if found:
                return found
        return []

    def head_found(self, root: HtmlElement, selector: str) -> bool:
        """True when ``selector`` has a leading compound and it matched under ``root``."""
        chain = descendant_chain(selector)
        return chain is not None and bool(self.heads(root, chain[0]))


@dataclass
class SimpleMatcher:
    """Matches many simple selectors in one pass; complex ones fall back to compiled CSS."""

    tags: set[str] = field(default_factory=set)
    classes: set[str] = field(default_factory=set)
    ids: set[str] = field(default_factory=set)
    attrs: set[str] = field(default_factory=set)
    attr_values: set[tuple[str, str]] = field(default_factory=set)
    tag_classes: set[tuple[str, str]] = field(default_factory=set)
    complex: list[str] = field(default_factory=list)
    #: Class tokens matching this pattern also match (families like ``*-related-*``).
    class_pattern: re.Pattern[str] | None = None
    #: Any other test an element with attributes may pass to match (in the same walk).
    also: Callable[[HtmlElement], bool] | None = None

    @classmethod
    def build(
        cls,
        selectors: Iterable[str],
        class_pattern: re.Pattern[str] | None = None,
        also: Callable[[HtmlElement], bool] | None = None,
    ) -> SimpleMatcher:
        """Sort ``selectors`` into the simple sets or the complex list."""
        matcher = cls(class_pattern=class_pattern, also=also)
        for selector in selectors:
            matcher._add(selector.strip())
        return matcher

    def _add(self, selector: str) -> None:
        match = _SIMPLE.match(selector)
        parts = re.findall(r"[.#][\w-]+", match.group("rest") or "") if match else []
        if not match or len(parts) > 1:
            self.complex.append(selector)
        elif match.group("attr") and match.group("quote"):
            self.attr_values.add((match.group("attr"), match.group("value")))
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
        if not attrib:  # most body elements: nothing else can match
            return False
        if self.attrs and any(name in attrib for name in self.attrs):
            return True
        if any(attrib.get(name) == value for name, value in self.attr_values):
            return True
        if attrib.get("id") in self.ids:
            return True
        if self.also is not None and self.also(element):
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


#: Class/id tokens of ancestors that mark an element as page furniture, not the article
#: (matched as whole tokens of the lower-cased ``class`` and ``id``, in one search).
_FURNITURE_TOKEN = re.compile(
    r"(?:^|\s)(?:[\w]+[-_])?(?:sidebar|secondary|widget|related|comments?|respond|ubox|usr-holder"
    r"|author-box|menu|site-header|header-mobile|masthead|footer-wrap|site-footer|colophon"
    r"|popup|mega|breadcrumbs?|navigation|share|shared|sharing|newsletter)"
    r"(?:[-_](?:wrap|inner|area|sec|list|box|container|holder|outer|posts|item|items|block))?"
    r"(?=\s|$)"
)
_FURNITURE_TAGS = frozenset({"aside", "nav"})


def is_furniture(element: HtmlElement) -> bool:
    """True when ``element`` sits inside a sidebar, menu, comment, related-posts box, etc."""
    return FurnitureCheck()(element)


def _is_furniture_box(element: HtmlElement) -> bool:
    if element.tag in _FURNITURE_TAGS:
        return True
    names = element.get("class"), element.get("id")
    if not any(names):
        return False
    return _FURNITURE_TOKEN.search(f"{names[0] or ''} {names[1] or ''}".lower()) is not None


class FurnitureCheck:
    """:func:`is_furniture` for many elements of one page, each ancestor judged once
    (a sidebar's 30 ``time`` elements share most of their ancestors)."""

    def __init__(self) -> None:
        self._inside: dict[HtmlElement, bool] = {}

    def __call__(self, element: HtmlElement) -> bool:
        parent = element.getparent()
        return parent is not None and self._within(parent)

    def _within(self, element: HtmlElement) -> bool:
        """True when ``element`` or one of its ancestors (below ``<body>``) is furniture."""
        chain: list[HtmlElement] = []
        node: HtmlElement | None = element
        verdict = False
        while node is not None:
            known = self._inside.get(node)
            if known is not None:
                verdict = known
                break
            if node.tag in ("body", "html"):
                break
            chain.append(node)
            if _is_furniture_box(node):
                verdict = True
                break
            node = node.getparent()
        for visited in chain:
            self._inside[visited] = verdict
        return verdict
