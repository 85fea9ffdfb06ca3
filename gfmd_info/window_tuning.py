"""The danger thresholds of a long message's windows, read off long cross-validation stories.

A window is a fragment, and fragments of a harmless story score higher than whole phrases do, so
windows get their own two thresholds, by the rules of their whole-text twins (`tuning`): the
lowest window score that flags at most `POSSIBLE_FALSE_RATE` of the texts that are no emergency,
and the lowest at which the urgent answer goes to at most `URGENT_FALSE_RATE` of them. They are
read off every scored text that has windows: long stories (four to eight held-out phrases of one
language and any topics, as people tell a situation, some hiding one emergency phrase among the
others) and the ordinary stories long enough.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import NDArray

from gfmd_info.training_data import EMERGENCY, OFFTOPIC, Example

POSSIBLE_FALSE_RATE = 0.05
URGENT_FALSE_RATE = 0.02
LONG_STORIES_PER_FOLD = 3000
LONG_STORY_PHRASES = (4, 8)
# The share of long stories that hide one emergency phrase among the others.
LONG_STORY_EMERGENCY_SHARE = 0.3


def long_stories(held_out: Sequence[Example], rng: random.Random) -> list[Example]:
    """Long messages of one language made of held-out phrases of any topics; some hide one
    emergency phrase among the others (their topic is then the emergency)."""
    plain: dict[str, list[Example]] = {}
    urgent: dict[str, list[Example]] = {}
    for example in held_out:
        if example.topic == EMERGENCY:
            urgent.setdefault(example.lang, []).append(example)
        elif example.topic != OFFTOPIC:
            plain.setdefault(example.lang, []).append(example)
    langs = sorted(lang for lang, pool in plain.items() if len(pool) >= LONG_STORY_PHRASES[1])
    stories: list[Example] = []
    for _ in range(LONG_STORIES_PER_FOLD if langs else 0):
        lang = rng.choice(langs)
        parts = rng.sample(plain[lang], k=rng.randint(*LONG_STORY_PHRASES))
        topic = parts[0].topic
        if urgent.get(lang) and rng.random() < LONG_STORY_EMERGENCY_SHARE:
            parts[rng.randrange(len(parts))] = rng.choice(urgent[lang])
            topic = EMERGENCY
        stories.append(Example(" ".join(p.text for p in parts), topic, lang, parts[0].group))
    return stories


# One scored text: its topic, the class the model put first, that class's score, and the
# emergency score of the whole text and the highest over its windows.
Row = tuple[str, str, float, float, float]


@dataclass(frozen=True)
class WindowScores:
    """Out-of-fold scores of texts, for the window thresholds."""

    emergency: NDArray[np.bool_]  # the text is an emergency
    predicted: NDArray[np.str_]  # its top class
    best: NDArray[np.float64]  # its top score
    whole: NDArray[np.float64]  # the emergency score of the whole text
    window: NDArray[np.float64]  # the highest over its windows (-inf: none)

    @classmethod
    def of(cls, rows: Iterable[Row]) -> WindowScores:
        rows = list(rows)
        return cls(
            np.array([topic == EMERGENCY for topic, *_ in rows], dtype=np.bool_),
            np.array([row[1] for row in rows], dtype=np.str_),
            np.array([row[2] for row in rows], dtype=np.float64),
            np.array([row[3] for row in rows], dtype=np.float64),
            np.array([row[4] for row in rows], dtype=np.float64),
        )

    def __len__(self) -> int:
        return len(self.emergency)

    def joined(self, other: WindowScores) -> WindowScores:
        return WindowScores(
            *(np.concatenate([getattr(self, f.name), getattr(other, f.name)]) for f in fields(self))
        )


def lowest_meeting(
    candidates: NDArray[np.float64], rate: Callable[[float], tuple[float, int]], target: float
) -> float:
    """The lowest candidate threshold whose rate reaches `target` (with anything above it)."""
    for value in sorted(candidates.tolist()):
        achieved, count = rate(value)
        if count and achieved >= target:
            return float(value)
    return float(candidates.max())


def window_thresholds(
    scores: WindowScores, none_score: float, possible_danger: float, urgent_danger: float
) -> tuple[float, float, dict[str, float]]:
    """`possible_window` and `urgent_window`, and the figures they give on texts with windows."""
    whole, window = scores.whole, scores.window
    read = np.isfinite(window)
    others = read & ~scores.emergency
    if not others.any():
        return possible_danger, urgent_danger, {}
    possible_window = max(
        possible_danger, float(np.quantile(window[others], 1.0 - POSSIBLE_FALSE_RATE))
    )
    # Where the urgent answer is on the table at all: the emergency topic leads, or no topic does.
    eligible = (scores.predicted == EMERGENCY) | (
        (scores.best < none_score) & (scores.predicted != OFFTOPIC)
    )

    def urgent_rate(value: float) -> tuple[float, int]:
        urgent = eligible[others] & ((whole[others] >= urgent_danger) | (window[others] >= value))
        return 1.0 - float(np.mean(urgent)), int(others.sum())

    urgent_window = max(
        possible_window,
        urgent_danger,
        lowest_meeting(
            np.quantile(window[read], np.linspace(0, 1, 201)), urgent_rate, 1.0 - URGENT_FALSE_RATE
        ),
    )
    hidden = read & scores.emergency
    flagged = (whole >= possible_danger) | (window >= possible_window)
    flagged |= scores.predicted == EMERGENCY
    urgent = eligible & ((whole >= urgent_danger) | (window >= urgent_window))
    figures = {
        "windowed_emergency_flagged": float(np.mean(flagged[hidden])) if hidden.any() else 0.0,
        "windowed_emergency_urgent": float(np.mean(urgent[hidden])) if hidden.any() else 0.0,
        "windowed_possible_false_rate": float(
            np.mean(((whole >= possible_danger) | (window >= possible_window))[others])
        ),
        "windowed_false_urgent": float(np.mean(urgent[others])),
    }
    return possible_window, urgent_window, figures
