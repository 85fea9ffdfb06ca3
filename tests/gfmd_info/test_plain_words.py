from __future__ import annotations

from gfmd_info.plain_words import PlainWords

PLAIN = PlainWords({"en": ["help", "me", "please", "i", "need"], "tl": ["tulong", "po"]})


def test_a_message_of_words_that_carry_no_topic_names_nothing() -> None:
    assert PLAIN.names_nothing(["help", "me", "please"], ["en"])
    assert PLAIN.names_nothing(["i", "need", "help"], ["en", None])


def test_a_repeated_plea_is_a_cry_not_a_message_that_names_nothing() -> None:
    assert not PLAIN.names_nothing(["help", "help"], ["en"])
    assert not PLAIN.names_nothing(["tulong", "tulong", "po"], ["tl"])


def test_one_word_that_carries_a_topic_names_something() -> None:
    assert not PLAIN.names_nothing(["help", "me", "passport"], ["en"])


def test_the_words_are_read_in_the_given_languages_only() -> None:
    assert not PLAIN.names_nothing(["tulong", "po"], ["en"])
    assert PLAIN.names_nothing(["tulong", "po"], ["en", "tl"])


def test_with_no_language_known_any_language_may_read_the_message() -> None:
    assert PLAIN.names_nothing(["tulong", "po"], [None, None])
    assert not PLAIN.names_nothing(["tulong", "help"], [None])


def test_stopwords_are_normalised_like_messages() -> None:
    accented = PlainWords({"es": ["Ayúda", "por favor"]})
    assert accented.names_nothing(["ayuda", "por", "favor"], ["es"])
