"""Issue 16: sequences where a person got no answer, a wrong one, or lost what they did."""

from __future__ import annotations

import pytest

from bot.conversation import Conversation
from bot.i18n import Catalogs
from bot.messages import BlockKind, Channel
from bot.state import Position
from bot.state_store import SqlStore
from bot.turn import HANDLERS
from gfmd_info.emergency_line import call_line
from gfmd_info.knowledge import Knowledge
from tests.bot.conversation_helpers import Person, blocks, shown

COMPLETE = ("en", "es", "fr", "ar", "pt", "id", "tl", "sw", "ru", "ne", "hi", "bn", "ur")


@pytest.fixture
def person(knowledge: Knowledge, catalogs: Catalogs, store: SqlStore) -> Person:
    return Person(Conversation(lambda: knowledge, catalogs, store), store, country="BH")


def test_every_position_has_a_handler() -> None:
    assert set(HANDLERS) == set(Position)


# -- numbers in any script ------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["٩٩٩", "९९९", "৯৯৯", "۹۹۹", "999"])
def test_an_emergency_number_in_any_script_gets_the_urgent_answer(
    person: Person, typed: str
) -> None:
    reply = person.say(typed)
    assert reply.urgent and reply.topic == "emergency"


@pytest.mark.parametrize("typed", ["٢", "२", "২", "2", "٢."])
def test_a_menu_choice_in_any_script_picks_that_option(person: Person, typed: str) -> None:
    menu = person.say("", option="l:en")
    reply = person.say(typed)
    second = menu.options[1].id
    assert second.startswith("c:")
    state = person.state
    assert state is not None and state.position is Position.CATEGORY
    assert state.category == second.removeprefix("c:")
    assert reply.options


@pytest.mark.parametrize("typed", ["²²²", "①②③", "⑴", "¹", "𝟙"])
def test_digit_like_characters_never_crash(person: Person, typed: str) -> None:
    person.say("", option="l:en")
    assert person.say(typed).blocks


@pytest.mark.parametrize("one", ["١", "१", "১", "1"])
def test_delete_is_confirmed_by_1_in_any_script(person: Person, one: str) -> None:
    person.say("", option="l:en")
    person.say("delete")
    person.say(one)
    assert person.state is None


# -- HELP helps -----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", COMPLETE)
@pytest.mark.parametrize("country", ["BH", None])
def test_help_starts_with_the_call_line(
    person: Person, knowledge: Knowledge, lang: str, country: str | None
) -> None:
    person.country = country
    person.say("", option=f"l:{lang}")
    reply = person.say("help")
    assert reply.blocks[0].kind is BlockKind.URGENT
    assert reply.blocks[0].text == call_line(knowledge.content, lang, country)


# -- options survive ------------------------------------------------------------------------


def test_a_number_after_an_sms_answer_picks_from_the_list_shown_before_it(
    person: Person,
) -> None:
    menu = person.say("", option="l:en")
    answer = person.say("my boss did not pay me for three months")
    assert answer.topic == "unpaid-wages" and not answer.options  # a page with MORE, no list
    person.say("1")
    state = person.state
    assert state is not None and state.category == menu.options[0].id.removeprefix("c:")


def test_a_number_after_an_sms_answer_keeps_the_place_and_more_continues(
    person: Person,
) -> None:
    answer = person.say("my boss did not pay me for three months")
    assert answer.topic == "unpaid-wages"
    before = person.state
    assert before is not None
    person.say("1")
    after_number = person.state
    assert after_number is not None
    assert (after_number.position, after_number.topic, after_number.page) == (
        before.position,
        before.topic,
        before.page,
    )
    more = person.say("more")
    state = person.state
    assert more.topic == "unpaid-wages" and state is not None and state.page == 1


def test_an_unknown_number_gets_a_short_note_and_keeps_the_topic_and_page(
    person: Person,
) -> None:
    person.channel = Channel.TELEGRAM
    person.say("", option="l:en")
    person.say("", option="t:unpaid-wages")
    person.say("more")
    note = person.say("77")
    assert "not on the list" in shown(note)
    state = person.state
    assert state is not None and (state.topic, state.page) == ("unpaid-wages", 1)


@pytest.mark.parametrize("word", ["help", "privacy", "thanks"])
def test_help_privacy_and_thanks_keep_the_options_offered(person: Person, word: str) -> None:
    menu = person.say("", option="l:en")
    person.say(word)
    person.say("3")
    state = person.state
    assert state is not None and state.category == menu.options[2].id.removeprefix("c:")


# -- a pending deletion ---------------------------------------------------------------------


def test_stop_while_a_deletion_waits_cancels_it_and_stops(person: Person) -> None:
    person.say("", option="l:en")
    person.say("delete")
    assert "no more messages" in shown(person.say("stop"))
    state = person.state
    assert state is not None and state.opted_out
    assert person.send("my boss did not pay me") is None


def test_ok_while_a_deletion_waits_keeps_everything(person: Person) -> None:
    person.say("", option="l:es")
    person.say("borrar")
    reply = person.say("ok")
    state = person.state
    assert state is not None and state.language == "es"
    assert "No se borr" in shown(reply)


def test_a_question_while_a_deletion_waits_is_answered_and_nothing_is_erased(
    person: Person,
) -> None:
    person.say("", option="l:en")
    person.say("delete")
    reply = person.say("my boss did not pay me for three months")
    assert reply.topic == "unpaid-wages"
    assert "Nothing was deleted" in blocks(reply, BlockKind.NOTICE)[0]
    assert person.state is not None


def test_the_delete_button_erases(person: Person) -> None:
    person.say("", option="l:en")
    person.say("delete")
    person.say("", option="d:yes")
    assert person.state is None


# -- the emergency topic is always urgent -----------------------------------------------------


@pytest.mark.parametrize("lang", COMPLETE)
@pytest.mark.parametrize("country", ["BH", None])
def test_the_emergency_topic_from_the_menu_starts_with_the_call_line_and_number(
    person: Person, knowledge: Knowledge, lang: str, country: str | None
) -> None:
    person.country = country
    person.say("", option=f"l:{lang}")
    person.say("", option="c:safety")
    reply = person.say("1")  # the emergency topic is first in its category
    assert reply.urgent and reply.topic == "emergency"
    first = reply.blocks[0]
    line = call_line(knowledge.content, lang, country)
    assert line and first.text.startswith(line)
    if country:
        assert "999" in line
