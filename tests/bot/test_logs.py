from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator

import pytest

from bot.logs import MASK, TOKEN_MASK, JsonLines, configure, redact


def _record(msg: str, *args: object, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("bot.test", logging.INFO, __file__, 1, msg, args, None)
    record.__dict__.update(extra)
    return record


def _line(record: logging.LogRecord) -> dict[str, object]:
    data: dict[str, object] = json.loads(JsonLines().format(record))
    return data


def test_a_record_is_one_json_line_with_its_extra_fields() -> None:
    data = _line(_record("matched", event="matched", topic="unpaid-wages", decision="answer"))
    assert data["msg"] == "matched"
    assert data["level"] == "info"
    assert data["logger"] == "bot.test"
    assert (data["event"], data["topic"], data["decision"]) == ("matched", "unpaid-wages", "answer")


def test_uvicorns_coloured_copy_of_the_message_is_not_logged() -> None:
    data = _line(_record("Started server process [%d]", 42, color_message="\x1b[36m42\x1b[0m"))
    assert data["msg"] == "Started server process [42]"
    assert "color_message" not in data


def test_an_exception_is_logged_by_its_type_only() -> None:
    try:
        raise ValueError("my boss did not pay me, call +14155550100")
    except ValueError:
        record = logging.LogRecord(
            "bot.test", logging.ERROR, __file__, 1, "sms_failed", None, sys.exc_info()
        )
    line = JsonLines().format(record)
    assert json.loads(line)["error"] == "ValueError"
    assert "boss" not in line
    assert "4155550100" not in line
    assert "Traceback" not in line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("send to +14155550100 failed", f"send to +{MASK} failed"),
        ("chat 987654321 blocked the bot", f"chat {MASK} blocked the bot"),
        ("Started server process [4242]", "Started server process [4242]"),
        ("Uvicorn running on http://127.0.0.1:8000", "Uvicorn running on http://127.0.0.1:8000"),
        (
            "POST http://api/bot7000000001:AAE2eTestTokenForTheFakeBotApi1234/sendMessage",
            f"POST http://api/bot{TOKEN_MASK}/sendMessage",
        ),
    ],
)
def test_numbers_and_bot_tokens_in_library_messages_are_masked(text: str, expected: str) -> None:
    assert redact(text) == expected
    assert _line(_record("%s", text))["msg"] == expected


def test_fields_chosen_by_our_code_are_kept_as_given() -> None:
    # An update id is a message id: wanted in the logs, and only a message may be masked.
    assert _line(_record("telegram_update", update_id=123456789))["update_id"] == 123456789


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    names = ("uvicorn", "uvicorn.error", "uvicorn.access", "httpx", "telegram")
    loggers = {name: logging.getLogger(name) for name in names}
    states = {
        name: (lg.handlers[:], lg.level, lg.propagate, lg.disabled) for name, lg in loggers.items()
    }
    yield
    root.handlers[:], level = saved
    root.setLevel(level)
    for name, (handlers, lvl, propagate, disabled) in states.items():
        lg = loggers[name]
        lg.handlers[:] = handlers
        lg.setLevel(lvl)
        lg.propagate, lg.disabled = propagate, disabled


@pytest.mark.usefixtures("restore_logging")
def test_configure_sends_every_logger_through_one_json_handler() -> None:
    stream = io.StringIO()
    configure("debug", stream)
    logging.getLogger("bot.x").info("reply_sent", extra={"event": "reply_sent", "pages": 1})
    logging.getLogger("uvicorn.error").info("Application startup complete.")
    logging.getLogger("uvicorn.access").info('127.0.0.1:5000 - "POST /sms/twilio?x=1" 200')
    logging.getLogger("httpx").info("HTTP Request: POST https://api.telegram.org/bot123:ABC/x")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(line["logger"], line["msg"]) for line in lines] == [
        ("bot.x", "reply_sent"),
        ("uvicorn.error", "Application startup complete."),
    ]
    assert logging.getLogger().level == logging.DEBUG
