"""Issue 11: "Who can help" names the sourced contacts of the person's country, on every medium."""

from __future__ import annotations

import pytest

from bot.conversation import Conversation
from bot.messages import Channel
from bot.rendering import render_terminal
from bot.state_store import SqlStore
from gfmd_info.knowledge import Knowledge
from tests.bot.conversation_helpers import Person

QUESTION = "my employer has not paid my salary for three months"
MORE_TURNS = 8


def _read_topic(person: Person) -> str:
    """Everything the person reads: the answer, then MORE until the bot has no more."""
    seen = [render_terminal(person.say(QUESTION), person.channel)]
    for _ in range(MORE_TURNS):
        seen.append(render_terminal(person.say("MORE"), person.channel))
    return "\n".join(seen)


def _contacts_for(knowledge: Knowledge, country: str, topic: str) -> list[str]:
    return [
        c.phone or c.url or ""
        for c in knowledge.content.contacts
        if c.country == country and topic in c.topics
    ]


@pytest.mark.parametrize("channel", [Channel.SMS, Channel.WHATSAPP, Channel.TELEGRAM])
@pytest.mark.parametrize("country", ["SG", "MY", "HK"])
def test_who_can_help_names_the_contacts_of_the_persons_country(
    conversation: Conversation,
    store: SqlStore,
    knowledge: Knowledge,
    channel: Channel,
    country: str,
) -> None:
    expected = _contacts_for(knowledge, country, "unpaid-wages")
    assert expected, f"the content has no {country} contact for unpaid wages"
    person = Person(conversation, store, user=f"{country}-{channel}", channel=channel)
    person.country = country
    read = _read_topic(person)
    for contact in expected:
        assert contact in read


def test_a_person_without_a_country_reads_the_general_advice(
    conversation: Conversation, store: SqlStore, knowledge: Knowledge
) -> None:
    person = Person(conversation, store, user="nowhere", channel=Channel.TELEGRAM)
    read = _read_topic(person)
    for contact in knowledge.content.contacts:
        assert (contact.phone or contact.url or "") not in read
