"""What may be kept of a question the bot could not answer: no way back to the person.

Unanswered questions are kept with no user key, so a person's DELETE cannot find them: what
they hold must not lead to anyone. Before the text is normalised and stored, everything that
could reach or name a place is masked: every run of two or more digits in any script (phone
numbers, ids, house numbers, dates), written with spaces, dots, dashes or brackets between
them or not; e-mail addresses and @handles (any word with an `@`); and links. Names and
street names cannot be told apart from other words: retention (`GFMD_UNANSWERED_RETENTION_DAYS`)
and `gfmd-bot unanswered --purge` bound how long they stay.

Every pattern is linear in the input (no nested unbounded repetition), and the input is cut to
`MAX_QUESTION_CHARS` first, whatever its size.
"""

from __future__ import annotations

import re

from gfmd_info.normalise import normalise

# Longer than any SMS (1600) and than what is stored (`UNANSWERED_MAX` in the conversation).
MAX_QUESTION_CHARS = 2000
MASK = "#"
# Private-use, never typed: marks where a mask goes until the text is normalised (which would
# drop a "#").
_HOLE = "\ue000"
# Digits (any script: `\d` is Unicode) joined by up to three separators: "612 34 56", "(0)6-12".
_DIGIT_RUN = re.compile(r"\d(?:[\s().\-/]{0,3}\d)+", re.UNICODE)
_TWO_DIGITS = re.compile(r"\d{2,}", re.UNICODE)
_WORDS = re.compile(r"\S+")
_LINK = re.compile(
    r"[a-z][a-z0-9+.\-]{0,15}:/|www\.|"
    # a bare domain with a known-looking ending: "example.org", "bit.ly/x"
    r"^[\W_]*(?:[^\W_][\w\-]{0,62}\.){1,8}[a-z]{2,24}(?:[/:?#]|[\W_]*$)",
    re.IGNORECASE | re.UNICODE,
)


def _masked_word(match: re.Match[str]) -> str:
    word = match.group()
    if "@" in word or _LINK.search(word):
        return _HOLE
    return word


def mask_identifiers(text: str) -> str:
    """`text` with e-mails, @handles, links and digit runs replaced by `MASK`."""
    text = text.replace(_HOLE, " ")
    text = _WORDS.sub(_masked_word, text)
    text = _DIGIT_RUN.sub(_HOLE, text)
    return text.replace(_HOLE, f" {MASK} ")


def unanswered_text(text: str, limit: int) -> str:
    """The masked, normalised form of `text` to keep, at most `limit` characters."""
    if len(text) > MAX_QUESTION_CHARS:
        # Cut at a space, so that no half of an address or a number is left unmasked.
        words = text[:MAX_QUESTION_CHARS].rsplit(maxsplit=1)
        text = words[0] if words else ""
    text = mask_identifiers(text).replace(MASK, _HOLE)
    kept = f" {MASK} ".join(normalise(part) for part in text.split(_HOLE))
    # Normalising can make digits of what were not digits ("²³" → "23"): mask those too.
    kept = _TWO_DIGITS.sub(MASK, kept)
    return " ".join(kept.split())[:limit].strip()
