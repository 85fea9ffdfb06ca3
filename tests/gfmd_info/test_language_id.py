from __future__ import annotations

import pytest

from gfmd_info.knowledge import Knowledge
from gfmd_info.language_id import LanguageIdentifier, Script, dominant_script
from gfmd_info.matcher import Matcher
from gfmd_info.matching_data import LanguageLexicon
from gfmd_info.training_data import training_data


@pytest.fixture(scope="module")
def matcher(knowledge: Knowledge) -> Matcher:
    return knowledge.matcher


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("salary not paid", Script.LATIN),
        ("راتب", Script.ARABIC),
        ("तलब", Script.DEVANAGARI),
        ("বেতন", Script.BENGALI),
        ("зарплата", Script.CYRILLIC),
        ("123 !!", Script.OTHER),
    ],
)
def test_the_script_is_the_one_most_letters_use(text: str, script: Script) -> None:
    assert dominant_script(text) is script


@pytest.mark.parametrize("text", ["hi", "hello", "ok", "salam", "Maria", "999", "?"])
def test_greetings_single_words_names_and_numbers_never_decide_a_language(
    matcher: Matcher, text: str
) -> None:
    assert not matcher.identify_language(text).confident


def test_hi_is_not_hindi(matcher: Matcher) -> None:
    guess = matcher.identify_language("hi")
    assert not guess.confident
    assert guess.lang != "hi" or not guess.confident


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("my employer has not paid my salary for three months", "en"),
        ("mi patron no me ha pagado el sueldo de dos meses", "es"),
        ("mon patron ne me paie plus depuis deux mois", "fr"),
        ("الكفيل ما عطاني راتبي من شهرين", "ar"),
        ("meu patrao nao paga meu salario faz dois meses", "pt"),
        ("majikan saya belum bayar gaji dua bulan", "id"),
        ("hindi pa binabayaran ng amo ko ang sahod ko", "tl"),
        ("mwajiri wangu hajanilipa mshahara miezi miwili", "sw"),
        ("работодатель не платит зарплату два месяца", "ru"),
        ("मेरो साहुले दुई महिनादेखि तलब दिएको छैन", "ne"),
        ("मेरे मालिक ने दो महीने से तनख्वाह नहीं दी", "hi"),
        ("আমার মালিক দুই মাস ধরে বেতন দেয় না", "bn"),
        ("میرے مالک نے دو مہینے سے تنخواہ نہیں دی", "ur"),
    ],
)
def test_a_clear_sentence_is_identified_with_confidence(
    matcher: Matcher, text: str, lang: str
) -> None:
    guess = matcher.identify_language(text)
    assert guess.lang == lang
    assert guess.confident


def test_romanised_hindi_and_urdu_are_never_told_apart_with_confidence() -> None:
    lexicons = {
        "hi": LanguageLexicon(phrases={"t": ["mujhe salary nahi mili", "मुझे वेतन नहीं मिला"]}),
        "ur": LanguageLexicon(phrases={"t": ["mujhe tankhwah nahi mili", "مجھے تنخواہ نہیں ملی"]}),
        "en": LanguageLexicon(phrases={"t": ["i did not get my salary", "no pay"]}),
    }
    identifier = LanguageIdentifier.train(training_data(lexicons))
    guess = identifier.identify("mujhe salary nahi mili abhi tak")
    assert guess.lang in {"hi", "ur"}
    assert not guess.confident
    assert identifier.identify("مجھے تنخواہ نہیں ملی").lang == "ur"


def test_a_script_only_one_language_writes_decides_alone() -> None:
    lexicons = {
        "bn": LanguageLexicon(phrases={"t": ["বেতন পাইনি", "মালিক টাকা দেয় না"]}),
        "en": LanguageLexicon(phrases={"t": ["no salary", "boss does not pay"]}),
    }
    identifier = LanguageIdentifier.train(training_data(lexicons))
    assert identifier.identify("মালিক বেতন দেয় নাই এখনো").confident
