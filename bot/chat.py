"""`gfmd-bot chat`: the conversation in a terminal, rendered exactly as a channel renders it."""

from __future__ import annotations

from typing import TextIO

from bot.intake import Delivery
from bot.messages import Channel, Inbound
from bot.rendering import render_terminal
from bot.runtime import build_runtime
from bot.settings import Settings

TERMINAL_USER = "terminal:local"


def run_chat(
    settings: Settings,
    channel_name: str,
    lang: str | None,
    country: str | None,
    stdin: TextIO,
    stdout: TextIO,
) -> int:
    runtime = build_runtime(settings)
    channel = Channel(channel_name)
    key = runtime.user_key(channel, TERMINAL_USER)
    stdout.write(f"gfmd-bot chat as {channel} (empty line or Ctrl-D to end)\n> ")
    stdout.flush()
    try:
        for line in stdin:
            text = line.rstrip("\n")
            if not text:
                break
            inbound = Inbound(channel, key, text, language_hint=lang, country_hint=country)
            outcome = runtime.intake.receive(Delivery(inbound))
            reply = outcome.reply
            shown = (
                f"(no reply: {outcome.decision})"
                if reply is None
                else render_terminal(reply, channel)
            )
            stdout.write(shown + "\n")
            stdout.write("> ")
            stdout.flush()
    finally:
        runtime.close()
    stdout.write("\n")
    return 0
