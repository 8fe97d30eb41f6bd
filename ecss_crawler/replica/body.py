"""Article bodies: headings, paragraphs, lists, quotes, tables, figures, footnotes and links.

A body is a pure function of a few spec fields, memoised for recently used
articles, so specs need not hold their text.
"""

from __future__ import annotations

import random
import re
from functools import lru_cache

from ecss_crawler.replica.model import Block, Run
from ecss_crawler.replica.prose import lexicon, sentence, sentences

_WORD = re.compile(r"\w+")
_SEE_ALSO = {
    "en": ("For background, see ", "an earlier ECSS analysis", "."),
    "ar": ("للمزيد، راجع ", "تحليلًا سابقًا للمركز", "."),
}
_EXTERNAL = {
    "en": ("Official statements are published by the ", "."),
    "ar": ("تتوفر البيانات الرسمية لدى ", "."),
}
_PDF = {"en": ("The ", " is available for download."), "ar": ("يمكن تحميل ", " من موقع المركز.")}
_TABLE_CAPTION = {
    "en": "Table 1: Selected indicators. Source: official data.",
    "ar": "جدول ١: مؤشرات مختارة. المصدر: بيانات رسمية.",
}


def words(blocks: list[Block]) -> int:
    """Number of ``\\w+`` tokens in the blocks' text."""
    return sum(len(_WORD.findall(text)) for block in blocks for text in block.text_blocks())


class BodyBuilder:
    """Builds one article body from a seeded random source."""

    def __init__(self, rng: random.Random, language: str, post_id: int, upload_dir: str) -> None:
        self.rng = rng
        self.language = language
        self.post_id = post_id
        self.upload_dir = upload_dir
        self.lex = lexicon(language)
        self.footnotes: list[str] = []
        self.footnotes_wanted = False
        self.headings: list[str] = []

    def paragraph(self, count: int) -> Block:
        """A paragraph of ``count`` sentences, sometimes with bold text or a footnote marker."""
        parts = sentences(self.rng, self.language, count)
        runs = [Run(" ".join(parts))]
        if self.rng.random() < 0.12:
            runs = [Run(parts[0], "strong"), Run(" " + " ".join(parts[1:]))] if count > 1 else runs
        if self.footnotes_wanted and self.rng.random() < 0.5:
            runs.append(self.footnote_marker())
        return Block("p", tuple(runs))

    def footnote_marker(self) -> Run:
        """A ``[n]`` marker, and the matching note for the footnote list."""
        number = len(self.footnotes) + 1
        source = self.rng.choice(self.lex.sources)
        self.footnotes.append(
            f"{source[:1].upper()}{source[1:]}, {self.rng.randrange(2015, 2025)}."
        )
        return Run(f"[{number}]", "sup", f"#fn-{self.post_id}-{number}")

    def heading(self, level: str) -> Block:
        """A section heading, not repeated within one article."""
        if not self.headings:
            self.headings = self.rng.sample(self.lex.headings, len(self.lex.headings))
        return Block("h2" if level == "h2" else "h3", (Run(self.headings.pop()),))

    def listing(self) -> Block:
        """A bulleted or numbered list."""
        count = self.rng.randint(3, 5)
        items = tuple((Run(sentence(self.rng, self.language)),) for _ in range(count))
        return Block("ul" if self.rng.random() < 0.5 else "ol", items=items)

    def quote(self) -> Block:
        """A block quotation with a citation."""
        count = self.rng.randint(1, 2)
        items = tuple((Run(sentence(self.rng, self.language)),) for _ in range(count))
        return Block("quote", items=items, cite=self.rng.choice(self.lex.cites))

    def table(self) -> Block:
        """A small data table with a caption."""
        head = self.rng.choice(self.lex.table_heads)
        labels = self.rng.sample(self.lex.row_labels, self.rng.randint(3, 4))
        rows = [head] + [
            (label, f"{self.rng.uniform(1, 90):.1f}", f"{self.rng.uniform(-9, 9):+.1f}")
            for label in labels
        ]
        return Block("table", rows=tuple(rows), caption=_TABLE_CAPTION[self.language])

    def figure(self) -> Block:
        """An inline image with a caption."""
        image = f"/wp-content/uploads/{self.upload_dir}/post-{self.post_id}-figure.png"
        return Block("figure", caption=self.rng.choice(self.lex.figure_captions), image=image)

    def link_paragraph(self, kind: str, target: str = "") -> Block:
        """A short paragraph holding a PDF, cross or external link."""
        if kind == "pdf":
            before, after = _PDF[self.language]
            href = f"/wp-content/uploads/{self.upload_dir}/ecss-{self.post_id}.pdf"
            link = Run(self.rng.choice(self.lex.pdf_anchors), "a", href)
        elif kind == "cross":
            before, anchor, after = _SEE_ALSO[self.language]
            link = Run(anchor, "a", target)
        else:
            before, after = _EXTERNAL[self.language]
            href, anchor = self.rng.choice(self.lex.external_links)
            link = Run(anchor, "a", href)
        lead = sentence(self.rng, self.language)
        return Block("p", (Run(f"{lead} {before}"), link, Run(after)))

    def extras(self, brief: bool, cross_link: str) -> list[Block]:
        """The special blocks this body will carry, in random order."""
        rng = self.rng
        chance = 0.3 if brief else 1.0
        found: list[Block] = []
        if rng.random() < 0.6 * chance:
            found.append(self.listing())
        if not brief and rng.random() < 0.5:
            found.append(self.quote())
        if not brief and rng.random() < 0.2:
            found.append(self.table())
        if not brief and rng.random() < 0.25:
            found.append(self.figure())
        if rng.random() < 0.3 * (0.7 if brief else 1.0):
            found.append(self.link_paragraph("pdf"))
        if cross_link:
            found.append(self.link_paragraph("cross", cross_link))
        if not brief and rng.random() < 0.3:
            found.append(self.link_paragraph("external"))
        rng.shuffle(found)
        return found

    def build(self, brief: bool, cross_link: str) -> tuple[Block, ...]:
        """The whole body."""
        rng = self.rng
        target = rng.randint(190, 280) if brief else rng.randint(320, 800)
        self.footnotes_wanted = not brief and rng.random() < 0.2
        level = rng.choice(("h2", "h3"))
        extras = self.extras(brief, cross_link)
        blocks = [self.paragraph(rng.randint(3, 5))]
        count = words(blocks) + words(extras)
        while count < max(150, target - 40):
            added = [self.heading(level)] if not brief and rng.random() < 0.35 else []
            added.append(self.paragraph(rng.randint(2, 4)))
            count += words(added)
            blocks.extend(added)
            if extras and rng.random() < 0.4:
                blocks.append(extras.pop())
        blocks.extend(extras)
        if self.footnotes:
            items = tuple((Run(note),) for note in self.footnotes)
            blocks.append(Block("footnotes", items=items))
        return tuple(blocks)


@lru_cache(maxsize=512)
def build_body(
    key: str, language: str, brief: bool, cross_link: str, upload_dir: str, post_id: int
) -> tuple[Block, ...]:
    """The body for one (seed, version) key; memoised."""
    rng = random.Random(key)  # noqa: S311 - seeded test data
    builder = BodyBuilder(rng, language, post_id, upload_dir)
    return builder.build(brief, cross_link)
