"""Golden tests: every fixture page, one assertion per field.

Each fixture is ``tests/fixtures/<site>/<case>/`` with ``input.html``,
``meta.json`` (``{"url": ...}``) and ``expected.json``. Expected output changes
only through ``pytest tests/test_golden.py --update-golden``, reviewed as a diff.
"""

from __future__ import annotations

import json
from dataclasses import fields
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from ecss_crawler.extract import NotAnArticle, extract_article
from ecss_crawler.items import Article

FIXTURES = Path(__file__).parent / "fixtures"
ARTICLE_FIELDS = [f.name for f in fields(Article)]


def fixture_dirs() -> list[Path]:
    return sorted(path.parent for path in FIXTURES.glob("*/*/input.html"))


def fixture_id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


@cache
def run_fixture(path: Path) -> dict[str, Any]:
    """The extractor's output for a fixture, as the golden file stores it."""
    url = json.loads((path / "meta.json").read_text(encoding="utf-8"))["url"]
    try:
        article = extract_article((path / "input.html").read_bytes(), url)
    except NotAnArticle as error:
        return {"not_article": error.kind}
    return article.to_dict()


def expected(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((path / "expected.json").read_text(encoding="utf-8"))
    return data


def field_cases() -> list[Any]:
    cases = []
    for path in fixture_dirs():
        for name in expected(path):
            cases.append(pytest.param(path, name, id=f"{fixture_id(path)}:{name}"))
    return cases


@pytest.fixture(scope="session", autouse=True)
def _maybe_update_golden(update_golden: bool) -> None:
    if not update_golden:
        return
    for path in fixture_dirs():
        output = run_fixture(path)
        (path / "expected.json").write_text(
            json.dumps(output, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )


def test_enough_fixtures() -> None:
    assert len(fixture_dirs()) >= 25


@pytest.mark.parametrize(("path", "name"), field_cases())
def test_field(path: Path, name: str) -> None:
    assert run_fixture(path).get(name) == expected(path)[name]


@pytest.mark.parametrize("path", fixture_dirs(), ids=fixture_id)
def test_no_missing_or_extra_fields(path: Path) -> None:
    want = expected(path)
    if "not_article" in want:
        assert set(want) == {"not_article"}
    else:
        assert sorted(want) == sorted(ARTICLE_FIELDS)
