"""Helpers for crawl tests: run ``ecss-crawler crawl`` in a subprocess against a local server."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

#: Settings that make a crawl of a local replica fast; everything else stays the default.
FAST = (
    "AUTOTHROTTLE_ENABLED=0",
    "DOWNLOAD_DELAY=0",
    "CONCURRENT_REQUESTS_PER_DOMAIN=8",
    "ECSS_RETRY_BACKOFF_BASE=0.05",
    "LOG_LEVEL=INFO",
)


@dataclass
class CrawlRun:
    returncode: int
    output: str
    db_path: Path

    @property
    def db(self) -> sqlite_utils.Database:
        return sqlite_utils.Database(self.db_path)

    def articles(self) -> list[dict[str, Any]]:
        rows = list(self.db["articles"].rows)
        for row in rows:
            for name in ("authors", "categories", "tags", "attachments", "sources", "warnings"):
                if isinstance(row.get(name), str):
                    row[name] = json.loads(row[name])
        return rows


def run_crawl(
    base_url: str, db_path: Path, *args: str, settings: tuple[str, ...] = FAST, timeout: float = 180
) -> CrawlRun:
    command = [
        sys.executable,
        "-m",
        "ecss_crawler.cli",
        "crawl",
        "--base-url",
        base_url,
        "--db",
        str(db_path),
        *args,
    ]
    for setting in settings:
        command += ["-s", setting]
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    return CrawlRun(result.returncode, result.stdout + result.stderr, db_path)
