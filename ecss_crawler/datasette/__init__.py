"""Datasette configuration shipped with the package, and how ``ecss-crawler browse`` serves it.

``ecss-crawler browse --db data/ecss.db`` runs Datasette on 127.0.0.1 over the
archive, read-only (immutable mode), with this metadata: facets, full-text
search, canned queries, article history. The metadata is keyed by database
name (``ecss``, from ``ecss.db``); :func:`metadata_for` re-keys it for a file
with another name. Datasette itself is the optional ``browse`` extra.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

METADATA_PATH = Path(__file__).with_name("metadata.json")
DATABASE_NAME = "ecss"
#: Browse only ever listens on the loopback interface.
HOST = "127.0.0.1"
DEFAULT_PORT = 8001


def metadata_for(database_name: str = DATABASE_NAME) -> dict[str, Any]:
    """The shipped metadata, with its database section under ``database_name``."""
    metadata: dict[str, Any] = json.loads(METADATA_PATH.read_text(encoding="utf-8"))
    databases = metadata["databases"]
    databases[database_name] = databases.pop(DATABASE_NAME)
    return metadata


def database_name(db_path: Path) -> str:
    """The name Datasette gives a database file (its stem)."""
    return db_path.stem


def serve_arguments(
    db_path: Path, metadata_file: Path, port: int, open_browser: bool = False
) -> list[str]:
    """``datasette serve`` arguments: the archive immutable, the metadata, loopback only."""
    arguments = [
        "serve",
        "--immutable",
        str(db_path),
        "--metadata",
        str(metadata_file),
        "--host",
        HOST,
        "--port",
        str(port),
    ]
    if open_browser:
        arguments.append("--open")
    return arguments
