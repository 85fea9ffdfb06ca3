"""Telegram: python-telegram-bot behind our FastAPI webhook, and long polling for local use.

`POST /telegram/webhook` (`webhook`) checks the secret token, stores the update in the durable
inbox and answers 200; the handlers (`handlers`) turn each stored update into one `Delivery`
for the intake (`bot.intake`: rate limit, opt-out gate, conversation, fallback, in one
transaction) and send the `Reply` rendered as HTML with inline buttons (`sending`). Updates of
one chat are handled one at a time and in order; different chats run concurrently.

With no TELEGRAM_BOT_TOKEN the channel is off and `/telegram/webhook` answers 404. With a token
but no TELEGRAM_SECRET_TOKEN every webhook call is refused with 403.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse, Response

from bot.channel_status import ChannelStatus
from bot.channels.telegram.commands import (
    ALLOWED_UPDATES,
    SECRET_FORMAT,
    WEBHOOK_PATH,
    poll,
    poll_command,
    set_webhook_command,
    webhook_url,
)
from bot.channels.telegram.handlers import NAME
from bot.channels.telegram.webhook import SECRET_HEADER, TelegramWebhook, refused
from bot.runtime import Runtime

__all__ = [
    "ALLOWED_UPDATES",
    "SECRET_HEADER",
    "WEBHOOK_PATH",
    "mount",
    "poll",
    "poll_command",
    "set_webhook_command",
    "webhook_url",
]


def mount(app: FastAPI, runtime: Runtime) -> ChannelStatus:
    settings = runtime.settings
    router = APIRouter()
    if not settings.telegram_bot_token:

        @router.post(WEBHOOK_PATH)
        async def refuse_while_telegram_is_off() -> Response:
            detail = "telegram channel is off: TELEGRAM_BOT_TOKEN is not set"
            return JSONResponse({"detail": detail}, status_code=404)

        app.include_router(router)
        return ChannelStatus(NAME, False, "TELEGRAM_BOT_TOKEN is not set: Telegram is off")

    secret = settings.telegram_secret_token or ""
    if not SECRET_FORMAT.match(secret):
        why = (
            "TELEGRAM_SECRET_TOKEN is not set"
            if not secret
            else "TELEGRAM_SECRET_TOKEN has characters Telegram refuses (A-Z a-z 0-9 _ - only)"
        )

        @router.post(WEBHOOK_PATH)
        async def refuse_telegram_update() -> Response:
            return refused(runtime, why)

        app.include_router(router)
        return ChannelStatus(NAME, False, f"{why}: every webhook call is refused (403)")

    webhook = TelegramWebhook(runtime, secret, settings.gfmd_telegram_max_in_flight)
    router.add_api_route(
        WEBHOOK_PATH, webhook.receive, methods=["POST"], name="receive_telegram_update"
    )
    app.include_router(router)
    return ChannelStatus(NAME, True, f"webhook at {WEBHOOK_PATH}", lifespan=webhook.lifespan)
