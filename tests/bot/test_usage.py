"""The usage figures: each answered turn adds one to its day's aggregate (channel, language
written, language answered, topic, decision), with no key and no text, and they stay in the
database across restarts."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.conversation import Conversation
from bot.i18n import Catalogs
from bot.messages import Channel, Inbound, Reply
from bot.state_store import SqlStore, UsageRow, open_store
from gfmd_info.knowledge import Knowledge
from tests.bot.conversation_helpers import Person

POSTGRES_URL = os.environ.get("GFMD_TEST_POSTGRES_URL")
Figures = Counter[tuple[str, str, str, str, str]]


def figures(rows: list[UsageRow]) -> Figures:
    counted: Figures = Counter()
    for row in rows:
        counted[row.channel, row.lang_written, row.lang_answered, row.topic, row.decision] += (
            row.count
        )
    return counted


def as_counted(channel: Channel, reply: Reply) -> tuple[str, str, str, str, str]:
    """What the metrics count for `reply` (see `bot.metrics`): the store counts the same."""
    return (str(channel), reply.lang_written, reply.language, reply.topic or "-", reply.decision)


def test_each_answered_turn_is_counted_once_with_what_the_metrics_count(
    conversation: Conversation, store: SqlStore
) -> None:
    sms = Person(conversation, store, user="sms-person")
    telegram = Person(conversation, store, user="telegram-person", channel=Channel.TELEGRAM)
    expected: Figures = Counter()
    for person, text, option in (
        (sms, "hello", None),
        (sms, "1", None),
        (sms, "my boss did not pay me", None),
        (sms, "best pizza recipe?", None),
        (telegram, "", "m:start"),
        (telegram, "hola", None),
        (telegram, "STOP", None),
    ):
        expected[as_counted(person.channel, person.say(text, option))] += 1

    assert figures(store.usage_rows()) == expected
    assert expected.total() == 7
    assert {row.day for row in store.usage_rows()} == {dt.datetime.now(dt.UTC).date()}
    assert {"sms", "telegram"} == {row.channel for row in store.usage_rows()}


def test_silence_and_preview_turns_are_not_counted(
    conversation: Conversation, store: SqlStore
) -> None:
    person = Person(conversation, store)
    person.say("STOP")
    assert person.send("hello") is None  # opted out: no answer, nothing counted
    preview = Inbound(Channel.SMS, "preview-person", "hello", is_preview=True)
    assert conversation.handle(preview) is not None
    assert sum(row.count for row in store.usage_rows()) == 1


def test_the_day_of_a_turn_is_the_conversations_day(
    knowledge: Knowledge, catalogs: Catalogs, store: SqlStore
) -> None:
    day = dt.datetime(2026, 11, 30, 23, 59, tzinfo=dt.UTC)
    late = Conversation(lambda: knowledge, catalogs, store, clock=lambda: day)
    Person(late, store).say("hello")
    assert [row.day for row in store.usage_rows()] == [day.date()]
    assert store.usage_rows(since=dt.date(2026, 12, 1)) == []


# -- kept in the database ----------------------------------------------------------------------


def postgres_url() -> str:
    if not POSTGRES_URL:
        pytest.skip("GFMD_TEST_POSTGRES_URL is not set")
    return POSTGRES_URL


@pytest.fixture
def channel() -> str:
    # Unique per test so runs against a shared PostgreSQL database never collide.
    return f"test-{uuid.uuid4().hex}"


def count(store: SqlStore, day: dt.date, channel: str, topic: str) -> None:
    with store.person("") as session:
        session.count_usage(day, channel, "es", "es", topic, "answer")


def figures_survive_a_restart(database_url: str, channel: str) -> None:
    day = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=20)  # kept: opening purges old days
    first = open_store(database_url)
    try:
        count(first, day, channel, "shelter")
        count(first, day, channel, "shelter")
        count(first, day + dt.timedelta(days=1), channel, "-")
    finally:
        first.close()

    again = open_store(database_url)
    try:
        kept = [row for row in again.usage_rows(day) if row.channel == channel]
    finally:
        again.close()
    assert kept == [
        UsageRow(day, channel, "es", "es", "shelter", "answer", 2),
        UsageRow(day + dt.timedelta(days=1), channel, "es", "es", "-", "answer", 1),
    ]


def test_the_figures_survive_a_restart(tmp_path: Path, channel: str) -> None:
    figures_survive_a_restart(f"sqlite:///{tmp_path}/state.sqlite3", channel)


@pytest.mark.postgres
def test_the_figures_survive_a_restart_on_postgresql(channel: str) -> None:
    figures_survive_a_restart(postgres_url(), channel)


@pytest.mark.postgres
def test_two_replicas_add_to_the_same_figures(channel: str) -> None:
    url = postgres_url()
    day = dt.date(2026, 11, 4)
    one, other = open_store(url), open_store(url)
    try:
        count(one, day, channel, "shelter")
        count(other, day, channel, "shelter")
        [row] = [row for row in one.usage_rows(day) if row.channel == channel]
    finally:
        one.close()
        other.close()
    assert row.count == 2


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SqlStore]:
    opened = open_store(f"sqlite:///{tmp_path}/state.sqlite3")
    yield opened
    opened.close()


def test_rows_from_a_day_on_are_listed_by_day(sqlite_store: SqlStore) -> None:
    for day in (dt.date(2026, 11, 5), dt.date(2026, 11, 1), dt.date(2026, 11, 3)):
        count(sqlite_store, day, "sms", "-")
    listed = sqlite_store.usage_rows(since=dt.date(2026, 11, 3))
    assert [row.day.day for row in listed] == [3, 5]
