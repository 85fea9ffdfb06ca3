"""Telegram: python-telegram-bot behind our FastAPI webhook, and long polling for local use.

`POST /telegram/webhook` checks the secret token, parses the update, puts it on the
Application's queue and answers 200 at once: Telegram retries anything else
and holds the chat's later updates behind it. The Application (built without an Updater, started
and stopped with the app) turns each update into one `Delivery` for the intake (`bot.intake`:
dedupe by update_id, rate limit, opt-out gate, conversation, fallback, in one transaction) and
sends the `Reply` rendered as HTML with inline buttons; any other failure still sends the
short fallback reply. Updates from one chat are
handled one at a time and in order; different chats run concurrently.

A photo, video or document with a caption is read as a text message, the caption its text; media
alone gets "I can only read text". Over the per-chat rate limit a chat gets one "too many
messages" note, then silence; danger and stop words always get through. A person who opted out
gets neither the note nor the media reply.

Ignored (200, logged, no reply): edited messages, channel posts, stickers, locations and anything
else unsupported; malformed updates; ordinary messages in groups, where only commands addressed
to the bot get one line pointing to a private chat. Logs carry the update kind and the decision,
never chat ids, names or text.

With no TELEGRAM_BOT_TOKEN the channel is off and `/telegram/webhook` answers 404. With a token
but no TELEGRAM_SECRET_TOKEN every webhook call is refused with 403. If the Bot API cannot be
reached at startup, the app serves anyway, the webhook answers 503 (Telegram delivers again
later) and the Application keeps trying to start in the background.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import html
import itertools
import json
import logging
import re
import signal
import warnings
from collections import Counter
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import Any, TypeAlias

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import RetryAfter, TelegramError
from telegram.ext import (
    Application,
    BaseHandler,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBDeprecationWarning

from bot.app import ChannelStatus
from bot.conversation import Conversation
from bot.i18n import CatalogError, negotiate
from bot.intake import Delivery
from bot.messages import Channel, Inbound, Reply
from bot.rendering import TelegramMessage, render_telegram
from bot.runtime import Runtime, build_runtime, problem_lines
from bot.settings import Settings, SettingsError
from bot.turn import START_OPTION
from gfmd_info.problems import ContentError

log = logging.getLogger(__name__)

NAME = "telegram"
WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Only what the handlers below use: Telegram sends nothing else.
ALLOWED_UPDATES = ("message", "callback_query")
COMMANDS = ("start", "menu", "language", "help", "privacy", "delete", "stop")
# Each command as the conversation understands it: (typed control word, option id).
_COMMAND_INPUT: dict[str, tuple[str, str | None]] = {
    "menu": ("", "m:menu"),
    "language": ("", "m:language"),
    "help": ("help", None),
    "privacy": ("privacy", None),
    "delete": ("delete", None),
    "stop": ("stop", None),
}
_SECRET_FORMAT = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# Callback data is the conversation's option id, passed through unchanged (`t:unpaid-wages`,
# `p:unpaid-wages:2`): at most 64 bytes, Telegram's limit.
_OPTION_ID = re.compile(r"^[a-z]:[A-Za-z0-9_:-]{1,62}$")
_MEDIA = ("photo", "voice", "audio", "video", "video_note", "document")
_KINDS = (*_MEDIA, "text", "sticker", "location", "venue", "contact", "animation", "poll", "dice")
_MAX_CONCURRENT_UPDATES = 64
_RETRY_AFTER_CAP_SECONDS = 30.0
_START_RETRY_SECONDS = (5, 15, 60, 300)
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)

TelegramApp: TypeAlias = Application[Any, Any, Any, Any, Any, Any]
Context: TypeAlias = ContextTypes.DEFAULT_TYPE


def _(message: str) -> str:
    """Mark a message for extraction; `Words` translates it per person."""
    return message


GROUP_NOTICE = _("I work best in a private chat: %(link)s")


# -- the Application ---------------------------------------------------------------------------


class OneChatAtATime(BaseUpdateProcessor):
    """Updates of different chats run concurrently; those of one chat one at a time, in order."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: Counter[int] = Counter()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock = self._locks.setdefault(chat.id, asyncio.Lock())
        self._users[chat.id] += 1
        try:
            async with lock:
                await coroutine
        finally:
            self._users[chat.id] -= 1
            if not self._users[chat.id]:
                del self._users[chat.id]
                self._locks.pop(chat.id, None)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""


def api_urls(settings: Settings) -> tuple[str, str]:
    """python-telegram-bot's base_url and base_file_url; it appends the token to each."""
    base = settings.telegram_api_base_url.rstrip("/")
    return f"{base}/bot", f"{base}/file/bot"


def build_application(settings: Settings, runtime: Runtime, *, polling: bool) -> TelegramApp:
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
    TelegramHandlers(runtime).install(application)
    return application


# -- handlers ----------------------------------------------------------------------------------


def _update_kind(update: object) -> str:
    """What an update is, for logs and metrics: `message:text`, `edited_message`..."""
    if not isinstance(update, Update):
        return "unknown"
    kind = next((k for k in update.to_dict() if k != "update_id"), "unknown")
    message = update.message
    if kind == "message" and message is not None:
        detail = next((k for k in _KINDS if getattr(message, k, None)), "other")
        return f"message:{detail}"
    return kind


def _log(update: object, decision: str, topic: str | None = None) -> None:
    update_id = update.update_id if isinstance(update, Update) else None
    log.info(
        "telegram_update",
        extra={
            "event": "telegram_update",
            "update_id": update_id,
            "kind": _update_kind(update),
            "decision": decision,
            "topic": topic,
        },
    )


class TelegramHandlers:
    """Turns updates into `Inbound`s and `Reply`s into Bot API calls."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def install(self, application: TelegramApp) -> None:
        private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
        groups = filters.ChatType.GROUPS & filters.UpdateType.MESSAGE
        media = filters.PHOTO | filters.VOICE | filters.AUDIO | filters.VIDEO
        media = media | filters.VIDEO_NOTE | filters.Document.ALL
        handlers: list[BaseHandler[Any, Any, Any]] = [
            CommandHandler("start", self.on_start, filters=private),
            *(CommandHandler(c, self.on_command, filters=private) for c in _COMMAND_INPUT),
            CommandHandler(list(COMMANDS), self.on_group_command, filters=groups),
            MessageHandler(private & filters.TEXT & ~filters.COMMAND, self.on_text),
            MessageHandler(private & filters.COMMAND, self.on_unknown_command),
            MessageHandler(private & media, self.on_media),
            CallbackQueryHandler(self.on_button),
            TypeHandler(object, self.on_ignored),
        ]
        application.add_handlers(handlers)
        application.add_error_handler(self.on_error)

    # -- entry points ---------------------------------------------------------------------------

    async def on_start(self, update: Update, context: Context) -> None:
        """A deep link opens its topic or language; plain /start greets a new person, brings
        back one who opted out, and shows anyone else the menu (the conversation decides)."""
        option = self._deep_link(context.args[0] if context.args else "")
        await self._converse(update, context, "", option or START_OPTION)

    async def on_command(self, update: Update, context: Context) -> None:
        message = update.effective_message
        name = (message.text or "")[1:].split()[0].split("@")[0].lower() if message else ""
        text, option = _COMMAND_INPUT.get(name, ("help", None))
        await self._converse(update, context, text, option)

    async def on_unknown_command(self, update: Update, context: Context) -> None:
        await self._converse(update, context, "help")

    async def on_text(self, update: Update, context: Context) -> None:
        message = update.effective_message
        await self._converse(update, context, message.text or "" if message else "")

    async def on_media(self, update: Update, context: Context) -> None:
        """A caption is read as the message ("help me, he has a knife" under a photo); media
        alone gets "I can only read text", except for a person who opted out."""
        message = update.effective_message
        caption = (message.caption or "").strip() if message else ""
        if caption:
            await self._converse(update, context, caption)
            return
        await self._converse(update, context, "", media_only=True)

    async def on_button(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None:
            return
        try:
            await query.answer()  # always, or the client keeps a spinner on the button
        except TelegramError as error:
            _log_error("answer_callback_failed", error)
        message = query.message
        data = query.data or ""
        if message is None or message.chat.type != "private" or not _OPTION_ID.match(data):
            self._ignore(update, "unknown_button")
            return
        if isinstance(message, Message) and message.reply_markup is not None:
            # One live keyboard at a time: a stale MORE would otherwise skip a page.
            try:
                await message.edit_reply_markup(reply_markup=None)
            except TelegramError as error:
                _log_error("keyboard_not_removed", error)
        await self._converse(update, context, "", data)

    async def on_group_command(self, update: Update, context: Context) -> None:
        """One line, and nothing kept: the conversation belongs in a private chat."""
        chat_id = _chat_id(update)
        if await self.runtime.call(self._rate, self._key(chat_id)) == "drop":
            _log(update, "rate_limited")
            return
        user = update.effective_user
        languages = self.conv.ui_languages(self.runtime.knowledge())
        words = self.conv.words(negotiate(user.language_code if user else None, languages))
        line = words(GROUP_NOTICE) % {"link": f"https://t.me/{context.bot.username}"}
        await self._send(context.bot, chat_id, TelegramMessage(html=html.escape(line, quote=False)))
        _log(update, "group_notice")

    async def on_ignored(self, update: object, context: Context) -> None:
        self._ignore(update, "unsupported")

    async def on_error(self, update: object, context: Context) -> None:
        """Log the exception type only (messages and tracebacks can hold what a person typed),
        then give the person the short fallback reply rather than silence."""
        error = context.error
        log.warning(
            "telegram_error",
            extra={
                "event": "telegram_error",
                "kind": _update_kind(update),
                "error": type(error).__name__ if error else "unknown",
            },
        )
        if not isinstance(update, Update) or update.effective_chat is None:
            return
        if update.effective_chat.type != "private":
            return
        message = update.effective_message
        text = (
            (message.text or message.caption or "") if message and not update.callback_query else ""
        )
        fallback = self.runtime.intake.fallback_reply(self._inbound(update, text))
        try:
            for part in render_telegram(fallback):
                await self._send(context.bot, update.effective_chat.id, part)
        except Exception as failed:  # nothing more can be done for this update
            _log_error("telegram_fallback_failed", failed)

    # -- the conversation -----------------------------------------------------------------------

    @property
    def conv(self) -> Conversation:
        return self.runtime.conversation

    def _key(self, chat_id: int) -> str:
        return self.runtime.user_key(NAME, str(chat_id))

    def _deep_link(self, payload: str) -> str | None:
        """`t.me/<bot>?start=unpaid-wages` opens a topic; `?start=es` chooses a language."""
        if not payload:
            return None
        knowledge = self.runtime.knowledge()
        if payload in knowledge.content.topics:
            return f"t:{payload}"
        lang = negotiate(payload, self.conv.ui_languages(knowledge))
        return f"l:{lang}" if lang else None

    def _inbound(self, update: Update, text: str, option: str | None = None) -> Inbound:
        user = update.effective_user
        return Inbound(
            channel=Channel.TELEGRAM,
            user_key=self._key(_chat_id(update)),
            text=text,
            language_hint=user.language_code if user else None,
            option_id=option,
        )

    async def _converse(
        self,
        update: Update,
        context: Context,
        text: str,
        option: str | None = None,
        media_only: bool = False,
    ) -> None:
        delivery = Delivery(
            self._inbound(update, text, option),
            delivery_id=f"telegram:{update.update_id}",
            media_only=media_only,
        )
        result = await self.runtime.call(self.runtime.intake.receive, delivery)
        if result.decision == "duplicate":
            self.runtime.metrics.duplicates.labels(channel=NAME).inc()
        elif result.decision.startswith("rate_limited"):
            self.runtime.metrics.rate_limited.labels(channel=NAME).inc()
        await self._deliver(update, context, result.reply or result.decision)

    def _rate(self, key: str) -> str:
        """For group notices: `ok` under the limit, `drop` over it."""
        settings = self.runtime.settings
        hits = self.runtime.store.count_message(
            key, dt.datetime.now(dt.UTC), settings.gfmd_rate_limit_window_seconds
        )
        return "ok" if hits <= settings.gfmd_rate_limit_messages else "drop"

    async def _deliver(self, update: Update, context: Context, outcome: Reply | str) -> None:
        if isinstance(outcome, str):
            _log(update, outcome)
            return
        self.runtime.metrics.count_message(
            NAME, outcome.language, outcome.topic or "-", outcome.decision, outcome.lang_written
        )
        chat_id = _chat_id(update)
        for message in render_telegram(outcome):
            await self._send(context.bot, chat_id, message)
        _log(update, outcome.decision, outcome.topic)

    async def _send(self, bot: Bot, chat_id: int, message: TelegramMessage) -> None:
        markup = None
        if message.buttons:
            markup = InlineKeyboardMarkup(
                [
                    [InlineKeyboardButton(b.label, callback_data=b.data) for b in row]
                    for row in message.buttons
                ]
            )
        for attempt in (1, 2):
            try:
                await bot.send_message(
                    chat_id=chat_id,
                    text=message.html,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                    link_preview_options=_NO_PREVIEW,
                )
                return
            except RetryAfter as error:
                if attempt == 2:
                    raise
                await asyncio.sleep(min(_retry_seconds(error), _RETRY_AFTER_CAP_SECONDS))

    def _ignore(self, update: object, reason: str) -> None:
        label = reason
        if reason == "unsupported":
            kind = _update_kind(update)
            label = kind.partition(":")[2] or kind  # `sticker`, `edited_message`...
        self.runtime.metrics.ignored.labels(channel=NAME, reason=label).inc()
        _log(update, f"ignored:{label}")


def _chat_id(update: Update) -> int:
    chat = update.effective_chat
    if chat is None:
        raise ValueError("update without a chat")
    return chat.id


def _retry_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


def _log_error(event: str, error: Exception) -> None:
    log.info(event, extra={"event": event, "error": type(error).__name__})


# -- the webhook -------------------------------------------------------------------------------


class TelegramWebhook:
    """The route and the Application's life, for `mount`."""

    def __init__(self, runtime: Runtime, secret: str) -> None:
        self.runtime = runtime
        self.secret = secret.encode()
        self.application = build_application(runtime.settings, runtime, polling=False)
        self.running = False
        self._retry: asyncio.Task[None] | None = None

    async def _start(self) -> None:
        try:
            await self.application.initialize()
            await self.application.start()
        except (TelegramError, OSError) as error:
            log.error(
                "telegram_start_failed",
                extra={"event": "telegram_start_failed", "error": type(error).__name__},
            )
            raise
        self.running = True
        log.info("telegram_started", extra={"event": "telegram_started"})

    async def _keep_trying(self) -> None:
        for attempt in itertools.count():
            await asyncio.sleep(_START_RETRY_SECONDS[min(attempt, len(_START_RETRY_SECONDS) - 1)])
            try:
                await self._start()
                return
            except (TelegramError, OSError):
                continue

    @asynccontextmanager
    async def lifespan(self) -> AsyncIterator[None]:
        """Start with the app; if Telegram cannot be reached, keep trying in the background
        (the webhook answers 503 meanwhile, so Telegram delivers again later)."""
        try:
            await self._start()
        except (TelegramError, OSError):
            self._retry = asyncio.create_task(self._keep_trying())
        try:
            yield
        finally:
            if self._retry is not None:
                self._retry.cancel()
            if self.running:
                self.running = False
                await self.application.stop()
            await self.application.shutdown()

    async def receive(self, request: Request) -> Response:
        """Always 200 once the secret matches and the channel runs: the update is queued, and
        the intake answers it (or its fallback does)."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.secret):
            return _refused(self.runtime, "secret token missing or wrong")
        if not self.running:
            return JSONResponse({"detail": "telegram channel is starting"}, status_code=503)
        update = self._parse(await request.body())
        if update is None:
            self.runtime.metrics.ignored.labels(channel=NAME, reason="malformed").inc()
            log.info(
                "telegram_update",
                extra={
                    "event": "telegram_update",
                    "kind": "unknown",
                    "decision": "ignored:malformed",
                },
            )
            return Response(status_code=200)
        # The intake drops a delivery already handled, in the transaction that answers it.
        await self.application.update_queue.put(update)
        return Response(status_code=200)

    def _parse(self, body: bytes) -> Update | None:
        try:
            data = json.loads(body)
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                return None
            return Update.de_json(data, self.application.bot)
        except Exception:  # whatever a broken payload raises, it is ignored, never retried
            return None


def _refused(runtime: Runtime, why: str) -> Response:
    runtime.metrics.rejected.labels(channel=NAME).inc()
    log.warning("telegram_refused", extra={"event": "telegram_refused", "reason": why})
    return JSONResponse({"detail": "forbidden"}, status_code=403)


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
    if not _SECRET_FORMAT.match(secret):
        why = (
            "TELEGRAM_SECRET_TOKEN is not set"
            if not secret
            else "TELEGRAM_SECRET_TOKEN has characters Telegram refuses (A-Z a-z 0-9 _ - only)"
        )

        @router.post(WEBHOOK_PATH)
        async def refuse_telegram_update() -> Response:
            return _refused(runtime, why)

        app.include_router(router)
        return ChannelStatus(NAME, False, f"{why}: every webhook call is refused (403)")

    webhook = TelegramWebhook(runtime, secret)
    router.add_api_route(
        WEBHOOK_PATH, webhook.receive, methods=["POST"], name="receive_telegram_update"
    )
    app.include_router(router)
    return ChannelStatus(NAME, True, f"webhook at {WEBHOOK_PATH}", lifespan=webhook.lifespan)


# -- command line --------------------------------------------------------------------------------


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
            if _SECRET_FORMAT.match(secret)
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
