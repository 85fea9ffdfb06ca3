"""The python-telegram-bot Application around the handlers, for the webhook and for polling."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.channels.telegram.chat_order import OneChatAtATime
from bot.channels.telegram.handlers import COMMAND_INPUT, COMMANDS, TelegramApp, TelegramHandlers
from bot.runtime import Runtime
from bot.settings import Settings

_MAX_CONCURRENT_UPDATES = 64


def api_urls(settings: Settings) -> tuple[str, str]:
    """python-telegram-bot's base_url and base_file_url; it appends the token to each."""
    base = settings.telegram_api_base_url.rstrip("/")
    return f"{base}/bot", f"{base}/file/bot"


def build_application(
    settings: Settings,
    runtime: Runtime,
    *,
    polling: bool,
    on_transient: Callable[[int], None] | None = None,
) -> TelegramApp:
    if not settings.telegram_bot_token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    base_url, base_file_url = api_urls(settings)
    builder = (
        Application.builder()
        .token(settings.telegram_bot_token)
        .base_url(base_url)
        .base_file_url(base_file_url)
        .concurrent_updates(OneChatAtATime(_MAX_CONCURRENT_UPDATES))
    )
    if not polling:
        builder = builder.updater(None)
    application: TelegramApp = builder.build()
    install(TelegramHandlers(runtime, on_transient), application)
    return application


def install(on: TelegramHandlers, application: TelegramApp) -> None:
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    groups = filters.ChatType.GROUPS & filters.UpdateType.MESSAGE
    media = filters.PHOTO | filters.VOICE | filters.AUDIO | filters.VIDEO
    media = media | filters.VIDEO_NOTE | filters.Document.ALL
    handlers: list[BaseHandler[Any, Any, Any]] = [
        CommandHandler("start", on.on_start, filters=private),
        *(CommandHandler(c, on.on_command, filters=private) for c in COMMAND_INPUT),
        CommandHandler(list(COMMANDS), on.on_group_command, filters=groups),
        MessageHandler(private & filters.TEXT & ~filters.COMMAND, on.on_text),
        MessageHandler(private & filters.COMMAND, on.on_unknown_command),
        MessageHandler(private & media, on.on_media),
        CallbackQueryHandler(on.on_button),
        TypeHandler(object, on.on_ignored),
    ]
    application.add_handlers(handlers)
    application.add_error_handler(on.on_error)
