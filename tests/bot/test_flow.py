"""`flow.mmd` draws exactly the transitions `bot.flow` makes."""

from __future__ import annotations

import re
from pathlib import Path

from bot.flow import BACK, TRANSITIONS, Event, back_from
from bot.state import Position

DIAGRAM = Path(__file__).resolve().parents[2] / "bot" / "flow.mmd"
EDGE = re.compile(r"^\s*(\[\*\]|\w+)\s*-->\s*(\w+)\s*:\s*(\w+)\s*$")


def _edges() -> list[tuple[str, str, str]]:
    return [m.groups() for line in DIAGRAM.read_text().splitlines() if (m := EDGE.match(line))]


def test_every_edge_in_the_diagram_is_a_real_transition() -> None:
    edges = _edges()
    assert edges
    for source, target, label in edges:
        if label == "back":
            assert back_from(Position(source), has_category=True).value == target, label
        else:
            assert TRANSITIONS[Event(label)].value == target, (source, label)


def test_every_transition_and_back_step_is_drawn() -> None:
    drawn = {label for _, _, label in _edges()}
    assert {event.value for event in TRANSITIONS} <= drawn
    back_sources = {source for source, _, label in _edges() if label == "back"}
    assert {p.value for p in BACK} - {"new"} <= back_sources | {"new"}
