"""What is kept of an unanswered question leads to no one: numbers, addresses and links are
masked before it is normalised and stored."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.conversation import Conversation
from bot.i18n import Catalogs
from bot.messages import Channel, Inbound
from bot.question_masking import MASK, MAX_QUESTION_CHARS, mask_identifiers, unanswered_text
from bot.runtime import KnowledgeHolder
from bot.state_store import open_store
from gfmd_info.knowledge import Knowledge

REPO = Path(__file__).resolve().parents[2]

LIMIT = 200


def test_a_name_street_and_house_number_keep_no_number() -> None:
    kept = unanswered_text("me llamo Ana Pérez y vivo en calle Mayor 77, piso 12", LIMIT)
    assert kept == "me llamo ana perez y vivo en calle mayor # piso #"


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("llamame al +34 612 34 56 78 por favor", "612"),
        ("mi numero 6-1-2-3-4-5-6-7-8", "6 1 2"),
        ("tel (0)612.345.678", "345"),
        ("escribe a ana.perez@example.org ya", "perez"),
        ("sigueme @ana_perez82 en insta", "ana"),
        ("mira https://example.org/caso?id=5", "example"),
        ("en www.mi-abogado.es dice", "abogado"),
        ("el enlace bit.ly/3xYz dice", "bit"),
        ("رقمي ٠٥٠١٢٣٤٥٦٧ من فضلك", "٠٥"),
        ("मेरा नंबर ९८७६५४३२१० है", "९८"),
        ("born on 12/05/1990", "1990"),
        ("flat x²³", "23"),  # digits only after normalising
    ],
)
def test_numbers_addresses_handles_and_links_are_masked(text: str, hidden: str) -> None:
    kept = unanswered_text(text, LIMIT)
    assert MASK in kept
    assert hidden not in kept
    assert not re.search(r"\d\d", kept), kept


def test_single_digits_and_plain_words_are_kept() -> None:
    assert unanswered_text("tengo 2 hijos y no me pagan", LIMIT) == "tengo 2 hijos y no me pagan"


def test_what_is_kept_is_cut_to_the_limit() -> None:
    assert len(unanswered_text("palabra " * 500, LIMIT)) <= LIMIT


def test_a_huge_input_is_cut_before_masking_at_a_space() -> None:
    # Past the cut, the rest is never looked at: its size cannot cost anything.
    text = "hola " * (MAX_QUESTION_CHARS // 5 - 1) + "ana.perez@example.org" + "9" * 1_000_000
    kept = unanswered_text(text, 10**7)
    assert "ana" not in kept and "9" not in kept
    assert len(kept) <= MAX_QUESTION_CHARS


@pytest.mark.parametrize(
    "pathological",
    ["1 " * 500_000, "a-" * 500_000, "a." * 500_000, "@" * 1_000_000, "1-a" * 340_000],
    ids=["spaced-digits", "dashed-words", "dotted-words", "at-signs", "digit-dash-letter"],
)
def test_masking_a_megabyte_of_text_finishes(pathological: str) -> None:
    # The patterns have no nested unbounded repetition; a quadratic one would not finish.
    assert not re.search(r"\d\d", mask_identifiers(pathological))


def test_the_conversation_keeps_an_unanswered_house_number_masked(
    tmp_path: Path, knowledge: Knowledge, catalogs: Catalogs
) -> None:
    store = open_store(f"sqlite:///{tmp_path}/state.sqlite3")
    try:
        conversation = Conversation(KnowledgeHolder(REPO / "content", knowledge), catalogs, store)
        conversation.handle(Inbound(Channel.SMS, "person", "hola"))
        conversation.handle(
            Inbound(Channel.SMS, "person", "mi nombre es Ana Ruiz y mi casa es Olmo 77")
        )
        [kept] = [q.text for q in store.unanswered(50)]  # the matcher found no topic in it
        assert kept == "mi nombre es ana ruiz y mi casa es olmo #"
    finally:
        store.close()
