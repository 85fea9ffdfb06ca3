from __future__ import annotations

from gettext import c2py
from pathlib import Path

import pytest
from babel.messages.plurals import get_plural
from babel.support import NullTranslations, Translations

from bot.i18n import (
    CatalogError,
    Catalogs,
    available_languages,
    display_name,
    languages_for_country,
    negotiate,
)

LOCALES = Path(__file__).resolve().parents[2] / "locales"
EVERY_FOLDER = sorted(p.name for p in LOCALES.iterdir() if p.is_dir())
SUPPORTED = ["en", "es", "fr", "ar", "pt", "id", "tl", "sw", "ru", "ne", "hi", "bn", "ur"]
WAIT = (
    "Too many messages. Please wait %(num)d minute.",
    "Too many messages. Please wait %(num)d minutes.",
)


@pytest.mark.parametrize("lang", EVERY_FOLDER)
def test_every_locales_folder_loads_a_real_catalog(catalogs: Catalogs, lang: str) -> None:
    words = catalogs.words(lang)
    assert words.lang == lang
    assert isinstance(words.translations, Translations)
    assert type(words.translations) is not NullTranslations
    if lang != "en":
        assert words("Choose your language:") != "Choose your language:"
        assert words.plural(*WAIT, 5) != WAIT[1]


@pytest.mark.parametrize("lang", EVERY_FOLDER)
def test_every_catalog_has_its_languages_real_plural_forms(catalogs: Catalogs, lang: str) -> None:
    """The catalog's Plural-Forms is CLDR's (Arabic six forms, Russian three, Indonesian one),
    and every count gets a translated form."""
    words = catalogs.words(lang)
    cldr = c2py(get_plural(lang).plural_expr)
    for n in [*range(0, 112), 1_000_000]:
        assert words.translations.plural(n) == cldr(n), n
        if lang != "en":
            assert "Too many" not in words.plural(*WAIT, n)


def test_the_thirteen_languages_all_have_catalogs() -> None:
    assert set(SUPPORTED) <= set(available_languages(LOCALES)) == set(EVERY_FOLDER)


def test_a_missing_catalog_is_an_error_not_a_silent_fallback(tmp_path: Path) -> None:
    with pytest.raises(CatalogError):
        Catalogs(tmp_path, ["es"])


@pytest.mark.parametrize(
    ("n", "form"),
    [(0, 0), (1, 1), (2, 2), (3, 3), (10, 3), (11, 4), (99, 4), (100, 5), (102, 5)],
)
def test_arabic_has_six_plural_forms(catalogs: Catalogs, n: int, form: int) -> None:
    translations = catalogs.words("ar").translations
    assert translations.plural(n) == form
    text = catalogs.words("ar").plural(
        "Too many messages. Please wait %(num)d minute.",
        "Too many messages. Please wait %(num)d minutes.",
        n,
    )
    assert "%(num)d" in text
    assert "Too many" not in text


def test_the_same_process_answers_two_people_in_two_languages(catalogs: Catalogs) -> None:
    assert catalogs.words("es")("Main menu") != catalogs.words("fr")("Main menu")
    assert catalogs.words("en")("Main menu") == "Main menu"


@pytest.mark.parametrize(
    ("hint", "expected"),
    [
        ("pt-br", "pt"),
        ("es-419", "es"),
        ("fil", "tl"),
        ("tl", "tl"),
        ("ar-SA", "ar"),
        ("en_US", "en"),
        ("zz", None),
        ("", None),
        (None, None),
    ],
)
def test_platform_language_codes_are_negotiated(hint: str | None, expected: str | None) -> None:
    assert negotiate(hint, ["en", "es", "fr", "ar", "pt", "tl"]) == expected


def test_the_senders_country_puts_its_languages_first() -> None:
    assert languages_for_country("MX", ["en", "es", "fr", "ar"])[0] == "es"
    assert languages_for_country("MA", ["en", "es", "fr", "ar"])[0] == "ar"
    assert languages_for_country(None, ["en", "es"]) == ["en", "es"]


def test_languages_are_named_in_themselves_without_a_country() -> None:
    assert display_name("es") == "Español"
    assert display_name("ar") == "العربية"
    assert display_name("ne") == "नेपाली"
    assert display_name("tl") == "Filipino"


@pytest.mark.parametrize(
    ("lang", "latin"),
    [("en", "English"), ("ar", "Arabi"), ("ur", "Urdu"), ("ne", "Nepali"), ("ru", "Russkiy")],
)
def test_each_catalog_names_its_language_in_latin_letters(
    catalogs: Catalogs, lang: str, latin: str
) -> None:
    assert catalogs.words(lang).latin_name() == latin
