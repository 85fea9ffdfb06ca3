"""The intake: one transaction per message, dedupe, the rate limit, the opt-out gate and the
fallback reply, the same for every channel."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bot.conversation import Conversation
from bot.i18n import Catalogs
from bot.intake import Delivery, Intake, RateLimit
from bot.messages import BlockKind, Channel, Inbound
from bot.state_store import SqlStore, open_store
from gfmd_info.emergency_line import call_line
from gfmd_info.knowledge import Knowledge

POSTGRES_URL = os.environ.get("GFMD_TEST_POSTGRES_URL")
PAIRS = 200


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    if request.param == "sqlite":
        opened = open_store(f"sqlite:///{tmp_path}/state.sqlite3")
    else:
        if not POSTGRES_URL:
            pytest.skip("GFMD_TEST_POSTGRES_URL is not set")
        opened = open_store(POSTGRES_URL)
    yield opened
    opened.close()


@pytest.fixture
def intake(knowledge: Knowledge, catalogs: Catalogs, store: SqlStore) -> Intake:
    conversation = Conversation(lambda: knowledge, catalogs, store)
    return Intake(conversation, store, catalogs, RateLimit(messages=5, window_seconds=600))


def _delivery(user: str, text: str, option: str | None = None) -> Delivery:
    inbound = Inbound(Channel.SMS, user, text, country_hint="BH", option_id=option)
    return Delivery(inbound, delivery_id=f"twilio:{uuid.uuid4().hex}")


def _user() -> str:
    # Unique per test: runs against a shared PostgreSQL database never collide.
    return f"u-{uuid.uuid4().hex}"


def test_stop_and_a_choice_at_the_same_moment_never_lose_the_stop(
    intake: Intake, store: SqlStore
) -> None:
    users = [_user() for _ in range(PAIRS)]
    for user in users:
        intake.receive(_delivery(user, "", "l:en"))  # each one on the menu, in English

    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [
            pool.submit(intake.receive, _delivery(user, word))
            for user in users
            for word in ("stop", "2")
        ]
        outcomes = [future.result() for future in futures]
    assert not [o for o in outcomes if o.decision == "error"]
    lost = [user for user in users if not (state := store.load(user)) or not state.opted_out]
    assert lost == []


def test_a_delivery_is_answered_once(intake: Intake) -> None:
    delivery = _delivery(_user(), "hello")
    assert intake.receive(delivery).reply is not None
    again = intake.receive(delivery)
    assert (again.reply, again.decision) == (None, "duplicate")


def test_a_failed_turn_gets_the_fallback_and_its_retry_is_answered(
    intake: Intake, knowledge: Knowledge, monkeypatch: pytest.MonkeyPatch
) -> None:
    delivery = _delivery(_user(), "help me now he has a knife")
    real = intake.conversation.respond

    def broken(*args: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(intake.conversation, "respond", broken)
    failed = intake.receive(delivery)
    assert failed.decision == "error" and failed.reply is not None
    first = failed.reply.blocks[0]
    assert first.kind is BlockKind.URGENT
    assert first.text == call_line(knowledge.content, "en", "BH")
    monkeypatch.setattr(intake.conversation, "respond", real)
    retried = intake.receive(delivery)
    assert retried.reply is not None and retried.reply.urgent


def test_the_fallback_speaks_the_persons_language(
    intake: Intake, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = _user()
    intake.receive(_delivery(user, "", "l:fr"))

    def broken(*args: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(intake.conversation, "respond", broken)
    failed = intake.receive(_delivery(user, "menu"))
    assert failed.reply is not None and failed.reply.language == "fr"
    assert not failed.reply.urgent  # "menu" speaks of no danger


def test_over_the_limit_one_notice_then_silence_but_stop_and_danger_get_through(
    intake: Intake, store: SqlStore
) -> None:
    user = _user()
    decisions = [intake.receive(_delivery(user, "menu")).decision for _ in range(7)]
    assert decisions[5:] == ["rate_limited", "rate_limited_silent"]
    danger = intake.receive(_delivery(user, "help me now he has a knife"))
    assert danger.reply is not None and danger.reply.urgent
    intake.receive(_delivery(user, "stop"))
    state = store.load(user)
    assert state is not None and state.opted_out


def _picture(user: str) -> Delivery:
    return Delivery(Inbound(Channel.SMS, user, ""), f"twilio:{uuid.uuid4().hex}", media_only=True)


def test_a_picture_gets_a_note_unless_its_sender_opted_out(intake: Intake) -> None:
    user = _user()
    assert intake.receive(_picture(user)).decision == "media_only"
    intake.receive(_delivery(user, "stop"))
    assert intake.receive(_picture(user)).reply is None


def test_a_word_twilio_answers_itself_is_recorded_but_not_answered(
    intake: Intake, store: SqlStore
) -> None:
    user = _user()
    stop = Delivery(Inbound(Channel.SMS, user, "STOP"), f"twilio:{user}", provider_answers=True)
    outcome = intake.receive(stop)
    assert (outcome.reply, outcome.decision) == (None, "provider_keyword")
    state = store.load(user)
    assert state is not None and state.opted_out
