"""Datasette configuration shipped with the package.

``datasette data/ecss.db -m ecss_crawler/datasette/metadata.json`` – the
metadata is keyed by database name (``ecss``, from ``ecss.db``); use
:func:`metadata_for` to re-key it for a file with another name.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

METADATA_PATH = Path(__file__).with_name("metadata.json")
DATABASE_NAME = "ecss"


def metadata_for(database_name: str = DATABASE_NAME) -> dict[str, Any]:
    """The shipped metadata, with its database section under ``database_name``."""
    metadata: dict[str, Any] = json.loads(METADATA_PATH.read_text(encoding="utf-8"))
    databases = metadata["databases"]
    databases[database_name] = databases.pop(DATABASE_NAME)
    return metadata
