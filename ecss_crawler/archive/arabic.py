"""Arabic-aware text normalisation for the full-text index and for queries.

SQLite's FTS5 ``unicode61`` tokenizer (with or without ``remove_diacritics 2``)
does nothing useful for Arabic, which was verified against SQLite 3.40:

* harakat (U+064B–U+0652) and the dagger alef (U+0670) are category ``Mn``,
  which ``unicode61`` treats as *separators*: ``مُكافَحَة`` is indexed as the four
  tokens ``م كاف ح ة`` and never matches ``مكافحة``;
* tatweel (U+0640) is category ``Lm``, a token character, so ``العـــربية`` is one
  token that never matches ``العربية``;
* ``remove_diacritics`` only folds Latin-script letters: ``أحمد`` and ``احمد``,
  ``مصطفى`` and ``مصطفي``, ``مكافحة`` and ``مكافحه`` stay distinct.

So the archive indexes *normalised copies* of the text (see :func:`normalise`)
and normalises every query the same way. Non-Arabic text only goes through
Unicode NFKC, so English keeps working with the tokenizer's own case and Latin
diacritic folding.
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

_STRIP_TABLE = str.maketrans(dict.fromkeys([*_MARKS, TATWEEL]))
_FOLD_TABLE = str.maketrans({**dict.fromkeys([*_MARKS, TATWEEL]), **_LETTER_MAP, **_DIGITS})

#: What FTS5 ``unicode61`` calls a token, near enough: runs of letters and digits.
_WORD = re.compile(r"[^\W_]+")
#: Letters and digits that :func:`normalise` folds: after :func:`strip_marks`
#: they are the only characters it still changes.
_FOLDABLE = re.compile("[" + "".join(_LETTER_MAP) + "".join(_DIGITS) + "]")


@lru_cache(maxsize=8)
def _nfkc(text: str) -> str:
    """NFKC, once per text: an article's body goes through both :func:`normalise` (its search
    column) and :func:`variant_tokens` when it is stored."""
    return unicodedata.normalize("NFKC", text)


def strip_marks(text: str) -> str:
    """Remove harakat, other Arabic combining marks and tatweel; keep letters as written."""
    return _nfkc(text).translate(_STRIP_TABLE)


def normalise(text: str | None) -> str:
    """Fold ``text`` to the form stored in the search index and used for queries.

    NFKC (which also resolves Arabic presentation-form ligatures), then remove
    marks and tatweel and fold alef, ya, ta-marbuta, keheh and digit variants.
    Latin text is unchanged apart from NFKC.
    """
    if not text:
        return ""
    return _nfkc(text).translate(_FOLD_TABLE)


def variant_tokens(*texts: str | None) -> str:
    """Space-separated distinct words as written (marks stripped) whose folded form differs.

    These go into the hidden ``search_variants`` column so that a query typed
    without harakat but with conventional spelling (``مكافحة``, ``أحمد``) also
    matches when it is *not* normalised first, as with ``sqlite-utils search`` or
    Datasette's search box, which know nothing about our normalisation.
    """
    seen: dict[str, None] = {}
    for text in texts:
        stripped = strip_marks(text or "")
        if not _FOLDABLE.search(stripped):
            continue  # e.g. any English text
        for word in dict.fromkeys(_WORD.findall(stripped)):
            if _FOLDABLE.search(word):
                seen[word] = None
    return " ".join(seen)


def words(text: str) -> list[str]:
    """Split ``text`` into index-style words (letters and digits)."""
    return _WORD.findall(text)
