"""Throw-away Redis and PostgreSQL servers on 127.0.0.1 for the scale experiments.

Each runs in the foreground from a temporary directory on a free port, as a
child process of the benchmark, and is stopped by its process id. Nothing is
installed as a system service. Needs the Debian packages ``redis-server`` and
``postgresql`` (``apt-get install -y redis-server postgresql``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from benchmarks.support.site import LOOPBACK, free_port, stop_process, wait_for_port


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """A Redis server without persistence; yields its ``redis://`` URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed: apt-get install -y redis-server")
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        process = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                LOOPBACK,
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                tmp,
                "--protected-mode",
                "yes",
            ],
            stdout=subprocess.DEVNULL,
        )
        try:
            wait_for_port(port)
            yield f"redis://{LOOPBACK}:{port}/0"
        finally:
            stop_process(process)


def _pg_bin(name: str) -> str:
    found = sorted(str(p) for p in Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: apt-get install -y postgresql")
    return found[-1]


def _as_postgres_user() -> dict[str, object]:
    """initdb refuses to run as root: drop to the ``postgres`` user when we are root."""
    if os.geteuid() != 0:
        return {}
    import pwd

    entry = pwd.getpwnam("postgres")
    return {"user": entry.pw_uid, "group": entry.pw_gid}


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """A fresh PostgreSQL cluster (trust auth, 127.0.0.1 only); yields a libpq URL."""
    port = free_port()
    drop = _as_postgres_user()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        Path(tmp).chmod(0o777)
        subprocess.run(
            [
                _pg_bin("initdb"),
                "-D",
                str(data),
                "-U",
                "bench",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            **drop,  # type: ignore[arg-type]
        )
        process = subprocess.Popen(
            [
                _pg_bin("postgres"),
                "-D",
                str(data),
                "-h",
                LOOPBACK,
                "-p",
                str(port),
                "-k",
                tmp,
                "-c",
                "shared_buffers=512MB",
                "-c",
                "maintenance_work_mem=1GB",
                "-c",
                "max_wal_size=4GB",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            **drop,  # type: ignore[arg-type]
        )
        try:
            wait_for_port(port, timeout=60)
            yield f"postgresql://bench@{LOOPBACK}:{port}/postgres"
        finally:
            stop_process(process)
