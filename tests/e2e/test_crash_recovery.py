"""`gfmd-bot serve` killed with SIGKILL mid-work and started again loses nothing and answers
nothing twice: Telegram updates acknowledged but not yet answered are answered after the restart,
once; a Twilio message whose request died with the process is answered when Twilio retries it,
and one already answered stays a duplicate."""

from __future__ import annotations

import json
import signal
import socket
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from tests.e2e.conftest import ServedBot, StartBot, TwilioSender
from tests.fakes.telegram_bot_api import FakeBotApi, serve_fake_bot_api

TOKEN = "7000000001:AAHtestTokenForTheFakeBotApi_only"
SECRET = "crash-test-secret"
CHATS = [7_100_000 + n for n in range(6)]
SENDER = "+34612345678"


@pytest.fixture
def bot_api() -> Iterator[FakeBotApi]:
    with serve_fake_bot_api(TOKEN) as api:
        yield api


def start_update(update_id: int, chat_id: int) -> dict[str, object]:
    user = {"id": chat_id, "is_bot": False, "first_name": "Amina", "language_code": "en"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "from": user,
            "chat": {"id": chat_id, "first_name": "Amina", "type": "private"},
            "date": int(time.time()),
            "text": "/start",
            "entities": [{"offset": 0, "length": 6, "type": "bot_command"}],
        },
    }


def post_update(bot: ServedBot, update: dict[str, object]) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    return bot.client.post("/telegram/webhook", json=update, headers=headers).status_code


def messages(twiml: bytes) -> list[str]:
    return [m.text or "" for m in ET.fromstring(twiml).iter("Message")]


def half_sent(bot: ServedBot, twilio: TwilioSender, params: dict[str, str]) -> socket.socket:
    """A Twilio request cut off mid-body, as when the process dies while it is arriving."""
    body = urlencode(params).encode()
    url = urlsplit(bot.url)
    sock = socket.create_connection((url.hostname, url.port))
    head = (
        f"POST /sms/twilio HTTP/1.1\r\nHost: {url.netloc}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\nX-Twilio-Signature: x\r\n\r\n"
    )
    sock.sendall(head.encode() + body[: len(body) // 2])
    return sock


def test_a_killed_server_answers_every_update_once_after_restart(
    start_bot: StartBot,
    bot_api: FakeBotApi,
    twilio: TwilioSender,
    twilio_env: dict[str, str],
    tmp_path: Path,
) -> None:
    env = {
        **twilio_env,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_SECRET_TOKEN": SECRET,
        "TELEGRAM_API_BASE_URL": bot_api.base_url,
        "DATABASE_URL": f"sqlite:///{tmp_path}/shared.sqlite3",
    }
    bot = start_bot(env)
    answered = twilio.params(SENDER, "hola")
    assert messages(twilio.post(bot, answered).content)
    in_flight = twilio.params(SENDER, "no me pagan el sueldo")
    cut_off = half_sent(bot, twilio, in_flight)

    bot_api.hold("sendMessage")  # a slow Bot API: answers queue up behind it
    updates = [start_update(900_000 + n, chat) for n, chat in enumerate(CHATS)]
    assert [post_update(bot, update) for update in updates] == [200] * len(CHATS)
    deadline = time.monotonic() + 15
    while bot_api.waiting() == 0:
        assert time.monotonic() < deadline, "no answer reached the Bot API"
        time.sleep(0.02)
    bot.send_signal(signal.SIGKILL)
    bot.process.wait(10)
    cut_off.close()
    bot_api.release("sendMessage")  # what was being sent when the process died never arrives

    restarted = start_bot(env)
    deadline = time.monotonic() + 30
    while set(Counter(int(c.params["chat_id"]) for c in bot_api.calls("sendMessage"))) != set(
        CHATS
    ):
        assert time.monotonic() < deadline, f"unanswered after restart: {bot_api.calls()}"
        time.sleep(0.05)
    assert [post_update(restarted, update) for update in updates[:2]] == [200, 200]  # repeats

    assert messages(twilio.post(restarted, in_flight).content)  # Twilio's retry: answered
    assert messages(twilio.post(restarted, answered).content) == []  # a duplicate: not
    time.sleep(0.5)  # room for a wrong second answer to arrive
    per_chat = Counter(int(c.params["chat_id"]) for c in bot_api.calls("sendMessage"))
    assert per_chat == Counter({chat: 1 for chat in CHATS}), json.dumps(per_chat)
