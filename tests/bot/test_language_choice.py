"""Issue 10: a person's language comes from what they write, then their app; never from their
phone's country."""

from __future__ import annotations

import re

import pytest

from bot import language_choice
from bot.conversation import Conversation
from bot.messages import BlockKind, Channel
from bot.state_store import SqlStore
from gfmd_info.knowledge import Knowledge
from gfmd_info.language_id import LanguageGuess
from tests.bot.conversation_helpers import Person, blocks

ARABIC = re.compile(r"[\u0600-\u06ff]")
NEPALI_QUESTION = "मेरो मालिकले तीन महिनादेखि तलब दिएको छैन"


def _text(reply_blocks: list[str]) -> str:
    return "\n".join(reply_blocks)


def test_a_nepali_speaker_on_a_qatari_number_reads_nepali_never_arabic(
    conversation: Conversation, store: SqlStore, knowledge: Knowledge
) -> None:
    person = Person(conversation, store, country="QA")
    reply = person.say(NEPALI_QUESTION)
    state = person.state
    assert state is not None and state.language == "ne"
    assert reply.language == "ne" and reply.topic == "unpaid-wages"
    assert not ARABIC.search("\n".join(b.text for b in reply.blocks))
    # Nepali topic text where it exists; otherwise English, with a notice saying so.
    devanagari = re.search(r"[\u0900-\u097f]", _text(blocks(reply, BlockKind.TEXT)))
    assert devanagari or blocks(reply, BlockKind.NOTICE)
    later = person.say("menu")
    assert later.language == "ne"
    assert not ARABIC.search("\n".join(b.text for b in later.blocks))


def test_hello_from_a_uae_number_is_answered_in_english(
    conversation: Conversation, store: SqlStore
) -> None:
    person = Person(conversation, store, country="AE")
    reply = person.say("hello")
    assert reply.language == "en"
    assert not ARABIC.search("\n".join(b.text for b in reply.blocks))
    # The country's language is offered first in the menu, not chosen.
    assert reply.options[0].id == "l:ar"
    state = person.state
    assert state is not None and state.language is None


def test_hi_is_not_hindi(conversation: Conversation, store: SqlStore) -> None:
    person = Person(conversation, store, country="IN")
    reply = person.say("hi")
    state = person.state
    assert state is not None and state.language != "hi"
    assert reply.language != "hi"


def test_a_one_word_message_does_not_switch_a_known_persons_language(
    conversation: Conversation, store: SqlStore
) -> None:
    person = Person(conversation, store)
    person.say("", option="l:es")
    for word in ("passport", "hello", "salary", "visa"):
        assert person.say(word).language == "es"
    state = person.state
    assert state is not None and state.language == "es"


def test_telegrams_language_code_decides_when_the_first_words_do_not(
    conversation: Conversation, store: SqlStore
) -> None:
    person = Person(conversation, store, channel=Channel.TELEGRAM, hint="fr-CA", country="AE")
    assert person.say("hello").language == "fr"


def test_a_confident_first_message_decides_over_the_app_setting(
    conversation: Conversation, store: SqlStore
) -> None:
    person = Person(conversation, store, channel=Channel.TELEGRAM, hint="en")
    reply = person.say("no me pagan el sueldo desde hace tres meses")
    assert reply.language == "es"


def test_the_reply_tells_the_language_written_apart_from_the_language_answered(
    conversation: Conversation, store: SqlStore
) -> None:
    person = Person(conversation, store)
    person.say("", option="l:en")
    reply = person.say(NEPALI_QUESTION)
    assert (reply.language, reply.lang_written) == ("en", "ne")


def test_a_one_word_reply_counts_no_written_language_without_reading_it(
    knowledge: Knowledge, monkeypatch: pytest.MonkeyPatch
) -> None:
    def must_not_read(knowledge: Knowledge, text: str) -> LanguageGuess:
        raise AssertionError(f"read {text!r}")

    monkeypatch.setattr(language_choice, "identify", must_not_read)
    for reply in ["1", "MORE", "hola", "المزيد", "  menu "]:
        assert language_choice.written_language(knowledge, reply) == "-"
    monkeypatch.undo()
    assert language_choice.written_language(knowledge, NEPALI_QUESTION) == "ne"
