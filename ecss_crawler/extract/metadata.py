"""Metadata signals: ``<meta>`` tags (Open Graph, ``article:*``, name=...) and JSON-LD.

These are generic WordPress/SEO-plugin conventions, so they are code, not
site-profile data. JSON-LD from Foxiz Core (separate blocks) and from SEO
plugins (one ``@graph``) are flattened into one list of nodes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cached_property
from typing import Any

from parsel import Selector

from ecss_crawler.extract.text import normalize_space

ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "BlogPosting",
        "Report",
        "ScholarlyArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "ReportageNewsArticle",
        "TechArticle",
        "Review",
    }
)


class Metadata:
    """Lazy view of a page's meta tags and JSON-LD nodes."""

    def __init__(self, sel: Selector) -> None:
        self._sel = sel

    @cached_property
    def meta(self) -> dict[str, list[str]]:
        """Meta tag contents keyed by lower-cased ``property`` or ``name``."""
        found: dict[str, list[str]] = {}
        for node in self._sel.root.iter("meta"):
            key = node.get("property") or node.get("name") or node.get("itemprop")
            value = normalize_space(node.get("content"))
            if key and value:
                found.setdefault(key.strip().lower(), []).append(value)
        return found

    def first(self, *keys: str) -> str | None:
        """The first non-empty meta value among ``keys``."""
        for key in keys:
            values = self.meta.get(key)
            if values:
                return values[0]
        return None

    def all(self, key: str) -> list[str]:
        """Every value of meta ``key`` in page order."""
        return list(self.meta.get(key, []))

    @cached_property
    def jsonld_nodes(self) -> list[dict[str, Any]]:
        """Every JSON-LD object on the page, ``@graph`` members included."""
        nodes: list[dict[str, Any]] = []
        for script in self._sel.root.iter("script"):
            if (script.get("type") or "").strip().lower() != "application/ld+json":
                continue
            try:
                data = json.loads((script.text or "").strip().rstrip(";"))
            except ValueError:
                continue
            nodes.extend(_flatten(data))
        return nodes

    @cached_property
    def article_node(self) -> dict[str, Any] | None:
        """The JSON-LD node describing the article, if any."""
        for node in self.jsonld_nodes:
            if node_types(node) & ARTICLE_TYPES:
                return node
        return None

    def node_by_id(self, node_id: str) -> dict[str, Any] | None:
        """Resolve a JSON-LD ``{"@id": ...}`` reference within the page."""
        for node in self.jsonld_nodes:
            if node.get("@id") == node_id and len(node) > 1:
                return node
        return None

    def resolve(self, value: Any) -> Any:
        """Follow an ``@id``-only reference to its full node, else return ``value``."""
        if isinstance(value, dict) and set(value) == {"@id"}:
            return self.node_by_id(str(value["@id"])) or value
        return value

    @cached_property
    def site_names(self) -> list[str]:
        """Names the page gives its own site or publisher."""
        names = self.all("og:site_name")
        for node in self.jsonld_nodes:
            if node_types(node) & {"WebSite", "Organization", "NewsMediaOrganization"}:
                for key in ("name", "legalName", "alternateName"):
                    value = node.get(key)
                    if isinstance(value, str) and value.strip():
                        names.append(normalize_space(value))
        return names

    def article_value(self, key: str) -> Any:
        """A property of the JSON-LD article node (``None`` when absent)."""
        node = self.article_node
        return node.get(key) if node else None

    def article_or_page_value(self, key: str) -> Any:
        """A property of the article node, else of the WebPage node (SEO plugins split them)."""
        value = self.article_value(key)
        if value:
            return value
        for node in self.jsonld_nodes:
            if node_types(node) & {"WebPage", "ItemPage"} and node.get(key):
                return node.get(key)
        return None


def _flatten(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item)
    elif isinstance(data, dict):
        graph = data.get("@graph")
        if isinstance(graph, list):
            yield from _flatten(graph)
        if "@type" in data or "@id" in data:
            yield data


def node_types(node: dict[str, Any]) -> set[str]:
    """The ``@type`` values of a JSON-LD node as a set."""
    kind = node.get("@type")
    if isinstance(kind, str):
        return {kind}
    if isinstance(kind, list):
        return {item for item in kind if isinstance(item, str)}
    return set()
