"""Ground truth: the record an extractor should produce for each replica article.

Field names and conventions follow :class:`ecss_crawler.items.Article`: the body
is one block per paragraph, heading, list item, quote paragraph, citation, table
row (cells joined by a tab) and caption, separated by one blank line; footnote
markers such as ``[1]`` stay where they stand.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ecss_crawler.replica.model import ArticleSpec

if TYPE_CHECKING:
    from ecss_crawler.replica.site import ReplicaSite

#: Fields each theme does not show at all, and so cannot be extracted from its pages.
HIDDEN: dict[str, tuple[str, ...]] = {
    "foxiz": (),
    "foxiz-nometa": (),
    "redesign": ("reading_minutes",),
    # A stock block theme without an SEO plugin: no modified date, no description, and
    # only the post's own author (``core/post-author-name``; see ``AUTHORS_SHOWN``).
    "block": ("modified", "summary", "reading_minutes"),
    "classic": ("reading_minutes",),
    # Not WordPress: no post ids anywhere.
    "cms": ("post_id", "reading_minutes"),
    "broken": (
        "post_id",
        "published",
        "modified",
        "categories",
        "tags",
        "summary",
        "reading_minutes",
        "featured_image",
    ),
}


#: Themes that credit only the first author of a post.
AUTHORS_SHOWN: dict[str, int] = {"block": 1}


def expected_record(site: ReplicaSite, spec: ArticleSpec) -> dict[str, Any]:
    """The record for ``spec`` as served by ``site``."""
    view = site.view(spec.language)
    record: dict[str, Any] = {
        "url": view.article_url(spec),
        "post_id": spec.post_id,
        "site": site.host,
        "language": spec.language,
        "title": spec.title,
        "authors": list(spec.authors),
        "published": spec.published_iso,
        "modified": spec.modified_iso,
        "categories": list(spec.categories),
        "tags": list(spec.tags),
        "summary": spec.summary,
        "body": spec.body_text,
        "word_count": spec.word_count,
        "reading_minutes": spec.reading_minutes,
        "featured_image": view.url(spec.featured_path) if spec.featured else None,
        "attachments": [view.url(path) for path in spec.attachment_paths],
    }
    shown = AUTHORS_SHOWN.get(site.config.theme)
    if shown:
        record["authors"] = record["authors"][:shown]
    for name in HIDDEN[site.config.theme]:
        record[name] = [] if isinstance(record[name], list) else None
    return record
