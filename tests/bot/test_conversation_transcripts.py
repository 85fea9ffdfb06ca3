"""Whole conversations, written as data (tests/bot/transcripts/*.yaml), played over SMS.

A turn sends text (`send`) or the number the last reply gave an option (`choose`), then checks
what the person reads (`expect`, `options_include`) and, optionally, the reply's `language`,
`urgent` and `rtl`; every reply fits one SMS page (two when urgent) of at most 3 segments."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.conversation import Conversation
from bot.i18n import Catalogs
from bot.messages import Channel, Inbound, Reply
from bot.rendering import render_sms_pages
from bot.state_store import open_store
from gfmd_info.knowledge import Knowledge

TRANSCRIPTS = Path(__file__).parent / "transcripts"
MORE_LIMIT = 20


def _plain(text: str) -> str:
    """Compare without accents: SMS transliterates some of them away."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass
class Player:
    conversation: Conversation
    channel: Channel
    country: str | None
    last: Reply | None = None

    def send(self, text: str) -> Reply | None:
        inbound = Inbound(self.channel, "transcript-user", text, country_hint=self.country)
        self.last = self.conversation.handle(inbound)
        return self.last

    def number_of(self, option_id: str) -> str:
        assert self.last is not None, "no reply to choose from"
        ids = [option.id for option in self.last.options]
        assert option_id in ids, f"{option_id} not offered; offered {ids}"
        return str(ids.index(option_id) + 1)


def _rendered(reply: Reply) -> str:
    pages = render_sms_pages(reply)
    allowed = 2 if reply.urgent else 1
    assert len(pages) <= allowed, [p.text for p in pages]
    assert all(page.measure.segments <= 3 for page in pages)
    return _plain("\n".join(page.text for page in pages))


def _check(turn: dict[str, Any], reply: Reply | None, where: str) -> None:
    if turn.get("silent"):
        assert reply is None, where
        return
    assert reply is not None, where
    shown = _rendered(reply)
    for fragment in turn.get("expect", []):
        assert _plain(fragment) in shown, f"{where}: {fragment!r} not in {shown!r}"
    offered = {option.id for option in reply.options}
    for option_id in turn.get("options_include", []):
        assert option_id in offered, f"{where}: {option_id} not in {offered}"
    for key in ("urgent", "rtl", "language"):
        if key in turn:
            assert getattr(reply, key) == turn[key], f"{where}: {key} is {getattr(reply, key)!r}"


@pytest.mark.parametrize("path", sorted(TRANSCRIPTS.glob("*.yaml")), ids=lambda p: p.stem)
def test_transcript_plays_through(
    path: Path, knowledge: Knowledge, catalogs: Catalogs, tmp_path: Path
) -> None:
    script = yaml.safe_load(path.read_text(encoding="utf-8"))
    store = open_store(f"sqlite:///{tmp_path}/state.sqlite3")
    conversation = Conversation(lambda: knowledge, catalogs, store)
    player = Player(conversation, Channel(script["channel"]), script.get("country"))
    try:
        for number, turn in enumerate(script["turns"], start=1):
            where = f"{path.name} turn {number}"
            if "more_to_end" in turn:
                _more_to_end(player, turn, where)
                continue
            text = player.number_of(turn["choose"]) if "choose" in turn else turn["send"]
            _check(turn, player.send(text), where)
    finally:
        store.close()


def _more_to_end(player: Player, turn: dict[str, Any], where: str) -> None:
    for _ in range(MORE_LIMIT):
        reply = player.send(turn["more_to_end"])
        assert reply is not None, where
        if _plain(turn["end"]) in _rendered(reply):
            return
    pytest.fail(f"{where}: MORE never reached {turn['end']!r}")
