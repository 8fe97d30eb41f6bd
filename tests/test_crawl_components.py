"""Crawl components in isolation: polite settings, retry backoff, off-site guard, fingerprints,
the on-disk frontier."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy import Request
from scrapy.settings import Settings
from scrapy.statscollectors import StatsCollector
from scrapy.utils.test import get_crawler

from ecss_crawler import settings as project
from ecss_crawler.fingerprint import UrlKeyFingerprinter
from ecss_crawler.middlewares.retry import BackoffRetryMiddleware, retry_after_seconds
from ecss_crawler.middlewares.site import AllowedSiteMiddleware, OffsiteRequestError
from ecss_crawler.scheduler import DiskFrontierScheduler
from ecss_crawler.spiders.ecss import EcssSpider


def test_polite_defaults() -> None:
    assert project.ROBOTSTXT_OBEY is True
    assert project.AUTOTHROTTLE_ENABLED is True
    assert project.CONCURRENT_REQUESTS_PER_DOMAIN <= 2
    assert "ecss-crawler" in project.USER_AGENT
    assert project.ECSS_CONTACT_URL in project.USER_AGENT
    assert {429, 500, 502, 503, 504} <= set(project.RETRY_HTTP_CODES)
    assert project.DOWNLOAD_TIMEOUT
    assert project.DOWNLOAD_MAXSIZE
    assert project.HTTPCACHE_ENABLED is False


def test_retry_after_parsing() -> None:
    assert retry_after_seconds("120") == 120
    now = datetime(2026, 1, 1, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert retry_after_seconds(later, now=now.timestamp()) == pytest.approx(30)
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def _settings(**extra: object) -> Settings:
    values = Settings()
    values.setmodule("ecss_crawler.settings")
    values.update(extra)
    return values


def _crawler() -> SimpleNamespace:
    """Just what the middlewares read: the spider and the stats."""
    spider = EcssSpider(base_url="http://127.0.0.1:8089/")
    return SimpleNamespace(
        spider=spider, stats=StatsCollector(SimpleNamespace(settings=Settings()))
    )


def test_backoff_honours_retry_after_and_caps() -> None:
    from scrapy.http import Response

    middleware = BackoffRetryMiddleware(
        _settings(ECSS_RETRY_MAX_DELAY=60, ECSS_RETRY_BACKOFF_BASE=2)
    )
    request = Request("http://127.0.0.1:8089/a/")
    told = Response(request.url, status=503, headers={"Retry-After": "7"})
    assert middleware.backoff(request, told) == 7
    assert middleware.backoff(request, Response(request.url, status=429)) == 2
    request.meta["retry_times"] = 3
    assert middleware.backoff(request, Response(request.url, status=500)) == 16
    huge = Response(request.url, status=503, headers={"Retry-After": "99999"})
    assert middleware.backoff(request, huge) == 60


def test_offsite_requests_are_refused() -> None:
    middleware = AllowedSiteMiddleware(_crawler())  # type: ignore[arg-type]
    middleware.process_request(Request("http://127.0.0.1:8089/x/"))
    for url in ("http://127.0.0.1:9999/x/", "https://twitter.com/ECSS", "http://evil.example/"):
        with pytest.raises(OffsiteRequestError):
            middleware.process_request(Request(url))


def test_fingerprints_merge_url_forms() -> None:
    fingerprinter = UrlKeyFingerprinter()
    same = [
        "https://en.ecss.com.eg/a/",
        "http://en.ecss.com.eg/a",
        "https://en.ecss.com.eg/a/?utm_campaign=x#top",
    ]
    assert len({fingerprinter.fingerprint(Request(url)) for url in same}) == 1
    assert fingerprinter.fingerprint(Request(same[0])) != fingerprinter.fingerprint(
        Request(same[0], method="HEAD")
    )


def test_spider_arguments() -> None:
    spider = EcssSpider(
        base_url="http://127.0.0.1:8089",
        categories="a, b/",
        since="2024-01-31",
        max_articles="7",
        incremental="1",
        recheck_older_than="30",
    )
    assert spider.base_url == "http://127.0.0.1:8089/"
    assert spider.category_slugs == {"a", "b"}
    assert spider.since.isoformat() == "2024-01-31"
    assert spider.max_articles == 7
    assert spider.incremental
    assert spider.recheck_older_than == 30
    with pytest.raises(ValueError):
        EcssSpider(base_url="ftp://x/")


def _scheduler(tmp_path: Path, **settings: object) -> tuple[DiskFrontierScheduler, EcssSpider]:
    values = {
        "SCHEDULER": "ecss_crawler.scheduler.DiskFrontierScheduler",
        "ECSS_DISK_FRONTIER": True,
        "ECSS_FRONTIER_DIR": str(tmp_path),
        "REQUEST_FINGERPRINTER_CLASS": project.REQUEST_FINGERPRINTER_CLASS,
        # Scrapy's default queue asks the (not running) downloader for slots.
        "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.ScrapyPriorityQueue",
        **settings,
    }
    crawler = get_crawler(EcssSpider, values)
    spider = EcssSpider.from_crawler(crawler, base_url="http://127.0.0.1:8089/")
    crawler.spider = spider
    scheduler = DiskFrontierScheduler.from_crawler(crawler)
    scheduler.open(spider)
    return scheduler, spider


def _enqueue(scheduler: DiskFrontierScheduler, spider: EcssSpider, count: int) -> None:
    for number in range(count):
        url = f"http://127.0.0.1:8089/article-{number}/"
        assert scheduler.enqueue_request(Request(url, callback=spider.parse_article))


def test_frontier_is_on_disk_without_jobdir(tmp_path: Path) -> None:
    """A large sitemap's requests wait on disk, not in memory; the scratch dir goes at close."""
    scheduler, spider = _scheduler(
        tmp_path, ECSS_FRONTIER_MEMORY=0, SCHEDULER_DISK_QUEUE=project.SCHEDULER_DISK_QUEUE
    )
    _enqueue(scheduler, spider, 50)
    assert scheduler.scratch_dir is not None
    assert Path(scheduler.scratch_dir).parent == tmp_path
    assert len(scheduler.mqs) == 0
    assert len(scheduler) == 50
    assert scheduler.stats is not None
    assert scheduler.stats.get_value("scheduler/enqueued/disk") == 50
    first = scheduler.next_request()
    assert first is not None
    assert first.callback == spider.parse_article
    scheduler.close("finished")
    assert not any(tmp_path.iterdir())


def test_frontier_keeps_the_first_requests_in_memory_and_spills_the_rest(tmp_path: Path) -> None:
    scheduler, spider = _scheduler(
        tmp_path, ECSS_FRONTIER_MEMORY=20, SCHEDULER_DISK_QUEUE=project.SCHEDULER_DISK_QUEUE
    )
    _enqueue(scheduler, spider, 50)
    assert len(scheduler.mqs) == 20
    assert len(scheduler) == 50
    popped = [scheduler.next_request() for _ in range(50)]
    assert len({request.url for request in popped if request is not None}) == 50
    assert all(request.callback == spider.parse_article for request in popped if request)
    assert scheduler.next_request() is None
    scheduler.close("finished")


def test_request_to_dict_names_spider_methods_like_scrapy(tmp_path: Path) -> None:
    from scrapy.utils.request import request_from_dict

    from ecss_crawler.scheduler import request_to_dict

    _, spider = _scheduler(tmp_path)
    requests = [
        spider._listing_request("http://127.0.0.1:8089/category/a/", page=2),
        Request("http://127.0.0.1:8089/x/", callback=spider.parse_article, priority=20),
        Request("http://127.0.0.1:8089/y/", meta={"k": 1}, headers={"A": "b"}),
    ]
    for request in requests:
        assert request_to_dict(request, spider) == request.to_dict(spider=spider)
        again = request_from_dict(request_to_dict(request, spider), spider=spider)
        assert (again.url, again.callback, again.errback) == (
            request.url,
            request.callback,
            request.errback,
        )
    other = EcssSpider(base_url="http://127.0.0.1:8089/")
    foreign = Request("http://127.0.0.1:8089/z/", callback=other.parse_article)
    assert request_to_dict(foreign, spider) == foreign.to_dict(spider=spider)  # Scrapy's way
    stranger = Request("http://127.0.0.1:8089/w/", callback=ValueError().with_traceback)
    with pytest.raises(ValueError):
        request_to_dict(stranger, spider)  # as Scrapy: not a method of the spider


def test_frontier_uses_jobdir_when_given(tmp_path: Path) -> None:
    jobdir = tmp_path / "job"
    scheduler, spider = _scheduler(tmp_path, JOBDIR=str(jobdir))
    _enqueue(scheduler, spider, 3)
    assert scheduler.scratch_dir is None
    scheduler.close("shutdown")
    assert (jobdir / "requests.queue" / "active.json").exists()  # kept for resuming


def test_frontier_in_memory_when_turned_off(tmp_path: Path) -> None:
    scheduler, spider = _scheduler(tmp_path, ECSS_DISK_FRONTIER=False)
    _enqueue(scheduler, spider, 3)
    assert scheduler.scratch_dir is None
    assert len(scheduler.mqs) == 3
    scheduler.close("finished")


def test_scratch_dirs_of_killed_crawls_are_removed(tmp_path: Path) -> None:
    """A SIGKILLed crawl leaves its scratch dir; the next crawl there removes it, but never
    a running crawl's (it holds the lock) nor anything not named like a scratch dir."""
    orphan = tmp_path / "ecss-frontier-99999999999999999999-abc"
    (orphan / "requests.queue").mkdir(parents=True)
    running = tmp_path / "ecss-frontier-1-xyz"
    running.mkdir()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys, time; f = open(sys.argv[1], 'a');"
            " fcntl.flock(f, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(60)",
            str(running / "owner.lock"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        unrelated = tmp_path / "ecss-frontier-notes"
        unrelated.mkdir()
        odd = tmp_path / "ecss-frontier-²-x"
        odd.mkdir()
        scheduler, _ = _scheduler(tmp_path)
        assert not orphan.exists()
        assert running.exists()
        assert unrelated.exists()
        assert odd.exists()
        assert scheduler.scratch_dir is not None
        assert Path(scheduler.scratch_dir).name.startswith(f"ecss-frontier-{os.getpid()}-")
        # A second crawl starting now leaves the first one's directory alone.
        second, _ = _scheduler(tmp_path)
        assert Path(scheduler.scratch_dir).exists()
        second.close("finished")
        scheduler.close("finished")
        assert not Path(scheduler.scratch_dir).exists()
    finally:
        holder.kill()
        holder.wait()


def test_frontier_in_memory_when_no_scratch_dir_can_be_made(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    scheduler, spider = _scheduler(tmp_path, ECSS_FRONTIER_DIR=str(blocker / "sub"))
    _enqueue(scheduler, spider, 2)
    assert scheduler.scratch_dir is None
    assert len(scheduler.mqs) == 2
    scheduler.close("finished")
