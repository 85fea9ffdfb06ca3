"""Danger-now detection: emergency terms of every language, checked before any topic.

A term matches when every one of its words is in the message (as often as the term repeats
it). Small typos are forgiven in the user's own language only: across languages a one-letter
difference is often another word (Indonesian "tolong", help, is not Tagalog "tulong").
Another language's term counts only where its words mean nothing else in the user's language.
Terms are indexed by word, so a message only checks the terms that share a word with it.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from rapidfuzz.distance import Levenshtein

from gfmd_info.normalise import normalise
from gfmd_info.text_model import TextModel

# Shorter words are too easily another word after one typo ("dice" and "dicekik"; Urdu
# "bachao", save me, and "bacha", child).
TYPO_MIN_LEN = 7
SHORT_WORD = 2


@dataclass(frozen=True)
class DangerTerm:
    lang: str
    needed: Mapping[str, int]
    # A term of one real word and tiny or filler ones ("a l'aide", "help now") must appear as
    # written, in order: those words scattered through a message ("aide sociale a l'enfance",
    # "I asked for help ... no job now") mean nothing.
    sequence: tuple[str, ...] | None = None


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))} | {word}


class DangerTerms:
    def __init__(
        self,
        terms_by_lang: Mapping[str, Iterable[str]],
        fillers: Mapping[str, Container[str]] | None = None,
    ) -> None:
        """`fillers`: per language, its normalised words that carry no topic."""
        self._terms: list[DangerTerm] = []
        self._by_word: dict[str, list[int]] = defaultdict(list)
        self._by_deletion: dict[str, set[str]] = defaultdict(set)
        for lang, terms in terms_by_lang.items():
            filler = (fillers or {}).get(lang, ())
            for term in terms:
                words = normalise(term).split()
                if not words:
                    continue
                index = len(self._terms)
                content_words = sum(len(w) > SHORT_WORD and w not in filler for w in words)
                tiny = len(words) > 1 and content_words <= 1
                self._terms.append(DangerTerm(lang, Counter(words), tuple(words) if tiny else None))
                # Every word of a term must be in the message, so one word finds the term:
                # the longest, which is the least common ("me" would find half the terms).
                self._by_word[max(words, key=len)].append(index)
                for word in set(words):
                    if len(word) >= TYPO_MIN_LEN:
                        for key in _deletions(word):
                            self._by_deletion[key].add(word)

    def find(
        self,
        words: Sequence[str],
        user_lang: str | None,
        user_vocabulary: Container[str] = frozenset(),
        not_typos: Container[str] = frozenset(),
    ) -> str | None:
        """The language of the first term present in normalised `words`, or None.

        Another language's term counts only where its words mean nothing else in the user's
        language (Spanish "auxilio", help, is Brazilian "auxilio", a benefit), and a word of
        `not_typos` (the user's language outside its danger phrases) is never read as a typo of
        a term's word.
        """
        present = Counter(words)
        typos: dict[str, str] = {}  # term word -> the message word one typo away from it
        for word in present:
            # A word of the user's own language is no typo: Tagalog "humihingi" (asking) is
            # not "humihinga" (breathing), Portuguese "devolver" not "revolver".
            if len(word) >= TYPO_MIN_LEN - 1 and word not in not_typos:
                for key in _deletions(word):
                    for near in self._by_deletion.get(key, ()):
                        if near not in present and Levenshtein.distance(word, near) <= 1:
                            typos.setdefault(near, word)
        candidates = sorted({i for w in (*present, *typos) for i in self._by_word.get(w, ())})
        for index in candidates:
            term = self._terms[index]
            foreign = term.lang != user_lang
            if foreign and any(w in user_vocabulary for w in term.needed):
                continue
            own = term.lang == user_lang
            if term.sequence is not None:
                if _contains(words, term.sequence, typos if own else {}):
                    return term.lang
                continue
            if all(
                present[w] >= n or (n == 1 and own and w in typos) for w, n in term.needed.items()
            ):
                return term.lang
        return None


def _contains(words: Sequence[str], run: Sequence[str], typos: Mapping[str, str]) -> bool:
    """`run` appears in `words` in order, each word as written or as its allowed typo."""
    n = len(run)
    return any(
        all(words[i + k] in (w, typos.get(w)) for k, w in enumerate(run))
        for i in range(len(words) - n + 1)
    )


# A long story often tells its danger in one sentence among many; the model also reads the
# message in windows of this many words (overlapping by half) and keeps the most alarming one.
WINDOW_WORDS = 10


def window_spans(count: int, size: int = WINDOW_WORDS) -> list[tuple[int, int]]:
    """(start, end) of overlapping runs of `size` words in a message of `count` words, for
    messages longer than one and a half windows (shorter ones are read whole only: their
    windows would be nearly the whole message)."""
    if count <= size + size // 2:
        return []
    step = size // 2
    return [(i, min(i + size, count)) for i in range(0, count - size + step, step)]


@dataclass(frozen=True)
class DangerScores:
    """The emergency class's score over the whole message, and its highest over the windows
    (minus infinity for a message read whole only). Each has its own thresholds: a window is a
    fragment, and fragments of a harmless story score higher than the story does."""

    whole: float
    window: float = -math.inf

    @property
    def highest(self) -> float:
        return max(self.whole, self.window)


def danger_scores(
    topics: TextModel, words: Sequence[str], whole: NDArray[np.float64], column: int
) -> DangerScores:
    """The emergency class (`column`) read over the whole message (`whole`, its scores) and over
    its windows: what serving reads and what the thresholds are tuned on."""
    windowed = topics.window_scores(words, window_spans(len(words)), column)
    return DangerScores(float(whole[column]), max(windowed, default=-math.inf))
