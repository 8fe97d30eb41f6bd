"""The one-pass body writer gives what the Cleaner-based renderer gave, on many bodies.

``tests/body_reference.py`` keeps the earlier renderer (lxml_html_clean's Cleaner over
a cleaned copy). Each generated body, and every golden fixture's body container, must
come out of both with the same text blocks, HTML and attachments.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from lxml.html import HtmlElement

from ecss_crawler.extract import parse_html
from ecss_crawler.extract.article import ArticlePage
from ecss_crawler.extract.body import build_body
from ecss_crawler.sites import profile_for
from tests.body_reference import reference_body

PAGE_URL = "https://en.ecss.com.eg/some-article/"
FIXTURES = Path(__file__).parent / "fixtures"

_TEXTS = [
    "Nile",
    "water security",
    " spaced  out ",
    "a & b",
    "1 < 2 > 0",
    "\u00a0",
    "line\nbreak",
    "\ttabbed\t",
    "مصر والسودان",
    "zero\u200bwidth",
    "",
    "   ",
    "Last updated: 3 May 2024",
    "5 min read",
]
_HREFS = [
    "/wp-content/uploads/report.pdf",
    "https://en.ecss.com.eg/file.DOCX",
    "javascript:alert(1)",
    "mailto:info@ecss.com.eg",
    " /relative page/ ",
    "https://ecss.com.eg/تقرير.pdf",
    "?q=1&x=2",
    "#note-1",
    "",
]
_CONTAINERS = ["p", "div", "section", "blockquote", "li", "td", "figure", "span", "h1", "h3"]
_INLINE = ["em", "strong", "b", "i", "sup", "sub", "span", "u", "font", "cite", "code"]
_CLUTTER = [
    '<div class="sharedaddy">Share this</div>',
    '<div class="rb-inline-related"><a href="/other/">Related</a></div>',
    '<script>var x = "<p>no</p>";</script>',
    "<style>p { color: red }</style>",
    '<p style="display: none">hidden</p>',
    '<span aria-hidden="true">*</span>',
    "<!-- a comment -->",
    "<form><input value='x'>Subscribe</form>",
    '<iframe src="/embed/x.pdf"></iframe>',
    "<noscript><img src='/n.png'></noscript>",
]


def _text(rng: random.Random) -> str:
    return rng.choice(_TEXTS)


def _inline(rng: random.Random, depth: int) -> str:
    choice = rng.random()
    if choice < 0.35 or depth > 3:
        return _text(rng)
    if choice < 0.5:
        href = rng.choice(_HREFS).replace('"', "")
        return f'<a href="{href}" class="x" target="_blank">{_inline(rng, depth + 1)}</a>'
    if choice < 0.6:
        attrs = rng.choice(
            [
                'src="/i.jpg" alt="A & B"',
                "data-src='/lazy.jpg' src='data:image/gif;base64,AAA' alt='lazy'",
                'src="javascript:x" alt=\'say "hi"\'',
                "alt='no source'",
                'src="https://cdn.example.org/ä.png"',
            ]
        )
        return f"<img {attrs} class='wp-image'>"
    if choice < 0.65:
        return "<br>"
    if choice < 0.75:
        return rng.choice(_CLUTTER)
    tag = rng.choice(_INLINE)
    inner = "".join(_inline(rng, depth + 1) for _ in range(rng.randint(0, 3)))
    return f"<{tag} onclick='evil()' style='color:red'>{inner}</{tag}>"


def _block(rng: random.Random, depth: int) -> str:
    choice = rng.random()
    if choice < 0.15 and depth < 3:
        rows = "".join(
            "<tr>"
            + "".join(
                f"<{rng.choice(['td', 'th'])}>{_inline(rng, 2)}</td>"
                for _ in range(rng.randint(1, 3))
            )
            + "</tr>"
            for _ in range(rng.randint(1, 3))
        )
        caption = f"<caption>{_text(rng)}</caption>" if rng.random() < 0.3 else ""
        return f"<table class='t'>{caption}<tbody>{rows}</tbody></table>"
    if choice < 0.3 and depth < 3:
        items = "".join(
            f"<li>{_inline(rng, 1)}{_block(rng, depth + 1) if rng.random() < 0.2 else ''}</li>"
            for _ in range(rng.randint(1, 3))
        )
        return f"<{rng.choice(['ul', 'ol'])}>{items}</ul>"
    if choice < 0.4 and depth < 3:
        return (
            f"<blockquote><p>{_inline(rng, 1)}</p><cite>{_text(rng)}</cite></blockquote>"
            if rng.random() < 0.5
            else f"<figure><img src='/f.png' alt='f'><figcaption>{_inline(rng, 1)}</figcaption>"
            "</figure>"
        )
    if choice < 0.5:
        return rng.choice(_CLUTTER) + _text(rng)
    tag = rng.choice(_CONTAINERS)
    inner = "".join(
        _block(rng, depth + 1) if rng.random() < 0.2 and depth < 3 else _inline(rng, 1)
        for _ in range(rng.randint(0, 4))
    )
    return f"<{tag} class='c'>{inner}</{tag}>{_text(rng) if rng.random() < 0.3 else ''}"


def _container(markup: str) -> HtmlElement:
    page = f"<html><body><div class='entry-content'>{markup}</div></body></html>"
    found: HtmlElement = parse_html(page, PAGE_URL).root.xpath("//div[@class='entry-content']")[0]
    return found


def _both(container: HtmlElement, clutter: tuple[str, ...] = ()) -> tuple[tuple, tuple]:
    body = build_body(container, clutter, PAGE_URL)
    return (body.blocks, body.html, body.attachments), reference_body(container, clutter, PAGE_URL)


@pytest.mark.parametrize("seed", range(8))
def test_generated_bodies_match_the_reference(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(150):
        markup = _text(rng) + "".join(_block(rng, 0) for _ in range(rng.randint(1, 6)))
        ours, reference = _both(_container(markup))
        assert ours == reference, markup


def _fixture_cases() -> list[Path]:
    return sorted(path.parent for path in FIXTURES.glob("*/*/input.html"))


@pytest.mark.parametrize(
    "case", _fixture_cases(), ids=lambda path: f"{path.parent.name}/{path.name}"
)
def test_fixture_bodies_match_the_reference(case: Path) -> None:
    url = json.loads((case / "meta.json").read_text(encoding="utf-8"))["url"]
    sel = parse_html((case / "input.html").read_bytes(), url)
    profile = profile_for(url)
    page = ArticlePage(sel, url, profile)
    containers = page._theme_elements(profile.selectors.body) or sel.root.xpath(
        "//div[contains(@class, 'entry-content')] | //body"
    )
    ours, reference = _both(containers[0], profile.selectors.body_clutter)
    assert ours == reference


def test_quotes_in_attributes_stay_valid() -> None:
    html = build_body(
        _container(
            "<p><img src='/a.png' alt='say \"hi\"'><img src='/b.png' alt=\"it's &quot;x&quot;\"></p>"
        ),
        (),
        PAGE_URL,
    ).html
    assert html == (
        '<p><img src="https://en.ecss.com.eg/a.png" alt=\'say "hi"\'>'
        '<img src="https://en.ecss.com.eg/b.png" alt="it\'s &quot;x&quot;"></p>'
    )
