"""Plausible policy-analysis prose in English and Arabic, built from :mod:`lexicon` phrase lists.

All functions take a :class:`random.Random`, so the caller controls determinism.
"""

from __future__ import annotations

import random

from ecss_crawler.replica.lexicon import LEXICONS, Lexicon

_ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def lexicon(language: str) -> Lexicon:
    """The phrase lists for ``language`` (English for anything but Arabic)."""
    return LEXICONS["ar" if language == "ar" else "en"]


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _english_sentence(rng: random.Random, lex: Lexicon) -> str:
    opener = rng.choice(lex.openers)
    form = rng.randrange(5)
    if form == 0:
        core = f"{rng.choice(lex.subjects)} {rng.choice(lex.verbs)} {rng.choice(lex.objects)}"
        text = f"{core} {rng.choice(lex.tails)}"
    elif form == 1:
        text = (
            f"the {rng.choice(lex.abstracts)} of this shift reflects the weight of "
            f"{rng.choice(lex.objects)} {rng.choice(lex.tails)}"
        )
    elif form == 2:
        text = (
            f"{rng.choice(lex.objects)} is likely to shape the approach of "
            f"{rng.choice(lex.subjects)} to {rng.choice(lex.objects)}"
        )
    elif form == 3:
        first, second = rng.sample(lex.subjects, 2)
        text = f"{first} and {second} have made {rng.choice(lex.objects)} a shared priority"
    else:
        year = rng.randrange(2015, 2025)
        text = (
            f"according to {rng.choice(lex.sources)}, spending on {rng.choice(lex.objects)} "
            f"rose by {rng.randrange(3, 40)} percent in {year}"
        )
    if opener:
        return f"{opener} {text}."
    return _capitalise(text) + "."


def _arabic_sentence(rng: random.Random, lex: Lexicon) -> str:
    opener = rng.choice(lex.openers)
    form = rng.randrange(4)
    if form == 0:
        verb, _, rest = rng.choice(lex.verbs).partition(" ")
        subject = rng.choice(lex.subjects)
        text = f"{verb} {subject} {rest} {rng.choice(lex.objects)} {rng.choice(lex.tails)}"
    elif form == 1:
        stake = rng.choice(lex.objects)
        text = f"يعكس {rng.choice(lex.abstracts)} أهمية {stake} {rng.choice(lex.tails)}"
    elif form == 2:
        text = f"ومن المرجح أن يسهم {rng.choice(lex.objects)} في {rng.choice(lex.objects)}"
    else:
        year = str(rng.randrange(2015, 2025))
        share = str(rng.randrange(3, 40))
        if rng.random() < 0.5:
            year, share = year.translate(_ARABIC_DIGITS), share.translate(_ARABIC_DIGITS)
        text = (
            f"وتشير {rng.choice(lex.sources)} إلى ارتفاع الإنفاق على "
            f"{rng.choice(lex.objects)} بنسبة {share}٪ خلال عام {year}"
        )
    return " ".join(part for part in (opener, text) if part) + "."


def sentence(rng: random.Random, language: str) -> str:
    """One sentence of analysis prose."""
    lex = lexicon(language)
    text = _arabic_sentence(rng, lex) if language == "ar" else _english_sentence(rng, lex)
    return " ".join(text.split())


def sentences(rng: random.Random, language: str, count: int) -> list[str]:
    """``count`` sentences."""
    return [sentence(rng, language) for _ in range(count)]


def title(rng: random.Random, language: str, brief: bool) -> tuple[str, str]:
    """A headline such as ``Red Sea Security: Opportunities and Risks``, and its topic."""
    lex = lexicon(language)
    topic = rng.choice(lex.topics)
    form = rng.randrange(4)
    if language == "ar":
        text = f"{topic}: {rng.choice(lex.angles)}" if form else f"قراءة في {topic}"
    elif form == 0:
        text = f"The Future of {topic}"
    elif form == 1:
        other = rng.choice(lex.topics)
        text = f"{_capitalise(topic)} and {other}: {rng.choice(lex.angles)}"
    else:
        text = f"{_capitalise(topic)}: {rng.choice(lex.angles)}"
    return ((lex.brief_prefix + text) if brief else text), topic


def summary(rng: random.Random, language: str, topic: str) -> str:
    """A hand-written-looking excerpt of two sentences about ``topic``."""
    if language == "ar":
        lead = f"يتناول هذا التحليل {topic} وانعكاساته على مصر والمنطقة."
    else:
        lead = f"This analysis examines {topic} and what it means for Egypt."
    return f"{lead} {sentence(rng, language)}"
