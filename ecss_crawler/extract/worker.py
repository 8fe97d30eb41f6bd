"""Reading article pages (parse and extract) in a child process of their own.

A crawl's own process is bound by one core: Scrapy's downloads, callbacks and item
pipelines share its GIL. Parsing an article page (~0.6 ms) and extracting its record
(~0.8 ms) are the largest costs of a callback, so :class:`ProcessPageReader` sends
each page to a child (``python -m ecss_crawler.extract.worker``, see
:mod:`ecss_crawler.childproc`) that parses and extracts it with the same pure
functions, and answers with the :class:`~ecss_crawler.items.Article` or the
exception they raised (:class:`~ecss_crawler.extract.pagetype.NotAnArticle`,
:class:`~ecss_crawler.extract.decode.NotHTMLError`, ``ValueError``).

Each site profile crosses the pipe pickled once (then only its key), and the child
keeps a :class:`~ecss_crawler.sites.ThemeMemo` per profile, so an ``auto`` profile
settles on its theme there as it would in the crawl's process. A child that dies (a
page that crashes the parser, the OOM killer) fails the pages it held with
:class:`~ecss_crawler.childproc.ChildGone`; the next page starts a new child.
No Scrapy import here: the spider's side is :mod:`ecss_crawler.offload`.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import sys
from concurrent.futures import Future
from dataclasses import dataclass, field

from ecss_crawler.childproc import ChildWorker, serve
from ecss_crawler.extract import extract_from_selector, parse_html
from ecss_crawler.items import Article
from ecss_crawler.sites import SiteProfile, ThemeMemo

#: Seconds one page may take in the page reader before it is stopped.
DEFAULT_TIMEOUT = 60.0


@dataclass(frozen=True)
class PageJob:
    """One page to read: its bytes and where they came from, and the profile to read it
    with (``profile_key``; ``profile`` is the pickled profile, sent with every job so a
    new child can read it, and unpickled once per child)."""

    body: bytes
    url: str
    content_type: str | None
    profile_key: str
    profile: bytes


@dataclass
class PageReaderHost:
    """The child's side: parse and extract each page with its profile's theme memo."""

    memos: dict[str, ThemeMemo] = field(default_factory=dict)

    def handle(self, job: PageJob) -> Article:
        memo = self.memos.get(job.profile_key)
        if memo is None:
            profile = pickle.loads(job.profile)  # noqa: S301 - the crawl's own bytes
            memo = self.memos[job.profile_key] = ThemeMemo(profile)
        sel = parse_html(job.body, job.url, job.content_type)
        return extract_from_selector(sel, job.url, profile=memo.profile_for_page(sel))


class ProcessPageReader:
    """The crawl's side: :meth:`read` returns a future of the page's record."""

    def __init__(
        self,
        log_level: int = logging.INFO,
        timeout: float | None = DEFAULT_TIMEOUT,
        command: list[str] | None = None,
    ) -> None:
        """``timeout``: seconds the child may spend on one page before it is stopped (the
        page then fails); ``command`` replaces the child's command line (tests use it)."""
        self.worker = ChildWorker(
            command or [sys.executable, "-m", __name__, str(log_level)],
            "page reader",
            restart=True,
            timeout=timeout,
        )
        self._profiles: dict[int, tuple[SiteProfile, str, bytes]] = {}

    def read(
        self, body: bytes, url: str, content_type: str | None, profile: SiteProfile
    ) -> Future[Article]:
        """Parse and extract ``body`` in the child (same result, same exceptions as
        :func:`~ecss_crawler.extract.extract_article`)."""
        key, pickled = self._pickled(profile)
        return self.worker.post(PageJob(body, url, content_type, key, pickled))

    def _pickled(self, profile: SiteProfile) -> tuple[str, bytes]:
        known = self._profiles.get(id(profile))
        if known is None or known[0] is not profile:
            pickled = pickle.dumps(profile, protocol=pickle.HIGHEST_PROTOCOL)
            key = hashlib.blake2b(pickled, digest_size=16).hexdigest()
            known = self._profiles[id(profile)] = (profile, key, pickled)
        return known[1], known[2]

    def close(self) -> None:
        """Stop the child (after the pages it holds)."""
        self.worker.shutdown()


def main() -> None:
    """Entry point of the child process."""
    serve(PageReaderHost().handle, "page reader")


if __name__ == "__main__":
    main()
