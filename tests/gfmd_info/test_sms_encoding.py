from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gfmd_info.sms_encoding import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    Encoding,
    Measure,
    is_gsm7,
    measure,
    to_gsm7,
)


def test_gsm7_tables_have_the_128_minus_escape_basic_and_9_extension_characters() -> None:
    assert len(GSM7_BASIC) == 127
    assert set("\f^{}\\[~]|€") == GSM7_EXTENSION


def test_empty_text_is_one_segment_of_zero_units() -> None:
    assert measure("") == Measure(Encoding.GSM7, 0, 1)


def test_160_gsm7_characters_are_one_segment_and_161_are_two() -> None:
    assert measure("a" * 160) == Measure(Encoding.GSM7, 160, 1)
    assert measure("a" * 161) == Measure(Encoding.GSM7, 161, 2)


def test_gsm7_parts_hold_153_septets() -> None:
    assert measure("a" * 306).segments == 2
    assert measure("a" * 307).segments == 3


def test_70_ucs2_characters_are_one_segment_and_71_are_two() -> None:
    assert measure("ж" * 70) == Measure(Encoding.UCS2, 70, 1)
    assert measure("ж" * 71) == Measure(Encoding.UCS2, 71, 2)
    assert measure("ж" * 134).segments == 2
    assert measure("ж" * 135).segments == 3


@pytest.mark.parametrize("char", list("^{}\\[~]|€\f"))
def test_extension_characters_count_two_septets(char: str) -> None:
    assert measure(char) == Measure(Encoding.GSM7, 2, 1)
    assert measure(char * 80).segments == 1
    assert measure(char * 80 + "a") == Measure(Encoding.GSM7, 161, 2)


def test_an_escape_pair_is_never_split_at_the_153_septet_boundary() -> None:
    # 306 septets would be 2 parts of 153, but the euro (escape + e) cannot straddle the cut:
    # part 1 = 152 septets, part 2 = euro + 151, part 3 = 1.
    text = "a" * 152 + "€" + "a" * 152
    assert measure(text) == Measure(Encoding.GSM7, 306, 3)


def test_an_emoji_counts_two_ucs2_units() -> None:
    assert measure("😀") == Measure(Encoding.UCS2, 2, 1)
    assert measure("😀" * 35) == Measure(Encoding.UCS2, 70, 1)
    assert measure("😀" * 36) == Measure(Encoding.UCS2, 72, 2)


def test_a_surrogate_pair_is_never_split_at_the_67_unit_boundary() -> None:
    text = "ж" * 66 + "😀" + "ж" * 66
    assert measure(text) == Measure(Encoding.UCS2, 134, 3)


def test_one_curly_quote_makes_the_whole_message_ucs2() -> None:
    assert measure("a" * 100 + "’") == Measure(Encoding.UCS2, 101, 2)
    assert not is_gsm7("it’s")
    assert is_gsm7("it's")


def test_escape_and_tab_are_not_gsm7_characters() -> None:
    assert not is_gsm7("\x1b")
    assert not is_gsm7("\t")


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        # Spanish: ñ, ¿, ¡ are GSM-7; á í ó ú lose the accent; é keeps it.
        (
            "¿Dónde está mi pasaporte? ¡Mañana! Información útil, él sí.",
            "¿Donde esta mi pasaporte? ¡Mañana! Informacion util, él si.",
        ),
        # French: é è à ù are GSM-7; ê ç î ô œ are not; « » and the apostrophe are replaced.
        (
            "Vous êtes protégé : « l’employeur doit payer » — français, île, hôtel, œuvre…",
            'Vous etes protégé : "l\'employeur doit payer" - francais, ile, hotel, oeuvre...',
        ),
        # Portuguese: ã õ ç â lose their marks; Ç is GSM-7.
        (
            "Não assine papéis. Ação, informações, você, CAÇA, “salário”",
            'Nao assine papéis. Acao, informacoes, voce, CAÇA, "salario"',
        ),
        ("Ærø, Åsa, Øre, Straße, Über, Ñandú", "Ærø, Åsa, Øre, Straße, Über, Ñandu"),
        ("a\u00a0b\u2009c\u202fd", "a b c d"),
        ("e\u0301te", "éte"),
        ("zero\u200bwidth\u200f", "zerowidth"),
    ],
)
def test_latin_text_is_transliterated_to_gsm7(original: str, expected: str) -> None:
    converted = to_gsm7(original)
    assert converted == expected
    assert is_gsm7(converted)


@pytest.mark.parametrize(
    "text",
    [
        "Привет — “мир”, это ваш паспорт…",
        "\u200fإذا كنت في خطر الآن – اتصل بالرقم «112»",
        "पासपोर्ट — “मालिक” ने रखा",
        "Café 😀 – naïve",
        "Ελλάδα",
    ],
)
def test_text_that_needs_ucs2_anyway_is_returned_unchanged(text: str) -> None:
    assert to_gsm7(text) is text or to_gsm7(text) == text
    assert measure(to_gsm7(text)).encoding is Encoding.UCS2


def test_gsm7_text_is_returned_as_it_is() -> None:
    text = "àèéìòùÄÖÜÑÉÅÆæßØøÇ¿¡ñ @£$¥§ΔΦΓΛΩΠΨΣΘΞ {}[]~|^€\\"
    assert to_gsm7(text) == text


@given(st.text())
def test_to_gsm7_gives_gsm7_text_or_the_original(text: str) -> None:
    converted = to_gsm7(text)
    assert converted == text or is_gsm7(converted)


@given(st.text())
def test_units_count_septets_or_utf16_code_units(text: str) -> None:
    m = measure(text)
    if m.encoding is Encoding.GSM7:
        assert m.units == len(text) + sum(ch in GSM7_EXTENSION for ch in text)
    else:
        assert m.units == len(text.encode("utf-16-le", "surrogatepass")) // 2
    assert m.segments >= 1
