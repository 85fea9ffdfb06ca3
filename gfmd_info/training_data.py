"""The labelled texts the matcher learns from: the content's phrases, danger terms, off-topic lines.

Each example keeps its topic, its language and a group: phrases of one topic and language that
are variants of each other (one a typo or a reordering of another) share a group, so that
cross-validation never trains on one variant and tests on its twin.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz

from gfmd_info.matching_data import LanguageLexicon
from gfmd_info.normalise import normalise_content as normalise

EMERGENCY = "emergency"
# The pseudo-topic of off-topic messages; not a valid topic id, so it never meets a real one.
OFFTOPIC = "~offtopic"
# token_set_ratio at or above this makes two phrases of one topic variants of each other.
VARIANT_SIMILARITY = 75.0


@dataclass(frozen=True)
class Example:
    text: str  # normalised
    topic: str
    lang: str
    group: int


@dataclass(frozen=True)
class TrainingData:
    examples: tuple[Example, ...]

    @property
    def texts(self) -> list[str]:
        return [e.text for e in self.examples]

    @property
    def topics(self) -> list[str]:
        return [e.topic for e in self.examples]

    @property
    def langs(self) -> list[str]:
        return [e.lang for e in self.examples]

    @property
    def groups(self) -> list[int]:
        return [e.group for e in self.examples]

    def fingerprint(self) -> str:
        """Changes exactly when what the models learn from changes."""
        digest = hashlib.sha256()
        for e in self.examples:
            digest.update(f"{e.lang}\t{e.topic}\t{e.text}\n".encode())
        return digest.hexdigest()[:16]


def training_data(
    lexicons: Mapping[str, LanguageLexicon], with_groups: bool = False
) -> TrainingData:
    """The examples in content order; variant groups (for cross-validation) when asked."""
    raw: list[tuple[str, str, str]] = []  # (lang, topic, normalised text), in content order
    for lang in sorted(lexicons):
        lexicon = lexicons[lang]
        for topic in sorted(lexicon.phrases):
            raw.extend((lang, topic, normalise(p)) for p in lexicon.phrases[topic])
        raw.extend((lang, EMERGENCY, normalise(t)) for t in lexicon.emergency_terms)
        raw.extend((lang, OFFTOPIC, normalise(p)) for p in lexicon.offtopic)
    seen: set[tuple[str, str, str]] = set()
    examples: list[Example] = []
    representatives: dict[tuple[str, str], list[tuple[str, int]]] = {}
    next_group = 0
    for lang, topic, text in raw:
        if not text or (lang, topic, text) in seen:
            continue
        seen.add((lang, topic, text))
        reps = representatives.setdefault((lang, topic), [])
        group = (
            next(
                (g for rep, g in reps if fuzz.token_set_ratio(text, rep) >= VARIANT_SIMILARITY),
                None,
            )
            if with_groups
            else None
        )
        if group is None:
            group = next_group
            next_group += 1
            reps.append((text, group))
        examples.append(Example(text, topic, lang, group))
    return TrainingData(tuple(examples))
