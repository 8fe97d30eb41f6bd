"""Storage faults: a full disk and a read-only archive stop the crawl with exit code 7,
a clear error, and nothing already stored lost.

Each test starts from a copy of one complete archive (crawled once per module),
changes the site so the crawl has real writes to make (every article retagged:
a revision, a capture, new m2m rows each), and runs ``ecss-crawler crawl`` in a
subprocess against storage that fails:

* **full disk**: the archive on a 4 MB tmpfs filled up to ~100 KB (root only), or
  a size-limited file (``RLIMIT_FSIZE``, any user: writes past the limit fail
  with ``EFBIG``, as on a quota);
* **read-only**: the archive file made immutable (``chattr +i`` as root, else
  mode 0444), or its folder a read-only bind mount (root only) - what a user
  hits with a backup copy or a read-only volume.

Afterwards the archive must pass ``check_archive`` and hold every version it
held before; once the storage is fixed, the next run completes it.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import resource
import shutil
import signal
import sqlite3
import stat
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from ecss_crawler.archive.db import check_archive
from ecss_crawler.replica import ReplicaConfig, ReplicaServer, serve_replica
from tests.test_archive_writer import captured as _captured
from tests.test_hard_kill import crawl_command, expected_mismatches, lost_versions, snapshot

CONFIG = ReplicaConfig(seed=31, n_articles=14, arabic_share=0.4, per_page=4)
IS_ROOT = os.geteuid() == 0


def run(
    base_url: str, db: Path, preexec: Callable[[], None] | None = None
) -> subprocess.CompletedProcess[str]:
    """One crawl of the replica into ``db`` (optionally under a resource limit)."""
    return subprocess.run(
        crawl_command(base_url, db),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=preexec,
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def retag_everything(server: ReplicaServer, round_: int) -> None:
    """Give every article new tags: the next crawl stores a new version of each."""
    for spec in server.site.articles:
        server.site.retag(spec.post_id, [f"Tag {round_}-{spec.post_id}", "Storage"])


@pytest.fixture(scope="module")
def site() -> Iterator[ReplicaServer]:
    with serve_replica(CONFIG) as server:
        yield server


@pytest.fixture(scope="module")
def complete_archive(site: ReplicaServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One complete, cleanly closed archive of the site (copied by each test)."""
    db = tmp_path_factory.mktemp("complete") / "ecss.db"
    done = run(site.base_url, db)
    assert done.returncode == 0, done.stdout + done.stderr
    assert check_archive(db) == []
    return db


def _mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount here: {done.stderr.strip()}")


def _umount(path: Path) -> None:
    subprocess.run(["umount", str(path)], capture_output=True, check=False)


def assert_stopped_on_storage_error(done: subprocess.CompletedProcess[str], words: str) -> None:
    """Exit code 7 and one clear, explained error line."""
    output = done.stdout + done.stderr
    assert done.returncode == 7, output[-3000:]
    errors = [line for line in output.splitlines() if "STORAGE ERROR" in line]
    assert errors, output[-3000:]
    assert "ecss.db" in errors[0]
    assert words in errors[0].lower(), errors[0]
    assert "everything committed before is kept" in errors[0]


# -- full disk --------------------------------------------------------------------------------


@pytest.fixture
def small_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 4 MB tmpfs (root only)."""
    if not IS_ROOT:
        pytest.skip("mounting a tmpfs needs root")
    mount = tmp_path / "tmpfs"
    mount.mkdir()
    _mount("-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount))
    try:
        yield mount
    finally:
        _umount(mount)


def test_full_disk_tmpfs(site: ReplicaServer, complete_archive: Path, small_tmpfs: Path) -> None:
    db = small_tmpfs / "ecss.db"
    shutil.copy(complete_archive, db)
    before = snapshot(db)
    filler = small_tmpfs / "filler"
    info = os.statvfs(small_tmpfs)
    filler.write_bytes(b"\0" * (info.f_bavail * info.f_frsize - 100_000))
    retag_everything(site, 1)

    done = run(site.base_url, db)

    assert_stopped_on_storage_error(done, "full")
    assert check_archive(db) == []
    assert lost_versions(before, snapshot(db)) == []
    filler.unlink()  # space again: the next run completes the archive
    again = run(site.base_url, db)
    assert again.returncode == 0, again.stdout + again.stderr
    assert check_archive(db) == []
    assert expected_mismatches(site, db) == []


def test_full_disk_size_limited_file(
    site: ReplicaServer, complete_archive: Path, tmp_path: Path
) -> None:
    db = tmp_path / "ecss.db"
    shutil.copy(complete_archive, db)
    before = snapshot(db)
    retag_everything(site, 2)
    limit = 150_000  # bytes per file: the write-ahead log fills up first

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    done = run(site.base_url, db, preexec=limited)

    # SQLite reports EFBIG as "disk I/O error"; the hint names both causes.
    assert_stopped_on_storage_error(done, "disk")
    assert check_archive(db) == []
    assert lost_versions(before, snapshot(db)) == []
    again = run(site.base_url, db)
    assert again.returncode == 0, again.stdout + again.stderr
    assert expected_mismatches(site, db) == []


# -- read-only --------------------------------------------------------------------------------


@pytest.fixture
def immutable_archive(complete_archive: Path, tmp_path: Path) -> Iterator[Path]:
    """A copy of the archive that cannot be written: ``chattr +i`` as root, else mode 0444."""
    db = tmp_path / "ecss.db"
    shutil.copy(complete_archive, db)
    if IS_ROOT:
        done = subprocess.run(["chattr", "+i", str(db)], capture_output=True, check=False)
        if done.returncode != 0:
            pytest.skip("chattr +i is not supported on this file system")
    else:
        db.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    try:
        yield db
    finally:
        _make_writable(db)


def _make_writable(db: Path) -> None:
    if IS_ROOT:
        subprocess.run(["chattr", "-i", str(db)], capture_output=True, check=False)
    db.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_read_only_file(site: ReplicaServer, immutable_archive: Path) -> None:
    db = immutable_archive
    before, original = snapshot(db), digest(db)
    retag_everything(site, 3)

    done = run(site.base_url, db)

    assert_stopped_on_storage_error(done, "read-only")
    assert digest(db) == original  # not one byte changed
    assert lost_versions(before, snapshot(db)) == []
    _make_writable(db)  # (the FTS check of check_archive needs a writable file)
    assert check_archive(db) == []
    again = run(site.base_url, db)
    assert again.returncode == 0, again.stdout + again.stderr
    assert expected_mismatches(site, db) == []


@pytest.fixture
def read_only_mount(complete_archive: Path, tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """``(writable folder, read-only view of it)`` holding a copy of the archive (root only)."""
    if not IS_ROOT:
        pytest.skip("bind mounts need root")
    source, view = tmp_path / "source", tmp_path / "view"
    source.mkdir()
    view.mkdir()
    shutil.copy(complete_archive, source / "ecss.db")
    _mount("--bind", str(source), str(view))
    try:
        _mount("-o", "remount,ro,bind", str(view))
        yield source, view
    finally:
        _umount(view)


def test_read_only_file_system(site: ReplicaServer, read_only_mount: tuple[Path, Path]) -> None:
    source, view = read_only_mount
    original = digest(source / "ecss.db")
    retag_everything(site, 4)

    done = run(site.base_url, view / "ecss.db")

    assert_stopped_on_storage_error(done, "read-only")
    assert sorted(p.name for p in source.iterdir()) == ["ecss.db"]  # nothing written beside it
    assert digest(source / "ecss.db") == original
    assert check_archive(source / "ecss.db") == []
    again = run(site.base_url, source / "ecss.db")  # the same archive, writable
    assert again.returncode == 0, again.stdout + again.stderr
    assert expected_mismatches(site, source / "ecss.db") == []


def test_storage_errors_leave_no_traceback(
    site: ReplicaServer, read_only_mount: tuple[Path, Path]
) -> None:
    """A storage error is one clear message, not a stack of tracebacks."""
    _source, view = read_only_mount
    done = run(site.base_url, view / "ecss.db")
    assert done.returncode == 7
    assert "Traceback" not in done.stdout + done.stderr, (done.stdout + done.stderr)[-3000:]


# -- the pipeline on its own --------------------------------------------------------------------


class _Engine:
    """Just enough of Scrapy's engine: records the close it is asked for (and answers with
    a fired Deferred, which needs no running reactor)."""

    running = True

    def __init__(self) -> None:
        self.closed: list[str] = []

    def close_spider_async(self, *, reason: str) -> Any:
        from twisted.internet import defer

        self.closed.append(reason)
        return defer.succeed(None)


def _kill_writer_child(pipeline: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The process writer's child dies (as by the OOM killer)."""
    pid = pipeline.writer.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)


def _fail_writes(pipeline: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The thread writer's archive reports a full disk on the next write."""

    def full(*args: Any, **kwargs: Any) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    archive = pipeline.writer.host.archive
    assert archive is not None
    monkeypatch.setattr(archive, "store_capture", full)


@pytest.mark.parametrize(
    ("in_process", "break_storage", "message", "advice"),
    [
        (True, _kill_writer_child, "archive writer process stopped", "system log"),
        (False, _fail_writes, "database or disk is full", "free some space"),
    ],
    ids=["writer-process-killed", "disk-full-on-thread"],
)
def test_pipeline_stops_cleanly_on_a_storage_error(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    in_process: bool,
    break_storage: Callable[[Any, pytest.MonkeyPatch], None],
    message: str,
    advice: str,
) -> None:
    """A write that fails: no exception escapes, one error is logged, the stats flag is
    set, the spider is closed, committed rows stay, the lock is released."""
    from scrapy.utils.test import get_crawler

    from ecss_crawler.archive.lock import ArchiveLock
    from ecss_crawler.pipelines import STORAGE_ERROR_STAT, ArchivePipeline

    db = tmp_path / "ecss.db"
    crawler = get_crawler(settings_dict={"ECSS_DB": str(db), "ECSS_ARCHIVE_PROCESS": in_process})
    engine = _Engine()
    crawler.engine = engine  # type: ignore[assignment]
    crawler.spider = SimpleNamespace(base_url="https://example.org/", name="ecss")  # type: ignore[assignment]
    pipeline = ArchivePipeline.from_crawler(crawler)
    pipeline.spider_opened()
    asyncio.run(pipeline.process_item(_captured(1)))
    pipeline.spider_idle()  # committed
    break_storage(pipeline, monkeypatch)
    item = _captured(2)
    assert asyncio.run(pipeline.process_item(item)) is item
    later = _captured(3)
    assert asyncio.run(pipeline.process_item(later)) is later  # later items: nothing happens
    pipeline.spider_closed("storage_error")

    assert crawler.stats is not None
    assert message in crawler.stats.get_value(STORAGE_ERROR_STAT)
    assert engine.closed == ["storage_error"]
    errors = [r for r in caplog.records if "STORAGE ERROR" in r.getMessage()]
    assert len(errors) == 1
    assert advice in errors[0].getMessage()
    assert check_archive(db) == []
    assert [row[0] for row in sqlite3.connect(db).execute("SELECT post_id FROM articles")] == [1]
    lock = ArchiveLock(db)
    assert lock.acquire()
    lock.release()
