"""What one message is, read once: a button, a typed number, a control word, or text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.control_words import Control
from bot.messages import Inbound
from bot.numbers import typed_choice


@dataclass(frozen=True)
class Message:
    """What one message is, read once: a button, a typed number, a control word or text."""

    inbound: Inbound
    is_new: bool
    option: str | None
    number: int | None
    control: Control | None

    @property
    def text(self) -> str:
        return self.inbound.text or ""

    @property
    def free_text(self) -> bool:
        return self.option is None and self.number is None and self.control is None


def read_message(
    inbound: Inbound, is_new: bool, recognise: Callable[[str], Control | None]
) -> Message:
    """A button is only a button; a control word is never read as a number or a question."""
    option = inbound.option_id
    control = None if option else recognise(inbound.text or "")
    number = None if option or control else typed_choice(inbound.text or "")
    return Message(inbound, is_new, option, number, control)
