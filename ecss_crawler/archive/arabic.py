"""Arabic-aware text analysis for the full-text index and for queries.

SQLite's FTS5 ``unicode61`` tokenizer (with or without ``remove_diacritics 2``)
does nothing useful for Arabic, which was verified against SQLite 3.40:

* harakat (U+064B–U+0652) and the dagger alef (U+0670) are category ``Mn``,
  which ``unicode61`` treats as *separators*: ``مُكافَحَة`` is indexed as the four
  tokens ``م كاف ح ة`` and never matches ``مكافحة``;
* tatweel (U+0640) is category ``Lm``, a token character, so ``العـــربية`` is one
  token that never matches ``العربية``;
* ``remove_diacritics`` only folds Latin-script letters: ``أحمد`` and ``احمد``,
  ``مصطفى`` and ``مصطفي``, ``مكافحة`` and ``مكافحه`` stay distinct.

Python's ``sqlite3`` cannot register an FTS5 tokenizer, so the archive indexes
*analysed copies* of the text and analyses every query the same way:

* :func:`fold` is the letter normalisation (Lucene's ``ArabicNormalizer`` plus
  NFKC and digit folding);
* :func:`light_stem` is a light stemmer after Larkey, Ballesteros and Connell's
  *light10* (the algorithm of Lucene's ``ArabicStemmer``), plus one rule of our
  own: a final alef (the seat of tanween fath, ``ملموسًا``) is removed;
* :func:`normalise` = fold, then light-stem every Arabic word: what the
  ``search_*`` columns hold and what :func:`~ecss_crawler.archive.queries.fts_query`
  sends to ``MATCH``. Non-Arabic text only goes through NFKC, so English keeps
  the tokenizer's own Porter stemming and case/Latin-diacritic folding;
* :func:`variant_tokens` lists the surface forms a *raw* query (``sqlite-utils
  search``, plain SQL ``MATCH``) may type, for the hidden ``search_variants`` column.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

#: Combining marks removed everywhere: Quranic annotation signs, harakat
#: (fathatan … sukun, U+064B–U+0652), the extended marks U+0653–U+065F
#: (maddah/hamza above and below, left over after NFKC), the dagger alef
#: (U+0670) and Quranic small high signs.
_MARKS = (
    [chr(c) for c in range(0x0610, 0x061B)]
    + [chr(c) for c in range(0x064B, 0x0660)]
    + ["\u0670"]
    + [chr(c) for c in range(0x06D6, 0x06DD)]
    + [chr(c) for c in range(0x06DF, 0x06E9)]
    + [chr(c) for c in range(0x06EA, 0x06EE)]
)
TATWEEL = "\u0640"

#: Letter variants folded to one form.
_LETTER_MAP = {
    "\u0622": "\u0627",  # آ alef with madda above -> ا
    "\u0623": "\u0627",  # أ alef with hamza above -> ا
    "\u0625": "\u0627",  # إ alef with hamza below -> ا
    "\u0671": "\u0627",  # ٱ alef wasla -> ا
    "\u0672": "\u0627",  # ٲ alef with wavy hamza above -> ا
    "\u0673": "\u0627",  # ٳ alef with wavy hamza below -> ا
    "\u0649": "\u064a",  # ى alef maksura -> ي
    "\u06cc": "\u064a",  # ی Farsi yeh -> ي
    "\u0629": "\u0647",  # ة ta marbuta -> ه
    "\u06a9": "\u0643",  # ک keheh -> ك
}
#: Arabic-Indic and extended (Persian) digits -> ASCII, so "٢٠٢٤" finds "2024".
_DIGITS = {chr(0x0660 + i): str(i) for i in range(10)} | {
    chr(0x06F0 + i): str(i) for i in range(10)
}


class _CharMap:
    """``str.translate`` for a table of a few dozen Arabic characters, fast on any text.

    ``str.translate`` looks every character of the text up in the table (tens of
    nanoseconds each, on every article body, English ones included). Here one regular
    expression finds the characters the table holds and only those are replaced, so a
    text with none of them (English, most Arabic prose for the marks) costs one scan.
    """

    def __init__(self, table: dict[str, str]) -> None:
        self.table = table
        self.pattern = re.compile("[" + "".join(re.escape(char) for char in table) + "]")

    def __call__(self, text: str) -> str:
        if self.pattern.search(text) is None:
            return text
        return self.pattern.sub(self._replacement, text)

    def _replacement(self, match: re.Match[str]) -> str:
        return self.table[match.group()]


_STRIP = _CharMap(dict.fromkeys([*_MARKS, TATWEEL], ""))
_FOLD = _CharMap({**dict.fromkeys([*_MARKS, TATWEEL], ""), **_LETTER_MAP, **_DIGITS})

#: What FTS5 ``unicode61`` calls a token, near enough: runs of letters and digits.
_WORD = re.compile(r"[^\W_]+")

#: Light10 prefixes, in the order they are tried; at most one is removed.
PREFIXES: tuple[str, ...] = ("ال", "وال", "بال", "كال", "فال", "لل", "و")
#: Light10 suffixes, each tried once, in this order (so ``ساهدهات`` loses ``ات`` then ``ه``).
SUFFIXES: tuple[str, ...] = ("ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة", "ي")
#: Fewest letters a stem keeps: two, and three after the one-letter ``و`` prefix.
MIN_STEM = 2
#: Prefixes that are a particle + the article: ``بالسياسة`` = ``ب`` + ``السياسة``.
_PARTICLE_ARTICLE = frozenset({"وال", "بال", "كال", "فال"})
_ALEF = "\u0627"
_ARABIC_LETTER = re.compile("[\u0621-\u064a\u066e-\u06d3\u06fa-\u06ff]")
_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]")


@lru_cache(maxsize=8)
def _nfkc(text: str) -> str:
    """NFKC, once per text: an article's body goes through both :func:`normalise` (its search
    column) and :func:`variant_tokens` when it is stored."""
    return unicodedata.normalize("NFKC", text)


def strip_marks(text: str) -> str:
    """Remove harakat, other Arabic combining marks and tatweel; keep letters as written."""
    return _STRIP(_nfkc(text))


def fold(text: str | None) -> str:
    """Letter normalisation only (no stemming).

    NFKC (which also resolves Arabic presentation-form ligatures), then remove
    marks and tatweel and fold alef, ya, ta-marbuta, keheh and digit variants.
    Latin text is unchanged apart from NFKC.
    """
    if not text:
        return ""
    return _FOLD(_nfkc(text))


def is_arabic(word: str) -> bool:
    """Whether ``word`` contains an Arabic letter (only those are stemmed)."""
    return _ARABIC_LETTER.search(word) is not None


def strippable_prefix(word: str) -> str:
    """The light10 prefix :func:`light_stem` removes from ``word`` (``""`` if none).

    A prefix is removed only if two letters remain (three after ``و``), so
    ``وطن`` and ``الو`` keep their first letters.
    """
    for prefix in PREFIXES:
        least = len(prefix) + (MIN_STEM + 1 if len(prefix) == 1 else MIN_STEM)
        if len(word) >= least and word.startswith(prefix):
            return prefix
    return ""


def _strip_suffixes(word: str) -> str:
    for suffix in SUFFIXES:
        if len(word) >= len(suffix) + MIN_STEM and word.endswith(suffix):
            word = word[: -len(suffix)]
    return word


@lru_cache(maxsize=200_000)  # distinct words are few (Zipf)
def light_stem(word: str) -> str:
    """Light-stem one folded Arabic word (light10, plus a final-alef rule).

    One prefix of :data:`PREFIXES` goes (see :func:`strippable_prefix`), then
    each suffix of :data:`SUFFIXES` in turn while two letters remain. Our one
    addition: a word that still ends in alef with three letters before it loses
    the alef and the suffixes are tried again, so the accusative ``ملموسًا``
    (written ``ملموسا`` once the tanween is gone) meets ``ملموس``, and
    ``روسيا`` meets ``روسي``. Non-Arabic words are returned unchanged.
    """
    return _light_stem(word) if is_arabic(word) else word


def _light_stem(word: str) -> str:
    word = _strip_suffixes(word[len(strippable_prefix(word)) :])
    if word.endswith(_ALEF) and len(word) > MIN_STEM + 1:
        word = _strip_suffixes(word[:-1])
    return word


def normalise(text: str | None) -> str:
    """Analyse ``text`` to the form stored in the search index and used for queries.

    :func:`fold`, then every Arabic word replaced by its :func:`light_stem`.
    Punctuation and spacing are kept, and every word stays one word, so hits in
    the analysed text map back onto the original words (snippets). Latin text
    is unchanged apart from NFKC (FTS5's Porter tokenizer stems English).
    """
    folded = fold(text)
    if not _ARABIC_LETTER.search(folded):
        return folded
    return _WORD.sub(_stem_match, folded)


def _stem_match(match: re.Match[str]) -> str:
    return light_stem(match.group())


def clitic_forms(word: str) -> list[str]:
    """``word`` (folded or as written) without the leading clitics the stemmer removes.

    ``والسياسات`` → ``السياسات``, ``سياسات``; ``للاخر`` → ``الاخر``, ``اخر``.
    The prefix is judged on the folded word (folding keeps every letter in place).
    """
    prefix = strippable_prefix(fold(word))
    if not prefix:
        return []
    forms = [word[len(prefix) :]]
    if prefix in _PARTICLE_ARTICLE:
        forms.insert(0, word[1:])  # keep the article: بالسياسة -> السياسة
    elif prefix == "لل":
        forms.insert(0, "ال" + word[2:])  # لل = ل + ال with the alef dropped
    return forms


def dictionary_forms(stem: str) -> list[str]:
    """Forms analysts type for a stem: with ta marbuta, with the article, or both."""
    return [stem + "ة", "ال" + stem, "ال" + stem + "ة"]


def variant_tokens(*texts: str | None) -> str:
    """Space-separated surface forms of the Arabic words of ``texts``, for raw queries.

    The hidden ``search_variants`` column holds them so that a query that is
    *not* analysed first (``sqlite-utils search``, plain SQL ``MATCH``) still
    matches an article when it types, for any Arabic word of the article:

    * the word as the article writes it (marks and tatweel dropped) or folded
      (``الارهاب`` for ``الإرهاب``, ``مكافحه`` for ``مكافحة``), with or without its
      leading clitics (``والسياسات``, ``السياسات``, ``سياسات``);
    * if the word carries a suffix, its stem with ta marbuta, with the article,
      or both (``سياسة``, ``السياس``, ``السياسة`` for ``والسياسات``). The bare stem
      itself is in the analysed columns already. (Words without a suffix get no
      such forms: on the benchmark's text they would triple the column.)

    Forms equal to the word's stem are left out (the analysed columns hold it);
    Arabic-Indic numbers are kept as written (``٢٠٢٤``; the analysed columns have ``2024``).
    """
    seen: dict[str, None] = {}
    for text in texts:
        stripped = strip_marks(text or "")
        if not _ARABIC_SCRIPT.search(stripped):
            continue  # e.g. any English text
        for word in dict.fromkeys(_WORD.findall(stripped)):
            seen.update(dict.fromkeys(_word_variants(word)))
    return " ".join(seen)


@lru_cache(maxsize=200_000)
def _word_variants(word: str) -> tuple[str, ...]:
    """The :func:`variant_tokens` of one word (marks already stripped)."""
    folded = fold(word)
    if folded == word and not is_arabic(word):
        return ()  # e.g. English or ASCII digits: the analysed columns have them
    stem = light_stem(folded)
    written = [word, *clitic_forms(word)]
    forms = written + [fold(w) for w in written]
    if (
        len(stem) > MIN_STEM
        and is_arabic(stem)
        and stem != folded[len(strippable_prefix(folded)) :]
    ):
        forms += dictionary_forms(stem)  # only for words that carried a suffix
    return tuple(form for form in dict.fromkeys(forms) if form != stem)


def words(text: str) -> list[str]:
    """Split ``text`` into index-style words (letters and digits)."""
    return _WORD.findall(text)
