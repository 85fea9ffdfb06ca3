"""A linear text classifier learned from the content's own phrases (scikit-learn).

Features are TF-IDF weights of character n-grams inside words (2-5: they carry typos, inflections
and romanised spellings) and of words and word pairs, each block L2-normalised, as scikit-learn's
`TfidfVectorizer` computes them. A `LinearSVC` learns one weight vector per class. Serving does not
go through scikit-learn: the fitted vocabularies, idf and weights are kept as plain arrays, so one
message costs a few dictionary look-ups and one small matrix product.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

CHAR_NGRAMS = (2, 5)
SVC_C = 0.5
SEED = 0


def char_ngrams(text: str) -> list[str]:
    """Character n-grams inside each word, the word padded with spaces (as `char_wb`)."""
    low, high = CHAR_NGRAMS
    grams: list[str] = []
    for word in text.split():
        padded = f" {word} "
        size = len(padded)
        for n in range(low, high + 1):
            if n > size:
                break
            grams.extend(padded[i : i + n] for i in range(size - n + 1))
    return grams


def word_ngrams(text: str) -> list[str]:
    words = text.split()
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


ANALYZERS: tuple[Callable[[str], list[str]], ...] = (char_ngrams, word_ngrams)


@dataclass(frozen=True)
class _Block:
    """One feature space: its vocabulary, idf and per-class weights (features x classes)."""

    vocabulary: dict[str, int]
    idf: NDArray[np.float32]
    weights: NDArray[np.float32]

    def vector(self, features: Sequence[str]) -> _Sparse | None:
        """The text's L2-normalised TF-IDF entries in this space, as (indexes, values)."""
        lookup = self.vocabulary.get
        known = [(i, c) for f, c in Counter(features).items() if (i := lookup(f)) is not None]
        if not known:
            return None
        index = np.array([i for i, _ in known], dtype=np.int64)
        tf = 1.0 + np.log(np.array([c for _, c in known], dtype=np.float64))
        values = tf * self.idf[index]
        norm = float(np.sqrt(values @ values))
        return (index, values / norm) if norm > 0.0 else None


# A text in a model's feature spaces: per block, its (indexes, values), or None when empty.
_Sparse = tuple[NDArray[np.int64], NDArray[np.float64]]
Vector = tuple[_Sparse | None, ...]


class TextModel:
    """Scores a normalised text against every class; `train` fits it from labelled texts."""

    def __init__(
        self, classes: Sequence[str], blocks: Sequence[_Block], intercept: NDArray[np.float32]
    ) -> None:
        self.classes = tuple(classes)
        self._blocks = tuple(blocks)
        self._intercept = intercept.astype(np.float64)

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

        vectorisers = [
            TfidfVectorizer(analyzer=analyzer, sublinear_tf=True, dtype=np.float64)
            for analyzer in ANALYZERS
        ]
        matrix = hstack([v.fit_transform(texts) for v in vectorisers]).tocsr()
        spaces = [
            (
                {str(k): int(v) for k, v in vectoriser.vocabulary_.items()},
                np.asarray(vectoriser.idf_, dtype=np.float32),
            )
            for vectoriser in vectorisers
        ]
        models: dict[str, TextModel] = {}
        for name, labels in labellings.items():
            classes, coef, intercept = _fit(matrix, labels)
            blocks: list[_Block] = []
            start = 0
            for vocabulary, idf in spaces:
                size = len(vocabulary)
                weights = coef[:, start : start + size].T.astype(np.float32)
                blocks.append(_Block(vocabulary, idf, np.ascontiguousarray(weights)))
                start += size
            models[name] = cls(classes, blocks, intercept.astype(np.float32))
        return models

    def vector(self, text: str) -> Vector:
        """An already normalised text in this model's feature spaces."""
        return tuple(
            block.vector(analyzer(text))
            for block, analyzer in zip(self._blocks, ANALYZERS, strict=True)
        )

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


def _fit(
    matrix: object, labels: Sequence[str]
) -> tuple[list[str], NDArray[np.float64], NDArray[np.float64]]:
    """Classes, weights (classes x features) and intercepts of a linear SVM."""
    from sklearn.svm import LinearSVC

    classes = sorted(set(labels))
    if len(classes) == 1:  # nothing to tell apart: every text is that class
        width = int(matrix.shape[1])  # type: ignore[attr-defined]
        return classes, np.zeros((1, width)), np.ones(1)
    svc = LinearSVC(C=SVC_C, random_state=SEED, max_iter=5000)
    svc.fit(matrix, list(labels))
    coef = np.asarray(svc.coef_, dtype=np.float64)
    intercept = np.asarray(svc.intercept_, dtype=np.float64)
    if len(classes) == 2:  # liblinear keeps one row for two classes
        coef = np.vstack([-coef[0], coef[0]])
        intercept = np.array([-intercept[0], intercept[0]])
    return [str(c) for c in svc.classes_], coef, intercept
