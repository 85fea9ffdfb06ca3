"""`gfmd-bot telegram set-webhook` and `gfmd-bot telegram poll`, run as the command line runs
them (settings from the environment), against the local fake of the Bot API."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from tests.fakes.telegram_bot_api import FakeBotApi, serve_fake_bot_api

REPO = Path(__file__).resolve().parents[3]
TOKEN = "7000000001:AAHtestTokenForTheFakeBotApi_only"
SECRET = "webhook-secret_For-tests"
PUBLIC_URL = "https://bot.example.org"
CHAT = 3527065


def start_update(update_id: int, text: str = "/start") -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id % 1000,
            "from": {"id": CHAT, "is_bot": False, "first_name": "Amina", "language_code": "en"},
            "chat": {"id": CHAT, "first_name": "Amina", "type": "private"},
            "date": int(time.time()),
            "text": text,
            "entities": [{"offset": 0, "length": 6, "type": "bot_command"}],
        },
    }


@pytest.fixture
def bot_api() -> Iterator[FakeBotApi]:
    with serve_fake_bot_api(TOKEN) as api:
        yield api


@pytest.fixture
def environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bot_api: FakeBotApi
) -> dict[str, str]:
    """The environment `gfmd-bot` reads, in an empty folder (so no `.env` is read)."""
    monkeypatch.chdir(tmp_path)
    values = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_SECRET_TOKEN": SECRET,
        "TELEGRAM_API_BASE_URL": bot_api.base_url,
        "GFMD_BOT_PUBLIC_URL": PUBLIC_URL,
        "GFMD_BOT_SECRET": "test-secret",
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "GFMD_VAR_DIR": str(tmp_path),
        "GFMD_CONTENT_DIR": str(REPO / "content"),
        "GFMD_LOCALES_DIR": str(REPO / "locales"),
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


# --- set-webhook ----------------------------------------------------------------------------


@pytest.mark.parametrize("drop", [True, False])
def test_set_webhook_registers_url_secret_and_update_kinds(
    environment: dict[str, str],
    bot_api: FakeBotApi,
    capsys: pytest.CaptureFixture[str],
    drop: bool,
) -> None:
    args = ["telegram", "set-webhook", *(["--drop-pending-updates"] if drop else [])]
    assert main(args) == 0
    (call,) = bot_api.calls("setWebhook")
    assert call.params["url"] == f"{PUBLIC_URL}/telegram/webhook"
    assert call.params["secret_token"] == SECRET
    assert call.params["allowed_updates"] == ["message", "callback_query"]
    assert call.params.get("drop_pending_updates", False) is drop
    printed = capsys.readouterr().out
    assert f"{PUBLIC_URL}/telegram/webhook" in printed
    assert TOKEN not in printed and SECRET not in printed


@pytest.mark.parametrize(
    ("unset", "changed", "complaint"),
    [
        ("TELEGRAM_BOT_TOKEN", {}, "TELEGRAM_BOT_TOKEN is not set"),
        ("GFMD_BOT_PUBLIC_URL", {}, "GFMD_BOT_PUBLIC_URL is not set"),
        ("TELEGRAM_SECRET_TOKEN", {}, "TELEGRAM_SECRET_TOKEN must be"),
        (None, {"GFMD_BOT_PUBLIC_URL": "http://bot.example.org"}, "must be https"),
        (None, {"TELEGRAM_SECRET_TOKEN": "has spaces!"}, "TELEGRAM_SECRET_TOKEN must be"),
    ],
)
def test_set_webhook_refuses_incomplete_settings_without_calling_telegram(
    environment: dict[str, str],
    bot_api: FakeBotApi,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    unset: str | None,
    changed: dict[str, str],
    complaint: str,
) -> None:
    if unset:
        monkeypatch.delenv(unset)
    for name, value in changed.items():
        monkeypatch.setenv(name, value)
    assert main(["telegram", "set-webhook"]) == 2
    assert complaint in capsys.readouterr().out
    assert bot_api.calls() == []


def test_set_webhook_reports_telegram_refusing(
    environment: dict[str, str], bot_api: FakeBotApi, capsys: pytest.CaptureFixture[str]
) -> None:
    bot_api.fail("setWebhook", 400, "Bad Request: bad webhook: Failed to resolve host")
    assert main(["telegram", "set-webhook"]) == 1
    printed = capsys.readouterr().out
    assert "failed to resolve host" in printed.lower() and TOKEN not in printed


# --- poll -----------------------------------------------------------------------------------


def _interrupt_when_answered(api: FakeBotApi, answers: int) -> threading.Thread:
    """Ctrl-C, as a person would press it, once the bot has answered."""

    def watch() -> None:
        try:
            api.wait_for("sendMessage", answers, timeout=30)
        finally:
            os.kill(os.getpid(), signal.SIGINT)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_poll_answers_updates_from_get_updates_until_interrupted(
    environment: dict[str, str], bot_api: FakeBotApi, capsys: pytest.CaptureFixture[str]
) -> None:
    bot_api.queue_update(start_update(900001))
    bot_api.queue_update(start_update(900002, "/help"))
    watcher = _interrupt_when_answered(bot_api, 2)
    assert main(["telegram", "poll"]) == 0
    watcher.join(timeout=5)

    methods = [c.method for c in bot_api.calls()]
    assert methods[:2] == ["getMe", "deleteWebhook"]  # polling replaces any webhook
    first_poll = bot_api.calls("getUpdates")[0]
    assert first_poll.params["allowed_updates"] == ["message", "callback_query"]
    replies = bot_api.calls("sendMessage")
    assert [c.params["chat_id"] for c in replies[:2]] == [CHAT, CHAT]
    assert str(replies[0].params["text"]).startswith("Hello")
    assert "MENU" in str(replies[1].params["text"])
    # Each update was confirmed to Telegram (a later offset), so none is answered twice.
    offsets = [int(c.params.get("offset") or 0) for c in bot_api.calls("getUpdates")]
    assert max(offsets) == 900003
    assert len(bot_api.calls("sendMessage")) == 2
    assert "development bot" in capsys.readouterr().out


def test_poll_without_a_token_says_so(
    environment: dict[str, str],
    bot_api: FakeBotApi,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN")
    assert main(["telegram", "poll"]) == 2
    assert "TELEGRAM_BOT_TOKEN is not set" in capsys.readouterr().out
    assert bot_api.calls() == []
