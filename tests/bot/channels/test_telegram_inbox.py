"""The Telegram webhook stores each update before it answers 200, bounds the work in flight with
a retryable 429, and keeps the event loop free for `/healthz` while updates are being handled."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.i18n import Catalogs
from bot.inbox import Inbox
from bot.messages import Inbound, Reply
from bot.state_store import PersonSession
from gfmd_info.knowledge import Knowledge
from tests.bot.channels.test_telegram import (
    SECRET,
    TOKEN,
    make_runtime,
    make_settings,
    message_update,
)
from tests.fakes.telegram_bot_api import FakeBotApi, serve_fake_bot_api

# Generous: only a gross stall (the loop blocked by the work it waits on) ever reaches it.
STALL_SECONDS = 20.0


def post(client: TestClient, update: object) -> int:
    body = update if isinstance(update, bytes) else json.dumps(update).encode()
    response = client.post(
        "/telegram/webhook",
        content=body,
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET, "content-type": "application/json"},
    )
    status: int = response.status_code
    return status


def answered_chats(api: FakeBotApi) -> Counter[int]:
    """How many answers each chat got (one text per answer in these tests)."""
    return Counter(int(call.params["chat_id"]) for call in api.calls("sendMessage"))


def wait_until(condition: Any, what: str) -> None:
    deadline = time.monotonic() + STALL_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.01)


def healthz_while(client: TestClient) -> None:
    """`/healthz` answers from another thread; a loop stalled by the work in flight fails it."""
    codes: list[int] = []
    thread = threading.Thread(target=lambda: codes.append(client.get("/healthz").status_code))
    thread.start()
    thread.join(STALL_SECONDS)
    assert codes == [200], "/healthz did not answer while updates were in flight"


@pytest.fixture
def bot_api() -> Iterator[FakeBotApi]:
    with serve_fake_bot_api(TOKEN) as api:
        yield api


@pytest.fixture
def client(
    tmp_path: Path, bot_api: FakeBotApi, knowledge: Knowledge, catalogs: Catalogs
) -> Iterator[TestClient]:
    settings = make_settings(tmp_path, bot_api, gfmd_telegram_max_in_flight=4)
    runtime = make_runtime(settings, knowledge, catalogs)
    with TestClient(create_app(settings, runtime)) as started:
        bot_api.wait_for("getMe")
        yield started


def test_a_flood_past_the_bound_is_refused_retryably_and_nothing_is_lost(
    client: TestClient, bot_api: FakeBotApi
) -> None:
    bot_api.hold("sendMessage")  # a slow Bot API: the first answers stay in flight
    updates = [message_update("/start", chat_id=5_000_000 + n) for n in range(10)]
    statuses = [post(client, update) for update in updates]

    assert statuses == [200] * 4 + [429] * 6
    healthz_while(client)
    inbox = Inbox(client.app.state.runtime.store)  # type: ignore[attr-defined]
    assert inbox.unfinished() == 4

    bot_api.release("sendMessage")
    wait_until(lambda: inbox.unfinished() == 0, "the accepted updates answered")
    for update, status in zip(updates, statuses, strict=True):
        if status == 429:  # Telegram delivers a refused update again
            assert post(client, update) == 200
    wait_until(lambda: len(answered_chats(bot_api)) == 10, "every chat answered")
    assert post(client, updates[0]) == 200  # a repeat of a handled update: answered once
    wait_until(lambda: inbox.unfinished() == 0, "the repeat settled")
    assert set(answered_chats(bot_api).values()) == {1}


def test_huge_texts_are_cut_or_refused_and_the_loop_stays_free(
    client: TestClient, bot_api: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    conversation = client.app.state.runtime.conversation  # type: ignore[attr-defined]
    respond = conversation.respond
    seen: list[int] = []
    go_on = threading.Event()

    def slow(session: PersonSession, inbound: Inbound) -> Reply | None:
        seen.append(len(inbound.text))
        go_on.wait(STALL_SECONDS)  # the conversation still working, off the event loop
        reply: Reply | None = respond(session, inbound)
        return reply

    monkeypatch.setattr(conversation, "respond", slow)
    assert post(client, message_update("a" * 100_000, chat_id=6_000_001)) == 200
    wait_until(lambda: seen, "the conversation reached")
    healthz_while(client)
    go_on.set()
    wait_until(lambda: answered_chats(bot_api)[6_000_001] == 1, "the long text answered")
    assert seen == [4096]

    megabyte = json.dumps(message_update("b" * 1_000_000, chat_id=6_000_002)).encode()
    assert post(client, megabyte) == 413
    assert client.get("/healthz").status_code == 200
