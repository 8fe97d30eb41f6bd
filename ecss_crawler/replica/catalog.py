"""The site's fixed vocabulary: categories (a tree), tags and staff, with their URLs."""

from __future__ import annotations

from dataclasses import dataclass, field

from ecss_crawler.replica.lexicon import CATEGORIES, CATEGORY_DESCRIPTIONS, STAFF, TAGS
from ecss_crawler.replica.model import Staff, Term
from ecss_crawler.replica.slugs import slugify

#: Categories that mark an article's format rather than its topic.
FORMAT_CATEGORIES: frozenset[str] = frozenset({"analysis", "تقدير-موقف"})
_FIRST_CATEGORY_ID = 2
_FIRST_TAG_ID = 40


@dataclass
class Catalog:
    """Categories, tags and staff of one replica site, looked up by slug or name."""

    categories: dict[str, Term] = field(default_factory=dict)
    tags: dict[str, Term] = field(default_factory=dict)
    staff: dict[str, Staff] = field(default_factory=dict)
    weights: dict[str, int] = field(default_factory=dict)
    _tag_names: dict[tuple[str, str], Term] = field(default_factory=dict)
    _tags_by_name: dict[str, Term] = field(default_factory=dict)
    _category_names: dict[str, Term] = field(default_factory=dict)
    _staff_names: dict[str, Staff] = field(default_factory=dict)

    @classmethod
    def build(cls) -> Catalog:
        """The standard ECSS-like vocabulary."""
        catalog = cls()
        for offset, row in enumerate(CATEGORIES):
            term = Term(
                "category",
                _FIRST_CATEGORY_ID + offset,
                row.slug,
                row.name,
                row.language,
                row.parent,
                CATEGORY_DESCRIPTIONS[row.language] if not row.parent else "",
            )
            catalog.categories[term.slug] = term
            catalog.weights[term.slug] = row.weight
            catalog._category_names[term.name] = term
        for language, names in TAGS.items():
            for name in names:
                catalog.tag(name, language)
        for offset, staff_row in enumerate(STAFF):
            member = Staff(
                staff_row.slug,
                {"en": staff_row.name_en, "ar": staff_row.name_ar},
                staff_row.bio,
                offset + 2,
            )
            catalog.staff[member.slug] = member
            catalog._staff_names.update(dict.fromkeys(member.names.values(), member))
        return catalog

    def tag(self, name: str, language: str) -> Term:
        """The tag called ``name``, created on first use."""
        found = self._tag_names.get((language, name))
        if found:
            return found
        slug = slugify(name, language)
        while slug in self.tags:
            slug += "-2"
        term = Term("post_tag", _FIRST_TAG_ID + len(self.tags), slug, name, language)
        self.tags[slug] = term
        self._tag_names[(language, name)] = term
        self._tags_by_name.setdefault(name, term)
        return term

    def tag_named(self, name: str) -> Term:
        """The tag with display name ``name`` in any language."""
        return self._tags_by_name[name]

    def category_named(self, name: str) -> Term:
        """The category with display name ``name``."""
        return self._category_names[name]

    def staff_named(self, name: str) -> Staff:
        """The staff member displayed as ``name`` (either language)."""
        return self._staff_names[name]

    def category_path(self, term: Term) -> str:
        """Decoded path ``/category/parent/child/``."""
        chain = [term.slug]
        while term.parent:
            term = self.categories[term.parent]
            chain.append(term.slug)
        return "/category/" + "/".join(reversed(chain)) + "/"

    def ancestors(self, term: Term) -> list[Term]:
        """``term`` followed by its parents, nearest first."""
        chain = [term]
        while chain[-1].parent:
            chain.append(self.categories[chain[-1].parent])
        return chain

    def top_categories(self, language: str) -> list[Term]:
        """Top-level categories of ``language`` in menu order."""
        return [t for t in self.categories.values() if t.language == language and not t.parent]

    def children(self, term: Term) -> list[Term]:
        """Direct child categories of ``term``."""
        return [t for t in self.categories.values() if t.parent == term.slug]
