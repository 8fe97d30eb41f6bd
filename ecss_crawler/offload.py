"""Reading article pages off the crawl's thread: in a child process, or on pool threads.

The spider awaits :meth:`PageReader.read` for each article page and gets the record
(or the exception extraction raised). :class:`ProcessReader` (the default,
``ECSS_READ_PROCESS``) parses and extracts in a child process
(:mod:`ecss_crawler.extract.worker`), on the machine's other core: the crawl's own
process keeps only Scrapy's work. :class:`ThreadReader` parses on a reactor pool thread
(lxml releases the GIL while it parses) and extracts on the crawl's thread.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from parsel import Selector
from scrapy.settings import BaseSettings
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from ecss_crawler.childproc import ChildGone
from ecss_crawler.extract import extract_from_selector, parse_html
from ecss_crawler.extract.worker import ProcessPageReader
from ecss_crawler.items import Article
from ecss_crawler.sites import SiteProfile, ThemeMemo

logger = logging.getLogger(__name__)


class PageReader(Protocol):
    """Parses and extracts one article page; :meth:`close` at the end of the crawl."""

    async def read(
        self, body: bytes, url: str, content_type: str | None, profile: SiteProfile
    ) -> Article: ...

    def close(self) -> None: ...


class ProcessReader:
    """Pages read in a child process. A page whose reader died is read once more by a
    new child (it may have died of another page); a second death is the page's failure
    (:class:`~ecss_crawler.childproc.ChildGone`)."""

    def __init__(self, log_level: int = logging.INFO, timeout: float | None = None) -> None:
        self.reader = ProcessPageReader(log_level, timeout)

    async def read(
        self, body: bytes, url: str, content_type: str | None, profile: SiteProfile
    ) -> Article:
        try:
            return await asyncio.wrap_future(self.reader.read(body, url, content_type, profile))
        except ChildGone as error:
            logger.warning("Reading %s again: %s", url, error)
            return await asyncio.wrap_future(self.reader.read(body, url, content_type, profile))

    def close(self) -> None:
        self.reader.close()


class ThreadReader:
    """Pages parsed on a reactor pool thread, extracted on the crawl's thread."""

    def __init__(self) -> None:
        self.memos: dict[int, ThemeMemo] = {}

    async def read(
        self, body: bytes, url: str, content_type: str | None, profile: SiteProfile
    ) -> Article:
        sel = await parse_html_off_thread(body, url, content_type)
        memo = self.memos.get(id(profile))
        if memo is None or memo.profile is not profile:
            memo = self.memos[id(profile)] = ThemeMemo(profile)
        return extract_from_selector(sel, url, profile=memo.profile_for_page(sel))

    def close(self) -> None:
        self.memos.clear()


def page_reader(settings: BaseSettings) -> PageReader:
    """The reader ``ECSS_READ_PROCESS`` asks for (a child process unless it is false)."""
    if settings.getbool("ECSS_READ_PROCESS", True):
        timeout = settings.getfloat("ECSS_READ_TIMEOUT", 60.0) or None
        return ProcessReader(log_level(settings.get("LOG_LEVEL")), timeout)
    return ThreadReader()


def log_level(value: object) -> int:
    """Scrapy's ``LOG_LEVEL`` (a name or a number) as a number."""
    if isinstance(value, int):
        return value
    level = logging.getLevelName(str(value or "DEBUG").upper())
    return level if isinstance(level, int) else logging.DEBUG


async def parse_html_off_thread(body: bytes, url: str, content_type: str | None) -> Selector:
    """:func:`ecss_crawler.extract.parse_html` on a reactor pool thread (same result,
    same exceptions)."""
    selector: Selector = await maybe_deferred_to_future(
        deferToThread(parse_html, body, url, content_type)
    )
    return selector
