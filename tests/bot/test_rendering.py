from __future__ import annotations

import re

import pytest

from bot.messages import Block, BlockKind, Channel, Option, Reply
from bot.rendering import (
    RIGHT_TO_LEFT_MARK,
    ButtonSpec,
    render_sms_pages,
    render_telegram,
    render_terminal,
    render_whatsapp_text,
)
from gfmd_info.sms_encoding import Encoding, is_gsm7, measure

HINT = "Reply MORE for more."
PROMPT = "Reply with a number:"


def _reply(*blocks: Block, options: tuple[Option, ...] = (), rtl: bool = False) -> Reply:
    return Reply(blocks=blocks, options=options, rtl=rtl, more_hint=HINT, options_prompt=PROMPT)


URGENT = Block(BlockKind.URGENT, "If you are in danger now, call 112.")
TITLE = Block(BlockKind.TITLE, "Unpaid wages")
SUMMARY = Block(BlockKind.TEXT, "You have a right to be paid.")
OPTIONS = (Option("t:wages", "Unpaid wages"), Option("t:shelter", "A place to stay"))


# --- SMS ----------------------------------------------------------------------------------


def test_sms_puts_the_urgent_block_first_and_numbers_the_options() -> None:
    pages = render_sms_pages(_reply(TITLE, SUMMARY, URGENT, options=OPTIONS))
    assert [page.text for page in pages] == [
        "If you are in danger now, call 112.\n\n"
        "Unpaid wages\nYou have a right to be paid.\n\n"
        "Reply with a number:\n1. Unpaid wages\n2. A place to stay"
    ]
    assert pages[0].measure == measure(pages[0].text)


def test_sms_pages_are_transliterated_to_gsm7() -> None:
    reply = _reply(
        Block(BlockKind.TITLE, "Salário não pago"),
        Block(BlockKind.TEXT, "Você tem direito — “sempre” — a ser pago… " * 30),
    )
    pages = render_sms_pages(reply)
    assert len(pages) > 1
    for page in pages:
        assert is_gsm7(page.text)
        assert page.measure.encoding is Encoding.GSM7
        assert page.measure.segments <= 3
    assert pages[0].text.startswith('Salario nao pago\nVoce tem direito - "sempre"')
    assert all(page.text.endswith("\n" + HINT) for page in pages[:-1])
    assert not pages[-1].text.endswith(HINT)


def test_sms_arabic_pages_stay_ucs2_within_three_segments() -> None:
    reply = _reply(Block(BlockKind.TEXT, "لديك الحق في أن تحصل على أجرك. " * 20), rtl=True)
    pages = render_sms_pages(reply)
    assert len(pages) > 1
    assert all(page.measure.encoding is Encoding.UCS2 for page in pages)
    assert all(page.measure.segments <= 3 for page in pages)


def test_sms_option_lines_are_never_split_across_pages() -> None:
    options = tuple(Option(f"t:o{n}", f"Option label number {n}") for n in range(1, 41))
    pages = render_sms_pages(_reply(Block(BlockKind.TEXT, "Choose. " * 40), options=options))
    page_lines = [set(page.text.split("\n")) for page in pages]
    for n in range(1, 41):
        line = f"{n}. Option label number {n}"
        assert any(line in lines for lines in page_lines), line
    assert all(page.measure.segments <= 3 for page in pages)


# --- WhatsApp -----------------------------------------------------------------------------


def test_whatsapp_bolds_titles_and_urgency_without_transliterating() -> None:
    reply = _reply(
        Block(BlockKind.TITLE, "Salário não pago"),
        Block(BlockKind.TEXT, "Você tem direito — “sempre”."),
        URGENT,
        options=OPTIONS,
    )
    assert render_whatsapp_text(reply) == [
        "*If you are in danger now, call 112.*\n\n"
        "*Salário não pago*\nVocê tem direito — “sempre”.\n\n"
        "Reply with a number:\n1. Unpaid wages\n2. A place to stay"
    ]


def test_whatsapp_messages_stay_within_1600_characters() -> None:
    reply = _reply(Block(BlockKind.HEADING, "What you can"), Block(BlockKind.TEXT, "Go. " * 1000))
    messages = render_whatsapp_text(reply)
    assert len(messages) > 1
    assert all(len(message) <= 1600 for message in messages)
    assert all(message.endswith("\n" + HINT) for message in messages[:-1])


# --- Telegram -----------------------------------------------------------------------------


def test_telegram_escapes_every_content_string() -> None:
    reply = _reply(
        Block(BlockKind.URGENT, "Call <112> & go"),
        Block(BlockKind.TITLE, "<b>&"),
        Block(BlockKind.TEXT, "Text with <b>& inside</b>"),
        options=(Option("t:x", "<i>label</i>"),),
    )
    [message] = render_telegram(reply)
    assert message.html == (
        "<b>Call &lt;112&gt; &amp; go</b>\n\n"
        "<b>&lt;b&gt;&amp;</b>\n"
        "Text with &lt;b&gt;&amp; inside&lt;/b&gt;"
    )
    # Button labels are plain text in the Bot API, not HTML.
    assert message.buttons == ((ButtonSpec("<i>label</i>", "t:x"),),)


def _balanced(html: str) -> bool:
    tags = re.findall(r"</?b>", html)
    return tags == ["<b>", "</b>"] * (len(tags) // 2)


def test_telegram_splits_long_replies_below_4096_between_paragraphs() -> None:
    paragraphs = [Block(BlockKind.TEXT, f"Paragraph {n}. " + "word " * 380) for n in range(6)]
    reply = _reply(Block(BlockKind.TITLE, "Title"), *paragraphs, options=OPTIONS)
    messages = render_telegram(reply)
    assert len(messages) > 1
    for message in messages:
        assert len(message.html) < 4096
        assert _balanced(message.html)
        assert not message.html.startswith("\n") and not message.html.endswith("\n")
    assert [bool(m.buttons) for m in messages] == [False] * (len(messages) - 1) + [True]
    text = "\n\n".join(m.html for m in messages)
    assert all(text.count(f"Paragraph {n}.") == 1 for n in range(6))


def test_telegram_splits_one_huge_paragraph_even_when_escaping_grows_it() -> None:
    reply = _reply(Block(BlockKind.URGENT, "&" * 3000), Block(BlockKind.TEXT, "<" * 5000))
    messages = render_telegram(reply)
    for message in messages:
        assert len(message.html) < 4096
        assert _balanced(message.html)
    joined = "".join(message.html for message in messages)
    assert joined.count("&amp;") == 3000
    assert joined.count("&lt;") == 5000


def test_telegram_rtl_reply_starts_every_message_with_a_right_to_left_mark() -> None:
    blocks = [Block(BlockKind.TEXT, "لديك الحق في أن تحصل على أجرك. " * 60) for _ in range(4)]
    messages = render_telegram(_reply(*blocks, rtl=True))
    assert len(messages) > 1
    assert all(m.html.startswith(RIGHT_TO_LEFT_MARK) for m in messages)
    assert all(len(m.html) < 4096 for m in messages)
    assert not render_telegram(_reply(SUMMARY))[0].html.startswith(RIGHT_TO_LEFT_MARK)


def test_telegram_rtl_reply_marks_every_line_so_a_line_opening_with_a_number_reads_rtl() -> None:
    urgent = Block(BlockKind.URGENT, "999 (پولیس)\nWhatsApp: کسی کو میسج کریں")
    text = Block(BlockKind.TEXT, "آپ کا قصور نہیں۔\n\nIOM (iom.int) سے پوچھیں۔")
    [message] = render_telegram(_reply(urgent, TITLE, text, rtl=True))
    lines = [line for line in message.html.split("\n") if line]
    assert len(lines) == 5
    assert all(line.startswith(RIGHT_TO_LEFT_MARK) for line in lines)
    assert RIGHT_TO_LEFT_MARK not in render_telegram(_reply(TITLE, SUMMARY))[0].html


def test_telegram_lays_out_buttons_as_many_a_row_as_the_reply_asks() -> None:
    options = tuple(Option(f"l:{n}", f"Language {n}") for n in range(7))
    reply = Reply(blocks=(SUMMARY,), options=options, options_per_row=3)
    [message] = render_telegram(reply)
    assert [len(row) for row in message.buttons] == [3, 3, 1]


def test_telegram_puts_short_labels_two_to_a_row_and_long_ones_alone() -> None:
    options = (
        Option("t:a", "Wages"),
        Option("t:b", "Passport"),
        Option("t:c", "A place to stay tonight"),
        Option("t:d", "Health"),
        Option("t:e", "Work"),
    )
    [message] = render_telegram(_reply(SUMMARY, options=options))
    assert [[b.data for b in row] for row in message.buttons] == [
        ["t:a", "t:b"],
        ["t:c"],
        ["t:d", "t:e"],
    ]


def test_telegram_refuses_callback_data_over_64_bytes() -> None:
    with pytest.raises(ValueError):
        render_telegram(_reply(SUMMARY, options=(Option("t:" + "é" * 32, "Label"),)))


def test_telegram_reply_with_only_options_still_has_text() -> None:
    [message] = render_telegram(_reply(options=OPTIONS))
    assert message.html == PROMPT
    assert len(message.buttons) == 1


# --- Terminal -----------------------------------------------------------------------------


def test_terminal_preview_annotates_sms_pages() -> None:
    preview = render_terminal(_reply(TITLE, SUMMARY, options=OPTIONS), Channel.SMS)
    assert preview.endswith("2. A place to stay\n[gsm7, 1 segment]")


def test_terminal_preview_shows_telegram_buttons_in_brackets() -> None:
    preview = render_terminal(
        _reply(TITLE, Block(BlockKind.TEXT, "a & b"), options=OPTIONS), Channel.TELEGRAM
    )
    assert preview == "Unpaid wages\na & b\n[Unpaid wages] [A place to stay]"
