"""Serve a generated Foxiz-like site on 127.0.0.1 for the crawl benchmarks.

A thin wrapper over :mod:`ecss_crawler.replica`: it configures the replica
(articles, Arabic share, cards per page) and serves it either

* with **nginx** from a static copy (``write_static``), so the server is never the
  bottleneck (the default for benchmarks), or
* with the replica's own threaded Python server (``serve_replica``), which needs
  no disk but costs CPU on the same two cores.

The static copy's links carry the port, so it is written for a fixed port and
cached under ``--static-root`` keyed by the site's parameters.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ecss_crawler.replica import ReplicaConfig, serve_replica
from ecss_crawler.replica.site import ReplicaSite
from ecss_crawler.replica.static_export import nginx_conf, write_static

LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class SiteSpec:
    """What site to generate (categories are the replica's fixed 18-term tree)."""

    articles: int
    arabic_share: float = 0.4
    per_page: int = 10
    seed: int = 7

    def config(self) -> ReplicaConfig:
        return ReplicaConfig(
            seed=self.seed,
            n_articles=self.articles,
            arabic_share=self.arabic_share,
            per_page=self.per_page,
        )

    def key(self, port: int) -> str:
        return f"a{self.articles}-ar{self.arabic_share}-pp{self.per_page}-s{self.seed}-p{port}"


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection((LOOPBACK, port), 0.5):
            return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on {LOOPBACK}:{port}")


def static_copy(spec: SiteSpec, root: Path, port: int) -> Path:
    """Write (or reuse) the static copy of ``spec`` built for ``port``; returns its folder."""
    target = root / spec.key(port)
    done = target / ".complete"
    if done.exists():
        return target
    shutil.rmtree(target, ignore_errors=True)
    site = ReplicaSite(spec.config(), f"http://{LOOPBACK}:{port}/")
    started = time.monotonic()
    count = write_static(site, target)
    done.write_text(f"{count} files in {time.monotonic() - started:.1f} s\n", encoding="utf-8")
    return target


def disk_usage_mb(path: Path) -> float:
    out = subprocess.run(["du", "-sm", str(path)], capture_output=True, text=True, check=True)
    return float(out.stdout.split()[0])


#: One access-log line per request: ``STATUS URI`` (what :mod:`benchmarks.support.kinds` reads).
ACCESS_LOG_FORMAT = "log_format bench '$status $request_uri';"


@contextlib.contextmanager
def nginx_site(
    spec: SiteSpec, root: Path, port: int, access_log: Path | None = None
) -> Iterator[str]:
    """Serve the static copy of ``spec`` with nginx on 127.0.0.1:``port``; yields the base URL.

    ``access_log``: write one ``STATUS URI`` line per request there (default: no log).
    """
    if shutil.which("nginx") is None:
        raise RuntimeError("nginx is not installed: apt-get install -y nginx-light")
    folder = static_copy(spec, root, port)
    state = folder.with_name(folder.name + ".nginx")
    conf = state / "nginx.conf"
    conf_text = nginx_conf(folder, port, state_dir=state)
    if access_log is not None:
        conf_text = conf_text.replace(
            "access_log off;", f"{ACCESS_LOG_FORMAT}\n    access_log {access_log} bench;"
        )
    conf.write_text(conf_text, encoding="utf-8")
    process = subprocess.Popen(
        ["nginx", "-c", str(conf), "-p", str(state)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_port(port)
        yield f"http://{LOOPBACK}:{port}/"
    finally:
        stop_process(process)  # SIGTERM to the master we started: it stops its workers


def stop_process(process: subprocess.Popen[Any], timeout: float = 15) -> None:
    """Terminate a server we started, and kill it if it has not stopped after ``timeout`` s."""
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def python_site(spec: SiteSpec) -> Iterator[str]:
    """Serve ``spec`` with the replica's own Python server; yields the base URL."""
    with serve_replica(spec.config()) as server:
        yield server.base_url


@contextlib.contextmanager
def serve(
    spec: SiteSpec,
    server: str,
    root: Path,
    port: int | None = None,
    access_log: Path | None = None,
) -> Iterator[str]:
    """``server``: ``nginx`` (static copy under ``root``; ``access_log``: see
    :func:`nginx_site`) or ``python``."""
    if server == "nginx":
        with nginx_site(spec, root, port or free_port(), access_log) as url:
            yield url
    else:
        with python_site(spec) as url:
            yield url
