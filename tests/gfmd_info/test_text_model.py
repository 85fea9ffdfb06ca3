from __future__ import annotations

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.multiclass import OneVsRestClassifier
from sklearn.svm import LinearSVC

from gfmd_info.text_model import (
    ANALYZERS,
    SEED,
    SVC_C,
    SVC_TOL,
    TextModel,
    char_ngrams,
    word_ngrams,
)

TEXTS = [
    "my boss did not pay me",
    "salary not paid for two months",
    "no salary since march",
    "lost my passport",
    "passport taken by employer",
    "visa expired what to do",
    "i have nowhere to sleep",
    "landlord threw me out",
    "evicted from the room",
]
LABELS = ["wages"] * 3 + ["papers"] * 3 + ["shelter"] * 3


def test_char_ngrams_stay_inside_words_padded_with_spaces() -> None:
    grams = char_ngrams("ab cd")
    assert " a" in grams and "ab " in grams and " ab " in grams
    assert "b c" not in grams


def test_word_ngrams_are_words_and_pairs() -> None:
    assert word_ngrams("no pay today") == ["no", "pay", "today", "no pay", "pay today"]


def test_serving_scores_equal_scikit_learns_one_vs_rest_decision_function() -> None:
    model = TextModel.train(TEXTS, LABELS)
    vectorisers = [TfidfVectorizer(analyzer=a, sublinear_tf=True) for a in ANALYZERS]
    matrix = hstack([v.fit_transform(TEXTS) for v in vectorisers]).tocsr()
    svc = OneVsRestClassifier(LinearSVC(C=SVC_C, random_state=SEED, max_iter=5000, tol=SVC_TOL))
    svc.fit(matrix, LABELS)
    for text in ["boss not paying salary salary", "passport", "zzz unknown words", ""]:
        expected = svc.decision_function(hstack([v.transform([text]) for v in vectorisers]))[0]
        got = model.decision(text)
        assert list(model.classes) == list(svc.classes_)
        # The served weights are half precision (`WEIGHTS`): a score moves by about 1e-3 at most.
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-3)


def test_the_same_phrases_train_the_same_model() -> None:
    first, second = TextModel.train(TEXTS, LABELS), TextModel.train(TEXTS, LABELS)
    for text in ["salary", "landlord evicted me", "my visa"]:
        assert first.decision(text).tolist() == second.decision(text).tolist()


def test_the_best_class_is_the_topic_the_words_belong_to() -> None:
    model = TextModel.train(TEXTS, LABELS)
    scores = model.decision("the landlord evicted me")
    assert model.classes[int(np.argmax(scores))] == "shelter"


def test_window_scores_equal_the_score_of_each_window_read_as_its_own_text() -> None:
    model = TextModel.train(TEXTS, LABELS)
    text = "salary not paid and the landlord evicted me so i lost my passport salary"
    words = text.split()
    spans = [(0, 5), (3, 9), (8, len(words)), (0, len(words))]
    for column in range(len(model.classes)):
        expected = [float(model.decision(" ".join(words[a:b]))[column]) for a, b in spans]
        np.testing.assert_allclose(model.window_scores(words, spans, column), expected, rtol=1e-9)


def test_a_trained_word_is_remembered_and_the_memory_is_not_pickled() -> None:
    import pickle

    model = TextModel.train(TEXTS, LABELS)
    before = model.decision("landlord zzzunknown").tolist()
    restored = pickle.loads(pickle.dumps(model))
    assert restored.decision("landlord zzzunknown").tolist() == before
    assert "landlord" in model._word_grams and "zzzunknown" not in model._word_grams
    assert not pickle.loads(pickle.dumps(model))._word_grams
