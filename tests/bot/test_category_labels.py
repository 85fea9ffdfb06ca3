"""The menu's category labels are the ones written in `content/<lang>/_language.yaml`."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from bot.conversation import Conversation
from bot.i18n import Catalogs
from bot.messages import BlockKind, Channel, Reply
from bot.rendering import render_sms_pages, render_telegram
from bot.state_store import SqlStore
from gfmd_info.knowledge import Knowledge
from gfmd_info.loader import load_content
from tests.bot.conversation_helpers import Person, blocks

SHIPPED = Path(__file__).parents[2] / "content"


@pytest.fixture
def edited(
    tmp_path: Path, knowledge: Knowledge, catalogs: Catalogs, store: SqlStore
) -> Conversation:
    """Spanish with its health label reworded and its housing label gone."""
    folder = tmp_path / "content"
    shutil.copytree(SHIPPED, folder)
    file = folder / "es" / "_language.yaml"
    text = file.read_text(encoding="utf-8")
    for old, new in (
        ('  health: "Salud"\n', '  health: "Salud y médicos"\n'),
        ('  housing-and-food: "Vivienda y comida"\n', ""),
    ):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    file.write_text(text, encoding="utf-8")
    # Only labels changed: the session's trained matcher still fits this content.
    changed = replace(knowledge, content=load_content(folder))
    return Conversation(lambda: changed, catalogs, store)


def spanish_menu(conversation: Conversation, store: SqlStore, channel: Channel) -> Reply:
    return Person(conversation, store, channel=channel).say("", option="l:es")


def test_an_edited_label_is_the_telegram_button(edited: Conversation, store: SqlStore) -> None:
    message = render_telegram(spanish_menu(edited, store, Channel.TELEGRAM))[-1]

    labels = [button.label for row in message.buttons for button in row]
    assert "Salud y médicos" in labels
    assert "Salud" not in labels


def test_an_edited_label_is_its_line_of_the_numbered_sms_menu(
    edited: Conversation, store: SqlStore
) -> None:
    [page] = render_sms_pages(spanish_menu(edited, store, Channel.SMS))

    assert "\n2. Salud y médicos\n" in page.text


def test_a_label_the_language_lacks_is_shown_in_english(
    edited: Conversation, store: SqlStore
) -> None:
    person = Person(edited, store, channel=Channel.TELEGRAM)
    menu = person.say("", option="l:es")
    assert [o.label for o in menu.options if o.id == "c:housing-and-food"] == ["Housing and food"]

    category = person.say("", option="c:housing-and-food")
    assert blocks(category, BlockKind.TITLE) == ["Housing and food"]
