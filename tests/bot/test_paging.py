from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
from gfmd_info.sms_encoding import measure, to_gsm7

HINT = "Reply MORE for more."


def _visible(text: str) -> str:
    return "".join(text.split())


def _without_hints(pages: list[str], hint: str) -> list[str]:
    return [page.removesuffix("\n" + hint) for page in pages[:-1]] + pages[-1:]


def _sms_segments(page: str) -> int:
    return measure(to_gsm7(page)).segments


def test_sms_page_holds_three_segments_of_gsm7_after_transliteration() -> None:
    assert fits("a" * 459, SMS)
    assert not fits("a" * 460, SMS)
    # Raw, 459 "á" would be 7 UCS-2 segments; transliterated they are 459 septets.
    assert fits("á" * 459, SMS)
    assert fits("ж" * 201, SMS)
    assert not fits("ж" * 202, SMS)


def test_whatsapp_and_telegram_pages_count_utf16_units() -> None:
    assert fits("a" * 1600, WHATSAPP)
    assert not fits("a" * 1601, WHATSAPP)
    assert not fits("😀" * 801, WHATSAPP)
    assert fits("a" * 4000, TELEGRAM)
    assert not fits("a" * 4001, TELEGRAM)


def test_budget_that_could_not_hold_one_character_is_refused() -> None:
    with pytest.raises(ValueError):
        PageBudget(max_segments=0, max_chars=None, transliterate=True)
    with pytest.raises(ValueError):
        PageBudget(max_segments=None, max_chars=1, transliterate=False)


def test_no_text_gives_no_pages() -> None:
    assert paginate([], SMS, HINT) == []
    assert paginate(["", "  \n "], SMS, HINT) == []


def test_short_pieces_share_one_page_joined_by_a_blank_line_without_hint() -> None:
    assert paginate([" First. ", "Second."], SMS, HINT) == ["First.\n\nSecond."]


def test_every_page_but_the_last_ends_with_the_hint() -> None:
    pages = paginate(["word " * 300], SMS, HINT)
    assert len(pages) > 1
    assert all(page.endswith("\n" + HINT) for page in pages[:-1])
    assert not pages[-1].endswith(HINT)
    assert all(_sms_segments(page) <= 3 for page in pages)


def test_a_piece_that_fits_a_page_is_never_split() -> None:
    first, second = "a" * 300, "b" * 300
    assert paginate([first, second], SMS, HINT) == [first + "\n" + HINT, second]


def test_a_long_piece_is_split_at_paragraphs_first() -> None:
    paragraphs = ["Para one. " * 30, "Para two. " * 30, "Para three. " * 30]
    pages = _without_hints(paginate(["\n\n".join(paragraphs)], SMS, HINT), HINT)
    assert pages == [p.strip() for p in paragraphs]


@pytest.mark.parametrize(
    ("sentence", "end"),
    [
        ("This is one sentence of a long text. ", "."),
        ("¿Dónde está mi pasaporte? ", "?"),
        ("هل يمكنني تغيير صاحب العمل؟ ", "؟"),
        ("मालिक ने मेरा पासपोर्ट रखा है। ", "।"),
        ("老板拿走了我的护照。", "。"),
    ],
)
def test_a_long_paragraph_is_split_between_sentences(sentence: str, end: str) -> None:
    pages = _without_hints(paginate([sentence * 40], SMS, HINT), HINT)
    assert len(pages) > 1
    assert all(page.endswith(end) for page in pages)
    assert _visible("".join(pages)) == _visible(sentence * 40)


def test_a_long_sentence_is_split_between_words() -> None:
    words = [f"word{n}" for n in range(200)]
    pages = _without_hints(paginate([" ".join(words)], SMS, HINT), HINT)
    assert len(pages) > 1
    assert [w for page in pages for w in page.split(" ")] == words


def test_a_long_word_is_split_between_characters_keeping_emoji_whole() -> None:
    text = "😀" * 150 + "👍🏽" * 100
    pages = _without_hints(paginate([text], SMS, HINT), HINT)
    assert len(pages) > 1
    assert "".join(pages) == text
    # A skin-tone modifier stays with its hand.
    assert not any(page.startswith("🏽") for page in pages)


def test_a_hint_too_long_to_fit_beside_any_character_is_left_out() -> None:
    hint = "ж" * 201
    pages = paginate(["x" * 1000], SMS, hint)
    assert "".join(pages) == "x" * 1000
    assert all(_sms_segments(page) <= 3 for page in pages)


def test_group_lines_keeps_lines_together_while_they_fit_a_page() -> None:
    lines = [f"{n}. Option number {n}" for n in range(1, 41)]
    groups = group_lines(lines, SMS, HINT)
    assert len(groups) > 1
    assert [line for group in groups for line in group.split("\n")] == lines
    assert all(fits(group + "\n" + HINT, SMS) for group in groups)


def test_ten_thousand_random_characters_are_paginated_within_budget() -> None:
    rng = random.Random(2020)
    code_points = [rng.randrange(0x110000) for _ in range(12_000)]
    text = "".join(chr(c) for c in code_points if not 0xD800 <= c <= 0xDFFF)[:10_000]
    pages = paginate([text], SMS, HINT)
    assert all(_sms_segments(page) <= 3 for page in pages)
    assert _visible("".join(_without_hints(pages, HINT))) == _visible(text)


_CHARACTERS = st.characters(exclude_categories=["Cs"])
_SPECIAL = st.sampled_from(
    [
        "\u200f",
        "\u200e",
        "\u202b",
        "\x00",
        "\x1b",
        "\t",
        "\r\n",
        "\n\n",
        "€",
        "😀",
        "👍🏽",
        "؟",
        "।",
        "。",
        ". ",
        "\u0301",
        "\ufeff",
        " ",
        "\u00a0",
    ]
)
_PIECE = st.one_of(
    st.text(_CHARACTERS, max_size=400),
    st.lists(st.one_of(_SPECIAL, st.text(_CHARACTERS, max_size=8)), max_size=200).map("".join),
    st.builds(
        lambda s, n: (s * n)[:10_000],
        st.text(_CHARACTERS, min_size=1, max_size=40),
        st.integers(1, 10_000),
    ),
)
_HINTS = st.sampled_from([HINT, "", "أرسل MORE للمزيد", "Responde MÁS"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECE, max_size=4), _HINTS)
def test_any_text_is_paginated_within_three_sms_segments(pieces: list[str], hint: str) -> None:
    pages = paginate(pieces, SMS, hint)
    assert all(_sms_segments(page) <= 3 for page in pages)
    if hint:
        assert all(page.endswith("\n" + hint) for page in pages[:-1])
    assert _visible("".join(_without_hints(pages, hint))) == _visible("".join(pieces))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECE, max_size=4), _HINTS, st.sampled_from([WHATSAPP, TELEGRAM]))
def test_any_text_is_paginated_within_the_character_limit(
    pieces: list[str], hint: str, budget: PageBudget
) -> None:
    assert budget.max_chars is not None
    pages = paginate(pieces, budget, hint)
    assert all(utf16_length(page) <= budget.max_chars for page in pages)
    assert _visible("".join(_without_hints(pages, hint))) == _visible("".join(pieces))
