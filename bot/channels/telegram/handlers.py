"""Telegram updates to `Delivery`s for the intake, and its `Reply`s to Bot API calls.

A caption is read as the message's text; media alone gets "I can only read text". Texts are cut
to Telegram's limits (4,096 characters, captions 1,024) before anything reads them. Over the
per-chat rate limit a chat gets one "too many messages" note, then silence; danger and stop words
always get through. Ignored (logged, no reply): edits, channel posts, stickers, locations and
anything else unsupported; in groups, only commands get one line pointing to a private chat.

Fed by the webhook's inbox (`on_transient` set), each answer is kept in the inbox row in the
transaction that decided it, then sent; a send that failed for now is reported to
`on_transient`, and the kept answer is sent again later instead of the fallback.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import re
from collections.abc import Callable
from typing import Any, TypeAlias

from telegram import Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ContextTypes,
)

from bot.channels.telegram.sending import is_transient, kept_answer, send
from bot.channels.telegram.update_log import log_error as _log_error
from bot.channels.telegram.update_log import log_update as _log
from bot.channels.telegram.update_log import update_kind as _update_kind
from bot.conversation import Conversation
from bot.i18n import negotiate
from bot.intake import Delivery, Outcome
from bot.messages import Channel, Inbound, Reply
from bot.rendering import TelegramMessage, render_telegram
from bot.runtime import Runtime
from bot.turn import START_OPTION

log = logging.getLogger(__name__)

NAME = "telegram"
COMMANDS = ("start", "menu", "language", "help", "privacy", "delete", "stop")
# Each command as the conversation understands it: (typed control word, option id).
COMMAND_INPUT: dict[str, tuple[str, str | None]] = {
    "menu": ("", "m:menu"),
    "language": ("", "m:language"),
    "help": ("help", None),
    "privacy": ("privacy", None),
    "delete": ("delete", None),
    "stop": ("stop", None),
}
# Telegram's own limits: longer cannot come from Telegram, and no pattern sees more.
MAX_TEXT_CHARS = 4096
MAX_CAPTION_CHARS = 1024
# Callback data is the conversation's option id, passed through unchanged (`t:unpaid-wages`,
# `p:unpaid-wages:2`): at most 64 bytes, Telegram's limit.
_OPTION_ID = re.compile(r"^[a-z]:[A-Za-z0-9_:-]{1,62}$")

TelegramApp: TypeAlias = Application[Any, Any, Any, Any, Any, Any]
Context: TypeAlias = ContextTypes.DEFAULT_TYPE


def _(message: str) -> str:
    """Mark a message for extraction; `Words` translates it per person."""
    return message


GROUP_NOTICE = _("I work best in a private chat: %(link)s")


class TelegramHandlers:
    """Turns updates into `Inbound`s and `Reply`s into Bot API calls."""

    def __init__(self, runtime: Runtime, on_transient: Callable[[int], None] | None = None) -> None:
        self.runtime = runtime
        # Set when an inbox feeds the handlers: answers are kept, failed sends retried later.
        self.on_transient = on_transient

    # -- entry points ---------------------------------------------------------------------------

    async def on_start(self, update: Update, context: Context) -> None:
        """A deep link opens its topic or language; plain /start greets a new person, brings
        back one who opted out, and shows anyone else the menu (the conversation decides)."""
        option = self._deep_link(context.args[0] if context.args else "")
        await self._converse(update, context, "", option or START_OPTION)

    async def on_command(self, update: Update, context: Context) -> None:
        message = update.effective_message
        name = (
            (message.text or "")[1:MAX_TEXT_CHARS].split()[0].split("@")[0].lower()
            if message
            else ""
        )
        text, option = COMMAND_INPUT.get(name, ("help", None))
        await self._converse(update, context, text, option)

    async def on_unknown_command(self, update: Update, context: Context) -> None:
        await self._converse(update, context, "help")

    async def on_text(self, update: Update, context: Context) -> None:
        message = update.effective_message
        text = (message.text or "")[:MAX_TEXT_CHARS] if message else ""
        await self._converse(update, context, text)

    async def on_media(self, update: Update, context: Context) -> None:
        """A caption is read as the message ("help me, he has a knife" under a photo); media
        alone gets "I can only read text", except for a person who opted out."""
        message = update.effective_message
        caption = (message.caption or "")[:MAX_CAPTION_CHARS].strip() if message else ""
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
        await send(context.bot, chat_id, TelegramMessage(html=html.escape(line, quote=False)))
        _log(update, "group_notice")

    async def on_ignored(self, update: object, context: Context) -> None:
        self._ignore(update, "unsupported")

    async def on_error(self, update: object, context: Context) -> None:
        """Give the person the short fallback reply rather than silence, then log the exception
        type only (messages and tracebacks can hold what a person typed)."""
        error = context.error
        try:
            await self._after_error(update, context)
        finally:
            log.warning(
                "telegram_error",
                extra={
                    "event": "telegram_error",
                    "kind": _update_kind(update),
                    "error": type(error).__name__ if error else "unknown",
                },
            )

    async def _after_error(self, update: object, context: Context) -> None:
        if not isinstance(update, Update) or update.effective_chat is None:
            return
        if self.on_transient is not None and is_transient(context.error):
            self.on_transient(update.update_id)  # the kept answer is sent again later
            return
        if update.effective_chat.type != "private":
            return
        message = update.effective_message
        text = (
            (message.text or message.caption or "") if message and not update.callback_query else ""
        )[:MAX_TEXT_CHARS]
        inbound = self._inbound(update, text)
        try:
            fallback = await self.runtime.call(self.runtime.intake.fallback_reply, inbound)
            for part in render_telegram(fallback):
                await send(context.bot, update.effective_chat.id, part)
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
        chat_id = _chat_id(update)
        rendered: dict[int, list[TelegramMessage]] = {}

        def keep(outcome: Outcome) -> str:
            messages = render_telegram(outcome.reply) if outcome.reply else []
            if outcome.reply is not None:
                rendered[id(outcome.reply)] = messages
            return kept_answer(chat_id, messages)

        delivery = Delivery(
            self._inbound(update, text, option),
            delivery_id=f"telegram:{update.update_id}",
            media_only=media_only,
            keep=keep if self.on_transient is not None else None,
        )
        result = await self.runtime.call(self.runtime.intake.receive, delivery)
        if result.decision == "duplicate":
            self.runtime.metrics.duplicates.labels(channel=NAME).inc()
        elif result.decision.startswith("rate_limited"):
            self.runtime.metrics.rate_limited.labels(channel=NAME).inc()
        reply = result.reply
        if reply is None:
            _log(update, result.decision)
            return
        await self._deliver(update, context, reply, rendered.get(id(reply)))

    def _rate(self, key: str) -> str:
        """For group notices: `ok` under the limit, `drop` over it."""
        settings = self.runtime.settings
        hits = self.runtime.store.count_message(
            key, dt.datetime.now(dt.UTC), settings.gfmd_rate_limit_window_seconds
        )
        return "ok" if hits <= settings.gfmd_rate_limit_messages else "drop"

    async def _deliver(
        self,
        update: Update,
        context: Context,
        outcome: Reply,
        rendered: list[TelegramMessage] | None,
    ) -> None:
        self.runtime.metrics.count_message(
            NAME, outcome.language, outcome.topic or "-", outcome.decision, outcome.lang_written
        )
        chat_id = _chat_id(update)
        for message in render_telegram(outcome) if rendered is None else rendered:
            await send(context.bot, chat_id, message)
        _log(update, outcome.decision, outcome.topic)

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
