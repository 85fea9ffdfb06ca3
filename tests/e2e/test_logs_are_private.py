"""Everything the server printed and logged during an SMS and a Telegram conversation holds
neither the phone number, the chat or user id, the user keys, the names, nor any word the
people sent."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from bot.user_keys import user_key
from tests.e2e.conftest import TEST_SECRET
from tests.fakes.telegram_bot_api import BOT_USER, FakeBotApi, serve_fake_bot_api

if TYPE_CHECKING:
    from tests.e2e.conftest import StartBot, TwilioSender

PHONE = "+447700900123"
CHAT_ID = 5550123456
FIRST_NAME, LAST_NAME, USERNAME = "Amina", "Khoury", "amina_k"
SMS_TEXTS = (
    "Hola",
    "necesito ayuda porque mi patrón retiene mi pasaporte",
    "MORE",
    "salario atrasado desde marzo",
)
TELEGRAM_TEXTS = (
    "/start",
    "mi jefe tampoco paga desde enero",
    "gracias",
)
TELEGRAM_TOKEN = "7000000001:AAE2eTestTokenForTheFakeBotApi"
TELEGRAM_SECRET = "e2e-telegram-secret"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@pytest.fixture
def bot_api() -> Iterator[FakeBotApi]:
    with serve_fake_bot_api(TELEGRAM_TOKEN) as api:
        yield api


class TelegramUser:
    """Amina, writing to the bot from a private chat."""

    def __init__(self) -> None:
        self.update_id = 800000000
        self.person = {
            "id": CHAT_ID,
            "is_bot": False,
            "first_name": FIRST_NAME,
            "last_name": LAST_NAME,
            "username": USERNAME,
            "language_code": "es",
        }
        self.chat = {
            "id": CHAT_ID,
            "type": "private",
            "first_name": FIRST_NAME,
            "last_name": LAST_NAME,
            "username": USERNAME,
        }

    def _next(self) -> int:
        self.update_id += 1
        return self.update_id

    def message(self, text: str) -> dict[str, Any]:
        update_id = self._next()
        message: dict[str, Any] = {
            "message_id": update_id % 1000,
            "date": int(time.time()),
            "chat": self.chat,
            "from": self.person,
            "text": text,
        }
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return {"update_id": update_id, "message": message}

    def shown(self, sent: dict[str, Any]) -> dict[str, Any]:
        """The message the bot sent, as Telegram hands it back inside a button press."""
        return {
            "message_id": 1001,
            "date": int(time.time()),
            "chat": self.chat,
            "from": BOT_USER,
            "text": sent["text"],
            "reply_markup": sent["reply_markup"],
        }

    def press(self, data: str, message: dict[str, Any]) -> dict[str, Any]:
        update_id = self._next()
        return {
            "update_id": update_id,
            "callback_query": {
                "id": f"cq{update_id}",
                "from": self.person,
                "chat_instance": "-4242",
                "data": data,
                "message": message,
            },
        }


def words(texts: tuple[str, ...]) -> set[str]:
    return {w for text in texts for w in re.findall(r"[^\W\d_]+", text.lower())}


def test_logs_hold_no_number_id_key_name_or_word_people_sent(
    start_bot: StartBot,
    twilio: TwilioSender,
    twilio_env: dict[str, str],
    bot_api: FakeBotApi,
) -> None:
    bot = start_bot(
        {
            **twilio_env,
            "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
            "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
            "TELEGRAM_API_BASE_URL": bot_api.base_url,
            "GFMD_LOG_LEVEL": "DEBUG",
        }
    )
    assert "sms: live" in bot.stdout() and "telegram: live" in bot.stdout()

    for text in SMS_TEXTS:
        response = twilio.send(bot, PHONE, text)
        assert response.status_code == 200 and "<Message>" in response.text

    amina = TelegramUser()

    def deliver(update: dict[str, Any]) -> dict[str, Any]:
        """Post one update as Telegram would; the parameters of the reply the bot sent."""
        before = len(bot_api.calls("sendMessage"))
        headers = {SECRET_HEADER: TELEGRAM_SECRET}
        response = bot.client.post("/telegram/webhook", json=update, headers=headers)
        assert response.status_code == 200
        return bot_api.wait_for("sendMessage", count=before + 1)[-1].params

    greeting = deliver(amina.message(TELEGRAM_TEXTS[0]))
    # Choose a language with the greeting's first button, as a person would.
    first_button = greeting["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    deliver(amina.press(first_button, amina.shown(greeting)))
    for text in TELEGRAM_TEXTS[1:]:
        deliver(amina.message(text))
    assert bot.client.get("/metrics").status_code == 200
    bot.stop()

    printed = bot.stdout() + bot.stderr()
    assert bot.log_events(), "the server logged nothing: the test would prove nothing"
    assert {e.get("event") for e in bot.log_events()} >= {"sms_webhook", "telegram_update"}

    for secret in (
        PHONE,
        PHONE.lstrip("+"),
        PHONE[3:],  # the national part
        str(CHAT_ID),
        user_key(TEST_SECRET.encode(), "sms", PHONE),
        user_key(TEST_SECRET.encode(), "telegram", str(CHAT_ID)),
        FIRST_NAME,
        LAST_NAME,
        USERNAME,
        TELEGRAM_TOKEN,
        TELEGRAM_TOKEN.split(":")[1],
    ):
        assert secret not in printed, f"{secret!r} was logged"
    assert not re.search(r"[0-9a-f]{64}", printed), "something shaped like a user key was logged"
    logged_words = set(re.findall(r"[^\W\d_]+", printed.lower()))
    leaked = words(SMS_TEXTS + TELEGRAM_TEXTS) & logged_words
    assert not leaked, f"words people sent were logged: {sorted(leaked)}"
