"""The archive writer: jobs in a child process (the default) or on a thread.

Both writers must behave the same: jobs in order, results and exceptions returned
as they happened, logs that reach the crawl's log. The process writer must also
survive what a thread never meets: its child dying (a storage error for every job
waiting, never a hang), its parent dying (the child commits what was written
atomically and exits), and a Ctrl-C sent to the whole terminal group.
"""

from __future__ import annotations

import logging
import os
import pickle
import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from ecss_crawler.archive import Archive
from ecss_crawler.archive.db import ArchiveError
from ecss_crawler.archive.jobs import Stored, store_item
from ecss_crawler.archive.writer import ArchiveWriter, ProcessWriter, ThreadWriter, WriterGone
from ecss_crawler.items import Article, Capture, CapturedArticle, PageFailure
from tests.test_hard_kill import wait_until_gone


def captured(n: int, *, body: str | None = None) -> CapturedArticle:
    url = f"https://example.org/{n}/"
    article = Article(
        url=url,
        site="example.org",
        post_id=n,
        title=f"Title {n}",
        body=f"Body of article {n}. " * 20 if body is None else body,
        published="2024-01-01T00:00:00+02:00",
    )
    return CapturedArticle(article, Capture(url, 200, {}, f"<p>{n}</p>".encode(), "2024-01-01"))


def post_ids(db: Path) -> list[int]:
    with sqlite3.connect(db) as connection:
        return [row[0] for row in connection.execute("SELECT post_id FROM articles ORDER BY 1")]


@pytest.fixture(params=["process", "thread"])
def writer(request: pytest.FixtureRequest) -> Iterator[ArchiveWriter]:
    made: ArchiveWriter = ProcessWriter() if request.param == "process" else ThreadWriter()
    yield made
    made.shutdown()


def begin(writer: ArchiveWriter, db: Path) -> int:
    writer.open(str(db), 100).result(30)
    return writer.submit(Archive.begin_crawl, "example.org", {}).result(30)


def test_jobs_run_in_order_and_return_their_results(writer: ArchiveWriter, tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    crawl_id = begin(writer, db)
    futures = [writer.submit(store_item, crawl_id, captured(n)) for n in range(1, 41)]
    results = [future.result(30) for future in futures]
    assert [r.outcome for r in results] == ["new"] * 40
    assert results[0] == Stored(["ecss/stored/new"], "new", results[0].article_id)
    again = writer.submit(store_item, crawl_id, captured(7)).result(30)
    assert again.outcome == "unchanged"
    writer.submit(Archive.finish_crawl, crawl_id, "finished", {}, {}, status="finished").result(30)
    writer.close().result(30)
    assert post_ids(db) == list(range(1, 41))
    with sqlite3.connect(db) as connection:
        counts = connection.execute("SELECT status, counts FROM crawls").fetchone()
    assert counts[0] == "finished"
    assert '"new": 40' in counts[1]


def query_a_missing_table(archive: Archive) -> None:
    """A job that fails in SQLite (the child imports it from this module)."""
    archive.db.execute("SELECT * FROM no_such_table")


def test_a_jobs_exception_comes_back_as_raised(writer: ArchiveWriter, tmp_path: Path) -> None:
    crawl_id = begin(writer, tmp_path / "a.db")
    with pytest.raises(sqlite3.OperationalError, match="no such table") as raised:
        writer.submit(query_a_missing_table).result(30)
    if isinstance(writer, ProcessWriter):
        assert "In the archive writer process" in "".join(raised.value.__notes__)
    # the writer goes on with the next job
    assert writer.submit(store_item, crawl_id, captured(1)).result(30).outcome == "new"


def test_a_job_before_the_archive_is_open_is_an_archive_error(writer: ArchiveWriter) -> None:
    with pytest.raises(ArchiveError, match="not open"):
        writer.submit(Archive.flush).result(30)


def test_the_writers_log_reaches_the_crawls_log(
    writer: ArchiveWriter, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A rejected version is logged by the job, in the child: the crawl's log shows it."""
    caplog.set_level(logging.INFO)
    crawl_id = begin(writer, tmp_path / "a.db")
    writer.submit(store_item, crawl_id, captured(1)).result(30)
    shrunk = writer.submit(store_item, crawl_id, captured(1, body="Short.")).result(30)
    failure = PageFailure("https://example.org/9/", "extract", "missing title", 200)
    assert writer.submit(store_item, crawl_id, failure).result(30).counted == [
        "ecss/failures/extract"
    ]
    writer.close().result(30)
    writer.shutdown()
    assert shrunk.outcome == "rejected"
    kept = [r for r in caplog.records if "Kept the archived version" in r.getMessage()]
    assert len(kept) == 1
    assert kept[0].name == "ecss_crawler.archive.jobs"
    assert kept[0].levelno == logging.WARNING


def test_a_killed_child_fails_every_waiting_job_and_later_ones(tmp_path: Path) -> None:
    writer = ProcessWriter()
    try:
        crawl_id = begin(writer, tmp_path / "a.db")
        writer.submit(store_item, crawl_id, captured(1)).result(30)
        writer.submit(Archive.flush).result(30)
        assert writer.pid is not None
        os.kill(writer.pid, signal.SIGSTOP)  # jobs wait in the pipe ...
        waiting = [writer.submit(store_item, crawl_id, captured(n)) for n in range(2, 6)]
        os.kill(writer.pid, signal.SIGKILL)  # ... when the child dies
        for future in waiting:
            with pytest.raises(WriterGone, match=r"exit code -9"):
                future.result(30)
        with pytest.raises(WriterGone):
            writer.submit(Archive.flush).result(30)
    finally:
        writer.shutdown()
    assert post_ids(tmp_path / "a.db") == [1]


def test_the_child_ignores_ctrl_c_sent_to_the_terminal_group(tmp_path: Path) -> None:
    writer = ProcessWriter()
    try:
        crawl_id = begin(writer, tmp_path / "a.db")
        assert writer.pid is not None
        os.kill(writer.pid, signal.SIGINT)
        os.kill(writer.pid, signal.SIGTERM)
        assert writer.submit(store_item, crawl_id, captured(1)).result(30).outcome == "new"
        writer.close().result(30)
    finally:
        writer.shutdown()
    assert post_ids(tmp_path / "a.db") == [1]


def test_shutdown_waits_for_the_jobs_and_the_child_exits(tmp_path: Path) -> None:
    writer = ProcessWriter()
    crawl_id = begin(writer, tmp_path / "a.db")
    futures = [writer.submit(store_item, crawl_id, captured(n)) for n in range(1, 21)]
    child = writer.pid
    assert child is not None
    writer.shutdown()  # no close(): the child commits at the end of its input
    assert all(f.result(0).outcome == "new" for f in futures)
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)
    assert post_ids(tmp_path / "a.db") == list(range(1, 21))
    with pytest.raises(WriterGone):
        writer.submit(Archive.flush).result(1)


PARENT = textwrap.dedent(
    """
    import sys
    from ecss_crawler.archive import Archive
    from ecss_crawler.archive.jobs import store_item
    from ecss_crawler.archive.writer import ProcessWriter
    from tests.test_archive_writer import captured

    writer = ProcessWriter()
    writer.open(sys.argv[1], 1000).result(30)
    crawl_id = writer.submit(Archive.begin_crawl, "example.org", {}).result(30)
    for n in range(1, 11):
        writer.submit(store_item, crawl_id, captured(n)).result(30)
    print(writer.pid, flush=True)
    sys.stdin.read()  # killed while waiting here, batch still open
    """
)


def test_a_killed_crawl_leaves_its_atomic_writes_committed(tmp_path: Path) -> None:
    """The crawl's process dies with a batch open: its child sees the end of its input,
    commits the ten articles (each written atomically) and exits."""
    db = tmp_path / "a.db"
    root = Path(__file__).resolve().parents[1]
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        text=True,
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    parent.kill()
    parent.wait(30)
    wait_until_gone([child])  # fails if the writer outlives its crawl
    assert post_ids(db) == list(range(1, 11))


def test_an_unpicklable_job_fails_at_once_in_the_caller(tmp_path: Path) -> None:
    writer = ProcessWriter()
    try:
        crawl_id = begin(writer, tmp_path / "a.db")
        with pytest.raises((pickle.PicklingError, AttributeError)):
            writer.submit(lambda archive: None)  # type: ignore[arg-type]
        assert writer.submit(store_item, crawl_id, captured(1)).result(30).outcome == "new"
    finally:
        writer.shutdown()


def test_pipes_to_a_child_hold_a_megabyte() -> None:
    """A page and its record pass in one write, not a dozen waits for the other side."""
    import fcntl

    from ecss_crawler.childproc import PIPE_BUFFER, start_child

    process, send, receive = start_child([sys.executable, "-c", "import sys; sys.stdin.read()"])
    try:
        assert fcntl.fcntl(send.fileno(), fcntl.F_GETPIPE_SZ) == PIPE_BUFFER
        assert fcntl.fcntl(receive.fileno(), fcntl.F_GETPIPE_SZ) == PIPE_BUFFER
    finally:
        send.close()
        receive.close()
        process.wait(30)


def test_a_child_imports_what_is_on_the_crawls_path_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Code put on ``sys.path`` at run time (as Scrapyd does with a project's egg), not
    installed and not on ``PYTHONPATH``, is importable in the writer process too."""
    (tmp_path / "runtime_jobs.py").write_text(
        "def count_crawls(archive):\n"
        "    return archive.db.execute('SELECT count(*) FROM crawls').fetchone()[0]\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("PYTHONPATH", raising=False)
    import runtime_jobs  # type: ignore[import-not-found]

    writer = ProcessWriter()
    try:
        begin(writer, tmp_path / "a.db")
        assert writer.submit(runtime_jobs.count_crawls).result(30) == 1
    finally:
        writer.shutdown()
