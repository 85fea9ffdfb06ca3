from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gfmd_info.normalise import normalise


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("¿Mi patrón NO me pagó?!", "mi patron no me pago"),
        ("Ça fait 3 mois, je suis dépassé", "ca fait 3 mois je suis depasse"),
        ("pleeeease HELP!!!", "pleease help"),
        ("salary 😭😭 not paid 💔", "salary not paid"),
    ],
)
def test_latin_text_loses_case_accents_punctuation_and_emoji(raw: str, folded: str) -> None:
    assert normalise(raw) == folded


def test_arabic_loses_harakat_tatweel_and_folds_letter_forms() -> None:
    assert normalise("أُجْـــرَتِي") == normalise("اجرتي") == "اجرتي"
    assert normalise("إقامة") == "اقامه"  # hamza under alef, taa marbuta
    assert normalise("مستشفى") == "مستشفي"  # alef maqsura


def test_arabic_indic_persian_devanagari_and_bengali_digits_become_ascii() -> None:
    assert normalise("٣ شهور") == "3 شهور"
    assert normalise("۴ ماه") == "4 ماه"
    assert normalise("४ महिना") == "4 महिना"
    assert normalise("৩ মাস") == "3 মাস"


def test_urdu_letter_forms_fold_to_their_arabic_equivalents() -> None:
    assert normalise("کفیل") == normalise("كفيل")


def test_devanagari_and_bengali_vowel_signs_survive() -> None:
    # rapidfuzz's default_process would turn this into 'र हद न  ख स य'
    assert normalise("राहदानी खोसियो") == "राहदानी खोसियो"
    assert normalise("পাসপোর্ট") == "পাসপোর্ট"


def test_chandrabindu_folds_into_anusvara_and_nukta_is_dropped() -> None:
    assert normalise("हाँ") == normalise("हां")
    assert normalise("ज़रूरी") == normalise("जरूरी")


def test_cyrillic_yo_folds_to_ye() -> None:
    assert normalise("Ещё паспорт") == "еще паспорт"


def test_invisible_marks_and_joiners_are_removed() -> None:
    assert normalise("\u200fمرحبا\u200e") == "مرحبا"
    assert normalise("छोड्नुपर्\u200dयो") == "छोड्नुपर्यो"


def test_lone_surrogates_and_control_characters_do_not_break_it() -> None:
    assert normalise("a\ud800b\x00c\x1bd") == "a b c d"


@given(st.text(max_size=300))
def test_normalise_never_raises_and_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once
