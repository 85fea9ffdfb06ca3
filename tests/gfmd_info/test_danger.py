from __future__ import annotations

import itertools
from math import inf

from gfmd_info.danger import WINDOW_WORDS, DangerTerms, danger_scores, window_spans
from gfmd_info.normalise import normalise
from gfmd_info.text_model import TextModel

TERMS = DangerTerms(
    {
        "fr": ["a l'aide", "il va me tuer", "couteau"],
        "es": ["auxilio", "me esta pegando"],
        "id": ["tolong tolong"],
    }
)


def words(text: str) -> list[str]:
    return normalise(text).split()


def test_every_word_of_a_term_must_be_there_in_any_order() -> None:
    assert TERMS.find(words("il a un couteau"), "fr") == "fr"
    assert TERMS.find(words("il me dit qu'il va me tuer"), "fr") == "fr"
    assert TERMS.find(words("il va travailler"), "fr") is None


def test_a_term_with_tiny_words_must_appear_as_written() -> None:
    assert TERMS.find(words("à l'aide !"), "fr") == "fr"
    assert TERMS.find(words("aide sociale à l'enfance"), "fr") is None


def test_a_term_of_filler_words_must_appear_as_written() -> None:
    terms = DangerTerms({"en": ["help now"]}, {"en": ["help", "now", "i", "for"]})
    assert terms.find(words("please help now"), "en") == "en"
    assert terms.find(words("i asked for help but i have no job now"), "en") is None


def test_small_typos_are_forgiven_in_the_users_own_language_only() -> None:
    assert TERMS.find(words("me esta pegandoo"), "es") == "es"
    assert TERMS.find(words("me esta pegandoo"), "en") is None


def test_a_word_of_the_users_language_is_never_read_as_a_typo_of_a_term() -> None:
    terms = DangerTerms({"pt": ["revolver"]})
    assert terms.find(words("ele tem um revolverr"), "pt") == "pt"
    assert terms.find(words("quero devolver o dinheiro"), "pt", not_typos={"devolver"}) is None


def test_a_repeated_word_must_be_repeated() -> None:
    assert TERMS.find(words("tolong tolong"), "id") == "id"
    assert TERMS.find(words("may tulong ba"), "tl") is None
    assert TERMS.find(words("tolong saya"), "id") is None


def test_another_languages_term_is_ignored_where_it_is_an_ordinary_word() -> None:
    brazilian_words = {"auxilio", "emergencial"}
    assert TERMS.find(words("auxilio emergencial"), "pt", brazilian_words) is None
    assert TERMS.find(words("auxilio"), "en") == "es"


def test_a_message_up_to_one_and_a_half_windows_is_read_whole() -> None:
    assert window_spans(WINDOW_WORDS + WINDOW_WORDS // 2) == []


def test_a_long_story_is_read_in_half_overlapping_windows_that_cover_every_word() -> None:
    count = 37
    spans = window_spans(count)
    assert all(end - start <= WINDOW_WORDS for start, end in spans)
    assert [b - a for (a, _), (b, _) in itertools.pairwise(spans)] == [WINDOW_WORDS // 2] * (
        len(spans) - 1
    )
    covered = {i for start, end in spans for i in range(start, end)}
    assert covered == set(range(count))


def test_a_long_message_is_read_whole_and_by_its_most_alarming_window() -> None:
    calm = ["my salary is late again this month"] * 6
    model = TextModel.train(
        [*calm, "he has a knife", "he is hitting me now", "passport lost", "visa expired"],
        ["emergency" if i in (6, 7) else "other" for i in range(10)],
    )
    column = model.classes.index("emergency")
    story = ("my salary is late again this month " * 3 + "he has a knife").split()
    scores = model.decision(" ".join(story))
    read = danger_scores(model, story, scores, column)
    assert read.whole == scores[column]
    assert read.window > read.whole
    assert read.highest == read.window
    short = ["he", "has", "a", "knife"]
    assert danger_scores(model, short, model.decision("he has a knife"), column).window == -inf
