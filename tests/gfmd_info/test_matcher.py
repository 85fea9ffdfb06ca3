from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gfmd_info.matcher as matcher_module
import gfmd_info.model_cache as model_cache
from gfmd_info.knowledge import Knowledge
from gfmd_info.matcher import Decision, Matcher
from gfmd_info.matching_data import LanguageLexicon
from gfmd_info.thresholds import Thresholds


@pytest.fixture(scope="module")
def matcher(knowledge: Knowledge) -> Matcher:
    return knowledge.matcher


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "please help me now he has a knife"),
        ("en", "they locked me in the room"),
        ("es", "auxilio me esta pegando mi patron"),
        ("es", "estoy encerrada y no me deja salir"),
        ("fr", "au secours il va me tuer"),
        ("fr", "je suis enfermee dans la maison"),
        ("ar", "الحقوني الكفيل حابسني"),
        ("ar", "انا في خطر الحين"),
    ],
)
def test_danger_now_is_flagged_as_emergency_in_each_language(
    matcher: Matcher, lang: str, text: str
) -> None:
    result = matcher.match(text, lang)
    assert result.emergency
    assert result.topic == "emergency"
    assert result.decision is Decision.ANSWER


@pytest.mark.parametrize(("lang", "text"), [("es", "socorroo"), ("ar", "زوجي يقتلني")])
def test_a_danger_word_misspelt_in_the_emergency_phrases_is_still_a_typo_of_a_term(
    matcher: Matcher, lang: str, text: str
) -> None:
    assert matcher.match(text, lang).emergency


def test_danger_words_are_recognised_whatever_language_the_user_chose(matcher: Matcher) -> None:
    assert matcher.match("socorro me van a matar", "en").emergency


@pytest.mark.parametrize(
    ("lang", "text", "topic"),
    [
        ("en", "my employer has not paid my salary for two months", "unpaid-wages"),
        ("en", "the agency took a big fee and there is no job", "recruitment"),
        ("es", "mi patron no me paga el sueldo", "unpaid-wages"),
        ("fr", "mon patron ne me paie pas mon salaire", "unpaid-wages"),
        ("ar", "الكفيل ما دفع راتبي", "unpaid-wages"),
        ("en", "iqama expired", "documents"),
    ],
)
def test_a_plain_question_gets_its_topic(
    matcher: Matcher, lang: str, text: str, topic: str
) -> None:
    result = matcher.match(text, lang)
    assert result.topic == topic
    assert result.decision is not Decision.NONE
    assert not result.emergency


@pytest.mark.parametrize("text", ["", "   ", "😀😀😀", "12", "3", "!!!???"])
def test_empty_emoji_and_digit_only_messages_are_not_understood(
    matcher: Matcher, text: str
) -> None:
    result = matcher.match(text, "en")
    assert result.decision is Decision.NONE
    assert result.topic is None


def test_chit_chat_is_not_understood(matcher: Matcher) -> None:
    assert matcher.match("qwzx vbnm plokij", "en").decision is Decision.NONE


def test_the_language_hint_does_not_change_what_was_understood(matcher: Matcher) -> None:
    with_hint = matcher.match("mi patron no me paga el sueldo", "en")
    assert with_hint.topic == "unpaid-wages"
    assert with_hint.lang == "es"


def test_language_is_detected_from_the_words_when_not_given(matcher: Matcher) -> None:
    assert matcher.detect_language("mi patron no me paga") == "es"
    assert matcher.detect_language("mon patron ne me paie pas") == "fr"
    assert matcher.detect_language("الكفيل ما دفع راتبي") == "ar"


def test_a_bare_word_shared_by_topics_offers_both_topics(matcher: Matcher) -> None:
    result = matcher.match("passport", "en")
    assert result.decision is not Decision.NONE
    assert {"documents", "trafficking"} & set(result.alternatives)


SMALL = {
    "en": LanguageLexicon(
        phrases={
            "documents": ["passport lost", "visa expired", "my permit ended"],
            "food-and-cash": ["hungry", "no food", "no money for food"],
            "emergency": ["he is hitting me", "locked in the room"],
        },
        emergency_terms=["knife"],
        offtopic=["football score", "good morning"],
        stopwords=["help", "me", "please", "my", "good", "morning"],
    )
}


def test_misspelt_words_still_find_their_topic() -> None:
    result = Matcher(SMALL).match("pasport lsot", "en")
    assert result.alternatives[:1] == ("documents",)


def test_a_danger_term_is_urgent_unless_the_model_plainly_answers_another_topic() -> None:
    never_plain = Thresholds(none_score=-9, answer_margin=99, urgent_danger=99, possible_danger=99)
    result = Matcher(SMALL, thresholds=never_plain).match("my visa expired and he has a knife")
    assert result.emergency
    assert result.topic == "emergency"
    assert result.alternatives.count("emergency") == 1


def test_a_danger_term_with_danger_read_by_the_model_is_urgent_even_in_a_plain_answer() -> None:
    reads_danger = Thresholds(none_score=-9, answer_margin=0, urgent_danger=99, possible_danger=-99)
    result = Matcher(SMALL, thresholds=reads_danger).match("my visa expired and he has a knife")
    assert result.emergency


def test_a_danger_word_in_a_plainly_answered_question_leads_its_answer_with_the_call_line() -> None:
    plain = Thresholds(none_score=-9, answer_margin=0, urgent_danger=99, possible_danger=99)
    matcher = Matcher(SMALL, thresholds=plain)
    result = matcher.match("visa expired knife", "en")
    assert (result.topic, result.emergency, result.danger_possible) == ("documents", False, True)
    assert not matcher.match("visa expired", "en").danger_possible


def test_possible_danger_leads_the_topic_answer_with_the_call_line() -> None:
    flag_everything = Thresholds(
        none_score=-9, answer_margin=0, urgent_danger=99, possible_danger=-99
    )
    result = Matcher(SMALL, thresholds=flag_everything).match("visa expired", "en")
    assert result.topic == "documents"
    assert result.danger_possible
    assert not result.emergency


def test_a_message_understood_as_nothing_else_but_maybe_danger_gets_the_urgent_answer() -> None:
    cautious = Thresholds(none_score=99, urgent_danger=-99, possible_danger=-99)
    result = Matcher(SMALL, thresholds=cautious).match("qwerty asdf", "en")
    assert result.emergency
    assert result.topic == "emergency"


def test_an_unsure_emergency_top_falls_back_to_the_next_topic_with_the_call_line() -> None:
    unsure = Thresholds(none_score=-9, answer_margin=0, urgent_danger=99, possible_danger=99)
    result = Matcher(SMALL, thresholds=unsure).match("he is hitting me", "en")
    assert not result.emergency
    assert result.danger_possible
    assert result.topic != "emergency"


def test_a_long_message_not_understood_is_offered_a_choice_of_three_not_the_menu() -> None:
    never_understood = Thresholds(none_score=99, urgent_danger=99, possible_danger=99)
    matcher = Matcher(SMALL, thresholds=never_understood)
    long = matcher.match("my passport was lost and my visa expired and " * 2 + "what now", "en")
    assert (long.decision, long.topic) == (Decision.AMBIGUOUS, "documents")
    assert "documents" in long.alternatives
    short = matcher.match("my passport was lost", "en")
    assert (short.decision, short.topic) == (Decision.NONE, None)
    chat = matcher.match("good morning football score " * 5, "en")
    assert chat.decision is Decision.NONE


def test_a_plea_that_names_nothing_gets_the_menu_led_by_the_call_line() -> None:
    result = Matcher(SMALL).match("help me please", "en")
    assert (result.topic, result.decision, result.emergency) == (None, Decision.NONE, False)
    assert result.danger_possible


def test_a_plea_with_a_danger_term_or_a_topic_word_is_not_a_bare_plea() -> None:
    matcher = Matcher(SMALL)
    assert matcher.match("help me knife", "en").emergency
    assert not matcher.match("help me passport lost", "en").danger_possible


def test_a_greeting_made_of_plain_words_gets_no_call_line() -> None:
    assert not Matcher(SMALL).match("good morning", "en").danger_possible


def test_one_word_needs_its_own_lead_for_a_direct_answer() -> None:
    one_word_unsure = Thresholds(
        none_score=-9, answer_margin=0, one_word_answer_margin=99, urgent_danger=99,
        possible_danger=99,
    )  # fmt: skip
    matcher = Matcher(SMALL, thresholds=one_word_unsure)
    assert matcher.match("passport", "en").decision is Decision.AMBIGUOUS
    assert matcher.match("passport lost", "en").decision is Decision.ANSWER


def test_the_same_content_gives_the_same_model_and_answers() -> None:
    model_cache._MEMORY.clear()
    first = Matcher(SMALL)
    model_cache._MEMORY.clear()
    second = Matcher(SMALL)
    assert first.fingerprint == second.fingerprint
    for text in ["passport lost", "no food today", "good morning", "he is hitting me"]:
        assert first.match(text).as_json() == second.match(text).as_json()


def test_unchanged_phrases_reuse_the_trained_model(tmp_path: Path) -> None:
    first = Matcher(SMALL, cache_dir=tmp_path)
    again = Matcher(SMALL, cache_dir=tmp_path)
    assert again._models is first._models
    model_cache._MEMORY.clear()
    from_disk = Matcher(SMALL, cache_dir=tmp_path)
    assert from_disk.fingerprint == first.fingerprint
    assert from_disk.match("no food today").as_json() == first.match("no food today").as_json()


def test_a_model_trained_another_way_is_not_reused_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model_cache._MEMORY.clear()
    first = Matcher(SMALL, cache_dir=tmp_path)
    monkeypatch.setattr(matcher_module, "RECIPE", "another-recipe")
    other = Matcher(SMALL, cache_dir=tmp_path)
    assert other._models is not first._models
    assert len(list(tmp_path.glob("*.pickle"))) == 2


_awkward = st.one_of(
    st.text(max_size=200),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1000, max_size=10_000),
    st.sampled_from(["\u200f\u200e", "\x00\x01\x1b", "٣٣٣", "a" * 10_000, "مرحبا hello नमस्ते"]),
    st.builds(lambda a, b: a + "\ud800" + b, st.text(max_size=20), st.text(max_size=20)),
)


@settings(max_examples=150, deadline=None)
@given(text=_awkward, lang=st.sampled_from([None, "en", "ar", "xx"]))
def test_any_text_gets_a_match_result_and_never_an_exception(
    matcher: Matcher, text: str, lang: str | None
) -> None:
    result = matcher.match(text, lang)
    assert result.decision in set(Decision)
    assert (result.topic is None) == (result.decision is Decision.NONE)
    assert len(result.alternatives) <= 3


def test_windows_have_their_own_thresholds() -> None:
    thresholds = Thresholds(possible_danger=0.0, urgent_danger=0.5, possible_window=1.0,
                            urgent_window=2.0)  # fmt: skip
    assert thresholds.possible(0.0, -99) and thresholds.possible(-99, 1.0)
    assert not thresholds.possible(-0.1, 0.9)
    assert thresholds.urgent(0.5, -99) and thresholds.urgent(-99, 2.0)
    assert not thresholds.urgent(0.4, 1.9)
    unset = Thresholds(possible_danger=0.0, urgent_danger=0.5)
    assert unset.possible(-99, 0.0) and unset.urgent(-99, 0.5)


def test_only_a_window_over_its_own_threshold_adds_the_call_line_to_a_long_story() -> None:
    story = "my passport was lost and my visa expired and " * 3 + "what now"
    calm, alarmed = (
        Thresholds(none_score=-9, answer_margin=0, urgent_danger=99, possible_danger=99,
                   possible_window=window, urgent_window=99)
        for window in (99.0, -99.0)
    )  # fmt: skip
    assert not Matcher(SMALL, thresholds=calm).match(story, "en").danger_possible
    assert Matcher(SMALL, thresholds=alarmed).match(story, "en").danger_possible
