"""`gfmd-bot chat`: the conversation in a terminal, rendered exactly as a channel renders it."""

from __future__ import annotations

from typing import TextIO

from bot.messages import Channel, Inbound, Reply
from bot.rendering import render_sms_pages, render_telegram, render_whatsapp_text
from bot.runtime import build_runtime
from bot.settings import Settings

TERMINAL_USER = "terminal:local"


def render_for(reply: Reply, channel: Channel) -> str:
    if channel is Channel.SMS:
        pages = render_sms_pages(reply)
        return "\n".join(
            f"{page.text}\n  [page {n}/{len(pages)}: {page.measure.encoding}, "
            f"{page.measure.segments} segment(s)]"
            for n, page in enumerate(pages, 1)
        )
    if channel is Channel.WHATSAPP:
        return "\n---\n".join(render_whatsapp_text(reply))
    out = []
    for message in render_telegram(reply):
        out.append(message.html)
        for row in message.buttons:
            out.append("  " + "  ".join(f"[{b.label}]" for b in row))
    return "\n".join(out)


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
            reply = runtime.conversation.handle(
                Inbound(channel, key, text, language_hint=lang, country_hint=country)
            )
            shown = "(no reply: opted out)" if reply is None else render_for(reply, channel)
            stdout.write(shown + "\n")
            stdout.write("> ")
            stdout.flush()
    finally:
        runtime.close()
    stdout.write("\n")
    return 0
