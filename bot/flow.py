"""Every transition of the conversation: (position, event) -> position, sources included.

`bot.turn` moves a person only through `after`, which refuses a pair missing from
`TRANSITIONS`; `flow.mmd` beside it draws exactly this table, and a test checks both ways.
STOP and START change only the opted-out flag; HELP, PRIVACY, thanks and a number not on
the list answer in place (`stay`).
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
    PAGE_CHOSEN = "page_chosen"
    NO_MORE = "no_more"
    BACK = "back"
    AMBIGUOUS = "ambiguous"
    NOT_UNDERSTOOD = "not_understood"
    STAY = "stay"
    DELETE_ASKED = "delete_asked"
    DELETE_CANCELLED = "delete_cancelled"
    DELETE_CONFIRMED = "delete_confirmed"


class FlowError(LookupError):
    """A move the flow does not have: a bug in a handler, caught by the property test."""


# Where a person can be between messages, outside a pending deletion.
OPEN = (
    Position.NEW,
    Position.LANGUAGE,
    Position.MENU,
    Position.CATEGORY,
    Position.TOPIC,
    Position.CHOICE,
)

# Where BACK leads from each open position (a topic without a category goes to the menu).
BACK: dict[Position, Position] = {
    Position.NEW: Position.MENU,
    Position.LANGUAGE: Position.MENU,
    Position.MENU: Position.MENU,
    Position.CATEGORY: Position.MENU,
    Position.TOPIC: Position.CATEGORY,
    Position.CHOICE: Position.MENU,
}

_FROM_ANY_OPEN: dict[Event, Position] = {
    Event.ASK_LANGUAGE: Position.LANGUAGE,
    Event.LANGUAGE_CHOSEN: Position.MENU,
    Event.MENU: Position.MENU,
    Event.CATEGORY_CHOSEN: Position.CATEGORY,
    Event.TOPIC_CHOSEN: Position.TOPIC,
    Event.PAGE_CHOSEN: Position.TOPIC,
    Event.NO_MORE: Position.MENU,
    Event.AMBIGUOUS: Position.CHOICE,
    Event.NOT_UNDERSTOOD: Position.MENU,
    Event.DELETE_ASKED: Position.CONFIRM_DELETE,
}


def _table() -> dict[tuple[Position, Event], Position]:
    table: dict[tuple[Position, Event], Position] = {}
    for source in OPEN:
        for event, target in _FROM_ANY_OPEN.items():
            table[source, event] = target
        table[source, Event.BACK] = BACK[source]
        table[source, Event.STAY] = source
    table[Position.NEW, Event.FIRST_CONTACT] = Position.LANGUAGE
    table[Position.TOPIC, Event.MORE] = Position.TOPIC
    table[Position.CONFIRM_DELETE, Event.DELETE_ASKED] = Position.CONFIRM_DELETE
    table[Position.CONFIRM_DELETE, Event.DELETE_CONFIRMED] = Position.NEW
    table[Position.CONFIRM_DELETE, Event.DELETE_CANCELLED] = Position.MENU
    return table


TRANSITIONS: dict[tuple[Position, Event], Position] = _table()


def after(source: Position, event: Event) -> Position:
    try:
        return TRANSITIONS[source, event]
    except KeyError:
        raise FlowError(f"no transition {event} from {source}") from None


def diagram() -> str:
    """`flow.mmd` as it must read: one line per transition, in the table's order."""
    lines = [
        "%% The conversation's positions and transitions: bot/flow.py TRANSITIONS, drawn.",
        "%% Regenerate with: python -c 'import bot.flow as f; print(f.diagram(), end=\"\")'",
        "stateDiagram-v2",
        "    [*] --> new",
    ]
    lines += [f"    {s} --> {t}: {e}" for (s, e), t in TRANSITIONS.items()]
    return "\n".join(lines) + "\n"
