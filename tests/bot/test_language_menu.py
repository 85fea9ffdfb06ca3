"""Issue 12: the language menu names every language in itself, likeliest first, and the first
SMS (greeting and menu) stays one page."""

from __future__ import annotations

import pytest

from bot.conversation import Conversation
from bot.language_menu import MORE_LANGUAGES, ordered_languages
from bot.messages import Channel
from bot.rendering import render_sms_pages, render_telegram
from bot.state_store import SqlStore
from gfmd_info.knowledge import Knowledge
from gfmd_info.sms_encoding import Encoding
from tests.bot.conversation_helpers import Person


def test_the_persons_language_then_their_countrys_then_their_messages_then_the_rest() -> None:
    offered = ["en", "ar", "bn", "es", "ne", "ur"]
    assert ordered_languages(offered, "ur", "QA", ["ne", "hi"]) == [
        "ur", "ar", "ne", "en", "bn", "es",
    ]  # fmt: skip
    assert ordered_languages(offered, None, None, []) == offered


@pytest.mark.parametrize("country", [None, "AE", "QA", "SA", "GB"])
def test_the_first_sms_offers_every_language_in_one_gsm7_page(
    conversation: Conversation, store: SqlStore, knowledge: Knowledge, country: str | None
) -> None:
    reply = Person(conversation, store, country=country).say("hello")
    assert {o.id for o in reply.options} == {
        f"l:{lang}" for lang in conversation.ui_languages(knowledge)
    }
    pages = render_sms_pages(reply)
    assert len(pages) == 1 and pages[0].measure.encoding is Encoding.GSM7
    assert "Nepali" in pages[0].text and "Urdu" in pages[0].text


def test_a_greeting_in_arabic_script_offers_the_likeliest_and_more_languages(
    conversation: Conversation, store: SqlStore, knowledge: Knowledge
) -> None:
    person = Person(conversation, store, country="AE")
    first = person.say("مرحبا")
    assert len(render_sms_pages(first)) == 1
    assert first.options[0].id == "l:ar" and first.options[-1].id == MORE_LANGUAGES
    every = person.say(str(len(first.options)))
    assert len(every.options) == len(conversation.ui_languages(knowledge))
    assert "اردو" in render_sms_pages(every)[0].text


def test_telegram_shows_the_languages_in_their_scripts_three_a_row(
    conversation: Conversation, store: SqlStore
) -> None:
    person = Person(conversation, store, channel=Channel.TELEGRAM, country="QA")
    message = render_telegram(person.say("", option="m:start"))[-1]
    rows = [[b.label for b in row] for row in message.buttons]
    assert rows[0] == ["العربية", "English", "বাংলা"]
    assert all(len(row) == 3 for row in rows[:-1])
    assert {"नेपाली", "اردو", "Filipino", "Kiswahili"} <= {label for row in rows for label in row}
