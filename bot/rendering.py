"""A `Reply` in each medium: SMS pages, WhatsApp text, Telegram HTML, a terminal preview.

Pure functions, no I/O. Every medium shows the same things in the same order: the urgent block
first, then the other blocks (a title or heading stays attached to the block it introduces),
then the options. Text channels number the options after `reply.options_prompt`; Telegram shows
them as buttons on its last message.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.messages import Block, BlockKind, Channel, Reply
from bot.paging import (
    SMS,
    TELEGRAM,
    WHATSAPP,
    PageBudget,
    fits,
    group_lines,
    paginate,
    utf16_length,
)
from gfmd_info.sms_encoding import Measure, measure, to_gsm7

RIGHT_TO_LEFT_MARK = "\u200f"
CALLBACK_DATA_MAX_BYTES = 64
# A label longer than this gets a row of its own; shorter ones go two to a row.
WIDE_BUTTON_LABEL = 20
_PARAGRAPH_GAP = "\n\n"


@dataclass(frozen=True)
class SmsPage:
    text: str
    measure: Measure


@dataclass(frozen=True)
class ButtonSpec:
    label: str
    data: str


@dataclass(frozen=True)
class TelegramMessage:
    html: str
    buttons: tuple[tuple[ButtonSpec, ...], ...] = ()


# One line of a paragraph: (bold, text). Bold is how each medium marks titles and urgency.
_Line = tuple[bool, str]
_Paragraph = tuple[_Line, ...]

_INTRODUCES = (BlockKind.TITLE, BlockKind.HEADING)


def _paragraphs(reply: Reply) -> list[_Paragraph]:
    urgent = [b for b in reply.blocks if b.kind is BlockKind.URGENT]
    rest = [b for b in reply.blocks if b.kind is not BlockKind.URGENT]
    paragraphs: list[_Paragraph] = [((True, b.text.strip()),) for b in urgent if b.text.strip()]
    pending: list[Block] = []
    for block in rest:
        text = block.text.strip()
        if not text:
            continue
        if block.kind in _INTRODUCES:
            if pending:
                paragraphs.append(tuple((True, b.text.strip()) for b in pending))
            pending = [block]
            continue
        lines: list[_Line] = [(True, b.text.strip()) for b in pending]
        paragraphs.append((*lines, (False, text)))
        pending = []
    if pending:
        paragraphs.append(tuple((True, b.text.strip()) for b in pending))
    return paragraphs


def _option_lines(reply: Reply) -> list[str]:
    if not reply.options:
        return []
    numbered = [f"{n}. {option.label.strip()}" for n, option in enumerate(reply.options, 1)]
    return [reply.options_prompt, *numbered] if reply.options_prompt.strip() else numbered


def _plain(paragraph: _Paragraph) -> str:
    return "\n".join(text for _, text in paragraph)


# --- SMS ----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _sms_pages(reply: Reply) -> tuple[SmsPage, ...]:
    """Pages of at most 3 segments each, transliterated to GSM-7 where the page allows it;
    each page but the last ends with `reply.more_hint`. An option line is never split."""
    pieces = [_plain(p) for p in _paragraphs(reply)]
    pieces += group_lines(_option_lines(reply), SMS, reply.more_hint)
    pages = [to_gsm7(page) for page in paginate(pieces, SMS, reply.more_hint)]
    return tuple(SmsPage(text=page, measure=measure(page)) for page in pages)


def render_sms_pages(reply: Reply) -> list[SmsPage]:
    """Pages of at most 3 segments each (see `_sms_pages`). Replies repeat (menus, prompts)
    and the conversation measures a reply before sending it, so results are cached."""
    return list(_sms_pages(reply))


# --- WhatsApp -----------------------------------------------------------------------------


def _whatsapp_bold(text: str) -> str:
    # WhatsApp bold does not span lines, and needs no space just inside the asterisks.
    return "\n".join(f"*{line.strip()}*" if line.strip() else "" for line in text.split("\n"))


def render_whatsapp_text(reply: Reply) -> list[str]:
    """Messages of at most 1600 characters (Twilio's limit), titles, headings and the urgent
    block in WhatsApp *bold*, numbered options, each message but the last ending with the hint."""
    pieces = [
        "\n".join(_whatsapp_bold(text) if bold else text for bold, text in paragraph)
        for paragraph in _paragraphs(reply)
    ]
    pieces += group_lines(_option_lines(reply), WHATSAPP, reply.more_hint)
    return paginate(pieces, WHATSAPP, reply.more_hint)


# --- Telegram -----------------------------------------------------------------------------


def _escape(text: str) -> str:
    """Content for Telegram's HTML parse mode: only & < > are special outside tags."""
    return html.escape(text, quote=False)


def _line_html(line: _Line) -> str:
    bold, text = line
    return f"<b>{_escape(text)}</b>" if bold else _escape(text)


def _paragraph_html(paragraph: _Paragraph, mark: str = "") -> str:
    return _marked("\n".join(_line_html(line) for line in paragraph), mark)


_LINE_START = re.compile(r"(?m)^(?=.)")


def _marked(text: str, mark: str) -> str:
    """`mark` before every line that is not empty: clients set each line's direction by its
    first strong letter, so an Urdu line opening with "999" or "WhatsApp" would turn left."""
    return _LINE_START.sub(mark, text) if mark else text


def _split_text_for_html(text: str, limit: int) -> list[str]:
    """`text` in chunks whose escaped HTML is at most `limit` UTF-16 units, cut where
    `paginate` cuts (paragraphs, sentences, words)."""
    if utf16_length(_escape(text)) <= limit:
        return [text]
    chunks = paginate([text], PageBudget(None, max(2, limit), False), "")
    if len(chunks) == 1:
        # Fits as plain text but escaping makes it too long: halve until it fits.
        half = max(2, utf16_length(chunks[0]) // 2)
        chunks = paginate([text], PageBudget(None, half, False), "")
    return [piece for chunk in chunks for piece in _split_text_for_html(chunk, limit)]


def _fitting_paragraphs(paragraph: _Paragraph, limit: int, mark: str) -> list[_Paragraph]:
    if utf16_length(_paragraph_html(paragraph, mark)) <= limit:
        return [paragraph]
    # Too long for one message: each line becomes a paragraph, a long line is cut. A mark
    # before every line at most doubles a text, so marked chunks are cut at half the size.
    room = limit - len("<b></b>")
    room = room // 2 if mark else room
    return [
        ((bold, chunk),) for bold, text in paragraph for chunk in _split_text_for_html(text, room)
    ]


def _telegram_paragraphs(reply: Reply, limit: int, mark: str) -> list[_Paragraph]:
    paragraphs = _paragraphs(reply)
    if not paragraphs and reply.options:
        # Telegram refuses an empty message: the buttons need some text above them.
        paragraphs = [((False, reply.options_prompt.strip() or "…"),)]
    return [fitting for p in paragraphs for fitting in _fitting_paragraphs(p, limit, mark)]


def _button_rows(reply: Reply) -> tuple[tuple[ButtonSpec, ...], ...]:
    """`reply.options_per_row` buttons a row when it says; else two short ones side by side."""
    rows: list[list[ButtonSpec]] = []
    width = reply.options_per_row
    for option in reply.options:
        if len(option.id.encode("utf-8")) > CALLBACK_DATA_MAX_BYTES:
            raise ValueError(f"option id {option.id!r} is over 64 bytes of callback data")
        button = ButtonSpec(label=option.label.strip(), data=option.id)
        if width > 0:
            if rows and len(rows[-1]) < width:
                rows[-1].append(button)
            else:
                rows.append([button])
            continue
        wide = len(button.label) > WIDE_BUTTON_LABEL
        previous = rows[-1] if rows else None
        if (
            not wide
            and previous is not None
            and len(previous) == 1
            and len(previous[0].label) <= WIDE_BUTTON_LABEL
        ):
            previous.append(button)
        else:
            rows.append([button])
    return tuple(tuple(row) for row in rows)


def render_telegram(reply: Reply) -> list[TelegramMessage]:
    """Messages in HTML parse mode, every content string escaped, titles, headings and the
    urgent block in <b>. Messages are cut between paragraphs (never inside a tag) so that
    each HTML text, which is never shorter than what Telegram counts, stays within 4000
    characters. Buttons go on the last message (`reply.options_per_row` a row when it says);
    in an rtl reply every line starts with U+200F, so each reads right to left."""
    mark = RIGHT_TO_LEFT_MARK if reply.rtl else ""
    budget = TELEGRAM.max_chars or 4096
    paragraphs = _telegram_paragraphs(reply, budget, mark)
    texts: list[str] = []
    current: list[str] = []
    for paragraph in paragraphs:
        candidate = [*current, _paragraph_html(paragraph, mark)]
        if current and not fits(_PARAGRAPH_GAP.join(candidate), TELEGRAM):
            texts.append(_PARAGRAPH_GAP.join(current))
            current = [_paragraph_html(paragraph, mark)]
        else:
            current = candidate
    if current:
        texts.append(_PARAGRAPH_GAP.join(current))
    if not texts:
        return []
    buttons = _button_rows(reply)
    return [TelegramMessage(html=text) for text in texts[:-1]] + [
        TelegramMessage(html=texts[-1], buttons=buttons)
    ]


# --- Terminal preview ---------------------------------------------------------------------

_TAG = re.compile(r"</?b>")


def _sms_annotation(page: SmsPage) -> str:
    segments = page.measure.segments
    return f"[{page.measure.encoding}, {segments} segment{'' if segments == 1 else 's'}]"


def _telegram_plain(message: TelegramMessage) -> str:
    text = html.unescape(_TAG.sub("", message.html)).replace(RIGHT_TO_LEFT_MARK, "")
    rows = [" ".join(f"[{button.label}]" for button in row) for row in message.buttons]
    return "\n".join([text, *rows])


def render_terminal(reply: Reply, channel: Channel) -> str:
    """A plain-text preview of what `channel` would send, for the command line."""
    blocks: Sequence[str]
    if channel is Channel.SMS:
        blocks = [f"{p.text}\n{_sms_annotation(p)}" for p in render_sms_pages(reply)]
    elif channel is Channel.WHATSAPP:
        blocks = [f"{t}\n[{utf16_length(t)} chars]" for t in render_whatsapp_text(reply)]
    else:
        blocks = [_telegram_plain(m) for m in render_telegram(reply)]
    return "\n\n".join(blocks)
