"""`flow.mmd` draws exactly the transitions `bot.flow` makes, source states included."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.flow import TRANSITIONS, Event, FlowError, after, diagram
from bot.state import Position

DIAGRAM = Path(__file__).resolve().parents[2] / "bot" / "flow.mmd"
EDGE = re.compile(r"^\s*(\w+)\s*-->\s*(\w+)\s*:\s*(\w+)\s*$")


def _edges() -> set[tuple[str, str, str]]:
    lines = DIAGRAM.read_text().splitlines()
    return {(s, e, t) for line in lines if (m := EDGE.match(line)) for s, t, e in [m.groups()]}


def test_the_diagram_draws_every_transition_and_nothing_else() -> None:
    table = {(s.value, e.value, t.value) for (s, e), t in TRANSITIONS.items()}
    assert _edges() == table


def test_the_diagram_file_is_the_generated_one() -> None:
    assert DIAGRAM.read_text() == diagram()


def test_every_event_is_used_and_every_position_is_left() -> None:
    assert {e for _, e in TRANSITIONS} == set(Event)
    assert {s for s, _ in TRANSITIONS} == set(Position)


def test_a_move_the_flow_does_not_have_is_refused() -> None:
    with pytest.raises(FlowError):
        after(Position.MENU, Event.DELETE_CONFIRMED)
    with pytest.raises(FlowError):
        after(Position.CONFIRM_DELETE, Event.TOPIC_CHOSEN)


def test_a_pending_deletion_is_left_only_by_confirming_cancelling_or_asking_again() -> None:
    leaving = {e for s, e in TRANSITIONS if s is Position.CONFIRM_DELETE}
    assert leaving == {Event.DELETE_CONFIRMED, Event.DELETE_CANCELLED, Event.DELETE_ASKED}
