"""A person talking to the conversation, for tests: what they send and what they read."""

from __future__ import annotations

from dataclasses import dataclass

from bot.conversation import Conversation
from bot.messages import BlockKind, Channel, Inbound, Reply
from bot.rendering import render_terminal
from bot.state import UserState
from bot.state_store import SqlStore


@dataclass
class Person:
    conversation: Conversation
    store: SqlStore
    user: str = "u1"
    channel: Channel = Channel.SMS
    country: str | None = None
    hint: str | None = None

    def send(self, text: str = "", option: str | None = None) -> Reply | None:
        inbound = Inbound(
            self.channel,
            self.user,
            text,
            language_hint=self.hint,
            country_hint=self.country,
            option_id=option,
        )
        return self.conversation.handle(inbound)

    def say(self, text: str = "", option: str | None = None) -> Reply:
        reply = self.send(text, option)
        assert reply is not None, f"no reply to {text or option!r}"
        return reply

    @property
    def state(self) -> UserState | None:
        return self.store.load(self.user)


def shown(reply: Reply) -> str:
    return render_terminal(reply, Channel.TELEGRAM)


def blocks(reply: Reply, kind: BlockKind) -> list[str]:
    return [b.text for b in reply.blocks if b.kind is kind]
