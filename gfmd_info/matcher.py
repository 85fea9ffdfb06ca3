"""The intent matcher: which topic a message is about, in which language, and whether it speaks of
danger now. It composes three parts, each in its own module:

- `text_model`: a linear model (scikit-learn's LinearSVC over TF-IDF character and word n-grams)
  learned from the content's phrases, titles, danger terms and off-topic lines;
- `language_id`: the language the message is written in, from its script and a second model;
- `danger`: the danger terms of every language (a floor: a term present is always danger) and
  the emergency score read over the whole message and over windows of a long one;
- `plain_words`: whether a message is made only of words that name nothing ("help", "tulong po").

Decisions use thresholds chosen by cross-validation over the phrases (`gfmd-bot matcher tune`,
`gfmd_info/matcher-thresholds.json`), never by hand. Danger only adds: a danger term or an
emergency topic at the top gives the urgent answer, unless the model answers another topic
directly and reads no danger in the message: then that answer comes led by the call line. An
emergency score that reaches the "possible" threshold leads any other answer with the call line.
A plea that names no topic and no danger term ("help") gets the menu, led by the call line.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import numpy as np

from gfmd_info.danger import DangerScores, DangerTerms, danger_scores
from gfmd_info.language_id import LanguageGuess, LanguageIdentifier
from gfmd_info.matching_data import LanguageLexicon
from gfmd_info.model_cache import ModelCache
from gfmd_info.normalise import normalise, normalise_content
from gfmd_info.plain_words import PlainWords
from gfmd_info.text_model import RECIPE, TextModel, Vector
from gfmd_info.thresholds import Thresholds
from gfmd_info.training_data import EMERGENCY, OFFTOPIC, TrainingData, training_data

__all__ = [
    "EMERGENCY",
    "OFFTOPIC",
    "Decision",
    "LanguageGuess",
    "MatchResult",
    "Matcher",
    "TrainedModels",
]

log = logging.getLogger(__name__)

MAX_CHARS = 2000
MAX_WORDS = 200
ALTERNATIVES = 3
# Messages this long are offered a choice of three rather than "not understood": in the
# cross-validation over the phrases, 2 of 4,236 held-out texts of 16 words or more were off-topic.
LONG_MESSAGE_WORDS = 16


class Decision(StrEnum):
    ANSWER = "answer"
    AMBIGUOUS = "ambiguous"
    NONE = "none"


@dataclass(frozen=True)
class MatchResult:
    topic: str | None
    score: float
    decision: Decision
    alternatives: tuple[str, ...]
    lang: str | None  # the language the message is written in (best guess), else the hint
    emergency: bool = False  # danger now: the urgent answer
    danger_possible: bool = False  # danger may be near: lead the answer with the call line
    written: LanguageGuess | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "topic": self.topic,
            "score": round(self.score, 3),
            "decision": str(self.decision),
            "alternatives": list(self.alternatives),
            "lang": self.lang,
            "lang_confident": bool(self.written and self.written.confident),
            "emergency": self.emergency,
            "danger_possible": self.danger_possible,
        }


@dataclass(frozen=True)
class TrainedModels:
    topics: TextModel
    languages: LanguageIdentifier

    @classmethod
    def train(cls, data: TrainingData) -> TrainedModels:
        models = TextModel.train_many(data.texts, {"topics": data.topics, "langs": data.langs})
        return cls(models["topics"], LanguageIdentifier.train(data, models["langs"]))


def _train_into(data: TrainingData, key: str, cache_dir: Path) -> None:
    ModelCache[TrainedModels](cache_dir).put(key, TrainedModels.train(data))


def trained_models(data: TrainingData, key: str, cache_dir: Path | None) -> TrainedModels:
    """The models for `data`: cached, or trained. With a cache folder the training runs in a
    child process that writes the cache: a server then holds only the trained arrays, never
    scikit-learn's working memory (about 150 MB more at the peak)."""
    cache: ModelCache[TrainedModels] = ModelCache(cache_dir)
    models = cache.get(key)
    if models is not None:
        return models
    if cache_dir is not None:
        try:
            child = multiprocessing.get_context("spawn").Process(
                target=_train_into, args=(data, key, cache_dir), daemon=True
            )
            child.start()
            child.join()
            exitcode = child.exitcode
        except Exception as error:  # a daemon process may not start children: train here
            exitcode = None
            log.warning(
                "matcher training child not started",
                extra={"event": "matcher_training_child", "error": type(error).__name__},
            )
        models = cache.get(key)
        if models is not None:
            return models
        log.warning(
            "matcher training child failed",
            extra={"event": "matcher_training_child_failed", "exitcode": exitcode},
        )
    models = TrainedModels.train(data)
    cache.put(key, models)
    return models


class Matcher:
    """Built once from every language's lexicon; `match` is then pure and fast."""

    def __init__(
        self,
        lexicons: Mapping[str, LanguageLexicon],
        thresholds: Thresholds | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        data = training_data(lexicons)
        # The same phrases trained another way are another model: the recipe is in the key.
        key = f"{data.fingerprint()}-{RECIPE}"
        models = trained_models(data, key, cache_dir)
        self.fingerprint = key
        self._models = models
        self.thresholds = thresholds or Thresholds.load()
        models.languages.min_margin = self.thresholds.language_margin
        self._classes = models.topics.classes
        self._shared_features = models.topics.shares_features_with(models.languages.model)
        self._emergency = self._classes.index(EMERGENCY) if EMERGENCY in self._classes else -1
        if self._emergency >= 0:
            models.topics.prepare_windows(self._emergency)
        self._langs = frozenset(lexicons)
        self._plain = PlainWords({code: lex.stopwords for code, lex in lexicons.items()})
        self._danger = DangerTerms(
            {code: lex.emergency_terms for code, lex in lexicons.items()}, self._plain.by_lang
        )
        # Per language: every word of its phrases, and those outside the emergency topic, which
        # are surely no typos of a danger word (the emergency phrases hold "socorroo").
        self._vocabularies: dict[str, frozenset[str]] = {}
        self._calm_words: dict[str, frozenset[str]] = {}
        for code, lex in lexicons.items():
            calm: set[str] = set()
            alarmed: set[str] = set()
            for topic, phrases in lex.phrases.items():
                words = alarmed if topic == EMERGENCY else calm
                for phrase in phrases:
                    words.update(normalise_content(phrase).split())
            self._calm_words[code] = frozenset(calm)
            self._vocabularies[code] = frozenset(calm | alarmed)

    @property
    def languages(self) -> list[str]:
        return sorted(self._langs)

    def identify_language(self, text: str) -> LanguageGuess:
        return self._models.languages.identify(normalise(text[:MAX_CHARS]))

    def detect_language(self, text: str) -> str | None:
        return self.identify_language(text).lang

    def topic_scores(self, normalised: str) -> np.ndarray:
        return self._models.topics.decision(normalised)

    def danger_scores(self, normalised: str, whole: np.ndarray | None = None) -> DangerScores:
        """The emergency score over the whole text, and the highest over its windows."""
        if self._emergency < 0:
            return DangerScores(-np.inf)
        scores = whole if whole is not None else self.topic_scores(normalised)
        return danger_scores(self._models.topics, normalised.split(), scores, self._emergency)

    def _identify(self, normalised: str, vector: Vector) -> LanguageGuess:
        languages = self._models.languages
        return languages.identify(normalised, vector if self._shared_features else None)

    def _plainly_other_topic(
        self, topic: str, score: float, lead: float, words: int, possible: bool
    ) -> bool:
        """Whether the model answers another topic directly and reads no danger in the text."""
        return (
            topic not in (EMERGENCY, OFFTOPIC)
            and not possible
            and score >= self.thresholds.none_score
            and lead >= self.thresholds.margin_for(words)
        )

    def match(self, text: str, lang: str | None = None) -> MatchResult:
        """The best topic for `text`. Never raises, whatever the text."""
        normalised = " ".join(normalise(text[:MAX_CHARS]).split()[:MAX_WORDS])
        vector = self._models.topics.vector(normalised)
        written = self._identify(normalised, vector)
        user_lang = lang if lang in self._langs else None
        shown_lang = written.lang if written.lang is not None else user_lang
        if not any(c.isalpha() for c in normalised):
            return MatchResult(None, 0.0, Decision.NONE, (), shown_lang, written=written)
        words = normalised.split()
        own = user_lang or written.lang
        term_lang = self._danger.find(
            words,
            own,
            self._vocabularies.get(own or "", frozenset()),
            self._calm_words.get(own or "", frozenset()),
        )
        scores = self._models.topics.decision_of(vector)
        ranked = sorted(
            zip(self._classes, (float(s) for s in scores), strict=True), key=lambda kv: -kv[1]
        )
        alternatives = _choices(ranked)
        danger = self.danger_scores(normalised, scores)
        possible = self.thresholds.possible(danger.whole, danger.window)
        best_topic, best = ranked[0]
        second = ranked[1][1] if len(ranked) > 1 else -np.inf
        if term_lang is not None:
            if not self._plainly_other_topic(best_topic, best, best - second, len(words), possible):
                others = tuple(t for t in alternatives if t != EMERGENCY)[: ALTERNATIVES - 1]
                return MatchResult(
                    EMERGENCY, 1.0, Decision.ANSWER, (EMERGENCY, *others),
                    term_lang, True, False, written,
                )  # fmt: skip
            # A danger word in a question the model answers plainly ("can I go to the
            # emergency room without papers"): that answer, led by the call line.
            possible = True
        elif best_topic != OFFTOPIC and self._plain.names_nothing(words, (user_lang, written.lang)):
            # "help", "tulong po": no topic and no danger is named, so no guess is answered.
            # Whoever is in danger reads the call line first; anyone else is asked what about.
            return MatchResult(
                None, best, Decision.NONE, alternatives, shown_lang, False, True, written
            )
        understood = best_topic != OFFTOPIC and best >= self.thresholds.none_score
        urgent_eligible = best_topic == EMERGENCY or (best_topic != OFFTOPIC and not understood)
        if urgent_eligible and self.thresholds.urgent(danger.whole, danger.window):
            # The emergency topic leads, or nothing else is understood: safety before a menu.
            return MatchResult(
                EMERGENCY, danger.highest, Decision.ANSWER, alternatives, shown_lang,
                True, False, written,
            )  # fmt: skip
        if best_topic == EMERGENCY:
            # Too unsure for the urgent answer: the next topics, led by the call line.
            ranked = [kv for kv in ranked if kv[0] != EMERGENCY]
            best_topic, best = ranked[0]
            second = ranked[1][1] if len(ranked) > 1 else -np.inf
            possible = True
            understood = best_topic != OFFTOPIC and best >= self.thresholds.none_score
        if not understood:
            if best_topic != OFFTOPIC and len(words) >= LONG_MESSAGE_WORDS:
                # Someone who wrote this much is asking something: a choice of three beats the
                # menu ("not understood") they would have to read from the top.
                return MatchResult(
                    best_topic, best, Decision.AMBIGUOUS, _choices(ranked), shown_lang, False,
                    possible, written,
                )  # fmt: skip
            return MatchResult(
                None, best, Decision.NONE, alternatives, shown_lang, False, possible, written
            )
        decision = (
            Decision.ANSWER
            if best - second >= self.thresholds.margin_for(len(words))
            else Decision.AMBIGUOUS
        )
        return MatchResult(
            best_topic, best, decision, alternatives, shown_lang, False, possible, written
        )


def _choices(ranked: list[tuple[str, float]]) -> tuple[str, ...]:
    """The topics to offer, best first, from (class, score) pairs ranked by score."""
    return tuple(t for t, _ in ranked if t != OFFTOPIC)[:ALTERNATIVES]
