"""Single behaviours of the conversation that the transcripts do not pin down."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.conversation import Conversation
from bot.i18n import Catalogs
from bot.messages import BlockKind, Channel, Inbound, Reply
from bot.state_store import SqlStore, open_store
from gfmd_info.knowledge import Knowledge


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    opened = open_store(f"sqlite:///{tmp_path}/state.sqlite3")
    yield opened
    opened.close()


@pytest.fixture
def conversation(knowledge: Knowledge, catalogs: Catalogs, store: SqlStore) -> Conversation:
    return Conversation(lambda: knowledge, catalogs, store)


def say(
    conversation: Conversation,
    text: str,
    *,
    user: str = "u1",
    country: str | None = None,
    channel: Channel = Channel.SMS,
    hint: str | None = None,
) -> Reply:
    reply = conversation.handle(
        Inbound(channel, user, text, language_hint=hint, country_hint=country)
    )
    assert reply is not None
    return reply


def text_of(reply: Reply, kind: BlockKind | None = None) -> str:
    return "\n".join(b.text for b in reply.blocks if kind is None or b.kind is kind)


def test_danger_in_a_language_without_translated_answers_gets_its_own_urgent_text(
    conversation: Conversation, knowledge: Knowledge
) -> None:
    reply = say(conversation, "nisaidieni ananipiga sasa hivi", country="KE")
    swahili = knowledge.content.language_pack("sw").urgent
    assert swahili is not None and reply.urgent
    assert text_of(reply, BlockKind.URGENT) == swahili.with_number.replace("{number}", "999")
    assert text_of(reply, BlockKind.NOTICE)  # says the rest is shown in English


def test_an_unknown_country_gets_the_way_to_find_the_number_instead_of_a_guess(
    conversation: Conversation, knowledge: Knowledge
) -> None:
    reply = say(conversation, "help me now he has a knife", country="ZW")
    english = knowledge.content.language_pack("en").urgent
    assert english is not None
    assert text_of(reply, BlockKind.URGENT) == english.without_number


def test_the_disclaimer_is_shown_once_per_person(
    conversation: Conversation, knowledge: Knowledge
) -> None:
    disclaimer = knowledge.content.language_pack("en").disclaimer
    assert disclaimer
    shown = [
        disclaimer in text_of(say(conversation, t, channel=Channel.TELEGRAM))
        for t in ("hello", "menu", "menu", "my boss did not pay me")
    ]
    assert shown.count(True) == 1


def test_telegram_language_code_chooses_the_first_language(conversation: Conversation) -> None:
    reply = say(conversation, "/start", channel=Channel.TELEGRAM, hint="es-419")
    assert reply.language == "es"


def test_an_sms_sender_country_orders_the_language_choice(conversation: Conversation) -> None:
    reply = say(conversation, "hello", country="MA")
    assert [o.id for o in reply.options][:1] == ["l:ar"]


def test_more_with_nothing_to_show_and_back_at_the_top_answer_sensibly(
    conversation: Conversation,
) -> None:
    say(conversation, "hello")
    say(conversation, "2")
    assert say(conversation, "more").options  # back to a menu, not an error
    assert say(conversation, "back").options


def test_delete_twice_is_harmless(conversation: Conversation, store: SqlStore) -> None:
    say(conversation, "hello")
    say(conversation, "delete")
    say(conversation, "delete")
    assert store.load("u1") is not None  # the second DELETE asked again, nothing erased yet
    say(conversation, "yes")
    assert store.load("u1") is None


def test_the_rate_limit_notice_uses_the_right_plural(
    conversation: Conversation, store: SqlStore
) -> None:
    say(conversation, "hello")
    say(conversation, "4")  # Français on an SMS with no country: en, es, fr, ar
    assert "minutes" in text_of(conversation.rate_limited("u1", 5))
    assert "minute." in text_of(conversation.rate_limited("u1", 1))
