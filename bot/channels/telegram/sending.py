"""Rendered replies to the Bot API: HTML messages with inline buttons, and the form in which an
answer is kept in the inbox until it has been sent."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import warnings

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.warnings import PTBDeprecationWarning

from bot.rendering import ButtonSpec, TelegramMessage

log = logging.getLogger(__name__)

_RETRY_AFTER_CAP_SECONDS = 30.0
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def is_transient(error: BaseException | None) -> bool:
    """A send worth trying again later (the Bot API unreachable, busy or rate limiting), as
    opposed to one refused for good (a blocked bot, a chat that is gone, a bad request)."""
    if isinstance(error, BadRequest | Forbidden):
        return False
    return isinstance(error, NetworkError | RetryAfter)


async def send(bot: Bot, chat_id: int, message: TelegramMessage) -> None:
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
            await asyncio.sleep(min(retry_seconds(error), _RETRY_AFTER_CAP_SECONDS))


def retry_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


def kept_answer(chat_id: int, messages: list[TelegramMessage]) -> str:
    """The messages to send to `chat_id`, as the inbox keeps them."""
    return json.dumps(
        {
            "chat_id": chat_id,
            "messages": [
                {"html": m.html, "buttons": [[[b.label, b.data] for b in row] for row in m.buttons]}
                for m in messages
            ],
        },
        ensure_ascii=False,
    )


def read_kept_answer(payload: str) -> tuple[int, list[TelegramMessage]]:
    data = json.loads(payload)
    messages = [
        TelegramMessage(
            html=str(m["html"]),
            buttons=tuple(
                tuple(ButtonSpec(str(label), str(value)) for label, value in row)
                for row in m["buttons"]
            ),
        )
        for m in data["messages"]
    ]
    return int(data["chat_id"]), messages


async def send_kept(bot: Bot, payload: str) -> None:
    """Send an answer kept before a crash or a failed send."""
    chat_id, messages = read_kept_answer(payload)
    for message in messages:
        await send(bot, chat_id, message)
