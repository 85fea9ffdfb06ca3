"""`gfmd-bot chat` shows what the channel would do: nothing for a word Twilio answers itself,
the start button for Telegram's /start, and right-to-left replies laid out right to left."""

from __future__ import annotations

from bot.chat import PROVIDER_ANSWERS, right_to_left, shown, telegram_command
from bot.intake import Outcome
from bot.messages import Block, BlockKind, Channel, Reply
from bot.rendering import RIGHT_TO_LEFT_MARK
from bot.turn import START_OPTION


def test_a_word_twilio_answers_itself_shows_that_the_bot_sends_nothing() -> None:
    assert shown(Outcome(None, "provider_keyword"), Channel.SMS) == PROVIDER_ANSWERS
    assert shown(Outcome(None, "opted_out"), Channel.SMS) == "(no reply: opted_out)"


def test_telegram_start_is_the_start_button_and_other_commands_their_word() -> None:
    assert telegram_command("/start") == ("", START_OPTION)
    assert telegram_command("/menu@gfmd_bot") == ("menu", None)
    assert telegram_command("/") == ("help", None)
    assert telegram_command("hello") == ("hello", None)


def test_a_right_to_left_reply_is_marked_and_right_aligned_but_not_its_annotation() -> None:
    reply = Reply(blocks=(Block(BlockKind.TEXT, "اپنی زبان چنیں:\n1. اردو"),), rtl=True)
    lines = shown(Outcome(reply, "control"), Channel.SMS).split("\n")
    assert lines[0] == RIGHT_TO_LEFT_MARK + "اپنی زبان چنیں:"
    assert lines[1] == RIGHT_TO_LEFT_MARK + "1. اردو".rjust(len("اپنی زبان چنیں:"))
    assert lines[2] == "[ucs2, 1 segment]"
    assert right_to_left("a\n\nbc") == f"{RIGHT_TO_LEFT_MARK} a\n\n{RIGHT_TO_LEFT_MARK}bc"
