"""`gfmd-bot chat`: the conversation in a terminal, rendered exactly as a channel renders it.

What a channel does before the conversation is played here too: on Telegram `/start` is the
start button (the greeting and the language menu for a new person) and `/menu` a command; on SMS
a word the provider answers itself (Twilio's STOP, HELP...) gets nothing from the bot.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TextIO

from bot.intake import Delivery, Outcome
from bot.messages import Channel, Inbound
from bot.rendering import RIGHT_TO_LEFT_MARK, render_terminal
from bot.runtime import build_runtime
from bot.settings import Settings
from bot.turn import START_OPTION

TERMINAL_USER = "terminal:local"
# What the preview adds under an SMS page or a WhatsApp message: "[ucs2, 3 segments]".
_ANNOTATION = re.compile(r"^\[(?:gsm7|ucs2), \d+ segments?\]$|^\[\d+ chars\]$")
PROVIDER_ANSWERS = "(Twilio replies to this word itself; the bot sends nothing)"
# The provider's own keywords (for SMS, `bot.channels.sms.is_twilio_keyword`): the CLI passes
# them in, since nothing outside the web app and the CLI may import a channel.
ProviderKeyword = Callable[[Channel, str], bool]


def _none(channel: Channel, text: str) -> bool:
    return False


def run_chat(
    settings: Settings,
    channel_name: str,
    lang: str | None,
    country: str | None,
    stdin: TextIO,
    stdout: TextIO,
    provider_keyword: ProviderKeyword = _none,
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
            text, option = telegram_command(text) if channel is Channel.TELEGRAM else (text, None)
            inbound = Inbound(
                channel, key, text, language_hint=lang, country_hint=country, option_id=option
            )
            delivery = Delivery(inbound, provider_answers=provider_keyword(channel, text))
            stdout.write(shown(runtime.intake.receive(delivery), channel) + "\n> ")
            stdout.flush()
    finally:
        runtime.close()
    stdout.write("\n")
    return 0


def telegram_command(text: str) -> tuple[str, str | None]:
    """A typed command as the Telegram channel hands it on: `/start` is the start button,
    `/menu` the word "menu" (deep links, `/start es`, are left to the channel)."""
    if not text.startswith("/"):
        return text, None
    name = text[1:].split()[0].split("@")[0].lower() if text[1:].strip() else ""
    return ("", START_OPTION) if name == "start" else (name or "help", None)


def shown(outcome: Outcome, channel: Channel) -> str:
    reply = outcome.reply
    if reply is None:
        if outcome.decision == "provider_keyword":
            return PROVIDER_ANSWERS
        return f"(no reply: {outcome.decision})"
    text = render_terminal(reply, channel)
    return right_to_left(text) if reply.rtl else text


def right_to_left(text: str) -> str:
    """Each line right-aligned and led by U+200F, so that Urdu and Arabic read right to left in
    a terminal that lays out bidirectional text, and line up on the right in one that does not."""
    lines = text.split("\n")
    width = max((len(line) for line in lines if not _ANNOTATION.match(line)), default=0)
    return "\n".join(
        line if not line or _ANNOTATION.match(line) else RIGHT_TO_LEFT_MARK + line.rjust(width)
        for line in lines
    )
