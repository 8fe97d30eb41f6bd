"""Deterministic article specs: ids, permalinks, dates, authors, categories, tags and excerpts."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from ecss_crawler.replica import prose
from ecss_crawler.replica.catalog import FORMAT_CATEGORIES, Catalog
from ecss_crawler.replica.clock import cairo
from ecss_crawler.replica.model import ArticleSpec, ReplicaConfig, Term
from ecss_crawler.replica.slugs import slugify

FIRST_DAY = datetime(2019, 1, 6, 9, 0)
LAST_DAY = datetime(2025, 6, 28, 18, 0)
FIRST_POST_ID = 100


class ArticleFactory:
    """Makes specs with unique titles and permalinks, the way WordPress would number them."""

    def __init__(self, config: ReplicaConfig, catalog: Catalog) -> None:
        self.config = config
        self.catalog = catalog
        self.titles: dict[str, int] = {}
        self.paths: set[str] = set()

    def generate(self) -> list[ArticleSpec]:
        """The site's initial articles, oldest first."""
        rng = random.Random(self.config.seed)  # noqa: S311
        count = self.config.n_articles
        span = LAST_DAY - FIRST_DAY
        specs: list[ArticleSpec] = []
        phase = rng.random()
        for index in range(count):
            moment = FIRST_DAY + span * ((index + rng.random() * 0.8) / max(count, 1))
            post_id = FIRST_POST_ID + 4 * index + rng.randrange(3)
            language = "ar" if self.is_arabic(index, phase) else "en"
            earlier = specs[rng.randrange(index)].path if index and rng.random() < 0.4 else ""
            specs.append(self.make(rng, post_id, language, moment, cross_link=earlier))
        return specs

    def is_arabic(self, index: int, phase: float) -> bool:
        """Spread Arabic articles evenly, so the share is exact (to one article) for any seed."""
        share = self.config.arabic_share
        return int((index + 1) * share + phase) > int(index * share + phase)

    def make(
        self,
        rng: random.Random,
        post_id: int,
        language: str,
        moment: datetime,
        *,
        cross_link: str = "",
        title: str | None = None,
        categories: Sequence[str] | None = None,
        tags: Sequence[str] | None = None,
    ) -> ArticleSpec:
        """One spec; the keyword arguments override what would be drawn at random."""
        brief = rng.random() < 0.15 if title is None else False
        drawn_title, topic = prose.title(rng, language, brief)
        final_title = self.unique_title(title or drawn_title)
        published = cairo(
            moment.replace(hour=rng.randrange(8, 20), minute=rng.randrange(60), second=0)
        )
        path = self.permalink(post_id, final_title, language)
        old_path = ""
        if rng.random() < 0.08:
            old_path = (
                "/" + "-".join(slugify(final_title, "en").split("-")[:3]) + f"-old-{post_id}/"
            )
        return ArticleSpec(
            post_id=post_id,
            path=path,
            language=language,
            title=final_title,
            authors=self.draw_authors(rng, language),
            categories=self.order(self.draw_categories(rng, language), categories),
            tags=self.order(self.draw_tags(rng, language), tags, language),
            published=published,
            modified=self.draw_modified(rng, published),
            summary=prose.summary(rng, language, topic),
            brief=brief,
            featured=rng.random() < 0.75,
            comments=rng.choice((0, 0, 0, 0, 1, 2)),
            old_path=old_path,
            cross_link=cross_link,
            body_seed=f"{self.config.seed}:{post_id}",
        )

    def unique_title(self, title: str) -> str:
        """``title``, or ``title (n)`` when an earlier article already has it (a series)."""
        seen = self.titles.get(title, 0)
        self.titles[title] = seen + 1
        return f"{title} ({seen + 1})" if seen else title

    def permalink(self, post_id: int, title: str, language: str) -> str:
        """Decoded permalink path: ``/123/`` or ``/slug/`` made unique with ``-2``, ``-3``."""
        numeric = self.config.numeric_permalinks
        if numeric is None:
            numeric = language == "ar"
        if numeric:
            path = f"/{post_id}/"
        else:
            base = slugify(title, language)
            path, n = f"/{base}/", 2
            while path in self.paths:
                path, n = f"/{base}-{n}/", n + 1
        self.paths.add(path)
        return path

    def draw_authors(self, rng: random.Random, language: str) -> tuple[str, ...]:
        """One author, sometimes two, named in ``language``."""
        staff = list(self.catalog.staff.values())
        chosen = rng.sample(staff, 2 if rng.random() < 0.2 else 1)
        return tuple(member.name(language) for member in chosen)

    def draw_categories(self, rng: random.Random, language: str) -> list[Term]:
        """One or two topical categories, and usually the format category (Analysis)."""
        pool = [t for t in self.catalog.categories.values() if t.language == language]
        topical = [t for t in pool if t.slug not in FORMAT_CATEGORIES]
        weights = [self.catalog.weights.get(t.slug, 1) for t in topical]
        chosen: list[Term] = []
        for _ in range(rng.choice((1, 2, 2))):
            pick = rng.choices(topical, weights)[0]
            if pick not in chosen:
                chosen.append(pick)
        if rng.random() < 0.7:
            chosen.extend(t for t in pool if t.slug in FORMAT_CATEGORIES)
        return chosen

    def draw_tags(self, rng: random.Random, language: str) -> list[Term]:
        """Zero to six tags (none for about one article in five)."""
        if rng.random() < 0.2:
            return []
        pool = [t for t in self.catalog.tags.values() if t.language == language]
        return rng.sample(pool, min(len(pool), rng.randint(1, 6)))

    def order(
        self, drawn: list[Term], override: Sequence[str] | None, language: str = ""
    ) -> tuple[str, ...]:
        """Term names in page order (WordPress sorts by name); ``override`` replaces the draw."""
        if override is not None:
            if language:
                return tuple(sorted(self.catalog.tag(name, language).name for name in override))
            return tuple(sorted(self.catalog.category_named(name).name for name in override))
        return tuple(sorted(term.name for term in drawn))

    @staticmethod
    def draw_modified(rng: random.Random, published: datetime) -> datetime:
        """Often the same day, sometimes weeks or months later."""
        roll = rng.random()
        if roll < 0.5:
            delta = timedelta(minutes=rng.randrange(0, 240))
        elif roll < 0.8:
            delta = timedelta(days=rng.randrange(1, 30), minutes=rng.randrange(600))
        else:
            delta = timedelta(days=rng.randrange(30, 400), minutes=rng.randrange(600))
        return cairo(published.replace(tzinfo=None) + delta)
