from __future__ import annotations

import random

import numpy as np

from gfmd_info.training_data import EMERGENCY, OFFTOPIC, Example
from gfmd_info.window_tuning import (
    LONG_STORY_PHRASES,
    POSSIBLE_FALSE_RATE,
    URGENT_FALSE_RATE,
    WindowScores,
    long_stories,
    window_thresholds,
)


def _phrases() -> list[Example]:
    topics = ["documents", "shelter", "unpaid-wages"]
    plain = [Example(f"{t} phrase {i}", t, "en", i) for i, t in enumerate(topics * 4)]
    urgent = [Example(f"danger phrase {i}", EMERGENCY, "en", 100 + i) for i in range(3)]
    return [*plain, *urgent, Example("good morning", OFFTOPIC, "en", 200)]


def test_long_stories_join_four_to_eight_phrases_and_some_hide_an_emergency() -> None:
    stories = long_stories(_phrases(), random.Random(0))
    assert stories
    for story in stories:
        parts = story.text.count("phrase")
        assert LONG_STORY_PHRASES[0] <= parts <= LONG_STORY_PHRASES[1]
        assert "good morning" not in story.text
        assert (story.topic == EMERGENCY) == ("danger" in story.text)
    assert 0 < sum(s.topic == EMERGENCY for s in stories) < len(stories)


def test_window_thresholds_keep_false_alarms_on_windowed_texts_within_their_rates() -> None:
    rng = np.random.default_rng(0)
    n = 2000
    emergency = np.arange(n) < 400
    window = np.where(emergency, rng.normal(1.0, 0.5, n), rng.normal(-0.5, 0.5, n))
    scores = WindowScores(
        emergency,
        np.array(["documents"] * n),
        np.full(n, -9.0),  # nothing understood: the urgent answer is always on the table
        np.full(n, -9.0),
        window,
    )
    possible, urgent, figures = window_thresholds(scores, -1.0, -2.0, -1.5)
    calm = window[~emergency]
    assert np.mean(calm >= possible) <= POSSIBLE_FALSE_RATE + 1e-9
    assert np.mean(calm >= urgent) <= URGENT_FALSE_RATE + 1e-9
    assert urgent >= possible
    assert figures["windowed_emergency_flagged"] > 0.9


def test_texts_without_windows_leave_the_whole_text_thresholds() -> None:
    scores = WindowScores(
        np.array([False, True]),
        np.array(["documents", EMERGENCY]),
        np.zeros(2),
        np.zeros(2),
        np.full(2, -np.inf),
    )
    assert window_thresholds(scores, -1.0, -0.4, -0.3) == (-0.4, -0.3, {})
