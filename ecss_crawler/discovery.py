"""Which listing pages a whole-site crawl still needs, given what the sitemaps listed.

A site's post sitemaps name every article at once, so once they have all been read
a listing page whose cards are all in them cannot lead to an article not yet
scheduled: its listing stops paging there (a parent category repeating its
sub-categories, the home page repeating every category, pages past the newest
ones). Listings are only trusted to be redundant while the sitemaps are
*vouched for*:

* every sitemap the crawl asked for has answered (none that robots.txt or an
  index named failed or was unreadable), and at least one post URL set was read;
* no listing card has shown an article the sitemaps do not list (a stale or
  partial sitemap). The first such card withdraws the trust for the rest of the
  crawl, and every listing stopped so far resumes where it stopped; cards seen
  before the sitemaps were complete are checked once they are;
* they list at least as many articles as the home listing holds (its page count
  and the cards of its last page), which catches sitemaps that miss old articles
  no listing page read so far shows.

Missing sitemaps are never complete, so without them every listing is walked to
its end, as before. Pure bookkeeping: the spider asks, this answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

#: Card keys remembered while the sitemaps are still being read; past this, the
#: sitemaps are simply not trusted (every listing is walked to its end).
MAX_EARLY_CARDS = 50_000


@dataclass(frozen=True)
class NextPage:
    """A listing's next page: requested, or kept to request if the trust goes."""

    url: str
    page: int
    home: bool
    probe: bool
    page_size: int


@dataclass
class SitemapVouch:
    """Whether the sitemaps list every article; ``keys`` are the post sitemaps' URL keys."""

    keys: set[int] | None
    pending: set[str] = field(default_factory=set)
    requested: set[str] = field(default_factory=set)
    failed: bool = False
    post_url_sets: int = 0
    contradicted: bool = False
    early: set[int] | None = field(default_factory=set)
    #: Articles the home listing holds (None: not known).
    expected: int | None = None
    stopped: list[NextPage] = field(default_factory=list)

    @property
    def enabled(self) -> bool:
        return self.keys is not None

    @property
    def complete(self) -> bool:
        """Every sitemap asked for answered, none failed, and post URLs were read."""
        return (
            self.enabled
            and not self.pending
            and not self.failed
            and self.post_url_sets > 0
            and not self.contradicted
        )

    def request(self, key: str) -> bool:
        """A sitemap is about to be requested; False if it already was (skip it)."""
        if key in self.requested:
            return False
        self.requested.add(key)
        self.pending.add(key)
        if self.early is None and not self.contradicted:
            self.early = set()  # a sitemap found late: check the cards seen meanwhile too
        return True

    def answered(self, key: str, ok: bool) -> None:
        """A sitemap was read (``ok``) or failed for good; when this completes the
        sitemaps, the cards seen so far are checked against them."""
        self.pending.discard(key)
        if not ok:
            self.failed = True
        if self.complete and self.early is not None:
            early, self.early = self.early, None
            self._contradicts(early)
        self._check_count()

    def expect_total(self, articles: int) -> None:
        """The home listing holds ``articles``: the sitemaps must list at least as many."""
        self.expected = articles
        self._check_count()

    def _check_count(self) -> None:
        if self.expected is not None and self.complete:
            assert self.keys is not None
            if len(self.keys) < self.expected:
                self.contradicted = True

    def read_post_url_set(self) -> None:
        self.post_url_sets += 1

    def vouches_for(self, card_keys: Iterable[int]) -> bool:
        """True when every card is listed by complete sitemaps: the listing may stop here.

        Before the sitemaps are complete the cards are remembered, to be checked then.
        """
        keys = list(card_keys)
        if not keys or not self.enabled or self.contradicted:
            return False
        if not self.complete:
            if self.early is not None:
                self.early.update(keys)
                if len(self.early) > MAX_EARLY_CARDS:
                    self.early = None
                    self.contradicted = True  # cannot check them all: trust nothing
            return False
        return not self._contradicts(keys)

    def _contradicts(self, card_keys: Iterable[int]) -> bool:
        assert self.keys is not None
        if any(key not in self.keys for key in card_keys):
            self.contradicted = True
        return self.contradicted

    def stop(self, stopped: NextPage) -> None:
        """Remember a listing that stopped paging because the sitemaps vouched for it."""
        self.stopped.append(stopped)

    def resume(self) -> list[NextPage]:
        """After the trust is withdrawn: every stopped listing, once."""
        if not self.contradicted:
            return []
        stopped, self.stopped = self.stopped, []
        return stopped
