"""How much one message of a medium may hold, and the splitting of text into such pages.

`paginate` packs pieces of text into pages and appends the "reply MORE" hint to every page but
the last. It splits a piece that is too big for a page at paragraphs, then sentences, then
words, and only as a last resort between characters. Every page it returns, hint included,
fits the budget, whatever Unicode it is given.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from gfmd_info.sms_encoding import measure, to_gsm7


@dataclass(frozen=True)
class PageBudget:
    """At most `max_segments` SMS segments (after `to_gsm7` if `transliterate`) and at most
    `max_chars` characters, counted as UTF-16 code units (an emoji counts 2), which is never
    less than what Telegram or Twilio count. `None` means no such limit."""

    max_segments: int | None
    max_chars: int | None
    transliterate: bool

    def __post_init__(self) -> None:
        if self.max_segments is not None and self.max_segments < 1:
            raise ValueError("max_segments must be at least 1")
        # 2 so that any single character (an emoji is 2 UTF-16 units) fits a page.
        if self.max_chars is not None and self.max_chars < 2:
            raise ValueError("max_chars must be at least 2")


SMS = PageBudget(max_segments=3, max_chars=None, transliterate=True)
# Twilio's body limit for every channel.
WHATSAPP = PageBudget(max_segments=None, max_chars=1600, transliterate=False)
# Telegram allows 4096; the margin covers the right-to-left mark and rounding.
TELEGRAM = PageBudget(max_segments=None, max_chars=4000, transliterate=False)

PIECE_SEPARATOR = "\n\n"
HINT_SEPARATOR = "\n"


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def fits(text: str, budget: PageBudget) -> bool:
    """True if `text` can be sent as one page of the medium."""
    if budget.max_chars is not None and utf16_length(text) > budget.max_chars:
        return False
    if budget.max_segments is not None:
        sent = to_gsm7(text) if budget.transliterate else text
        if measure(sent).segments > budget.max_segments:
            return False
    return True


# Where a too-big piece may be split, from the most to the least natural; a split point is the
# end of a match (the separator stays with the text before it and is stripped at a page edge).
_PARAGRAPH_END = re.compile(r"\n[^\S\n]*\n\s*")
_SENTENCE_END = re.compile(r"[.!?؟।]+[\"'”’»)\]]*\s+|[。！？]+\s*")
_WORD_END = re.compile(r"\s+")
_SPLIT_LEVELS = (_PARAGRAPH_END, _SENTENCE_END, _WORD_END)

# Characters that belong to the one before them: a line never breaks before them.
_JOINERS = frozenset("\u200d\ufe0e\ufe0f")


class _NoRoom(Exception):
    """A single character does not fit a page next to the hint."""


def _split_after(text: str, pattern: re.Pattern[str]) -> list[str]:
    cuts = [m.end() for m in pattern.finditer(text) if 0 < m.end() < len(text)]
    bounds = [0, *cuts, len(text)]
    return [text[a:b] for a, b in itertools.pairwise(bounds) if b > a]


def _clusters(text: str) -> list[str]:
    """Approximate grapheme clusters: a character with its combining marks, variation
    selectors and zero-width-joined followers; a surrogate pair is never separated."""
    clusters: list[str] = []
    for ch in text:
        code = ord(ch)
        attaches = clusters and (
            unicodedata.combining(ch) != 0
            or unicodedata.category(ch) in ("Mn", "Mc", "Me")
            or ch in _JOINERS
            or clusters[-1][-1] == "\u200d"
            or 0x1F3FB <= code <= 0x1F3FF
            or (0xDC00 <= code <= 0xDFFF and 0xD800 <= ord(clusters[-1][-1]) <= 0xDBFF)
        )
        if attaches:
            clusters[-1] += ch
        else:
            clusters.append(ch)
    return clusters


def _code_points(text: str) -> list[str]:
    """Code points, keeping an (unusual, unpaired in Python) high+low surrogate couple."""
    units: list[str] = []
    for ch in text:
        if units and 0xDC00 <= ord(ch) <= 0xDFFF and 0xD800 <= ord(units[-1][-1]) <= 0xDBFF:
            units[-1] += ch
        else:
            units.append(ch)
    return units


class _Packer:
    def __init__(self, budget: PageBudget, suffix: str) -> None:
        self._budget = budget
        self._suffix = suffix

    def ok(self, page: str) -> bool:
        # Every page reserves room for the hint; the last one goes without it, and in SMS
        # removing text can change the encoding, so both forms are checked.
        if not fits(page + self._suffix, self._budget):
            return False
        return not self._suffix or fits(page, self._budget)

    def _longest_run(self, parts: Sequence[str], start: int) -> int:
        """The largest k such that parts[start:start+k] fits as one page (parts[start] fits).
        Galloping then bisection; the answer is always a checked k."""
        available = len(parts) - start
        good, bad = 1, None
        while bad is None:
            k = min(good * 2, available)
            if k == good:
                return good
            if self.ok("".join(parts[start : start + k]).strip()):
                good = k
            else:
                bad = k
        while bad - good > 1:
            mid = (good + bad) // 2
            if self.ok("".join(parts[start : start + mid]).strip()):
                good = mid
            else:
                bad = mid
        return good

    def pack(self, parts: Sequence[str], split: Callable[[str], list[str]]) -> list[str]:
        pages: list[str] = []
        parts = list(parts)
        i = 0
        while i < len(parts):
            first = parts[i].strip()
            if not first:
                i += 1
            elif not self.ok(first):
                # Split the part; its last chunk may still share a page with what follows.
                chunks = split(first)
                if not chunks:
                    i += 1
                    continue
                pages.extend(chunks[:-1])
                parts[i] = chunks[-1] + parts[i][len(parts[i].rstrip()) :]
            else:
                k = self._longest_run(parts, i)
                pages.append("".join(parts[i : i + k]).strip())
                i += k
        return pages

    def split(self, text: str, level: int = 0) -> list[str]:
        """`text` (stripped, not empty) as pages, splitting as naturally as possible."""
        if self.ok(text):
            return [text]
        while level < len(_SPLIT_LEVELS):
            parts = _split_after(text, _SPLIT_LEVELS[level])
            level += 1
            if len(parts) > 1:
                return self.pack(parts, functools.partial(self.split, level=level))
        return self.pack(_clusters(text), self._split_cluster)

    def _split_cluster(self, cluster: str) -> list[str]:
        return self.pack(_code_points(cluster), self._no_room)

    def _no_room(self, unit: str) -> list[str]:
        raise _NoRoom


def paginate(pieces: Sequence[str], budget: PageBudget, more_hint: str) -> list[str]:
    """Consecutive `pieces`, joined by a blank line, packed into as few pages as the budget
    allows, each page but the last ending with a line break and `more_hint`.

    A piece that fits a page on its own is never split (so callers keep lines together by
    grouping them into one piece, see `group_lines`). Pieces are stripped, empty ones dropped;
    no text at all gives no pages. If the hint is so long that not even one character fits
    beside it, the pages go without it.
    """
    parts = [piece.strip() + PIECE_SEPARATOR for piece in pieces if piece.strip()]
    whole = "".join(parts).strip()
    if whole and fits(whole, budget):
        return [whole]  # one page needs no hint, so none is reserved
    suffix = HINT_SEPARATOR + more_hint if more_hint else ""
    try:
        pages = _paginate(parts, budget, suffix)
    except _NoRoom:
        suffix = ""
        pages = _paginate(parts, budget, suffix)
    return [page + suffix for page in pages[:-1]] + pages[-1:]


def _paginate(parts: Sequence[str], budget: PageBudget, suffix: str) -> list[str]:
    packer = _Packer(budget, suffix)
    return packer.pack(parts, packer.split)


def group_lines(lines: Sequence[str], budget: PageBudget, more_hint: str) -> list[str]:
    """`lines` joined by line breaks into as few pieces as possible, each small enough to be a
    page on its own (with the hint), so that `paginate` never splits inside a line. A line too
    long for any page stays alone (and will be split)."""
    suffix = HINT_SEPARATOR + more_hint if more_hint else ""
    packer = _Packer(budget, suffix)
    groups: list[str] = []
    for line in (line.strip() for line in lines):
        if not line:
            continue
        if groups and packer.ok(groups[-1] + "\n" + line):
            groups[-1] += "\n" + line
        else:
            groups.append(line)
    return groups
