"""How a crawl ends, said in words: the outcome lines, fail-fast when the site never answers.

The crawls run ``ecss-crawler crawl`` in a subprocess with ``-s LOG_FILE=...`` (how cron
and systemd run it): Scrapy's log then goes to the file only, and the terminal must
still say why the crawl ended and what the exit code means. "Offline" is simulated
without any DNS traffic: ``tests.offline_resolver`` makes every name lookup fail
locally, and "connection refused" is a port on 127.0.0.1 where nothing listens.
"""

from __future__ import annotations

import json
import logging
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from OpenSSL import SSL
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
)
from twisted.internet import error as tx_error
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseNeverReceived

from ecss_crawler.archive.lock import ArchiveLock
from ecss_crawler.middlewares.reachability import ExpectedErrorFilter, contact_failure
from ecss_crawler.outcome import MEANINGS, exit_code, outcome_for
from ecss_crawler.replica import ReplicaConfig, ReplicaServer, serve_replica
from ecss_crawler.replica.faults import Status
from tests.crawl_support import FAST

OFFLINE = "TWISTED_DNS_RESOLVER=tests.offline_resolver.OfflineResolver"
CONFIG = ReplicaConfig(seed=17, n_articles=6, arabic_share=0.4, per_page=3)


def crawl(base_url: str, db: Path, log: Path, *settings: str, args: tuple[str, ...] = ()):
    command = [
        sys.executable,
        "-m",
        "ecss_crawler.cli",
        "crawl",
        "--base-url",
        base_url,
        "--db",
        str(db),
        *args,
    ]
    for setting in (*FAST, f"LOG_FILE={log}", *settings):
        command += ["-s", setting]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def terminal(done: subprocess.CompletedProcess[str]) -> str:
    return done.stdout + done.stderr


def assert_says(done: subprocess.CompletedProcess[str], code: int, *words: str) -> list[str]:
    """Exit ``code``; stderr ends with the outcome and the code's meaning; no Scrapy log."""
    text = terminal(done)
    assert done.returncode == code, text[-3000:]
    last = done.stderr.strip().splitlines()[-2:]
    assert last[1].startswith(f"Exit code {code}: {MEANINGS[code][0]}"), last
    for word in words:
        assert word in last[0], (word, last)
    assert "Traceback" not in text
    assert "[scrapy" not in text  # Scrapy's log went to LOG_FILE
    return last


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- offline: fail fast, one line, no traceback -----------------------------------------------


def test_dns_failure_stops_after_three_attempts(tmp_path: Path) -> None:
    log = tmp_path / "crawl.log"
    done = crawl(
        "http://nonexistent.invalid/",
        tmp_path / "ecss.db",
        log,
        OFFLINE,
        "LOG_LEVEL=DEBUG",
        "ECSS_RETRY_BACKOFF_BASE=2",  # the default: the wait is capped while nothing answered
    )
    assert_says(done, 4, "Site unreachable: nonexistent.invalid:", "DNS lookup failed")
    text = log.read_text(encoding="utf-8")
    assert "Traceback" not in text
    # robots.txt tried three times (two quick retries), then the crawl stopped: no
    # "Gave up retrying" after the full five attempts of each request.
    assert text.count("Could not reach http://nonexistent.invalid/robots.txt") == 3
    waits = re.findall(r"Retrying http://nonexistent\.invalid/robots\.txt in ([\d.]+) s", text)
    assert len(waits) == 2
    assert all(float(wait) <= 1.0 for wait in waits)
    assert "Gave up retrying" not in text
    assert "Closing spider (unreachable)" in text


def test_dns_failure_without_log_file_has_no_traceback(tmp_path: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "ecss_crawler.cli",
        "crawl",
        "--base-url",
        "http://nonexistent.invalid/",
        "--db",
        str(tmp_path / "ecss.db"),
        "--json-summary",
    ]
    for setting in (*FAST, OFFLINE):
        command += ["-s", setting]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 4, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-2].startswith("Site unreachable: nonexistent.invalid")
    data = json.loads(done.stdout)
    assert data["outcome"]["code"] == 4
    assert data["counts"]["pages"] == 0
    # robots.txt three times, the home page once (it was already on its way): no retries of it.
    assert data["http_errors"]["CannotResolveHostError"] <= 4


def test_connection_refused(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "crawl.log"
    done = crawl(f"http://127.0.0.1:{port}/", tmp_path / "ecss.db", log)
    assert_says(
        done,
        4,
        "Site unreachable: 127.0.0.1:",
        f"connection refused: nothing answers on port {port}",
    )
    text = log.read_text(encoding="utf-8")
    assert text.count(f"Could not reach http://127.0.0.1:{port}/robots.txt") == 3
    assert "Traceback" not in text


def test_tls_failure(tmp_path: Path) -> None:
    """https:// to a plain-HTTP server: the TLS handshake fails."""
    with serve_replica(ReplicaConfig(seed=1, n_articles=2)) as server:
        port = server.base_url.rstrip("/").rsplit(":", 1)[1]
        log = tmp_path / "crawl.log"
        done = crawl(f"https://127.0.0.1:{port}/", tmp_path / "ecss.db", log)
    assert_says(done, 4, "Site unreachable: 127.0.0.1: TLS handshake failed: wrong version number")
    assert "Traceback" not in log.read_text(encoding="utf-8")


def test_timeout(tmp_path: Path) -> None:
    """A server that accepts connections and never answers."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        port = silent.getsockname()[1]
        log = tmp_path / "crawl.log"
        done = crawl(f"http://127.0.0.1:{port}/", tmp_path / "ecss.db", log, "DOWNLOAD_TIMEOUT=1")
    assert_says(done, 4, "Site unreachable: 127.0.0.1: timed out")
    text = log.read_text(encoding="utf-8")
    assert text.count(f"Could not reach http://127.0.0.1:{port}/robots.txt") == 3
    assert "Traceback" not in text


def test_a_site_that_answers_is_not_given_up_on(tmp_path: Path) -> None:
    """Two failed attempts, then the site answers: an ordinary crawl (no fail-fast)."""
    with serve_replica(CONFIG) as server:
        server.faults["/robots.txt"] = Status(503, times=2)
        done = crawl(server.base_url, tmp_path / "ecss.db", tmp_path / "crawl.log")
    assert_says(done, 0, "Crawl complete: 6 article(s) stored")


# -- every other exit code, with LOG_FILE -----------------------------------------------------


@pytest.fixture(scope="module")
def site() -> Iterator[ReplicaServer]:
    with serve_replica(CONFIG) as server:
        yield server


def test_layout_break_says_why(site: ReplicaServer, tmp_path: Path) -> None:
    done = crawl(
        site.base_url,
        tmp_path / "ecss.db",
        tmp_path / "crawl.log",
        'ECSS_ALARM_MIN_COVERAGE={"title": 1.01}',
    )
    last = assert_says(done, 5, "Layout break: title found in 100% of articles (minimum 101%)")
    assert "reparse" in last[1]
    assert "report:" in last[1]


def test_too_many_failures_says_why(site: ReplicaServer, tmp_path: Path) -> None:
    article = next(iter(site.site.articles))
    path = site.site.url_for(article.post_id).split(site.base_url.rstrip("/"), 1)[1]
    site.faults[path] = Status(404)
    try:
        done = crawl(
            site.base_url, tmp_path / "ecss.db", tmp_path / "crawl.log", "ECSS_MAX_FAILURE_SHARE=0"
        )
    finally:
        del site.faults[path]
    assert_says(done, 6, "Too many failures: 1 of 6 article pages failed (maximum 0%)")


def test_storage_error_says_what_to_do(site: ReplicaServer, tmp_path: Path) -> None:
    folder = tmp_path / "not-a-file.db"
    folder.mkdir()  # an archive path SQLite cannot open
    done = crawl(site.base_url, folder, tmp_path / "crawl.log")
    last = assert_says(done, 7, "Storage error: could not open the archive", str(folder))
    assert "Nothing already stored was lost" in last[1]


def test_storage_error_when_the_archive_folder_cannot_be_made(
    site: ReplicaServer, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    done = crawl(site.base_url, blocker / "ecss.db", tmp_path / "crawl.log")
    assert_says(done, 7, "Storage error: could not create the archive's folder", str(blocker))


def test_locked_archive_says_so(site: ReplicaServer, tmp_path: Path) -> None:
    db = tmp_path / "ecss.db"
    lock = ArchiveLock(db)
    assert lock.acquire()
    try:
        done = crawl(site.base_url, db, tmp_path / "crawl.log")
    finally:
        lock.release()
    last = assert_says(done, 8, "Not started: another crawl is writing this archive (process")
    assert "wait for it to finish" in last[1]
    assert "pages fetched" not in terminal(done)  # no counts when nothing was done


# -- the mapping and the classification, without a crawl ----------------------------------


@pytest.mark.parametrize(
    ("stats", "code", "words"),
    [
        ({"downloader/response_status_count/200": 3, "ecss/stored/new": 2}, 0, "2 article(s)"),
        ({"finish_reason": "shutdown", "downloader/response_status_count/200": 1}, 0, "JOBDIR"),
        ({"downloader/response_status_count/404": 3, "ecss/site": "x.org"}, 4, "HTTP 404"),
        (
            {"downloader/exception_type_count/twisted.internet.error.TimeoutError": 2},
            4,
            "TimeoutError x2",
        ),
        ({"ecss/unreachable": {"host": "h", "cause": "c"}}, 4, "Site unreachable: h: c"),
        (
            {"ecss/verdict": {"status": "layout_break", "reasons": ["r1"]}, "a/200": 1},
            4,
            "Site unreachable",
        ),
        ({"ecss/storage_error": "could not x: full", "ecss/locked": False}, 7, "could not x"),
        ({"ecss/locked": True, "ecss/lock_holder": 42}, 8, "process 42"),
    ],
)
def test_outcome_mapping(stats: dict, code: int, words: str) -> None:
    outcome = outcome_for(stats)
    assert outcome.code == code == exit_code(stats)
    assert words in outcome.headline
    assert outcome.lines()[1].startswith(f"Exit code {code}: {MEANINGS[code][0]}")


def test_layout_and_failure_verdicts() -> None:
    base = {"downloader/response_status_count/200": 5}
    broken = outcome_for(base | {"ecss/verdict": {"status": "layout_break", "reasons": ["a", "b"]}})
    assert (broken.code, broken.headline) == (5, "Layout break: a; b.")
    failing = outcome_for(
        base | {"ecss/verdict": {"status": "too_many_failures", "reasons": ["c"]}}
    )
    assert (failing.code, failing.headline) == (6, "Too many failures: c.")


def _tls_failure() -> Exception:
    wrapped = ResponseNeverReceived([Failure(SSL.Error([("SSL routines", "", "bad cert")]))])
    try:
        raise DownloadFailedError(str(wrapped)) from wrapped
    except DownloadFailedError as error:
        return error


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (CannotResolveHostError("no results"), "DNS lookup failed"),
        (tx_error.DNSLookupError("x"), "DNS lookup failed"),
        (
            DownloadConnectionRefusedError("refused"),
            "connection refused: nothing answers on port 8",
        ),
        (tx_error.NoRouteError(), "no route to the host"),
        (DownloadTimeoutError("slow"), "timed out"),
        (_tls_failure(), "TLS handshake failed: bad cert"),
        (tx_error.ConnectionLost(), "could not connect"),
    ],
)
def test_contact_failures_in_words(error: Exception, words: str) -> None:
    cause = contact_failure(error, port=8)
    assert cause is not None
    assert words in cause


def test_other_errors_are_not_contact_failures() -> None:
    assert contact_failure(ValueError("bad")) is None


def test_expected_errors_lose_their_traceback() -> None:
    try:
        raise CannotResolveHostError("no results")
    except CannotResolveHostError:
        record = logging.LogRecord(
            "x", logging.ERROR, "f", 1, "Error downloading", (), sys.exc_info()
        )
    assert ExpectedErrorFilter().filter(record)
    assert record.exc_info is None
    try:
        raise ValueError("a bug")
    except ValueError:
        bug = logging.LogRecord("x", logging.ERROR, "f", 1, "boom", (), sys.exc_info())
    assert ExpectedErrorFilter().filter(bug)
    assert bug.exc_info is not None  # real bugs keep their traceback


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--base-url", "ftp://example.org/"], "is not an http(s) URL with a host"),
        (["--base-url", "en.ecss.com.eg"], "is not an http(s) URL with a host"),
        (["--since", "2024-13-01"], "is not a YYYY-MM-DD date"),
    ],
)
def test_bad_arguments_are_a_usage_error(args: list[str], words: str) -> None:
    from click.testing import CliRunner

    from ecss_crawler.cli.crawl_cmds import crawl_command

    result = CliRunner().invoke(crawl_command, args)
    assert result.exit_code == 2
    assert words in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
