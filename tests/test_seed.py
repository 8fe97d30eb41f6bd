"""The seed article comes out exactly as the real page's visible text shows it.

``../shared/seed/ecss-article-page.txt`` is the visible text of a real ECSS page,
clutter included; ``tests/fixtures/en.ecss.com.eg/seed-article`` rebuilds that
page. Skipped when the shared folder is not beside the checkout.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecss_crawler.extract import extract_article

ROOT = Path(__file__).resolve().parent.parent
SEED_TEXT = ROOT.parent / "shared" / "seed" / "ecss-article-page.txt"
FIXTURE = ROOT / "tests" / "fixtures" / "en.ecss.com.eg" / "seed-article"


@pytest.fixture(scope="module")
def seed_lines() -> list[str]:
    if not SEED_TEXT.exists():
        pytest.skip("shared/seed is not beside this checkout")
    return [" ".join(line.split()) for line in SEED_TEXT.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def article():
    url = json.loads((FIXTURE / "meta.json").read_text())["url"]
    return extract_article((FIXTURE / "input.html").read_bytes(), url)


def test_body_is_the_seed_text_between_share_and_related_posts(seed_lines, article) -> None:
    start = seed_lines.index("SHARE") + 1
    end = seed_lines.index("Related Posts")
    expected = [line for line in seed_lines[start:end] if line]
    assert article.body.split("\n\n") == expected


def test_no_clutter_line_in_the_body(seed_lines, article) -> None:
    start, end = seed_lines.index("SHARE") + 1, seed_lines.index("Related Posts")
    clutter = {line for line in seed_lines[:start] + seed_lines[end:] if len(line) > 3}
    blocks = set(article.body.split("\n\n"))
    assert not blocks & clutter
    assert "Reading:" not in article.body
    assert "10 Min Read" not in article.body


def test_seed_fields(article) -> None:
    assert (
        article.title
        == "Redefining Dynamics: What the Japanese Foreign Minister’s Visit to China Signifies"
    )
    assert article.authors == ["Ahmed El-sayed"]
    assert article.categories == ["Asian Studies"]
    assert article.tags == ["China", "Japan"]
    assert article.modified.startswith("2025-01-11T13:04")
    assert article.published.startswith("2025-01-11")
    headings = [
        "Timely Diplomacy",
        "Bilateral Talks",
        "Objectives of the Visit",
        "Anticipated Impact on Bilateral Ties",
        "Challenges and Opportunities",
    ]
    assert all(heading in article.body.split("\n\n") for heading in headings)
