from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gfmd_info.knowledge import Knowledge
from gfmd_info.matcher import Decision, Matcher
from gfmd_info.matching_data import LanguageLexicon


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
    assert result.decision is Decision.ANSWER
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


def test_language_is_detected_from_the_words_when_not_given(matcher: Matcher) -> None:
    assert matcher.detect_language("mi patron no me paga") == "es"
    assert matcher.detect_language("mon patron ne me paie pas") == "fr"
    assert matcher.detect_language("الكفيل ما دفع راتبي") == "ar"


def test_a_bare_word_shared_by_topics_is_offered_as_a_choice(matcher: Matcher) -> None:
    result = matcher.match("passport", "en")
    assert result.decision is Decision.AMBIGUOUS
    assert {"documents", "trafficking"} <= set(result.alternatives)


def test_misspelt_words_still_find_their_topic() -> None:
    lexicons = {
        "en": LanguageLexicon(
            phrases={"documents": ["passport lost", "visa expired"], "food": ["hungry", "no food"]}
        )
    }
    result = Matcher(lexicons).match("pasport", "en")
    assert result.alternatives[:1] == ("documents",)


_awkward = st.one_of(
    st.text(max_size=200),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1000, max_size=10_000),
    st.sampled_from(["\u200f\u200e", "\x00\x01\x1b", "٣٣٣", "a" * 10_000, "مرحبا hello नमस्ते"]),
    st.builds(lambda a, b: a + "\ud800" + b, st.text(max_size=20), st.text(max_size=20)),
)


@settings(max_examples=300, deadline=None)
@given(text=_awkward, lang=st.sampled_from([None, "en", "ar", "xx"]))
def test_any_text_gets_a_match_result_and_never_an_exception(
    matcher: Matcher, text: str, lang: str | None
) -> None:
    result = matcher.match(text, lang)
    assert result.decision in set(Decision)
    assert (result.topic is None) == (result.decision is Decision.NONE)
    assert len(result.alternatives) <= 3
