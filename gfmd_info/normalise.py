"""Text normalisation per script, so that the way people type meets the way content is written.

Applied identically to content phrases and to incoming messages:

- Unicode NFKC and case folding; invisible format characters (RTL marks, zero-width joiners,
  BOM) removed; anything that is not a letter, mark or digit becomes a space (punctuation,
  symbols, emoji, controls).
- Digits of every script (Arabic-Indic, Persian, Devanagari, Bengali...) become ASCII digits.
- Latin, Greek and Cyrillic lose their diacritics (``pagó`` -> ``pago``, ``ё`` -> ``е``).
  Marks of Indic scripts are letters there and are kept (rapidfuzz's ``default_process`` would
  break them; see platform-notes D).
- Arabic script: harakat and tatweel removed; alef, hamza, taa marbuta, alef maqsura, and the
  Persian/Urdu forms of kaf, yeh and heh folded to one letter each.
- Devanagari and Bengali: nukta dropped, chandrabindu folded into anusvara (both are often
  omitted or swapped when typing on a phone).
- A letter repeated three times or more is squeezed to two (``pleeease`` -> ``pleease``;
  fuzzy word matching covers the rest).

Language knowledge that is not about the script (SMS spellings, stopwords, clitics) is data in
``content/<lang>/_language.yaml`` and is applied by the matcher, not here.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_ARABIC_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ٲ": "ا",
        "ٳ": "ا",
        "ؤ": "و",
        "ئ": "ي",
        "ى": "ي",
        "ی": "ي",  # Farsi/Urdu yeh
        "ې": "ي",
        "ة": "ه",
        "ۃ": "ه",
        "ہ": "ه",  # Urdu heh goal
        "ە": "ه",
        "ک": "ك",  # keheh
        "ڪ": "ك",
        "ـ": None,  # tatweel
    }
)
_INDIC_FOLD = str.maketrans(
    {
        "\u093c": None,  # Devanagari nukta
        "\u0901": "\u0902",  # chandrabindu -> anusvara
        "\u09bc": None,  # Bengali nukta
        "\u0981": "\u0982",
    }
)
# Scripts whose combining marks are diacritics that people often leave out.
_STRIP_MARKS_SCRIPTS = ("LATIN", "GREEK", "CYRILLIC")
_REPEATS = re.compile(r"(\w)\1{2,}")
_SPACES = re.compile(r"\s+")
_ASCII_OTHER = re.compile(r"[^a-z0-9]+")


def _is_arabic_mark(ch: str) -> bool:
    code = ord(ch)
    return 0x064B <= code <= 0x065F or code == 0x0670 or 0x06D6 <= code <= 0x06ED


# Per-character answers are kept: a message repeats few distinct characters.
@functools.lru_cache(maxsize=8192)
def _strippable_base(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith(_STRIP_MARKS_SCRIPTS)


def _strip_diacritics(text: str) -> str:
    """Drop combining marks that follow a Latin, Greek or Cyrillic base letter."""
    out: list[str] = []
    base_strippable = False
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch):
            if base_strippable or _is_arabic_mark(ch):
                continue
        else:
            base_strippable = _strippable_base(ch)
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def _keep_or_space(ch: str) -> str:
    cat = unicodedata.category(ch)
    if cat == "Nd":
        return str(unicodedata.digit(ch, 0))
    if cat[0] in "LM" or cat[0] == "N":
        return ch
    if cat == "Cf":  # RTL marks, zero-width joiners, BOM: invisible, drop entirely
        return ""
    return " "


_KEPT_CHARACTERS = 1 << 16


class _KeepOrSpace(dict[int, str]):
    """A `str.translate` table filled on first sight of each character: translate then looks
    characters up in C instead of calling a function for each."""

    def __missing__(self, code: int) -> str:
        kept = _keep_or_space(chr(code))
        if len(self) < _KEPT_CHARACTERS:  # bounded, whatever characters people send
            self[code] = kept
        return kept


_KEEP_OR_SPACE = _KeepOrSpace()


def normalise(text: str) -> str:
    """Fold ``text`` to the comparable form used everywhere in matching. Never raises."""
    if text.isascii():
        # The common case on SMS: nothing to decompose, fold or transliterate.
        text = _ASCII_OTHER.sub(" ", text.lower())
        text = _REPEATS.sub(r"\1\1", text)
        return _SPACES.sub(" ", text).strip()
    # Lone surrogates cannot be normalised: replace them first.
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _strip_diacritics(text)
    text = text.translate(_ARABIC_FOLD).translate(_INDIC_FOLD)
    text = text.translate(_KEEP_OR_SPACE)
    text = _REPEATS.sub(r"\1\1", text)
    return _SPACES.sub(" ", text).strip()


# Content strings (phrases, terms) are normalised again at every load and in every process
# that builds a matcher; messages never go through this cache.
normalise_content = functools.lru_cache(maxsize=1 << 17)(normalise)
