"""What the bot remembers about one person, keyed by a pseudonymous key. Never message text."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from typing import Any


class Position(StrEnum):
    """Where a person is in the conversation; transitions live in `bot.flow`."""

    NEW = "new"
    LANGUAGE = "language"
    MENU = "menu"
    CATEGORY = "category"
    TOPIC = "topic"
    CHOICE = "choice"
    CONFIRM_DELETE = "confirm_delete"


@dataclass(frozen=True)
class UserState:
    language: str | None = None
    country: str | None = None
    position: Position = Position.NEW
    category: str | None = None
    topic: str | None = None
    page: int = 0
    urgent: bool = False
    # Option ids last offered, so that a typed number means the same as a button.
    options: tuple[str, ...] = ()
    opted_out: bool = False
    disclaimer_shown: bool = False
    last_seen: dt.date = field(default_factory=lambda: dt.datetime.now(dt.UTC).date())

    def update(self, **changes: Any) -> UserState:
        return replace(self, **changes)

    def to_json(self) -> str:
        data = {name: getattr(self, name) for name in _FIELDS}
        data["position"] = str(self.position)
        data["options"] = list(self.options)
        data["last_seen"] = self.last_seen.isoformat()
        return _ENCODER.encode(data)

    @classmethod
    def from_json(cls, raw: str) -> UserState:
        data = json.loads(raw)
        data = {k: v for k, v in data.items() if k in _KNOWN}
        data["position"] = Position(data.get("position", Position.NEW))
        data["options"] = tuple(data.get("options", ()))
        if "last_seen" in data:
            data["last_seen"] = dt.date.fromisoformat(data["last_seen"])
        return cls(**data)


# Read once: `fields()` and `json.dumps` with options rebuild these on every call.
_FIELDS = tuple(f.name for f in fields(UserState))
_KNOWN = frozenset(_FIELDS)
_ENCODER = json.JSONEncoder(separators=(",", ":"))
