"""Telegram through the real HTTP stack: updates as Telegram sends them are posted to
/telegram/webhook; the real python-telegram-bot Application answers through a local fake of the
Bot API (tests/fakes/telegram_bot_api.py), which records every call. Nothing reaches Telegram."""

from __future__ import annotations

import html
import itertools
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from fastapi.testclient import TestClient

from bot.app import ChannelStatus, create_app
from bot.conversation import Conversation
from bot.i18n import Catalogs
from bot.messages import Inbound, Reply
from bot.metrics import Metrics
from bot.runtime import KnowledgeHolder, Runtime
from bot.settings import Settings
from bot.state_store import PersonSession, open_store
from gfmd_info.emergency_line import call_line
from gfmd_info.knowledge import Knowledge
from tests.fakes.telegram_bot_api import BOT_USER, ApiCall, FakeBotApi, serve_fake_bot_api

REPO = Path(__file__).resolve().parents[3]
CONTENT = REPO / "content"
LOCALES = REPO / "locales"
TOKEN = "7000000001:AAHtestTokenForTheFakeBotApi_only"
SECRET = "webhook-secret_For-tests"
CHAT = 3527065
OTHER_CHAT = 4410932
GROUP = -1001234567890
RLM = "\u200f"
HANDLED = frozenset({"telegram_update", "telegram_error"})

# --- updates as Telegram sends them --------------------------------------------------------

# Recorded from Telegram Desktop (ids and names changed): a first /start in a private chat.
RECORDED_START: dict[str, Any] = {
    "update_id": 718302101,
    "message": {
        "message_id": 1,
        "from": {
            "id": CHAT,
            "is_bot": False,
            "first_name": "Amina",
            "language_code": "en",
        },
        "chat": {"id": CHAT, "first_name": "Amina", "type": "private"},
        "date": 1764270000,
        "text": "/start",
        "entities": [{"offset": 0, "length": 6, "type": "bot_command"}],
    },
}

_update_ids = itertools.count(718302200)
_message_ids = itertools.count(20)


def _user(chat_id: int, lang: str | None) -> dict[str, Any]:
    user: dict[str, Any] = {"id": chat_id, "is_bot": False, "first_name": "Amina"}
    if lang is not None:
        user["language_code"] = lang
    return user


def _chat(chat_id: int) -> dict[str, Any]:
    if chat_id < 0:
        return {"id": chat_id, "title": "Workers' group", "type": "supergroup"}
    return {"id": chat_id, "first_name": "Amina", "type": "private"}


def message_update(
    text: str | None = None,
    *,
    chat_id: int = CHAT,
    lang: str | None = "en",
    kind: str = "message",
    **fields: Any,
) -> dict[str, Any]:
    from_id = chat_id if chat_id > 0 else CHAT
    message: dict[str, Any] = {
        "message_id": next(_message_ids),
        "from": _user(from_id, lang),
        "chat": _chat(chat_id),
        "date": int(time.time()),
        **fields,
    }
    if text is not None:
        message["text"] = text
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"offset": 0, "length": len(command), "type": "bot_command"}]
    if kind == "edited_message":
        message["edit_date"] = message["date"] + 5
    return {"update_id": next(_update_ids), kind: message}


def button_update(
    data: str, *, chat_id: int = CHAT, lang: str | None = "en", message_id: int = 1001
) -> dict[str, Any]:
    """A press on a button of the bot's message `message_id`."""
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": str(4382000000000000000 + next(_message_ids)),
            "from": _user(chat_id, lang),
            "chat_instance": "-5734293842098476000",
            "data": data,
            "message": {
                "message_id": message_id,
                "from": BOT_USER,
                "chat": _chat(chat_id),
                "date": int(time.time()) - 10,
                "text": "Choose a topic, or type your question.",
                "reply_markup": {"inline_keyboard": [[{"text": "Menu", "callback_data": data}]]},
            },
        },
    }


STICKER = {
    "width": 512,
    "height": 512,
    "emoji": "\U0001f44d",
    "set_name": "HotCherry",
    "is_animated": True,
    "is_video": False,
    "type": "regular",
    "file_id": "CAACAgIAAxkBAAIBY2Vx",
    "file_unique_id": "AgADwQADlp-MDg",
    "file_size": 8653,
}
LOCATION = {"latitude": 25.2854, "longitude": 51.531}
PHOTO = [{"file_id": "AgACAgQAAxkBAAIB", "file_unique_id": "AQAD", "width": 90, "height": 67}]
VOICE = {"file_id": "AwACAgQAAxkBAAIC", "file_unique_id": "AgAD", "duration": 3}
VIDEO = {
    "file_id": "BAACAgQAAxkBAAID",
    "file_unique_id": "AgAE",
    "width": 320,
    "height": 240,
    "duration": 4,
}
DOCUMENT = {"file_id": "BQACAgQAAxkBAAIE", "file_unique_id": "AgAF", "file_name": "payslip.pdf"}
DANGER = "help me now he has a knife"


# --- the harness ----------------------------------------------------------------------------


class Turns(logging.Handler):
    """The channel's one `telegram_update` (or `telegram_error`) record per update: the moment
    an update has been fully handled, and the decision taken."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(record, "event", None) in HANDLED:
            self.records.append(record)

    def wait(self, count: int, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.records) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{count} handled updates expected, {len(self.records)} seen")
            time.sleep(0.01)

    def decisions(self) -> list[str]:
        return [str(getattr(r, "decision", getattr(r, "error", ""))) for r in self.records]


class Telegram:
    """Telegram's side of the webhook: posts updates, and says what the bot sent back."""

    def __init__(self, client: TestClient, api: FakeBotApi, turns: Turns) -> None:
        self.client = client
        self.api = api
        self.turns = turns

    def post(self, update: object, secret: str | None = SECRET) -> httpx.Response:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        body = update if isinstance(update, bytes) else json.dumps(update).encode()
        response: httpx.Response = self.client.post(
            "/telegram/webhook",
            content=body,
            headers={**headers, "content-type": "application/json"},
        )
        return response

    def send(self, update: object) -> list[ApiCall]:
        """Post one update, wait until it is handled, and return the Bot API calls it caused."""
        before = len(self.api.calls())
        handled = len(self.turns.records)
        response = self.post(update)
        assert response.status_code == 200
        self.turns.wait(handled + 1)
        return self.api.calls()[before:]

    @property
    def runtime(self) -> Runtime:
        runtime: Runtime = self.client.app.state.runtime  # type: ignore[attr-defined]
        return runtime


def sent(calls: list[ApiCall]) -> list[ApiCall]:
    return [c for c in calls if c.method == "sendMessage"]


def texts(calls: list[ApiCall]) -> list[str]:
    return [str(c.params["text"]) for c in sent(calls)]


def keyboard(call: ApiCall) -> list[list[dict[str, Any]]]:
    markup = call.params.get("reply_markup") or {}
    rows: list[list[dict[str, Any]]] = markup.get("inline_keyboard", [])
    return rows


def options(calls: list[ApiCall]) -> list[str]:
    """The callback data of every button the bot sent, in order."""
    return [b["callback_data"] for c in sent(calls) for row in keyboard(c) for b in row]


def labels(calls: list[ApiCall]) -> list[str]:
    return [b["text"] for c in sent(calls) for row in keyboard(c) for b in row]


def assert_well_formed(calls: list[ApiCall]) -> None:
    """What Telegram demands of every message and button we send."""
    for call in sent(calls):
        assert call.params["parse_mode"] == "HTML"
        assert 0 < len(str(call.params["text"])) < 4096
        for row in keyboard(call):
            assert 1 <= len(row) <= 3  # the language menu: three a row
            for button in row:
                assert 1 <= len(button["callback_data"].encode("utf-8")) <= 64


def make_settings(tmp_path: Path, api: FakeBotApi | None, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "telegram_bot_token": TOKEN,
        "telegram_secret_token": SECRET,
        "telegram_api_base_url": api.base_url if api else "http://127.0.0.1:9",
        "twilio_auth_token": None,
        "gfmd_bot_public_url": "https://bot.example.org",
        "gfmd_bot_secret": "test-secret",
        "database_url": f"sqlite:///{tmp_path}/db.sqlite3",
        "gfmd_var_dir": tmp_path,
        "gfmd_content_dir": CONTENT,
        "gfmd_locales_dir": LOCALES,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def make_runtime(settings: Settings, knowledge: Knowledge, catalogs: Catalogs) -> Runtime:
    """A runtime over the content loaded once per session, with its own store."""
    store = open_store(settings.database_url)
    holder = KnowledgeHolder(settings.gfmd_content_dir, knowledge)
    conversation = Conversation(holder, catalogs, store)
    return Runtime(settings, holder, catalogs, store, conversation, Metrics(), b"test-secret")


@pytest.fixture
def bot_api() -> Iterator[FakeBotApi]:
    with serve_fake_bot_api(TOKEN) as api:
        yield api


@pytest.fixture
def turns() -> Iterator[Turns]:
    logger = logging.getLogger("bot.channels.telegram")
    handler = Turns()
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


def start_client(settings: Settings, runtime: Runtime | None = None) -> TestClient:
    return TestClient(create_app(settings, runtime), raise_server_exceptions=True)


@pytest.fixture
def telegram(
    tmp_path: Path,
    bot_api: FakeBotApi,
    turns: Turns,
    knowledge: Knowledge,
    catalogs: Catalogs,
) -> Iterator[Telegram]:
    settings = make_settings(tmp_path, bot_api)
    with start_client(settings, make_runtime(settings, knowledge, catalogs)) as client:
        bot_api.wait_for("getMe")
        yield Telegram(client, bot_api, turns)


# --- a whole conversation -------------------------------------------------------------------


def test_a_whole_conversation_with_buttons_in_english(telegram: Telegram) -> None:
    first = telegram.send(RECORDED_START)
    assert_well_formed(first)
    assert texts(first)[0].startswith("Hello. I give free information")
    assert options(first)[:2] == ["l:en", "l:ar"]
    assert {"l:es", "l:fr"} <= set(options(first))
    assert labels(first)[:2] == ["English", "العربية"]
    assert sent(first)[0].params["chat_id"] == CHAT

    press = telegram.send(button_update("l:en"))
    assert [c.method for c in press][:2] == ["answerCallbackQuery", "editMessageReplyMarkup"]
    assert "reply_markup" not in press[1].params or not keyboard(press[1])
    assert "c:work-and-pay" in options(press)
    assert "Choose a topic" in texts(press)[-1]

    category = telegram.send(button_update("c:work-and-pay"))
    assert texts(category) == ["<b>Work and pay</b>"]
    assert options(category)[0] == "t:unpaid-wages"

    topic = telegram.send(button_update("t:unpaid-wages"))
    assert "not your fault" in texts(topic)[0]
    assert options(topic) == ["p:unpaid-wages:1", "m:menu"]

    more = telegram.send(button_update("p:unpaid-wages:1"))
    assert "What you can do" in texts(more)[0]

    typed = telegram.send(message_update("my boss did not pay me"))
    assert "not your fault" in texts(typed)[0]

    for calls in (press, category, topic, more, typed):
        assert_well_formed(calls)
        assert calls[0].method != "answerCallbackQuery" or calls[0].params["callback_query_id"]
    assert all(c.params["chat_id"] == CHAT for c in sent(telegram.api.calls()))


def test_a_whole_conversation_in_arabic_reads_right_to_left(telegram: Telegram) -> None:
    first = telegram.send(message_update("/start", lang="ar"))
    assert texts(first)[0].startswith(RLM + "مرحبا")
    assert options(first)[0] == "l:ar"

    menu = telegram.send(button_update("l:ar", lang="ar"))
    category = telegram.send(button_update("c:work-and-pay", lang="ar"))
    topic = telegram.send(button_update("t:unpaid-wages", lang="ar"))
    ar_title = telegram.runtime.knowledge().content.title("unpaid-wages", "ar")
    assert ar_title in labels(category)
    for calls in (first, menu, category, topic):
        assert_well_formed(calls)
        assert all(text.startswith(RLM) for text in texts(calls))
    assert any("\u0600" <= ch <= "\u06ff" for ch in texts(topic)[0])
    assert options(topic)[-1] == "m:menu"


def test_commands(telegram: Telegram) -> None:
    telegram.send(message_update("/start"))
    assert "c:health" in options(telegram.send(message_update("/menu")))
    assert "l:fr" in options(telegram.send(message_update("/language")))
    assert "MENU" in texts(telegram.send(message_update("/help")))[0]
    assert "never your number" in texts(telegram.send(message_update("/privacy")))[0]
    assert "MENU" in texts(telegram.send(message_update("/whatever")))[0]

    ask = telegram.send(message_update("/delete"))
    assert options(ask) == ["d:yes"]
    deleted = telegram.send(button_update("d:yes"))
    assert "deleted" in texts(deleted)[0]

    stopped = telegram.send(message_update("/stop"))
    assert "no more messages" in texts(stopped)[0]
    assert sent(telegram.send(message_update("unpaid wages"))) == []
    assert sent(telegram.send(button_update("c:health"))) == []
    back = telegram.send(message_update("/start"))
    assert "Welcome back" in texts(back)[0]
    assert telegram.turns.decisions().count("opted_out") == 2


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ("es", "Elige un tema"),
        ("unpaid-wages", "not your fault"),
        ("no-such-thing", "Hello. I give free information"),
    ],
)
def test_start_deep_links(telegram: Telegram, payload: str, expected: str) -> None:
    calls = telegram.send(message_update(f"/start {payload}"))
    assert any(expected in text for text in texts(calls)), texts(calls)


@pytest.mark.parametrize(("code", "greeting"), [("es-419", "Hola"), ("fr-CA", "Bonjour")])
def test_the_client_language_is_negotiated(telegram: Telegram, code: str, greeting: str) -> None:
    calls = telegram.send(message_update("/start", lang=code))
    assert texts(calls)[0].startswith(greeting)


def test_one_chats_updates_are_answered_in_order(telegram: Telegram) -> None:
    updates = [
        message_update("/start"),
        button_update("l:en"),
        button_update("c:health"),
        button_update("t:mental-health"),
    ]
    for update in updates:
        assert telegram.post(update).status_code == 200
    telegram.turns.wait(len(updates))
    replies = texts(telegram.api.calls())
    assert replies[0].startswith("Hello")
    assert replies[1].startswith("Choose a topic")
    assert replies[2] == "<b>Health</b>"
    assert replies[3] != replies[2]


# --- what is not processed ------------------------------------------------------------------


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", SECRET + "x", SECRET[:-1]])
def test_a_wrong_or_missing_secret_is_refused(telegram: Telegram, secret: str | None) -> None:
    response = telegram.post(RECORDED_START, secret=secret)
    assert response.status_code == 403
    time.sleep(0.2)
    assert [c.method for c in telegram.api.calls()] == ["getMe"]
    assert telegram.turns.records == []
    # Nothing was recorded either: the genuine delivery of the same update is answered.
    assert texts(telegram.send(RECORDED_START))


def test_a_duplicate_update_id_gets_one_reply(telegram: Telegram) -> None:
    update = message_update("unpaid wages")
    assert telegram.send(update)
    assert telegram.send(update) == []
    time.sleep(0.2)
    assert len(sent(telegram.api.calls())) == 1
    assert telegram.turns.decisions()[-1] == "duplicate"
    assert (
        'gfmd_duplicates_total{channel="telegram"} 1.0'
        in telegram.runtime.metrics.render().decode()
    )


@pytest.mark.parametrize(
    ("update", "decision"),
    [
        (message_update(sticker=STICKER), "ignored:sticker"),
        (message_update(location=LOCATION), "ignored:location"),
        (message_update("unpaid wages", kind="edited_message"), "ignored:edited_message"),
        (
            message_update("unpaid wages", chat_id=-1009876543210, kind="channel_post"),
            "ignored:channel_post",
        ),
        ({"update_id": 718309999, "message": {"message_id": 3}}, "ignored:malformed"),
        ({"update_id": 718309998, "message": "not a message"}, "ignored:malformed"),
        ({"update_id": "718309997"}, "ignored:malformed"),
        ([1, 2, 3], "ignored:malformed"),
        (b"{not json", "ignored:malformed"),
        (message_update("hello", chat_id=GROUP), "ignored:text"),
        (button_update("x" * 70), "ignored:unknown_button"),
    ],
)
def test_unsupported_or_malformed_updates_are_ignored_and_the_next_is_answered(
    telegram: Telegram, update: object, decision: str
) -> None:
    calls = telegram.send(update)
    assert sent(calls) == []
    assert decision in telegram.turns.decisions()[-1]
    assert "not your fault" in texts(telegram.send(message_update("unpaid wages")))[0]


def test_a_picture_or_voice_note_without_a_caption_gets_a_text_only_note(
    telegram: Telegram,
) -> None:
    for media in ({"photo": PHOTO}, {"voice": VOICE}, {"document": DOCUMENT}):
        calls = telegram.send(message_update(**media))
        assert texts(calls) == ["I can only read text. Please type your question."]


@pytest.mark.parametrize("media", [{"photo": PHOTO}, {"video": VIDEO}, {"document": DOCUMENT}])
def test_a_caption_is_read_as_the_message(telegram: Telegram, media: dict[str, Any]) -> None:
    telegram.send(message_update("/start"))
    urgent = texts(telegram.send(message_update(caption=DANGER, **media)))
    assert urgent and "If you are in danger now" in urgent[0]
    answer = texts(telegram.send(message_update(caption="unpaid wages", **media)))
    assert answer and "not your fault" in answer[0]


def test_a_failed_send_is_logged_and_the_next_update_is_answered(telegram: Telegram) -> None:
    telegram.api.fail("sendMessage", 400, "Bad Request: chat not found")
    assert telegram.send(message_update("unpaid wages"))
    assert telegram.turns.decisions()[-1] == "BadRequest"
    assert texts(telegram.send(message_update("unpaid wages", chat_id=OTHER_CHAT)))


def test_every_button_press_is_answered_even_when_the_answer_fails(telegram: Telegram) -> None:
    telegram.send(RECORDED_START)
    telegram.api.fail("answerCallbackQuery", 400, "Bad Request: query is too old")
    calls = telegram.send(button_update("l:es", lang="es"))
    assert calls[0].method == "answerCallbackQuery"
    assert texts(calls)[-1].startswith("Elige un tema")


# --- groups ---------------------------------------------------------------------------------


def test_in_a_group_only_commands_to_the_bot_get_one_line(telegram: Telegram) -> None:
    notice = telegram.send(message_update("/start@gfmd_test_bot", chat_id=GROUP))
    assert len(sent(notice)) == 1
    assert sent(notice)[0].params["chat_id"] == GROUP
    text = texts(notice)[0]
    assert "private chat" in text and "https://t.me/gfmd_test_bot" in text
    assert "\n" not in text and keyboard(sent(notice)[0]) == []
    for ignored in ("/help@some_other_bot", "what about my salary", "/unknown@gfmd_test_bot"):
        assert sent(telegram.send(message_update(ignored, chat_id=GROUP))) == []
    # Nothing is kept about the group or its members.
    assert telegram.runtime.store.load(telegram.runtime.user_key("telegram", str(GROUP))) is None
    assert telegram.runtime.store.load(telegram.runtime.user_key("telegram", str(CHAT))) is None


# --- rate limit -----------------------------------------------------------------------------

LimitedTelegram = Callable[[int], AbstractContextManager[Telegram]]


@pytest.fixture
def limited(
    tmp_path: Path, bot_api: FakeBotApi, turns: Turns, knowledge: Knowledge, catalogs: Catalogs
) -> LimitedTelegram:
    """The bot with a per-person limit of `n` messages per window."""

    @contextmanager
    def start(n: int) -> Iterator[Telegram]:
        settings = make_settings(tmp_path, bot_api, gfmd_rate_limit_messages=n)
        with start_client(settings, make_runtime(settings, knowledge, catalogs)) as client:
            yield Telegram(client, bot_api, turns)

    return start


def test_over_the_limit_one_note_then_silence(limited: LimitedTelegram) -> None:
    with limited(2) as telegram:
        assert texts(telegram.send(message_update("unpaid wages")))
        assert texts(telegram.send(message_update("unpaid wages")))
        assert texts(telegram.send(message_update("unpaid wages")))[0].startswith("Too many")
        assert sent(telegram.send(message_update("unpaid wages"))) == []
        assert texts(telegram.send(message_update("unpaid wages", chat_id=OTHER_CHAT)))


def test_danger_gets_through_the_rate_limit(limited: LimitedTelegram) -> None:
    with limited(2) as telegram:
        for _ in range(2):
            assert texts(telegram.send(message_update("unpaid wages")))
        assert texts(telegram.send(message_update("unpaid wages")))[0].startswith("Too many")
        assert sent(telegram.send(message_update("unpaid wages"))) == []

        urgent = texts(telegram.send(message_update(DANGER)))
        captioned = texts(telegram.send(message_update(photo=PHOTO, caption=DANGER)))

        assert urgent and "If you are in danger now" in urgent[0]
        assert captioned and "If you are in danger now" in captioned[0]
        assert sent(telegram.send(message_update("unpaid wages"))) == []


def test_a_stop_word_gets_through_the_rate_limit(limited: LimitedTelegram) -> None:
    with limited(1) as telegram:
        assert texts(telegram.send(message_update("unpaid wages")))
        assert texts(telegram.send(message_update("unpaid wages")))[0].startswith("Too many")
        assert "no more messages" in texts(telegram.send(message_update("/stop")))[0]
        runtime = telegram.runtime
        state = runtime.store.load(runtime.user_key("telegram", str(CHAT)))
        assert state is not None and state.opted_out


def test_a_person_who_opted_out_gets_no_media_note_and_no_rate_limit_note(
    limited: LimitedTelegram,
) -> None:
    with limited(3) as telegram:
        assert texts(telegram.send(message_update("unpaid wages")))
        assert "no more messages" in texts(telegram.send(message_update("stop")))[0]
        assert sent(telegram.send(message_update(photo=PHOTO))) == []  # the third message
        assert sent(telegram.send(message_update("menu"))) == []  # the first over the limit
        assert sent(telegram.send(message_update(photo=PHOTO))) == []
        assert telegram.turns.decisions()[-3:] == [
            "opted_out",
            "rate_limited_silent",
            "rate_limited_silent",
        ]


# --- next-page buttons ------------------------------------------------------------------------


def test_button_data_reaches_the_conversation_unchanged(
    telegram: Telegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    conversation = telegram.runtime.conversation
    seen: list[Inbound] = []
    respond = conversation.respond

    def recording(session: PersonSession, inbound: Inbound) -> Reply | None:
        seen.append(inbound)
        return respond(session, inbound)

    monkeypatch.setattr(conversation, "respond", recording)
    longest = "p:" + "a" * 60 + ":9"  # 64 bytes, Telegram's limit
    for data in ("t:unpaid-wages", "p:unpaid-wages:1", longest):
        telegram.send(button_update(data))
    assert [i.option_id for i in seen] == ["t:unpaid-wages", "p:unpaid-wages:1", longest]

    assert sent(telegram.send(button_update(longest + "0"))) == []  # 65 bytes: not ours
    assert telegram.turns.decisions()[-1] == "ignored:unknown_button"
    assert len(seen) == 3


def test_an_old_next_page_button_pages_its_own_topic(telegram: Telegram) -> None:
    # Someone else's view of page 2 of unpaid wages, for comparison.
    telegram.send(message_update("/start", chat_id=OTHER_CHAT))
    other = telegram.send(button_update("t:unpaid-wages", chat_id=OTHER_CHAT))
    page_2 = texts(telegram.send(button_update(options(other)[0], chat_id=OTHER_CHAT)))
    assert page_2 and page_2 != texts(other)

    telegram.send(message_update("/start"))
    topic = telegram.send(button_update("t:unpaid-wages"))
    next_page = options(topic)[0]
    assert next_page.startswith("p:unpaid-wages:")
    shelter = telegram.send(message_update("i need a shelter place to sleep"))
    assert texts(shelter) and texts(shelter)[0] != texts(topic)[0]

    stale = texts(telegram.send(button_update(next_page, message_id=999)))

    assert stale == page_2


# --- escaping (content with HTML special characters) ----------------------------------------


def test_html_special_characters_in_content_arrive_escaped(
    tmp_path: Path, bot_api: FakeBotApi, turns: Turns
) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    path = content / "en" / "unpaid-wages.yaml"
    topic = yaml.safe_load(path.read_text(encoding="utf-8"))
    # Only the summary changes: titles and phrases train the matcher, which the tests share.
    topic["summary"] = "If pay < promised & late > 30 days, write it down: <b>not</b> a tag."
    path.write_text(yaml.safe_dump(topic, allow_unicode=True), encoding="utf-8")
    cache = Path(tempfile.gettempdir()) / f"gfmd-test-model-cache-{os.getuid()}"
    settings = make_settings(
        tmp_path, bot_api, gfmd_content_dir=content, gfmd_model_cache_dir=cache
    )
    with start_client(settings) as client:  # the real runtime, built from these settings
        telegram = Telegram(client, bot_api, turns)
        telegram.send(message_update("/start"))
        answer = texts(telegram.send(button_update("t:unpaid-wages")))[0]
    assert (
        "If pay &lt; promised &amp; late &gt; 30 days, write it down: &lt;b&gt;not&lt;/b&gt;"
        in (answer)
    )
    assert "<b>not" not in answer


# --- configuration --------------------------------------------------------------------------


def _status(client: TestClient) -> ChannelStatus:
    statuses: list[ChannelStatus] = client.app.state.channels  # type: ignore[attr-defined]
    return next(s for s in statuses if s.name == "telegram")


def test_without_a_token_the_channel_is_off(
    tmp_path: Path, knowledge: Knowledge, catalogs: Catalogs
) -> None:
    settings = make_settings(tmp_path, None, telegram_bot_token=None)
    with start_client(settings, make_runtime(settings, knowledge, catalogs)) as client:
        response = client.post("/telegram/webhook", json=RECORDED_START)
        assert response.status_code == 404
        assert "TELEGRAM_BOT_TOKEN" in response.json()["detail"]
        status = _status(client)
        assert not status.live and "TELEGRAM_BOT_TOKEN" in status.reason


def test_without_a_secret_every_call_is_refused(
    tmp_path: Path, bot_api: FakeBotApi, knowledge: Knowledge, catalogs: Catalogs
) -> None:
    settings = make_settings(tmp_path, bot_api, telegram_secret_token=None)
    with start_client(settings, make_runtime(settings, knowledge, catalogs)) as client:
        for secret in ("", SECRET, "anything"):
            response = client.post(
                "/telegram/webhook",
                json=RECORDED_START,
                headers={"X-Telegram-Bot-Api-Secret-Token": secret},
            )
            assert response.status_code == 403
        status = _status(client)
        assert not status.live and "TELEGRAM_SECRET_TOKEN is not set" in status.reason
    assert bot_api.calls() == []


def test_when_telegram_cannot_be_reached_the_app_still_serves(
    tmp_path: Path, bot_api: FakeBotApi, knowledge: Knowledge, catalogs: Catalogs
) -> None:
    settings = make_settings(tmp_path, bot_api, telegram_bot_token="7000000001:revoked")
    with start_client(settings, make_runtime(settings, knowledge, catalogs)) as client:
        assert client.get("/healthz").status_code == 200
        response = client.post(
            "/telegram/webhook",
            json=RECORDED_START,
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
        # Not started: Telegram keeps the update and delivers it again later.
        assert response.status_code == 503


# --- a failure is never silence ---------------------------------------------------------------

DANGER = "help me now he has a knife"


def _broken(*args: object) -> None:
    raise RuntimeError("a bug")


def test_a_failing_conversation_still_answers_danger_with_the_call_line(
    telegram: Telegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(telegram.runtime.conversation, "respond", _broken)
    [answer] = texts(telegram.send(message_update(DANGER)))
    line = call_line(telegram.runtime.knowledge().content, "en", None)
    assert line and html.unescape(answer).replace("<b>", "").startswith(line)
    assert telegram.turns.decisions()[-1] == "error"


def test_a_failure_outside_the_conversation_still_gets_the_fallback(
    telegram: Telegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(telegram.runtime.intake, "receive", _broken)
    [answer] = texts(telegram.send(message_update("unpaid wages")))
    assert "went wrong" in answer


def test_a_store_outage_on_telegram_gets_the_fallback(telegram: Telegram) -> None:
    telegram.runtime.store.close()
    [answer] = texts(telegram.send(message_update(DANGER)))
    assert "danger" in answer.lower()
