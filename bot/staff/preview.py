"""The web preview: NGO staff talk to the bot in a browser, shown as SMS, Telegram or WhatsApp.

`GET /preview` is a one-page chat, with the last 30 days' use and the unanswered questions
below it (`bot.staff.usage_panel`); `POST /preview/message` turns its JSON into an `Inbound` and
the `Reply` into what each medium would send (SMS pages with their encoding and segments,
Telegram HTML with buttons, WhatsApp text). Staff only, by the same rule as `/admin/*` (see
`bot.admin_auth`), checked before the body is read; the body is bounded by `bot.body_limit`.
Each browser tab is its own pseudonymous person; nothing here is counted in the metrics.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import secrets
from typing import Annotated, Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field, ValidationError

from bot.channel_status import ChannelStatus
from bot.i18n import display_name
from bot.messages import Channel, Inbound, Reply
from bot.rendering import render_sms_pages, render_telegram, render_whatsapp_text
from bot.runtime import Runtime
from bot.staff.usage_panel import usage_panel_html
from bot.web_deps import AdminDep, RuntimeDep

ROUTE = "/preview"
MEDIA = {"sms": Channel.SMS, "telegram": Channel.TELEGRAM, "whatsapp": Channel.WHATSAPP}


class PreviewMessage(BaseModel):
    session: Annotated[str, Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
    channel: Annotated[str, Field(pattern=r"^(sms|telegram|whatsapp)$")] = "sms"
    text: Annotated[str, Field(max_length=2000)] = ""
    option_id: Annotated[str | None, Field(max_length=64)] = None
    lang: Annotated[str | None, Field(max_length=20)] = None
    country: Annotated[str | None, Field(pattern=r"^[A-Za-z]{2}$")] = None


def rendered(reply: Reply | None, channel: Channel) -> dict[str, Any]:
    """What the medium would send, as data the page can draw."""
    if reply is None:
        return {"silent": True, "messages": []}
    if channel is Channel.SMS:
        messages: list[dict[str, Any]] = [
            {
                "text": page.text,
                "encoding": str(page.measure.encoding),
                "segments": page.measure.segments,
            }
            for page in render_sms_pages(reply)
        ]
    elif channel is Channel.WHATSAPP:
        messages = [{"text": text} for text in render_whatsapp_text(reply)]
    else:
        messages = [
            {
                "html": message.html,
                "buttons": [
                    [{"label": b.label, "data": b.data} for b in row] for row in message.buttons
                ],
            }
            for message in render_telegram(reply)
        ]
    return {"silent": False, "urgent": reply.urgent, "rtl": reply.rtl, "messages": messages}


def page_html(runtime: Runtime) -> str:
    """The page for one new browser tab. Blocking (store reads): call it off the event loop."""
    languages = runtime.conversation.ui_languages(runtime.knowledge())
    choices = "".join(
        f'<option value="{html.escape(lang)}">{html.escape(display_name(lang))} ({lang})</option>'
        for lang in languages
    )
    today = dt.datetime.now(dt.UTC).date()
    fills = {
        "session": secrets.token_urlsafe(12),
        "languages": choices,
        "panel": usage_panel_html(runtime.store, runtime.settings, today),
    }
    # One pass: what one fill inserts is never read for another's placeholder.
    return re.sub(r"\{(session|languages|panel)\}", lambda m: fills[m[1]], PAGE)


def mount(app: FastAPI, runtime: Runtime) -> ChannelStatus:
    @app.get(ROUTE, include_in_schema=False)
    async def preview_page(runtime: RuntimeDep, _admin: AdminDep) -> HTMLResponse:
        return HTMLResponse(await runtime.call(page_html, runtime))

    @app.post(f"{ROUTE}/message", include_in_schema=False)
    async def preview_message(request: Request, runtime: RuntimeDep, _admin: AdminDep) -> Response:
        # The body is read here, not declared as a parameter: FastAPI parses declared bodies
        # before it runs any dependency, so a caller without the token would be parsed first.
        try:
            message = PreviewMessage.model_validate_json(await request.body())
        except ValidationError as error:
            return JSONResponse(
                {"detail": error.errors(include_url=False, include_input=False)}, status_code=422
            )
        channel = MEDIA[message.channel]
        inbound = Inbound(
            channel,
            runtime.user_key("preview", message.session),
            message.text,
            language_hint=message.lang,
            country_hint=message.country.upper() if message.country else None,
            option_id=message.option_id,
            is_preview=True,
        )
        reply = await runtime.call(runtime.conversation.handle, inbound)
        return JSONResponse(rendered(reply, channel))

    return ChannelStatus("preview", True, f"web preview at {ROUTE} (staff only: see /admin rules)")


PAGE = r"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>gfmd-bot preview</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;max-width:42rem;margin:1rem auto;padding:0 1rem}
#usage svg{max-width:100%;height:auto}#gaps pre{white-space:pre-wrap}
#log div{margin:.5rem 0;padding:.5rem;border-radius:.5rem;white-space:pre-wrap}
.me{background:#dcf8c6;text-align:right}.bot{background:#f1f1f1}.meta{color:#666;font-size:.8rem}
button.opt{margin:.2rem}form{display:flex;gap:.5rem}input[name=text]{flex:1}
</style></head><body>
<h1>gfmd-bot preview</h1>
<p>Talk to the bot as a person would. SMS pages show their encoding and segments.</p>
<label>Medium <select id="channel"><option value="sms">SMS</option>
<option value="telegram">Telegram</option><option value="whatsapp">WhatsApp</option></select>
</label>
<label>Language hint <select id="lang"><option value="">(none)</option>{languages}</select>
</label>
<label>Country <input id="country" size="3" placeholder="AE"></label>
<div id="log"></div>
<form id="f"><input name="text" autocomplete="off" placeholder="Type a message">
<button>Send</button></form>
{panel}
<script>
const session = "{session}";
const log = document.getElementById("log");
function add(cls, text, asHtml) {
  const d = document.createElement("div"); d.className = cls;
  if (asHtml) d.innerHTML = text; else d.textContent = text;
  log.appendChild(d); return d;
}
async function send(text, option) {
  if (text) add("me", text).dir = "auto";
  const body = {session, text: text || "", option_id: option || null,
    channel: document.getElementById("channel").value,
    lang: document.getElementById("lang").value || null,
    country: document.getElementById("country").value || null};
  const url = location.pathname.replace(/\/$/, "") + "/message";
  const r = await fetch(url, {method: "POST",
    headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
  const data = await r.json();
  if (data.silent) { add("meta", "(no reply: opted out)"); return; }
  for (const m of data.messages) {
    const d = add("bot", m.html !== undefined ? m.html : m.text, m.html !== undefined);
    if (data.rtl) d.dir = "rtl";  // Urdu and Arabic: right to left, numbered lines too
    if (m.segments) add("meta", m.encoding + ", " + m.segments + " segment(s)");
    for (const row of (m.buttons || [])) for (const b of row) {
      const btn = document.createElement("button"); btn.className = "opt";
      btn.textContent = b.label; btn.onclick = () => send("", b.data); d.appendChild(btn);
    }
  }
}
document.getElementById("f").onsubmit = (e) => {
  e.preventDefault(); const t = e.target.text.value; e.target.text.value = ""; send(t);
};
</script></body></html>
"""
