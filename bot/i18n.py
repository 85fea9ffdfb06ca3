"""The bot's own words, from gettext catalogs in `locales/`, one `Translations` per message.

Never `gettext.install`: each message is answered in its sender's language. Catalogs are read
from the compiled `.mo` when it is up to date, else compiled in memory from the `.po`, so a
fresh checkout works without a build step. A missing catalog is an error, never babel's silent
`NullTranslations`.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.languages import get_official_languages
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from gfmd_info.normalise import normalise
from gfmd_info.sms_encoding import Encoding, measure, to_gsm7

DOMAIN = "messages"
# "english please", "in arabic": a language named in a short message.
LANGUAGE_NAME_MAX_WORDS = 3
FALLBACK = "en"


class CatalogError(Exception):
    pass


def _load(locales_dir: Path, lang: str) -> Translations:
    folder = locales_dir / lang / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fp:
            return Translations(fp, domain=DOMAIN)
    if not po.exists():
        raise CatalogError(f"{po}: no catalog for language {lang!r}")
    with po.open("rb") as fp:
        catalog = read_po(fp, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


@dataclass(frozen=True)
class Words:
    """The bot's words in one language."""

    lang: str
    translations: Translations

    def __call__(self, message: str) -> str:
        return str(self.translations.gettext(message))

    def plural(self, singular: str, plural: str, n: int) -> str:
        return str(self.translations.ngettext(singular, plural, n))

    def latin_name(self) -> str:
        """This language's own name in Latin letters ("Nepali", "Arabi"): an SMS language menu
        in Latin letters stays GSM-7, at less than half the cost of one in every script."""
        # Translators: your language's own name as its speakers write it in Latin letters.
        name = str(
            self.translations.pgettext("this language's own name, in Latin letters", "English")
        )
        if name != "English" or self.lang == FALLBACK:
            return name
        # A catalog without the entry: its name in itself if that is in Latin letters, else
        # the name English speakers know.
        native = display_name(self.lang)
        gsm7 = measure(to_gsm7(native)).encoding is Encoding.GSM7
        return native if gsm7 else english_name(self.lang)

    def alternatives(self, message: str) -> set[str]:
        """Normalised words of a `|`-separated list, in this language and in English."""
        found = set()
        for text in (message, self(message)):
            for item in text.split("|"):
                if norm := normalise(item):
                    found.add(norm)
        return found


class Catalogs:
    """Every shipped catalog, loaded once."""

    def __init__(self, locales_dir: Path, languages: Iterable[str]) -> None:
        self.languages = tuple(dict.fromkeys([FALLBACK, *languages]))
        self._words = {lang: Words(lang, _load(locales_dir, lang)) for lang in self.languages}

    def words(self, lang: str | None) -> Words:
        return self._words.get(lang or FALLBACK) or self._words[FALLBACK]

    def all_words(self) -> list[Words]:
        return list(self._words.values())


def available_languages(locales_dir: Path) -> list[str]:
    if not locales_dir.is_dir():
        return []
    return sorted(
        p.name for p in locales_dir.iterdir() if (p / "LC_MESSAGES" / f"{DOMAIN}.po").exists()
    )


def negotiate(hint: str | None, available: Sequence[str]) -> str | None:
    """Best of `available` for an IETF tag such as `pt-BR`, `es-419`, `zh-hans` or `tl`."""
    if not hint:
        return None
    try:
        locale = Locale.parse(hint.replace("_", "-"), sep="-")
    except (ValueError, TypeError, UnknownLocaleError):
        base = hint.replace("_", "-").split("-")[0].lower()
        return base if base in available else None
    candidates = [str(locale), locale.language]
    if locale.language == "fil":
        candidates.append("tl")
    return next((c for c in candidates if c in available), None)


def languages_for_country(country: str | None, available: Sequence[str]) -> list[str]:
    """`available` reordered so that the country's official languages come first."""
    if not country:
        return list(available)
    official = _official_languages(country)
    first = [lang for lang in official if lang in available]
    return list(dict.fromkeys([*first, *available]))


def official_languages(country: str) -> tuple[str, ...]:
    """The languages spoken officially (or de facto) in `country`, most spoken first."""
    return _official_languages(country)


@functools.lru_cache(maxsize=512)
def _official_languages(country: str) -> tuple[str, ...]:
    try:
        found = get_official_languages(country, de_facto=True)
    except (KeyError, ValueError):
        return ()
    return tuple(lang.split("_")[0] for lang in found)


@functools.lru_cache(maxsize=256)
def display_name(lang: str) -> str:
    """The language named in itself (`Español`, `العربية`), without a country: `Filipino`, not
    `Filipino (Pilipinas)`."""
    try:
        name = Locale.parse(lang).get_language_name(lang) or lang
    except (ValueError, UnknownLocaleError):
        return lang
    return name[:1].upper() + name[1:]


@functools.lru_cache(maxsize=256)
def english_name(lang: str) -> str:
    try:
        return Locale.parse(lang).get_language_name(FALLBACK) or lang
    except (ValueError, UnknownLocaleError):
        return lang


@functools.lru_cache(maxsize=64)
def _names(languages: tuple[str, ...]) -> dict[str, str]:
    """Each language's names, in itself and in every other language offered, normalised."""
    names: dict[str, str] = {}
    for lang in languages:
        for other in (*languages, "en"):
            try:
                locale = Locale.parse(lang)
                found = (locale.get_display_name(other), locale.get_language_name(other))
            except (ValueError, UnknownLocaleError):
                continue
            names.update((normalise(name), lang) for name in found if name)
        names[lang] = lang
    return names


def language_named(text: str, languages: Sequence[str], choosing: bool) -> str | None:
    """The language a message names: the whole message ("espanol", "العربية"), or, while a
    language is being chosen, any word of a short one ("english please")."""
    words = normalise(text).split()
    names = _names(tuple(languages))
    whole = " ".join(words)
    if whole in names:
        return names[whole]
    if not choosing or len(words) > LANGUAGE_NAME_MAX_WORDS:
        return None
    return next((names[w] for w in words if w in names and len(w) > 2), None)
