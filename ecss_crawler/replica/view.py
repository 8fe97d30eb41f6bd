"""What templates see: absolute URLs, localised names and the shared widget data of one site state.

A view is tied to a chrome language. Like a WordPress site running a language
plugin such as Polylang, article pages and term listings use the language of
their content (so ``<html lang dir>``, menus and date formats follow it), and
the home page uses the site's own language.
"""

from __future__ import annotations

from datetime import datetime

from ecss_crawler.replica.catalog import Catalog
from ecss_crawler.replica.index import SiteIndex
from ecss_crawler.replica.model import ArticleSpec, ReplicaConfig, Staff, Term
from ecss_crawler.replica.slugs import encode_path

SITE_NAMES: dict[str, str] = {
    "en": "ECSS - Egyptian Center for Strategic Studies",
    "ar": "المركز المصري للفكر والدراسات الاستراتيجية",
}
ANNUAL_REPORT = "/wp-content/uploads/2024/01/ecss-annual-report-2023.pdf"
DEAD_LINK = "/archive/2015/"


class View:
    """URL building and widget data for templates, in one chrome language."""

    def __init__(
        self,
        base_url: str,
        config: ReplicaConfig,
        catalog: Catalog,
        index: SiteIndex,
        language: str,
    ) -> None:
        self.root = base_url.rstrip("/")
        self.config = config
        self.catalog = catalog
        self.index = index
        self.language = language
        self.rtl = language == "ar"
        self.site_name = SITE_NAMES[language]
        self.date_prefix = "/date" if config.language == "ar" else ""
        #: The ``cms`` theme is another CMS: its own URL scheme (see :func:`cms_article_path`).
        self.cms = config.theme == "cms"

    @property
    def home(self) -> str:
        """Absolute URL of the home page, with its trailing slash."""
        return self.root + "/"

    def url(self, path: str, query: str = "") -> str:
        """Absolute URL for a decoded site path (``query`` starts with ``?`` or is empty)."""
        if path.startswith(("http://", "https://", "#")):
            return path
        if "?" in path:
            path, _, inline = path.partition("?")
            query = f"?{inline}" + (f"&{query[1:]}" if query else "")
        return self.root + encode_path(path) + query

    def article_url(self, spec: ArticleSpec) -> str:
        """The article's permalink."""
        return self.url(cms_article_path(spec) if self.cms else spec.path)

    def category_url(self, term: Term) -> str:
        """The category's archive URL (with its parents)."""
        if self.cms:
            return self.url(f"{language_prefix(term.language)}/topics/{term.slug}")
        return self.url(self.catalog.category_path(term))

    def tag_url(self, term: Term) -> str:
        """The tag's archive URL."""
        if self.cms:
            return self.url(f"{language_prefix(term.language)}/tags/{term.slug}")
        return self.url(f"/tag/{term.slug}/")

    def author_url(self, member: Staff) -> str:
        """The author's archive URL."""
        return self.url(f"/people/{member.slug}" if self.cms else f"/author/{member.slug}/")

    def month_path(self, year: int, month: int) -> str:
        """Decoded path of a month archive (``/2025/06/`` or ``/date/2025/06/``)."""
        return f"{self.date_prefix}/{year:04d}/{month:02d}/"

    def categories_of(self, spec: ArticleSpec) -> list[Term]:
        """The article's categories, page order."""
        return [self.catalog.category_named(name) for name in spec.categories]

    def tags_of(self, spec: ArticleSpec) -> list[Term]:
        """The article's tags, page order."""
        return [self.catalog.tag_named(name) for name in spec.tags]

    def authors_of(self, spec: ArticleSpec) -> list[Staff]:
        """The article's authors."""
        return [self.catalog.staff_named(name) for name in spec.authors]

    def latest(self, count: int) -> list[ArticleSpec]:
        """The newest articles of the whole site."""
        return self.index.latest(count)

    def latest_in(self, term: Term, count: int) -> list[ArticleSpec]:
        """The newest articles of a category (children included)."""
        return self.index.specs(self.index.by_category.get(term.slug, [])[:count])

    def related(self, spec: ArticleSpec, count: int = 4) -> list[ArticleSpec]:
        """Deterministic related posts: the next ones in the article's first category."""
        terms = self.categories_of(spec)
        if not terms:
            return []
        return self.index.following(self.index.by_category[terms[0].slug], spec, count)

    def picks(self) -> list[ArticleSpec]:
        """Articles for the "Editor's Picks" widget, whose links use odd URL variants."""
        newest = self.index.newest
        chosen = [newest[i] for i in (1, 3, 5, 2) if i < len(newest)]
        return self.index.specs(chosen)

    def with_old_path(self) -> ArticleSpec | None:
        """The newest article that has an old (redirecting) permalink."""
        for post_id in self.index.newest:
            spec = self.index.by_id[post_id]
            if spec.old_path:
                return spec
        return None

    def with_arabic_slug(self) -> ArticleSpec | None:
        """One of the ten newest articles whose permalink is not ASCII, if any."""
        for post_id in self.index.newest[:10]:
            spec = self.index.by_id[post_id]
            if not spec.path.isascii():
                return spec
        return None

    def calendar_month(self) -> tuple[int, int]:
        """The month the calendar widget shows by default: the newest article's."""
        newest: datetime | None = self.index.newest_moment()
        return (newest.year, newest.month) if newest else (2025, 6)

    def days_with_posts(self, year: int, month: int) -> set[int]:
        """Days of ``year-month`` that have at least one article."""
        ids = self.index.by_month.get((year, month), [])
        return {self.index.by_id[post_id].published.day for post_id in ids}


def language_prefix(language: str) -> str:
    """The ``cms`` theme's path prefix for content in ``language`` (``/ar`` for Arabic)."""
    return "/ar" if language == "ar" else ""


def cms_article_path(spec: ArticleSpec) -> str:
    """Decoded path of an article on the ``cms`` theme: ``[/ar]/publications/YYYY/slug``."""
    slug = [part for part in spec.path.split("/") if part][-1]
    return f"{language_prefix(spec.language)}/publications/{spec.published.year}/{slug}"
