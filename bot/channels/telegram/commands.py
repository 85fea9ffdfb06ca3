"""`gfmd-bot telegram set-webhook` and `gfmd-bot telegram poll`."""

from __future__ import annotations

import asyncio
import logging
import re
import signal

from telegram import Bot
from telegram.error import TelegramError

from bot.channels.telegram.application import api_urls, build_application
from bot.i18n import CatalogError
from bot.runtime import build_runtime, problem_lines
from bot.settings import Settings, SettingsError
from gfmd_info.problems import ContentError

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
# Only what the handlers use: Telegram sends nothing else.
ALLOWED_UPDATES = ("message", "callback_query")
SECRET_FORMAT = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def _describe(error: Exception, settings: Settings) -> str:
    """An error for the terminal, never with the token (network errors can quote the URL)."""
    text = f"{type(error).__name__}: {error}"
    token = settings.telegram_bot_token
    return text.replace(token, "<token>") if token else text


def webhook_url(settings: Settings) -> str | None:
    public = settings.gfmd_bot_public_url
    return public.rstrip("/") + WEBHOOK_PATH if public else None


def set_webhook_command(settings: Settings, drop_pending_updates: bool) -> int:
    """`gfmd-bot telegram set-webhook`: register our URL, secret and update kinds."""
    url = webhook_url(settings)
    secret = settings.telegram_secret_token or ""
    problems = [
        *([] if settings.telegram_bot_token else ["TELEGRAM_BOT_TOKEN is not set"]),
        *([] if url else ["GFMD_BOT_PUBLIC_URL is not set"]),
        *([] if not url or url.startswith("https://") else ["GFMD_BOT_PUBLIC_URL must be https"]),
        *(
            []
            if SECRET_FORMAT.match(secret)
            else ["TELEGRAM_SECRET_TOKEN must be 1-256 characters of A-Z a-z 0-9 _ -"]
        ),
    ]
    if problems or url is None:
        for problem in problems:
            print(f"gfmd-bot telegram set-webhook: {problem}")
        return 2
    base_url, base_file_url = api_urls(settings)

    async def register() -> None:
        token = settings.telegram_bot_token or ""
        async with Bot(token, base_url=base_url, base_file_url=base_file_url) as bot:
            await bot.set_webhook(
                url=url,
                secret_token=secret,
                allowed_updates=list(ALLOWED_UPDATES),
                drop_pending_updates=drop_pending_updates,
            )

    try:
        asyncio.run(register())
    except TelegramError as error:
        print(f"gfmd-bot telegram set-webhook: Telegram refused: {_describe(error, settings)}")
        return 1
    dropped = " (pending updates dropped)" if drop_pending_updates else ""
    print(f"webhook set: {url}, updates: {', '.join(ALLOWED_UPDATES)}{dropped}")
    return 0


async def poll(settings: Settings, stop: asyncio.Event) -> None:
    """Long polling until `stop` is set. Telegram deletes the webhook for this: use a dev bot."""
    runtime = build_runtime(settings)
    try:
        application = build_application(settings, runtime, polling=True)
        async with application:
            updater = application.updater
            assert updater is not None
            await updater.start_polling(allowed_updates=list(ALLOWED_UPDATES))
            await application.start()
            log.info("telegram_polling", extra={"event": "telegram_polling"})
            await stop.wait()
            await updater.stop()
            await application.stop()
    finally:
        runtime.close()


def poll_command(settings: Settings) -> int:
    """`gfmd-bot telegram poll`: run the bot without a public URL, until Ctrl-C."""
    if not settings.telegram_bot_token:
        print("gfmd-bot telegram poll: TELEGRAM_BOT_TOKEN is not set")
        return 2
    print("Polling Telegram (this removes the bot's webhook: use a development bot). Ctrl-C stops.")

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await poll(settings, stop)

    try:
        asyncio.run(run())
    except TelegramError as error:
        print(f"gfmd-bot telegram poll: {_describe(error, settings)}")
        return 1
    except SettingsError as error:
        for problem in error.problems:
            print(f"gfmd-bot telegram poll: {problem}")
        return 1
    except (ContentError, CatalogError) as error:
        for line in problem_lines(error):
            print(line)
        print("gfmd-bot telegram poll: cannot serve this content")
        return 1
    return 0
