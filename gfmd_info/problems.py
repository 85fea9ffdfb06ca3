"""What is wrong with the content, said so that an NGO editor can act on it.

Every problem names its file, line and field (`path:line: field: message`); pydantic's errors
are put into plain words here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from gfmd_info.content_model import SECTION_REF_PATTERN, TOPIC_ID_PATTERN

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one file, at one line (``None`` when unknown) and field."""

    path: str
    line: int | None
    field: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        line = "?" if self.line is None else str(self.line)
        return f"{self.path}:{line}: {self.field}: {self.message}"


def errors_first(problems: Sequence[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: p.severity != "error")


class ContentError(Exception):
    """The content cannot be served; ``problems`` lists every problem found, errors first."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(errors_first(problems))
        errors = [p for p in self.problems if p.severity == "error"]
        super().__init__(f"{len(errors)} content error(s):\n" + "\n".join(map(str, errors)))


def field_name(loc: Sequence[str | int]) -> str:
    """``("topics", 3, "related", 1)`` -> ``topics[3].related[1]``."""
    name = ""
    for part in loc:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or "file"


def listing(names: Sequence[str]) -> str:
    return ", ".join(f"`{name}`" for name in names)


PATTERN_MESSAGES = {
    TOPIC_ID_PATTERN: "must be a lowercase id like `unpaid-wages`",
    SECTION_REF_PATTERN: "must be a report section: I.A, I.B, I.C.1 to I.C.12, or II",
    r"^[A-Z]{2}$": "must be a two-letter ISO country code in capitals, like AE",
    r"^[0-9a-f]{16}$": "must be 16 hex characters: run `gfmd-bot content stamp LANG`",
    r"^[0-9]{2,4}$": 'must be 2 to 4 digits, in quotes, like "112"',
    r"^https://[^\s]+$": "must be a website address starting with https://",
}
LENGTH_HINTS = {
    "title": " (a menu line and a Telegram button)",
    "text": " (split it into two sections)",
}


def describe(detail: ErrorDetails, model: type[BaseModel] | None = None) -> str:
    """A pydantic error in words an editor can act on."""
    kind = detail["type"]
    ctx = detail.get("ctx", {})
    value = detail.get("input")
    last = detail["loc"][-1] if detail["loc"] else ""
    if kind == "missing":
        return "is missing"
    if kind == "extra_forbidden":
        if model is not None:
            return f"unknown field; allowed here: {listing(list(model.model_fields))}"
        return "unknown field (check its spelling and indentation)"
    if kind == "string_too_long" and isinstance(value, str):
        hint = LENGTH_HINTS.get(str(last), "")
        return f"is {len(value.strip())} characters; at most {ctx['max_length']}{hint}"
    if kind == "string_too_short":
        return "is empty"
    if kind == "too_short":
        return f"has {ctx.get('actual_length')} items; at least {ctx.get('min_length')}"
    if kind == "string_pattern_mismatch":
        wanted = PATTERN_MESSAGES.get(str(ctx.get("pattern")), detail["msg"])
        return f"{value!r} {wanted}"
    if kind == "string_type" and isinstance(value, int | float):
        return f"{value!r} must be text: put it in quotes"
    if kind == "value_error":
        return str(ctx.get("error", detail["msg"]))
    return detail["msg"]
