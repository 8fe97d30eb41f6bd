"""One writer per archive: an exclusive, non-blocking lock file beside the database.

Two scheduled runs on the same archive must never overlap: the second one
finds the lock held and stops at once with a clear message. The operating
system releases the lock when the holder exits, even after a crash or SIGKILL.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO


class ArchiveLock:
    """``<db>.lock``, held with ``flock`` for the life of a crawl."""

    def __init__(self, db_path: str | Path) -> None:
        self.path = Path(f"{db_path}.lock")
        self._handle: IO[str] | None = None

    def acquire(self) -> bool:
        """Take the lock; ``False`` (at once, no waiting) when another process holds it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._handle = handle
        return True

    def holder(self) -> str:
        """The process id written by the current holder (best effort)."""
        try:
            return self.path.read_text(encoding="utf-8").strip() or "unknown"
        except OSError:
            return "unknown"

    def release(self) -> None:
        """Release the lock (closing the file releases it)."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None
