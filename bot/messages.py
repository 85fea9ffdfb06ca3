"""What a channel hands the conversation (`Inbound`) and what it gets back (`Reply`).

Both are channel-neutral: a channel turns its provider's request into an `Inbound`, and a
`Reply` into its medium. Provider quirks never pass this point.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Channel(StrEnum):
    SMS = "sms"
    WHATSAPP = "whatsapp"
    TELEGRAM = "telegram"
    TERMINAL = "terminal"


@dataclass(frozen=True)
class Inbound:
    """One message from one person. `user_key` is an HMAC, never the phone number or chat id."""

    channel: Channel
    user_key: str
    text: str
    language_hint: str | None = None
    country_hint: str | None = None
    # A button press carries the option id it was given (Telegram callback data), not typed text.
    option_id: str | None = None
    # Staff trying the bot in the web preview: nothing is recorded as a real question.
    is_preview: bool = False


class BlockKind(StrEnum):
    URGENT = "urgent"
    TITLE = "title"
    TEXT = "text"
    HEADING = "heading"
    NOTICE = "notice"
    PROMPT = "prompt"


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str


@dataclass(frozen=True)
class Option:
    """A numbered choice; `id` is stable and short (Telegram callback data: <= 64 bytes)."""

    id: str
    label: str


@dataclass(frozen=True)
class Reply:
    blocks: tuple[Block, ...]
    options: tuple[Option, ...] = ()
    urgent: bool = False
    language: str = "en"
    # Right-to-left script (Arabic, Urdu): renderers mark it so clients lay it out properly.
    rtl: bool = False
    # Localised hint such as "Reply MORE for more": channels that page append it.
    more_hint: str = ""
    # Localised lead-in for numbered options on text channels, e.g. "Reply with a number:".
    options_prompt: str = ""
    # Options a row where a channel lays them out in rows (Telegram buttons); 0: its own layout.
    options_per_row: int = 0
    # What the reply answers, for metrics and logs: a topic id and how it was reached
    # ("answer", "ambiguous", "none", "emergency", "menu", "control"...). Never user text.
    topic: str | None = None
    decision: str = "control"
    # The language the message answered was written in, when it could be told ("-" if not);
    # `language` is the one answered in.
    lang_written: str = "-"
