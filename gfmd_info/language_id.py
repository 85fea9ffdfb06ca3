"""Which language a message is written in, learned from each language's own phrases.

The script narrows the choice first (Bengali letters are Bengali; Arabic letters are Arabic or
Urdu; Latin letters are any language people romanise), then a linear model over character and
word n-grams ranks the languages that write in that script. A guess is `confident` only when the
message is long enough to tell (greetings, one word, numbers and names are not) and the margin
over the runner-up reaches the threshold chosen by cross-validation.

Romanised Hindi and Urdu are one spoken language written alike ("mujhe salary nahi mili"): in
Latin letters the two are told apart only by the margin like any other pair, and a guess between
them is never confident on its own, so a person's known language (or their choice from the menu)
decides.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from gfmd_info.text_model import TextModel, Vector
from gfmd_info.training_data import TrainingData

MIN_WORDS = 2
MIN_LETTERS = 10
# A language counts as written in a script when this share of its phrases uses it.
SCRIPT_SHARE = 0.05
# Languages written alike in Latin letters: a guess between them needs the person's own word.
ROMANISED_TWINS = frozenset({"hi", "ur"})


class Script(StrEnum):
    LATIN = "latin"
    ARABIC = "arabic"
    DEVANAGARI = "devanagari"
    BENGALI = "bengali"
    CYRILLIC = "cyrillic"
    OTHER = "other"


_RANGES = (
    (0x0041, 0x024F, Script.LATIN),
    (0x0400, 0x052F, Script.CYRILLIC),
    (0x0600, 0x06FF, Script.ARABIC),
    (0x0750, 0x077F, Script.ARABIC),
    (0x08A0, 0x08FF, Script.ARABIC),
    (0x0900, 0x097F, Script.DEVANAGARI),
    (0x0980, 0x09FF, Script.BENGALI),
    (0xFB50, 0xFDFF, Script.ARABIC),
    (0xFE70, 0xFEFF, Script.ARABIC),
)


_SCRIPTS = tuple(Script)
_NO_LETTER = -1


@functools.lru_cache(maxsize=8192)
def _script_of(char: str) -> int:
    """The index in `_SCRIPTS` of a letter's script; `_NO_LETTER` for what is no letter.
    (Indexes, not the enum: an enum member hashes in Python, a message has many letters.)"""
    if not char.isalpha():
        return _NO_LETTER
    code = ord(char)
    for low, high, script in _RANGES:
        if low <= code <= high:
            return _SCRIPTS.index(script)
    return _SCRIPTS.index(Script.OTHER)


def _letters_by_script(text: str) -> list[int]:
    """How many letters of `text` each script has, in `_SCRIPTS` order."""
    counts = [0] * len(_SCRIPTS)
    for char, count in Counter(text).items():
        script = _script_of(char)
        if script != _NO_LETTER:
            counts[script] += count
    return counts


def dominant_script(text: str) -> Script:
    return _dominant(_letters_by_script(text))


def _dominant(by_script: list[int]) -> Script:
    best = max(
        (i for i, script in enumerate(_SCRIPTS) if script is not Script.OTHER),
        key=lambda i: by_script[i],
    )
    return _SCRIPTS[best] if by_script[best] else Script.OTHER


@dataclass(frozen=True)
class LanguageGuess:
    lang: str | None  # the most likely language; None without any evidence
    confident: bool  # long and clear enough to adopt for a newcomer or to switch a known person
    margin: float = 0.0
    alternatives: tuple[str, ...] = ()  # the likeliest languages, best first


class LanguageIdentifier:
    def __init__(self, model: TextModel, scripts: dict[str, frozenset[Script]]) -> None:
        self._model = model
        self._scripts = scripts
        self.min_margin = 0.0
        self._by_script: dict[Script, list[int]] = {}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._by_script = {}

    def _writers_of(self, script: Script) -> list[int]:
        """Indexes of the languages written in `script` (all of them when none is)."""
        known = self._by_script.get(script)
        if known is None:
            classes = self._model.classes
            known = [
                i
                for i, lang in enumerate(classes)
                if script is Script.OTHER or script in self._scripts.get(lang, frozenset())
            ] or list(range(len(classes)))
            self._by_script[script] = known
        return known

    @classmethod
    def train(cls, data: TrainingData, model: TextModel | None = None) -> LanguageIdentifier:
        """`model`: one already trained on `data` with languages as labels, if there is one."""
        model = model or TextModel.train(data.texts, data.langs)
        by_lang: dict[str, Counter[Script]] = {}
        for example in data.examples:
            by_lang.setdefault(example.lang, Counter())[dominant_script(example.text)] += 1
        scripts = {
            lang: frozenset(s for s, n in counts.items() if n >= SCRIPT_SHARE * counts.total())
            for lang, counts in by_lang.items()
        }
        return cls(model, scripts)

    @property
    def languages(self) -> tuple[str, ...]:
        return self._model.classes

    @property
    def model(self) -> TextModel:
        return self._model

    def ranked(
        self, text: str, vector: Vector | None = None
    ) -> tuple[list[tuple[str, float]], Script]:
        """Languages that write in the text's script with their scores, best first.

        `vector`: the text already in the model's feature spaces, when the caller has it."""
        script = dominant_script(text)
        return self._ranked(text, script, vector), script

    def _ranked(self, text: str, script: Script, vector: Vector | None) -> list[tuple[str, float]]:
        scores = self._model.decision_of(vector if vector is not None else self._model.vector(text))
        classes = self._model.classes
        allowed = [(classes[i], float(scores[i])) for i in self._writers_of(script)]
        allowed.sort(key=lambda kv: -kv[1])
        return allowed

    def identify(self, text: str, vector: Vector | None = None) -> LanguageGuess:
        """The language of an already normalised `text`."""
        words = text.split()
        by_script = _letters_by_script(text)
        letters = sum(by_script)
        if not letters:
            return LanguageGuess(None, False)
        script = _dominant(by_script)
        ranked = self._ranked(text, script, vector)
        best, best_score = ranked[0]
        second_lang, second_score = ranked[1] if len(ranked) > 1 else (None, -np.inf)
        margin = best_score - second_score
        alternatives = tuple(lang for lang, _ in ranked[:4])
        long_enough = len(words) >= MIN_WORDS and letters >= MIN_LETTERS
        twins = script is Script.LATIN and {best, second_lang} <= ROMANISED_TWINS
        confident = long_enough and margin >= self.min_margin and not twins
        if len(ranked) == 1 and long_enough:
            confident = True  # the script alone decides (Bengali letters)
        return LanguageGuess(best, confident, float(margin), alternatives)

    def best_of(self, text: str, candidates: Sequence[str]) -> str | None:
        """The likeliest of `candidates` for `text` (for ties between a person's languages)."""
        ranked, _ = self.ranked(text)
        for lang, _score in ranked:
            if lang in candidates:
                return lang
        return None
