"""Every transition of the conversation in one place; `flow.mmd` beside it draws the same table.

A test reads `flow.mmd` and checks it against `TRANSITIONS` and `BACK`, so the two change together.
"""

from __future__ import annotations

from enum import StrEnum

from bot.state import Position


class Event(StrEnum):
    FIRST_CONTACT = "first_contact"
    ASK_LANGUAGE = "ask_language"
    LANGUAGE_CHOSEN = "language_chosen"
    MENU = "menu"
    CATEGORY_CHOSEN = "category_chosen"
    TOPIC_CHOSEN = "topic_chosen"
    MORE = "more"
    AMBIGUOUS = "ambiguous"
    NOT_UNDERSTOOD = "not_understood"
    DELETE_ASKED = "delete_asked"
    DELETE_CANCELLED = "delete_cancelled"
    DELETE_CONFIRMED = "delete_confirmed"


# The position an event leads to, from any position.
TRANSITIONS: dict[Event, Position] = {
    Event.FIRST_CONTACT: Position.LANGUAGE,
    Event.ASK_LANGUAGE: Position.LANGUAGE,
    Event.LANGUAGE_CHOSEN: Position.MENU,
    Event.MENU: Position.MENU,
    Event.CATEGORY_CHOSEN: Position.CATEGORY,
    Event.TOPIC_CHOSEN: Position.TOPIC,
    Event.MORE: Position.TOPIC,
    Event.AMBIGUOUS: Position.CHOICE,
    Event.NOT_UNDERSTOOD: Position.MENU,
    Event.DELETE_ASKED: Position.CONFIRM_DELETE,
    Event.DELETE_CANCELLED: Position.MENU,
    Event.DELETE_CONFIRMED: Position.NEW,
}

# Where BACK leads from each position (a topic reached from a category goes back to it).
BACK: dict[Position, Position] = {
    Position.NEW: Position.MENU,
    Position.LANGUAGE: Position.MENU,
    Position.MENU: Position.MENU,
    Position.CATEGORY: Position.MENU,
    Position.TOPIC: Position.CATEGORY,
    Position.CHOICE: Position.MENU,
    Position.CONFIRM_DELETE: Position.MENU,
}


def after(event: Event) -> Position:
    return TRANSITIONS[event]


def back_from(position: Position, has_category: bool) -> Position:
    target = BACK[position]
    if target is Position.CATEGORY and not has_category:
        return Position.MENU
    return target
