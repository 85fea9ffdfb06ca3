from __future__ import annotations

from pathlib import Path

import pytest
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
SUPPORTED = ["en", "es", "fr", "ar"]


@pytest.mark.parametrize("lang", SUPPORTED)
def test_every_supported_language_loads_a_real_catalog(catalogs: Catalogs, lang: str) -> None:
    words = catalogs.words(lang)
    assert words.lang == lang
    assert isinstance(words.translations, Translations)
    assert type(words.translations) is not NullTranslations
    if lang != "en":
        assert words("Choose your language:") != "Choose your language:"


def test_the_supported_languages_all_have_catalogs() -> None:
    assert set(SUPPORTED) <= set(available_languages(LOCALES))


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


def test_languages_are_named_in_themselves() -> None:
    assert display_name("es") == "Español"
    assert display_name("ar") == "العربية"
