"""JSON-lines logging. Records carry ids and decisions, never text, numbers or chat ids.

Our own records put what they mean in `extra` fields (`event`, `topic`, `decision`, ...), chosen
at the call site. Libraries log free text; as a last line of defence, a record's message has any
Telegram bot token, and any run of seven or more digits (a phone number, a chat id), masked
before it is written.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from typing import Any, TextIO

# Attributes every LogRecord has; anything else was passed in `extra` and is logged as a field.
# `color_message` is uvicorn's coloured copy of the message.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "color_message",
}
_BOT_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")
_LONG_DIGITS = re.compile(r"\d{7,}")
MASK = "<digits>"
TOKEN_MASK = "<token>"

TIME_FORMAT = "%Y-%m-%dT%H:%M:%S"
# Built once: `json.dumps` with options builds a new encoder for every line.
_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str)

# Libraries that log request URLs (the Bot API's carry the token), bodies, or client addresses.
QUIET_LOGGERS = ("httpx", "httpcore", "telegram", "twilio", "hpack", "multipart")


def redact(text: str) -> str:
    return _LONG_DIGITS.sub(MASK, _BOT_TOKEN.sub(TOKEN_MASK, text))


class JsonLines(logging.Formatter):
    # The last second formatted and its text: every line within that second reuses it.
    _last: tuple[int, str] = (-1, "")

    def format(self, record: logging.LogRecord) -> str:
        second = int(record.created)
        last = self._last
        if last[0] != second:
            last = self._last = (second, self.formatTime(record, TIME_FORMAT))
        data: dict[str, Any] = {
            "ts": last[1],
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": redact(record.getMessage()),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                data[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            # The type only: a traceback's locals and messages can hold what a person typed.
            data["error"] = record.exc_info[0].__name__
        return _ENCODER.encode(data)


def configure(level: str = "INFO", stream: TextIO | None = None) -> None:
    """Every record, ours and the libraries', as one JSON line on stderr (or `stream`)."""
    # The JSON lines carry none of these; skipping them spares every call a stack walk.
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    # Nor the caller's file and line: without a source file, logging walks no frames.
    logging._srcfile = None
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonLines())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in QUIET_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # uvicorn logs through the root handler; its access log (paths with query strings, client
    # addresses) is off, and stays off even if someone turns it on in uvicorn's settings.
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    access = logging.getLogger("uvicorn.access")
    access.handlers.clear()
    access.propagate = False
    access.disabled = True
