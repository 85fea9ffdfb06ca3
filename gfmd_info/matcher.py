"""The intent matcher: which topic a message is about, in any shipped language, and danger first.

How it scores (word-level evidence, not whole-sentence similarity):

1. Every phrase and title of every topic, per language, is normalised (`normalise`), SMS
   spellings expanded, clitics stripped, stopwords dropped, and cut into words and word pairs.
   Each word gets a weight per topic: the share of its occurrences that fall in that topic,
   times an inverse topic frequency, so that "gratuity" speaks loudly for one topic and
   "work" softly for several.
2. A message's words are resolved against the whole vocabulary of every language: exact words,
   then typo- and inflection-tolerant neighbours (same first letters or one deletion away)
   scored with rapidfuzz's Jaro-Winkler similarity, which rewards a shared beginning, as
   inflected and misspelt words have ("pagado"/"pago", "pasport"/"passport").
3. A topic's score in a language is the sum, over the message's words, of the best weighted
   similarity; word pairs add their own evidence. The user's language counts fully; the best
   other language adds a share, because people mix languages and borrow words.
4. Danger comes first: a message containing an emergency term of any language (every word of
   the term present, allowing small typos) is answered with `emergency` whatever else it says.

What was measured (on ../shared/eval/dev.jsonl, 267 messages in 13 languages, with
`gfmd-bot eval`; a sweep over the constants below in both modes, with and without `lang`):

- Whole-sentence similarity does not carry over to new wording: a nearest neighbour over whole
  phrases (token_set_ratio) is right about a fifth of the time. Word evidence is what works.
- Word weights: share of a word's phrases in the topic x log inverse topic frequency x a
  support factor 1 - exp(-c / SUPPORT) (c = phrases of the topic with the word). Without the
  support factor one stray word seen once in one phrase outweighed real evidence: none
  recall was 50%; with it and the coverage factor below, 85-90%.
- Coverage: scores are multiplied by (share of the message's words the language knows) **
  COVERAGE_POWER; it is what keeps football scores and recipes out of the topics.
- Jaro-Winkler neighbours (>= FUZZY_CUTOFF, weighted by similarity ** FUZZY_POWER) beat
  Levenshtein ratio on inflections and SMS misspellings because both keep the word's start.
- The best other language adds OTHER_LANGUAGE_SHARE of its score: people mix languages.
- Emergency: danger terms catch all 14 dev emergencies; a topic-only "emergency" match
  caused the only false alarm, so a topic match alone must reach EMERGENCY_TOPIC_SCORE.
- ANSWER_SCORE / ANSWER_MARGIN only decide between answering and offering a choice (they do
  not change top-1): at 1.5 / 1.5, 176 of 223 confident-enough dev messages are answered
  directly with 4 wrong (2%), the other 47 get a numbered choice.
- Result at these settings: top-1 94.8%, top-3 98.1% (with and without `lang`; per complete
  language en 90.2, es 97.1, fr 100, ar 93.3), emergency recall 100% with 0 false
  emergencies, none recall 87.5%; cold median 0.43 ms, p99 0.95 ms per message on one core
  with 13 languages loaded (bench/match_bench.py). Richer phrases raised every score, which
  is why the coverage factor went from ** 0.5 to ** 1.0 in the last sweep.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

from gfmd_info.danger import DangerTerms
from gfmd_info.matching_data import LanguageLexicon
from gfmd_info.normalise import normalise

EMERGENCY = "emergency"
# The pseudo-topic of off-topic messages; not a valid topic id, so it never meets a real one.
OFFTOPIC = "~offtopic"

# Tuned on the dev set (see module docstring).
MIN_FUZZY_LEN = 4
FUZZY_CUTOFF = 0.86
FUZZY_POWER = 3.0
PAIR_WEIGHT = 1.0
OTHER_LANGUAGE_SHARE = 0.8
ANSWER_SCORE = 1.5
ANSWER_MARGIN = 1.5
AMBIGUOUS_SCORE = 1.0
EMERGENCY_TOPIC_SCORE = 2.5
MAX_WORDS = 60
KEYWORD_MAX_WORDS = 2
KEYWORD_SCORE = 0.5
EXACT_WORD_WEIGHT = 1.0
MAX_CHARS = 2000
# Words remembered with their neighbours and evidence; bounds memory under odd input.
CACHE_MAX = 200_000
# A word seen in one phrase of a topic is weak evidence; in several, strong.
SUPPORT = 5.0
# The share of a message's words that the vocabulary knows scales its score: a message with
# one stray known word among many unknown ones is probably not about any topic.
COVERAGE_POWER = 1.0

_DIGITS = re.compile(r"^\d+$")


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
    lang: str | None
    emergency: bool = False

    def as_json(self) -> dict[str, object]:
        return {
            "topic": self.topic,
            "score": round(self.score, 3),
            "decision": str(self.decision),
            "alternatives": list(self.alternatives),
            "lang": self.lang,
            "emergency": self.emergency,
        }


class _Language:
    """One language's weighted vocabulary."""

    def __init__(self, lexicon: LanguageLexicon, clitics: Sequence[str]) -> None:
        self._word_cache: dict[str, tuple[str, ...]] = {}
        self.spellings = {normalise(k): normalise(v) for k, v in lexicon.sms_spellings.items()}
        self.stopwords = frozenset(w for s in lexicon.stopwords for w in normalise(s).split())
        self.clitics = clitics
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        sources = (
            {**lexicon.phrases, OFFTOPIC: lexicon.offtopic} if lexicon.offtopic else lexicon.phrases
        )
        for topic, phrases in sources.items():
            for phrase in phrases:
                words = self.words(normalise(phrase).split())
                for feature in set(words) | set(_pairs(words)):
                    counts[feature][topic] += 1
        n_topics = max(len(sources), 1)
        self.weights: dict[str, dict[str, float]] = {}
        for feature, by_topic in counts.items():
            total = sum(by_topic.values())
            idf = math.log((n_topics + 1) / len(by_topic))
            self.weights[feature] = {
                t: (c / total) * idf * (1.0 - math.exp(-c / SUPPORT)) for t, c in by_topic.items()
            }
        self.lexicon = frozenset(self.weights) | self.stopwords | frozenset(self.spellings)
        self.strong = frozenset(
            w for w, by_topic in self.weights.items() if max(by_topic.values()) >= EXACT_WORD_WEIGHT
        )

    def words(self, raw_words: Sequence[str]) -> list[str]:
        """Content words of already normalised `raw_words`, with SMS spellings expanded."""
        out: list[str] = []
        for raw in raw_words:
            found = self._word_cache.get(raw)
            if found is None:
                found = self._content_words(raw)
                if len(self._word_cache) < CACHE_MAX:
                    self._word_cache[raw] = found
            out.extend(found)
        return out

    def _content_words(self, raw: str) -> tuple[str, ...]:
        out: list[str] = []
        for word in self.spellings.get(raw, raw).split():
            word = _strip_clitic(word, self.clitics)
            if word not in self.stopwords:
                out.append(word)
        return tuple(out)


def _strip_clitic(word: str, clitics: Sequence[str]) -> str:
    for clitic in clitics:
        if word.startswith(clitic) and len(word) - len(clitic) >= 3:
            return word[len(clitic) :]
    return word


def _pairs(words: Sequence[str]) -> list[str]:
    return [f"{a} {b}" for a, b in itertools.pairwise(words)]


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class Matcher:
    """Built once from every language's lexicon; `match` is then pure and fast."""

    def __init__(self, lexicons: Mapping[str, LanguageLexicon]) -> None:
        clitics = sorted(
            {normalise(c) for lex in lexicons.values() for c in lex.clitics}, key=len, reverse=True
        )
        self._langs = {code: _Language(lex, clitics) for code, lex in lexicons.items()}
        vocabulary = {f for lang in self._langs.values() for f in lang.weights if " " not in f}
        self._by_prefix: dict[str, list[str]] = defaultdict(list)
        self._by_deletion: dict[str, list[str]] = defaultdict(list)
        for word in vocabulary:
            if len(word) >= MIN_FUZZY_LEN:
                self._by_prefix[word[:3]].append(word)
                for key in _deletions(word) | {word}:
                    self._by_deletion[key].append(word)
        self._vocabulary = frozenset(vocabulary)
        self._neighbours: dict[str, tuple[tuple[str, float], ...]] = {}
        self._evidence_cache: dict[str, dict[str, dict[str, float]]] = {}
        self._danger = DangerTerms({code: lex.emergency_terms for code, lex in lexicons.items()})

    @property
    def languages(self) -> list[str]:
        return list(self._langs)

    # -- words -----------------------------------------------------------------------------

    def _resolve(self, word: str) -> tuple[tuple[str, float], ...]:
        """Vocabulary words close to `word`, with their similarity (1.0 for the word itself)."""
        cached = self._neighbours.get(word)
        if cached is not None:
            return cached
        found: dict[str, float] = {}
        if word in self._vocabulary:
            found[word] = 1.0
        if len(word) >= MIN_FUZZY_LEN:
            candidates = set(self._by_prefix.get(word[:3], ()))
            for key in _deletions(word) | {word}:
                candidates.update(self._by_deletion.get(key, ()))
            candidates.discard(word)
            for cand, sim, _ in process.extract(
                word,
                list(candidates),
                scorer=JaroWinkler.normalized_similarity,
                score_cutoff=FUZZY_CUTOFF,
                limit=None,
            ):
                found[cand] = float(sim) ** FUZZY_POWER
        result = tuple(found.items())
        if len(self._neighbours) < CACHE_MAX:
            self._neighbours[word] = result
        return result

    # -- language ----------------------------------------------------------------------------

    def detect_language(self, text: str) -> str | None:
        """The shipped language whose words and function words cover most of the text."""
        return self._detect(normalise(text).split()[:MAX_WORDS])

    def _detect(self, words: Sequence[str]) -> str | None:
        if not words:
            return None
        best, best_hits = None, 0.0
        for code, lang in self._langs.items():
            hits = sum(1.0 for w in words if w in lang.lexicon)
            hits += 0.5 * sum(1.0 for w in words if w in lang.stopwords)
            if hits > best_hits:
                best, best_hits = code, hits
        return best

    # -- scoring -----------------------------------------------------------------------------

    def _evidence(self, word: str) -> Mapping[str, Mapping[str, float]]:
        """For each language, the best weighted similarity of `word` to each topic's words.

        Cached per word: messages reuse words far more than they invent them.
        """
        cached = self._evidence_cache.get(word)
        if cached is not None:
            return cached
        neighbours = self._resolve(word)
        evidence: dict[str, dict[str, float]] = {}
        for code, lang in self._langs.items():
            # A word the language knows strongly as it is speaks for itself, not through
            # look-alikes (Tagalog "baha", flood, is not "bata", child).
            pairs = ((word, 1.0),) if word in lang.strong else neighbours
            best: dict[str, float] = {}
            for cand, sim in pairs:
                for topic, weight in lang.weights.get(cand, {}).items():
                    value = sim * weight
                    if value > best.get(topic, 0.0):
                        best[topic] = value
            if best:
                evidence[code] = best
        if len(self._evidence_cache) < CACHE_MAX:
            self._evidence_cache[word] = evidence
        return evidence

    def _scores(self, code: str, raw_words: Sequence[str]) -> tuple[dict[str, float], float]:
        """Topic scores in one language, and the share of the message's words it knows."""
        lang = self._langs[code]
        words = lang.words(raw_words)
        scores: dict[str, float] = defaultdict(float)
        known = 0
        unique = list(dict.fromkeys(words))
        for word in unique:
            best = self._evidence(word).get(code)
            if not best:
                continue
            known += 1
            for topic, value in best.items():
                scores[topic] += value
        if known >= 2:  # a pair needs two words the language knows
            for pair in dict.fromkeys(_pairs(words)):
                for topic, weight in lang.weights.get(pair, {}).items():
                    scores[topic] += PAIR_WEIGHT * weight
        return scores, (known / len(unique) if unique else 0.0)

    def match(self, text: str, lang: str | None = None) -> MatchResult:
        """The best topic for `text`. Never raises, whatever the text."""
        words = normalise(text[:MAX_CHARS]).split()[:MAX_WORDS]
        if not words or all(_DIGITS.match(w) for w in words):
            return MatchResult(None, 0.0, Decision.NONE, (), lang)
        user_lang = lang if lang in self._langs else self._detect(words)
        own = self._langs.get(user_lang or "")
        term_lang = self._danger.find(words, user_lang, own.weights if own else frozenset())
        if term_lang is not None:
            return MatchResult(EMERGENCY, 1.0, Decision.ANSWER, (EMERGENCY,), term_lang, True)
        combined, matched_lang, coverage = self._combined(words, user_lang)
        ranked = sorted(combined.items(), key=lambda kv: (-kv[1], kv[0]))
        if not ranked or ranked[0][1] <= 0:
            return MatchResult(None, 0.0, Decision.NONE, (), user_lang)
        best_topic, best = ranked[0]
        second = ranked[1][1] if len(ranked) > 1 else 0.0
        alternatives = tuple(t for t, s in ranked if s > 0 and t != OFFTOPIC)[:3]
        if best_topic == OFFTOPIC:
            # Football, recipes, prices: the bot says it did not understand and shows the menu.
            return MatchResult(None, best, Decision.NONE, alternatives, matched_lang)
        if best >= ANSWER_SCORE and best >= ANSWER_MARGIN * second:
            decision = Decision.ANSWER
        elif best >= AMBIGUOUS_SCORE or (
            # A short message of known words ("passport") deserves a choice, not an apology.
            coverage == 1.0 and len(words) <= KEYWORD_MAX_WORDS and best >= KEYWORD_SCORE
        ):
            decision = Decision.AMBIGUOUS
        else:
            decision = Decision.NONE
        # Danger terms are the main signal; a topic match alone must be strong to count as one.
        emergency = best_topic == EMERGENCY and best >= EMERGENCY_TOPIC_SCORE
        return MatchResult(
            best_topic if decision is not Decision.NONE else None,
            best,
            decision,
            alternatives,
            matched_lang,
            emergency,
        )

    def _combined(
        self, words: Sequence[str], user_lang: str | None
    ) -> tuple[dict[str, float], str | None, float]:
        """Scores over every language, the language that matched, and the best coverage."""
        per_lang: dict[str, dict[str, float]] = {}
        best_coverage = 0.0
        for code in self._langs:
            scores, coverage = self._scores(code, words)
            best_coverage = max(best_coverage, coverage)
            factor = coverage**COVERAGE_POWER
            per_lang[code] = {t: s * factor for t, s in scores.items()}
        primary = per_lang.get(user_lang or "", {})
        combined: dict[str, float] = defaultdict(float)
        for topic, score in primary.items():
            combined[topic] += score
        best_other: dict[str, float] = defaultdict(float)
        for code, scores in per_lang.items():
            if code == user_lang:
                continue
            for topic, score in scores.items():
                best_other[topic] = max(best_other[topic], score)
        share = OTHER_LANGUAGE_SHARE if primary else 1.0
        for topic, score in best_other.items():
            combined[topic] += share * score
        # The language that matched: the one with the most evidence for the winning topic
        # (the user's own when it ties), so a Spanish message from an English user says "es".
        matched = user_lang
        if combined:
            top = max(combined, key=lambda t: combined[t])
            strongest = max(per_lang, key=lambda c: (per_lang[c].get(top, 0.0), c == user_lang))
            if per_lang[strongest].get(top, 0.0) > primary.get(top, 0.0):
                matched = strongest
        return combined, matched, best_coverage
