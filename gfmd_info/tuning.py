"""Choosing the matcher's thresholds by cross-validation over the content's own phrases.

Five folds, grouped so that variants of one phrase stay together (`training_data`). Both models
are trained on four folds and scored on the fifth. People write longer than phrases do, so each
held-out fold also yields "stories": two or three of its phrases of one topic and language joined,
sometimes after an off-topic greeting, scored like the phrases. Every threshold is then read off
those out-of-fold scores by a stated rule, never set by hand and never looked up in an
evaluation file:

- `none_score`: the top score below which a message is "not understood", maximising the mean of
  topic accuracy and off-topic recall;
- `answer_margin`: the smallest lead over the runner-up at which direct answers are right at
  least `ANSWER_PRECISION` of the time (closer calls get a choice of three);
- `one_word_answer_margin`: the same rule over one-word phrases alone ("passport" may be a
  question about papers or about a kept passport), never below `answer_margin`;
- `possible_danger`: the lowest emergency score that flags at most `POSSIBLE_FALSE_RATE` of the
  non-emergency phrases and off-topic lines (the flag adds one call line, so it may be generous);
- `urgent_danger`: the lowest emergency score at which giving the urgent answer (when the
  emergency topic leads, or when nothing else is understood) answers at most
  `URGENT_FALSE_RATE` of the non-emergency phrases with it;
- `possible_window`, `urgent_window`: the same two rules for the highest score over a long
  message's windows, read off long stories (`window_tuning`);
- `language_margin`: the smallest language lead at which guesses on messages of two words or
  more are right at least `LANGUAGE_PRECISION` of the time.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from gfmd_info.danger import danger_scores
from gfmd_info.language_id import ROMANISED_TWINS, LanguageIdentifier, Script
from gfmd_info.matching_data import LanguageLexicon
from gfmd_info.text_model import TextModel
from gfmd_info.thresholds import Thresholds
from gfmd_info.training_data import EMERGENCY, OFFTOPIC, Example, TrainingData, training_data
from gfmd_info.window_tuning import (
    POSSIBLE_FALSE_RATE,
    URGENT_FALSE_RATE,
    Row,
    WindowScores,
    long_stories,
    lowest_meeting,
    window_thresholds,
)

FOLDS = 5
STORIES_PER_FOLD = 1500
SEED = 0
ANSWER_PRECISION = 0.9
LANGUAGE_PRECISION = 0.98


@dataclass
class OutOfFold:
    examples: tuple[Example, ...]  # the phrases, then the stories
    best: NDArray[np.float64]  # top topic score
    margin: NDArray[np.float64]  # lead of the top topic over the runner-up
    predicted: list[str]
    danger: NDArray[np.float64]  # emergency score of the whole text
    window: NDArray[np.float64]  # highest emergency score over its windows (-inf: none)
    lang_predicted: list[str]
    lang_margin: NDArray[np.float64]
    lang_twins: NDArray[np.bool_]
    long: WindowScores  # long stories (`window_tuning`), scored only for the window thresholds


def _stories(held_out: Sequence[Example], rng: random.Random) -> list[Example]:
    """Longer messages made of held-out phrases: same topic and language, with a greeting."""
    by_key: dict[tuple[str, str], list[Example]] = {}
    greetings: dict[str, list[Example]] = {}
    for example in held_out:
        if example.topic == OFFTOPIC:
            greetings.setdefault(example.lang, []).append(example)
        by_key.setdefault((example.lang, example.topic), []).append(example)
    keys = sorted(k for k, v in by_key.items() if len(v) >= 2)
    stories: list[Example] = []
    for _ in range(STORIES_PER_FOLD if keys else 0):
        lang, topic = rng.choice(keys)
        pool = by_key[(lang, topic)]
        parts = rng.sample(pool, k=min(len(pool), rng.choice((2, 3))))
        texts = [p.text for p in parts]
        if topic != OFFTOPIC and greetings.get(lang) and rng.random() < 0.3:
            texts.insert(0, rng.choice(greetings[lang]).text)
        stories.append(Example(" ".join(texts), topic, lang, parts[0].group))
    return stories


def out_of_fold(data: TrainingData, progress: Callable[[str], None] = lambda _: None) -> OutOfFold:
    """Out-of-fold scores of every phrase, followed by those of the stories made from them."""
    from sklearn.model_selection import GroupKFold

    rng = random.Random(SEED)
    texts = data.texts
    folds = list(GroupKFold(n_splits=FOLDS).split(texts, data.topics, data.groups))
    stories = [_stories([data.examples[i] for i in test], rng) for _, test in folds]
    longs = [long_stories([data.examples[i] for i in test], rng) for _, test in folds]
    long_rows: list[Row] = []
    scored = [*data.examples, *(s for fold in stories for s in fold)]
    n = len(scored)
    best = np.zeros(n)
    margin = np.zeros(n)
    danger = np.zeros(n)
    window = np.zeros(n)
    predicted = [""] * n
    lang_predicted = [""] * n
    lang_margin = np.zeros(n)
    twins = np.zeros(n, dtype=bool)
    offset = len(data.examples)
    for fold, (train, test) in enumerate(folds, start=1):
        progress(f"fold {fold}/{FOLDS}: training on {len(train)}, scoring {len(test)}")
        part = TrainingData(tuple(data.examples[i] for i in train))
        models = TextModel.train_many(part.texts, {"topics": part.topics, "langs": part.langs})
        topics = models["topics"]
        languages = LanguageIdentifier.train(part, models["langs"])
        emergency = topics.classes.index(EMERGENCY)
        story_rows = range(offset, offset + len(stories[fold - 1]))
        offset += len(stories[fold - 1])
        for i in [*test, *story_rows]:
            text = scored[i].text
            scores = topics.decision(text)
            order = np.argsort(-scores)
            best[i] = scores[order[0]]
            margin[i] = scores[order[0]] - scores[order[1]]
            predicted[i] = topics.classes[order[0]]
            read = danger_scores(topics, text.split(), scores, emergency)
            danger[i], window[i] = read.whole, read.window
            ranked, script = languages.ranked(text)
            lang_predicted[i] = ranked[0][0]
            lang_margin[i] = ranked[0][1] - ranked[1][1] if len(ranked) > 1 else np.inf
            pair = {ranked[0][0], ranked[1][0]} if len(ranked) > 1 else set()
            twins[i] = script is Script.LATIN and pair <= ROMANISED_TWINS
        for story in longs[fold - 1]:
            scores = topics.decision(story.text)
            top = int(np.argmax(scores))
            read = danger_scores(topics, story.text.split(), scores, emergency)
            long_rows.append(
                (story.topic, topics.classes[top], float(scores[top]), read.whole, read.window)
            )
    return OutOfFold(
        tuple(scored), best, margin, predicted, danger, window, lang_predicted, lang_margin,
        twins, WindowScores.of(long_rows),
    )  # fmt: skip


def choose(data: TrainingData, oof: OutOfFold) -> Thresholds:
    topics = np.array([e.topic for e in oof.examples])
    predicted = np.array(oof.predicted)
    offtopic = topics == OFFTOPIC
    right = predicted == topics
    grid = np.quantile(oof.best, np.linspace(0.0, 0.6, 61))

    def balanced(value: float) -> float:
        answered = oof.best >= value
        topic_acc = float(np.mean(right[~offtopic] & answered[~offtopic]))
        none_acc = float(np.mean((predicted[offtopic] == OFFTOPIC) | ~answered[offtopic]))
        return (topic_acc + none_acc) / 2

    none_score = float(max(grid, key=balanced))
    considered = (oof.best >= none_score) & (predicted != OFFTOPIC)

    def answer_precision(value: float) -> tuple[float, int]:
        chosen = considered & (oof.margin >= value)
        return (float(np.mean(right[chosen])) if chosen.any() else 0.0), int(chosen.sum())

    answer_margin = lowest_meeting(
        np.quantile(oof.margin[considered], np.linspace(0, 0.95, 96)),
        answer_precision,
        ANSWER_PRECISION,
    )
    # One word carries little evidence: its direct answers meet the same precision on their own.
    one_word = np.array([len(e.text.split()) == 1 for e in oof.examples])

    def one_word_precision(value: float) -> tuple[float, int]:
        chosen = considered & one_word & (oof.margin >= value)
        return (float(np.mean(right[chosen])) if chosen.any() else 0.0), int(chosen.sum())

    single = considered & one_word
    one_word_answer_margin = (
        max(
            answer_margin,
            lowest_meeting(
                np.quantile(oof.margin[single], np.linspace(0, 0.95, 96)),
                one_word_precision,
                ANSWER_PRECISION,
            ),
        )
        if single.any()
        else answer_margin
    )
    emergency = topics == EMERGENCY
    # Every message that is no emergency counts, off-topic ones included: a false alarm on
    # "good morning" is as wrong as one on a wage question.
    others = ~emergency
    possible_danger = float(np.quantile(oof.danger[others], 1.0 - POSSIBLE_FALSE_RATE))
    # Where the urgent answer is on the table at all: the emergency topic leads, or no topic does.
    eligible = (predicted == EMERGENCY) | ((oof.best < none_score) & (predicted != OFFTOPIC))

    def urgent_rate(value: float) -> tuple[float, int]:
        urgent = eligible[others] & (oof.danger[others] >= value)
        return 1.0 - float(np.mean(urgent)), len(urgent)

    urgent_danger = max(
        possible_danger,
        lowest_meeting(
            np.quantile(oof.danger, np.linspace(0, 1, 201)), urgent_rate, 1.0 - URGENT_FALSE_RATE
        ),
    )
    possible_window, urgent_window, window_figures = window_thresholds(
        WindowScores.of(
            zip(topics, oof.predicted, oof.best, oof.danger, oof.window, strict=True)
        ).joined(oof.long),
        none_score,
        possible_danger,
        urgent_danger,
    )
    langs = np.array([e.lang for e in oof.examples])
    lang_right = np.array(oof.lang_predicted) == langs
    multiword = np.array([len(e.text.split()) >= 2 for e in oof.examples]) & ~oof.lang_twins

    def language_precision(value: float) -> tuple[float, int]:
        chosen = multiword & (oof.lang_margin >= value)
        return (float(np.mean(lang_right[chosen])) if chosen.any() else 0.0), int(chosen.sum())

    finite = oof.lang_margin[multiword & np.isfinite(oof.lang_margin)]
    language_margin = lowest_meeting(
        np.quantile(finite, np.linspace(0, 0.95, 96)), language_precision, LANGUAGE_PRECISION
    )
    answered = considered & (oof.margin >= answer_margin)
    confident_lang = multiword & (oof.lang_margin >= language_margin)
    figures = {
        "examples": float(len(data.examples)),
        "stories": float(len(oof.examples) - len(data.examples)),
        "oof_top1": float(np.mean(right)),
        "oof_top1_with_none": balanced(none_score),
        "oof_direct_answers": float(np.mean(answered[~offtopic])),
        "oof_direct_answer_precision": float(np.mean(right[answered])),
        "oof_one_word_direct_answers": float(
            np.mean(oof.margin[single] >= one_word_answer_margin) if single.any() else 0.0
        ),
        "oof_one_word_direct_precision": one_word_precision(one_word_answer_margin)[0],
        "oof_emergency_top1": float(np.mean(right[emergency])),
        "oof_emergency_flagged": float(
            np.mean(right[emergency] | (oof.danger[emergency] >= possible_danger))
        ),
        "oof_possible_false_rate": float(np.mean(oof.danger[others] >= possible_danger)),
        "oof_false_urgent": float(
            np.mean(eligible[others] & (oof.danger[others] >= urgent_danger))
        ),
        "oof_emergency_urgent": float(
            np.mean(eligible[emergency] & (oof.danger[emergency] >= urgent_danger))
        ),
        "long_stories": float(len(oof.long)),
        **window_figures,
        "oof_language_accuracy": float(np.mean(lang_right)),
        "oof_language_confident_share": float(np.mean(confident_lang[multiword])),
        "oof_language_confident_precision": float(np.mean(lang_right[confident_lang])),
    }
    return Thresholds(
        none_score=round(none_score, 4),
        answer_margin=round(answer_margin, 4),
        one_word_answer_margin=round(one_word_answer_margin, 4),
        possible_danger=round(possible_danger, 4),
        urgent_danger=round(urgent_danger, 4),
        possible_window=round(possible_window, 4),
        urgent_window=round(urgent_window, 4),
        language_margin=round(language_margin, 4),
        fingerprint=data.fingerprint(),
        figures={k: round(v, 4) for k, v in figures.items()},
    )


def tune(
    lexicons: Mapping[str, LanguageLexicon], progress: Callable[[str], None] = lambda _: None
) -> Thresholds:
    data = training_data(lexicons, with_groups=True)
    return choose(data, out_of_fold(data, progress))
