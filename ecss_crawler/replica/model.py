"""The replica's data model: configuration, taxonomy terms, staff, body blocks and article specs.

Specs are small frozen dataclasses, cheap enough to hold 20,000 of them. The
article body is *not* stored: :attr:`ArticleSpec.paragraphs` regenerates it on
demand from the spec's seed (memoised for recently used articles), so building a
large site stays fast and rendering stays lazy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

THEMES: tuple[str, ...] = (
    "foxiz",
    "foxiz-nometa",
    "redesign",
    "broken",
    "block",
    "classic",
    "cms",
)

BlockKind = Literal["p", "h2", "h3", "ul", "ol", "quote", "table", "figure", "footnotes"]
RunKind = Literal["", "strong", "em", "a", "sup"]

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class ReplicaConfig:
    """What replica site to build. Every field has a default that makes a small, rich site."""

    #: Same seed, same site (specs, bodies and pages byte for byte).
    seed: int = 7
    n_articles: int = 40
    #: Share of Arabic articles, spread evenly (exact to one article).
    arabic_share: float = 0.5
    #: The site's own language: home page chrome, date archive prefix (``/date/`` for "ar").
    language: str = "en"
    #: Cards per listing page.
    per_page: int = 5
    #: Decoded category slugs listed in Foxiz "Show More" mode (no crawlable next link).
    load_more_categories: tuple[str, ...] = ("analysis",)
    #: "foxiz", "foxiz-nometa", "redesign", "broken", or another kind of site: "block" (a stock
    #: WordPress block theme), "classic" (Twenty Twenty) or "cms" (not WordPress).
    theme: str = "foxiz"
    #: ``None``: slugs for English articles and numeric ``/123/`` for Arabic ones.
    numeric_permalinks: bool | None = None
    #: Serve WordPress core sitemaps (and name them in robots.txt).
    sitemap: bool = True

    def __post_init__(self) -> None:
        if self.theme not in THEMES:
            raise ValueError(f"unknown theme {self.theme!r}; choose one of {', '.join(THEMES)}")
        if self.language not in ("en", "ar"):
            raise ValueError("language must be 'en' or 'ar'")
        if self.per_page < 1 or self.n_articles < 0:
            raise ValueError("per_page must be >= 1 and n_articles >= 0")
        if not 0.0 <= self.arabic_share <= 1.0:
            raise ValueError("arabic_share must be between 0 and 1")


@dataclass(frozen=True)
class Term:
    """A category or a tag. ``slug`` is the decoded slug (Arabic letters for Arabic terms)."""

    taxonomy: Literal["category", "post_tag"]
    term_id: int
    slug: str
    name: str
    language: str
    parent: str = ""
    description: str = ""


@dataclass(frozen=True)
class Staff:
    """A researcher who writes for the centre."""

    slug: str
    names: dict[str, str]
    bio: str
    user_id: int

    def name(self, language: str) -> str:
        """The display name used on pages in ``language``."""
        return self.names.get(language) or self.names["en"]


@dataclass(frozen=True)
class Run:
    """A piece of inline text: plain, emphasised, a link (``href`` site-relative or absolute)."""

    text: str
    kind: RunKind = ""
    href: str = ""


@dataclass(frozen=True)
class Block:
    """One body block. ``runs`` for p/h2/h3; ``items`` for lists, quote paragraphs, footnotes."""

    kind: BlockKind
    runs: tuple[Run, ...] = ()
    items: tuple[tuple[Run, ...], ...] = ()
    cite: str = ""
    rows: tuple[tuple[str, ...], ...] = ()
    caption: str = ""
    image: str = ""

    def text_blocks(self) -> list[str]:
        """The plain-text blocks an extractor should produce for this block, in order."""
        if self.kind in ("p", "h2", "h3"):
            return [runs_text(self.runs)]
        if self.kind in ("ul", "ol", "footnotes"):
            return [runs_text(item) for item in self.items]
        if self.kind == "quote":
            return [runs_text(item) for item in self.items] + ([self.cite] if self.cite else [])
        if self.kind == "table":
            return ["\t".join(row) for row in self.rows] + ([self.caption] if self.caption else [])
        return [self.caption] if self.caption else []

    def hrefs(self) -> list[str]:
        """Every link target inside the block."""
        runs = list(self.runs) + [run for item in self.items for run in item]
        return [run.href for run in runs if run.kind == "a"]


def runs_text(runs: tuple[Run, ...]) -> str:
    """The plain text of a run sequence."""
    return "".join(run.text for run in runs)


@dataclass(frozen=True)
class ArticleSpec:
    """Everything the replica knows about one post; pages and ground truth derive from it."""

    post_id: int
    path: str
    language: str
    title: str
    authors: tuple[str, ...]
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    published: datetime
    modified: datetime
    summary: str
    brief: bool = False
    featured: bool = True
    comments: int = 0
    old_path: str = ""
    cross_link: str = ""
    body_version: int = 0
    body_seed: str = ""
    custom_blocks: tuple[Block, ...] | None = field(default=None, compare=False)

    @property
    def paragraphs(self) -> tuple[Block, ...]:
        """The body blocks (regenerated from the seed; memoised for recent articles)."""
        if self.custom_blocks is not None:
            return self.custom_blocks
        from ecss_crawler.replica.body import build_body

        key = f"{self.body_seed}:v{self.body_version}"
        upload_dir = f"{self.published:%Y/%m}"
        return build_body(key, self.language, self.brief, self.cross_link, upload_dir, self.post_id)

    @property
    def body_text(self) -> str:
        """The body as an extractor should produce it: one block per line pair."""
        return "\n\n".join(text for block in self.paragraphs for text in block.text_blocks())

    @property
    def word_count(self) -> int:
        """Number of ``\\w+`` tokens in :attr:`body_text`."""
        return len(_WORD.findall(self.body_text))

    @property
    def reading_minutes(self) -> int:
        """Reading time shown by the theme: one minute per 200 words, at least one."""
        return max(1, round(self.word_count / 200))

    @property
    def attachment_paths(self) -> list[str]:
        """Site-relative paths of documents (PDFs) linked from the body, in order, unique."""
        seen: list[str] = []
        for block in self.paragraphs:
            for href in block.hrefs():
                if href.startswith("/wp-content/uploads/") and href not in seen:
                    seen.append(href)
        return seen

    @property
    def published_iso(self) -> str:
        """Publication time, ISO 8601 with its Cairo offset."""
        return self.published.isoformat()

    @property
    def modified_iso(self) -> str:
        """Last modification time, ISO 8601 with its Cairo offset."""
        return self.modified.isoformat()

    @property
    def featured_path(self) -> str:
        """Site-relative path of the featured image ('' when the post has none)."""
        if not self.featured:
            return ""
        return f"/wp-content/uploads/{self.published:%Y/%m}/post-{self.post_id}-featured.png"


@dataclass(frozen=True)
class Response:
    """What the site answers for one request."""

    status: int
    headers: dict[str, str]
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """A header value, matched case-insensitively."""
        lowered = name.lower()
        for key, value in self.headers.items():
            if key.lower() == lowered:
                return value
        return None
