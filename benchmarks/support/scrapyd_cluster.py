"""Scrapyd experiment: two Scrapyd servers ("machines") on 127.0.0.1, one crawl each, one merge.

``python benchmarks/crawl_scale.py --scrapyd --articles 2000``:

1. serves a generated site (nginx) and starts two ``scrapyd`` processes on
   127.0.0.1, each from its own directory (own ``scrapyd.conf``, eggs, logs);
2. builds the project egg (``scrapyd-deploy --build-egg``) and uploads it to both
   (``addversion.json``), as ``scrapyd-deploy`` does for a remote target;
3. schedules the ``ecss`` spider on both (``schedule.json``) with a category split
   (English categories on one, Arabic ones plus ``analysis`` on the other, so
   some articles are crawled twice), each job writing its own archive
   (``setting=ECSS_DB=...``), throttling off;
4. waits for both (``listjobs.json``), then runs ``ecss-crawler merge``.

Needs ``pip install scrapyd scrapyd-client``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from benchmarks.support.measure import UNTHROTTLED, merge_command, table
from benchmarks.support.site import (
    LOOPBACK,
    SiteSpec,
    free_port,
    serve,
    stop_process,
    wait_for_port,
)

ROOT = Path(__file__).resolve().parents[2]
PROJECT = "ecss_crawler"
ENGLISH = "international-relations,defense-security,public-policy,analysis"
ARABIC = "العلاقات-الدولية,الأمن-والدفاع,السياسات-العامة,تقدير-موقف,analysis"


def _api(port: int, endpoint: str, data: list[tuple[str, str]] | None = None) -> dict[str, Any]:
    url = f"http://{LOOPBACK}:{port}/{endpoint}"
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with urllib.request.urlopen(url, body, timeout=60) as response:  # loopback only
        return dict(json.loads(response.read()))


def _upload_egg(port: int, egg: Path) -> dict[str, Any]:
    boundary = "----ecssbench"
    parts = []
    for name, value in (("project", PROJECT), ("version", "bench")):
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n')
        parts.append(f"{value}\r\n")
    head = "".join(parts) + (
        f'--{boundary}\r\nContent-Disposition: form-data; name="egg"; filename="p.egg"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    )
    payload = head.encode() + egg.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(
        f"http://{LOOPBACK}:{port}/addversion.json",
        data=payload,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # loopback only
        return dict(json.loads(response.read()))


def _start_scrapyd(home: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    home.mkdir(parents=True)
    (home / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = {LOOPBACK}\nhttp_port = {port}\n"
        "eggs_dir = eggs\nlogs_dir = logs\ndbs_dir = dbs\nmax_proc = 1\npoll_interval = 1.0\n",
        encoding="utf-8",
    )
    binary = shutil.which("scrapyd")
    if binary is None:
        raise RuntimeError("scrapyd is not installed: pip install scrapyd scrapyd-client")
    process = subprocess.Popen(
        [binary], cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wait_for_port(port, timeout=30)
    return process, port


def _build_egg(tmp: Path) -> Path:
    """``scrapyd-deploy --build-egg`` run in a copy of the project (it writes setup.py,
    build/ and egg-info next to scrapy.cfg, which must not land in the working tree)."""
    source = tmp / "src"
    ignore = shutil.ignore_patterns(".git", "data", "*.db*", ".*cache", "__pycache__", "tests")
    shutil.copytree(ROOT, source, ignore=ignore)
    _add_scrapy_entry_point(source / "pyproject.toml")
    egg = tmp / "ecss_crawler.egg"
    subprocess.run(
        ["scrapyd-deploy", "--build-egg", str(egg)],
        cwd=source,
        check=True,
        capture_output=True,
    )
    return egg


#: Scrapyd finds a project's settings through this entry point. scrapyd-deploy writes it
#: into the setup.py it generates, but pyproject.toml's [project] table wins, so an egg
#: built from this repository lacks it ("spider 'ecss' not found") until pyproject.toml
#: declares it; the copy used for the egg gets it here.
SCRAPY_ENTRY_POINT = '\n[project.entry-points.scrapy]\nsettings = "ecss_crawler.settings"\n'


def _add_scrapy_entry_point(pyproject: Path) -> None:
    text = pyproject.read_text(encoding="utf-8")
    if "[project.entry-points.scrapy]" not in text:
        pyproject.write_text(text + SCRAPY_ENTRY_POINT, encoding="utf-8")


def _wait(port: int, job: str, timeout: float = 1800) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs = _api(port, f"listjobs.json?project={PROJECT}")
        for entry in jobs.get("finished", []):
            if entry["id"] == job:
                return time.monotonic()
        time.sleep(1)
    raise TimeoutError(job)


def _count(db: Path) -> int:
    import sqlite3

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    finally:
        conn.close()


def run_experiment(args: Any) -> None:
    """The whole experiment; prints a Markdown table."""
    articles = min(args.articles)
    spec = SiteSpec(articles, args.arabic_share, args.per_page)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        work = args.workdir or tmp
        work.mkdir(parents=True, exist_ok=True)
        egg = _build_egg(tmp)
        servers = [_start_scrapyd(tmp / f"scrapyd-{i}") for i in (1, 2)]
        try:
            with serve(spec, args.server, args.static_root, args.port or free_port()) as url:
                rows, dbs, wall = _crawl(servers, egg, url, work)
        finally:
            for process, _port in servers:
                stop_process(process)
        merged = work / "scrapyd-merged.db"
        started = time.monotonic()
        out = subprocess.run(merge_command(merged, dbs), capture_output=True, text=True, check=True)
        rows.append(["both, in parallel", "", f"{sum(_count(d) for d in dbs):,}", f"{wall:.1f}"])
        rows.append(
            ["`ecss-crawler merge`", "", f"{_count(merged):,}", f"{time.monotonic() - started:.1f}"]
        )
    print(f"\nScrapyd on two servers (127.0.0.1), {articles:,}-article site\n")
    print(table(["job", "categories", "articles", "seconds"], rows))
    print(f"\n{out.stdout}")


def _crawl(
    servers: list[tuple[subprocess.Popen[bytes], int]], egg: Path, url: str, work: Path
) -> tuple[list[list[str]], list[Path], float]:
    for _process, port in servers:
        _upload_egg(port, egg)
    dbs = [work / "scrapyd-en.db", work / "scrapyd-ar.db"]
    started = time.monotonic()
    jobs = []
    for (_process, port), categories, db in zip(servers, (ENGLISH, ARABIC), dbs, strict=True):
        data = [("project", PROJECT), ("spider", "ecss"), ("base_url", url)]
        data += [("categories", categories), ("setting", f"ECSS_DB={db}")]
        data += [("setting", s) for s in UNTHROTTLED]
        answer = _api(port, "schedule.json", data)
        if "jobid" not in answer:
            raise RuntimeError(f"scrapyd :{port} refused the job: {answer}")
        jobs.append(answer["jobid"])
    rows = []
    ends = []
    for (_process, port), job, categories, db in zip(
        servers, jobs, (ENGLISH, ARABIC), dbs, strict=True
    ):
        ends.append(_wait(port, job))
        rows.append(
            [
                f"scrapyd :{port} job {job[:8]}",
                categories,
                f"{_count(db):,}",
                f"{ends[-1] - started:.1f}",
            ]
        )
    return rows, dbs, max(ends) - started
