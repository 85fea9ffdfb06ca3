"""A linear text classifier learned from the content's own phrases (scikit-learn).

Features are TF-IDF weights of character n-grams inside words (2-5: they carry typos, inflections
and romanised spellings) and of words and word pairs, each block L2-normalised, as scikit-learn's
`TfidfVectorizer` computes them. A `LinearSVC` learns one weight vector per class. Serving does not
go through scikit-learn: the fitted vocabularies, idf and weights are kept as plain arrays, so one
message costs a few dictionary look-ups and one small matrix product. The known character n-grams
of each word the model was trained on are remembered on first sight (only those words: nothing
people write is kept), and a long message's windows reuse its words' n-grams.
"""

from __future__ import annotations

import itertools
import math
import os
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

CHAR_NGRAMS = (2, 5)
SVC_C = 0.5
# Stopping tolerance of liblinear's solver: 1e-3 stops about a fifth sooner than scikit-learn's
# 1e-4 and moves the weights by about 1e-5 of their norm (the same thresholds and answers).
SVC_TOL = 1e-3
SEED = 0
# Weights are kept in half precision: they are a third of a serving process's memory, and a
# score summed from them moves by about 1e-3, far below the gaps the thresholds are read from.
WEIGHTS = np.float16
# Names how a model is trained: a cached model is reused only under the same recipe.
RECIPE = (
    f"svc{SVC_C}-tol{SVC_TOL}-char{CHAR_NGRAMS[0]}{CHAR_NGRAMS[1]}-seed{SEED}"
    f"-{np.dtype(WEIGHTS).name}"
)


def word_char_ngrams(word: str) -> list[str]:
    """Character n-grams of one word padded with spaces (as scikit-learn's `char_wb`)."""
    low, high = CHAR_NGRAMS
    padded = f" {word} "
    size = len(padded)
    return [padded[i : i + n] for n in range(low, min(high, size) + 1) for i in range(size - n + 1)]


def char_ngrams(text: str) -> list[str]:
    """Character n-grams inside each word of `text`."""
    return [gram for word in text.split() for gram in word_char_ngrams(word)]


def word_ngrams(text: str) -> list[str]:
    return _word_ngrams_of(text.split())


def _word_ngrams_of(words: Sequence[str]) -> list[str]:
    return [*words, *(f"{a} {b}" for a, b in itertools.pairwise(words))]


ANALYZERS: tuple[Callable[[str], list[str]], ...] = (char_ngrams, word_ngrams)


@dataclass(frozen=True)
class _Block:
    """One feature space: its vocabulary, idf and per-class weights (features x classes)."""

    vocabulary: dict[str, int]
    idf: NDArray[np.float32]
    weights: NDArray[np.float16]

    def indexes(self, features: Iterable[str]) -> list[int]:
        lookup = self.vocabulary.get
        return [i for f in features if (i := lookup(f)) is not None]

    def vector(self, indexes: Iterable[int]) -> _Sparse | None:
        """The L2-normalised TF-IDF entries of known features, as (indexes, values)."""
        counts = Counter(indexes)
        if not counts:
            return None
        index = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))
        values = tf * self.idf[index]
        norm = float(np.sqrt(values @ values))
        return (index, values / norm) if norm > 0.0 else None


# A text in a model's feature spaces: per block, its (indexes, values), or None when empty.
_Sparse = tuple[NDArray[np.int64], NDArray[np.float64]]
Vector = tuple[_Sparse | None, ...]


# What a model remembers while serving, rebuilt after unpickling rather than stored.
_REMEMBERED = frozenset({"_word_grams", "_columns"})


class TextModel:
    """Scores a normalised text against every class; `train` fits it from labelled texts."""

    def __init__(
        self, classes: Sequence[str], blocks: Sequence[_Block], intercept: NDArray[np.float32]
    ) -> None:
        self.classes = tuple(classes)
        self._blocks = tuple(blocks)
        self._intercept = intercept.astype(np.float64)
        self._word_grams: dict[str, tuple[int, ...]] = {}
        self._columns: dict[int, list[tuple[list[float], list[float]]]] = {}

    def __getstate__(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if k not in _REMEMBERED}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._word_grams = {}
        self._columns = {}

    @classmethod
    def train(cls, texts: Sequence[str], labels: Sequence[str]) -> TextModel:
        return cls.train_many(texts, {"labels": labels})["labels"]

    @classmethod
    def train_many(
        cls, texts: Sequence[str], labellings: Mapping[str, Sequence[str]]
    ) -> dict[str, TextModel]:
        """One model per labelling of the same texts, sharing one vocabulary and idf."""
        from scipy.sparse import hstack
        from sklearn.feature_extraction.text import TfidfVectorizer

        chars, char_vocabulary, char_idf = _char_tfidf(texts)
        pairs = TfidfVectorizer(analyzer=word_ngrams, sublinear_tf=True, dtype=np.float64)
        matrix = hstack([chars, pairs.fit_transform(texts)]).tocsr()
        spaces = [
            (char_vocabulary, char_idf),
            (
                {str(k): int(v) for k, v in pairs.vocabulary_.items()},
                np.asarray(pairs.idf_, dtype=np.float32),
            ),
        ]
        fits = _fit_all(matrix, labellings)
        models: dict[str, TextModel] = {}
        for name, (classes, coef, intercept) in fits.items():
            blocks: list[_Block] = []
            start = 0
            for vocabulary, idf in spaces:
                size = len(vocabulary)
                weights = coef[:, start : start + size].T.astype(WEIGHTS)
                blocks.append(_Block(vocabulary, idf, np.ascontiguousarray(weights)))
                start += size
            models[name] = cls(classes, blocks, intercept.astype(np.float32))
        return models

    def _char_indexes(self, word: str) -> tuple[int, ...]:
        known = self._word_grams.get(word)
        if known is None:
            chars, words = self._blocks
            known = tuple(chars.indexes(word_char_ngrams(word)))
            if word in words.vocabulary:
                self._word_grams[word] = known
        return known

    def vector(self, text: str) -> Vector:
        """An already normalised text in this model's feature spaces."""
        return self.words_vector(text.split())

    def words_vector(self, words: Sequence[str]) -> Vector:
        chars, pairs = self._blocks
        return (
            chars.vector(itertools.chain.from_iterable(map(self._char_indexes, words))),
            pairs.vector(pairs.indexes(_word_ngrams_of(words))),
        )

    def window_scores(
        self, words: Sequence[str], spans: Iterable[tuple[int, int]], column: int
    ) -> list[float]:
        """One class's score for each run `words[start:end]`, reusing each word's n-grams.

        For one class a few hundred features are summed faster in plain Python than numpy
        starts an array: long messages score two windows per word."""
        spans = list(spans)
        if not spans:
            return []
        per_word = [self._char_indexes(w) for w in words]
        (char_dot, char_sq), (pair_dot, pair_sq) = self._column_terms(column)
        pairs = self._blocks[1]
        intercept = float(self._intercept[column])
        scores: list[float] = []
        for start, end in spans:
            score = intercept
            for counts, dot_terms, sq_terms in (
                (Counter(itertools.chain.from_iterable(per_word[start:end])), char_dot, char_sq),
                (Counter(pairs.indexes(_word_ngrams_of(words[start:end]))), pair_dot, pair_sq),
            ):
                dot = sq = 0.0
                for i, count in counts.items():
                    tf = 1.0 if count == 1 else 1.0 + math.log(count)
                    dot += tf * dot_terms[i]
                    sq += tf * tf * sq_terms[i]
                if sq > 0.0:
                    score += dot / math.sqrt(sq)
            scores.append(score)
        return scores

    def prepare_windows(self, column: int) -> None:
        """Build what `window_scores` needs for `column` now, not in the first long message."""
        self._column_terms(column)

    def _column_terms(self, column: int) -> list[tuple[list[float], list[float]]]:
        """Per block, idf x weight and idf squared of every feature, for one class."""
        terms = self._columns.get(column)
        if terms is None:
            terms = self._columns[column] = [
                (
                    (block.idf.astype(np.float64) * block.weights[:, column]).tolist(),
                    np.square(block.idf.astype(np.float64)).tolist(),
                )
                for block in self._blocks
            ]
        return terms

    def shares_features_with(self, other: TextModel) -> bool:
        """Whether a vector made by `other` means the same here (trained together)."""
        return all(
            mine.vocabulary is theirs.vocabulary
            for mine, theirs in zip(self._blocks, other._blocks, strict=True)
        )

    def decision_of(self, vector: Vector) -> NDArray[np.float64]:
        scores = self._intercept.copy()
        for block, part in zip(self._blocks, vector, strict=True):
            if part is not None:
                index, values = part
                scores += values @ block.weights[index]
        return scores

    def decision(self, text: str) -> NDArray[np.float64]:
        """One score per class (in `classes` order) for an already normalised text."""
        return self.decision_of(self.vector(text))

    def knows(self, text: str) -> float:
        """The share of the text's words that the word vocabulary has seen."""
        words = text.split()
        if not words:
            return 0.0
        vocabulary = self._blocks[-1].vocabulary
        return sum(w in vocabulary for w in words) / len(words)


def _char_tfidf(texts: Sequence[str]) -> tuple[object, dict[str, int], NDArray[np.float32]]:
    """What `TfidfVectorizer(analyzer=char_ngrams, sublinear_tf=True)` makes of `texts`, counted
    once per distinct word: (texts x words) @ (words x n-grams) gives each text's n-gram counts."""
    from scipy.sparse import csr_matrix
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

    words = CountVectorizer(analyzer=str.split, dtype=np.float64)
    text_words = words.fit_transform(texts)
    grams_of = [word_char_ngrams(str(word)) for word in words.get_feature_names_out()]
    vocabulary = {gram: i for i, gram in enumerate(sorted({g for gs in grams_of for g in gs}))}
    rows = np.repeat(np.arange(len(grams_of)), [len(gs) for gs in grams_of])
    columns = np.fromiter((vocabulary[g] for gs in grams_of for g in gs), dtype=np.int64)
    word_grams = csr_matrix(
        (np.ones(len(columns)), (rows, columns)), shape=(len(grams_of), len(vocabulary))
    )
    counts = (text_words @ word_grams).tocsr()
    tfidf = TfidfTransformer(sublinear_tf=True)
    matrix = tfidf.fit_transform(counts)
    return matrix, vocabulary, np.asarray(tfidf.idf_, dtype=np.float32)


def _fit_all(
    matrix: object, labellings: Mapping[str, Sequence[str]]
) -> dict[str, tuple[list[str], NDArray[np.float64], NDArray[np.float64]]]:
    """Per labelling: classes, weights (classes x features) and intercepts of a linear SVM,
    one class against the rest (as liblinear does), every class of every labelling fitted side
    by side: liblinear lets go of the GIL, so each core fits one class at a time."""
    from sklearn.svm import LinearSVC

    def one_against_rest(labels: Sequence[str], positive: str) -> tuple[NDArray[np.float64], float]:
        svc = LinearSVC(C=SVC_C, random_state=SEED, max_iter=5000, tol=SVC_TOL)
        svc.fit(matrix, [label == positive for label in labels])
        return np.asarray(svc.coef_[0], dtype=np.float64), float(svc.intercept_[0])

    width = int(matrix.shape[1])  # type: ignore[attr-defined]
    classes = {name: sorted(set(labels)) for name, labels in labellings.items()}
    # Two classes are one problem: the second class's side of the first one's line.
    jobs = [
        (name, positive)
        for name, names in classes.items()
        for positive in (names if len(names) > 2 else names[1:])
    ]
    with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
        fitted = dict(
            zip(
                jobs,
                pool.map(lambda job: one_against_rest(labellings[job[0]], job[1]), jobs),
                strict=True,
            )
        )
    fits: dict[str, tuple[list[str], NDArray[np.float64], NDArray[np.float64]]] = {}
    for name, names in classes.items():
        if len(names) == 1:  # nothing to tell apart: every text is that class
            fits[name] = (names, np.zeros((1, width)), np.ones(1))
        elif len(names) == 2:
            coef, intercept = fitted[(name, names[1])]
            fits[name] = (names, np.vstack([-coef, coef]), np.array([-intercept, intercept]))
        else:
            rows = [fitted[(name, c)] for c in names]
            fits[name] = (
                names,
                np.vstack([coef for coef, _ in rows]),
                np.array([intercept for _, intercept in rows]),
            )
    return fits
