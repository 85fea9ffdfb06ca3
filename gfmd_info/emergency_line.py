"""The call line: what a person in danger reads first, with the local numbers when known.

Every number shown names its country and its service: a person may be roaming, and the
police number is not always the ambulance's. A country without a sourced entry gets the text
that tells people how to find the number, never a guess.
"""

from __future__ import annotations

from typing import Literal

from babel import Locale
from babel.core import UnknownLocaleError

from gfmd_info.content_model import EmergencyNumber, LanguagePack, Service
from gfmd_info.store import ENGLISH, ContentStore

EMERGENCY_TOPIC = "emergency"


def urgent_text(content: ContentStore, lang: str, country: str | None) -> str:
    """The urgent text in `lang` for a person whose country is `country` (None: unknown)."""
    return _filled(content, lang, country, "urgent", "{number}")


def call_line(content: ContentStore, lang: str, country: str | None) -> str:
    """One short line: "In danger now? In the UAE call 999 (police), 998 (ambulance)."."""
    return _filled(content, lang, country, "call_line", "{numbers}")


def _filled(
    content: ContentStore,
    lang: str,
    country: str | None,
    field: Literal["urgent", "call_line"],
    numbers_placeholder: str,
) -> str:
    """A language's urgent text or call line, with the country's name and numbers put in."""
    pack, template_lang = _pack_with(content, lang, field)
    if pack is None:
        return ""
    template = pack.urgent if field == "urgent" else pack.call_line
    if template is None:
        return ""
    entry = content.emergency_number(country or "")
    if entry is None:
        return template.without_number
    return template.with_number.replace(
        "{country}", country_name(content, template_lang, entry)
    ).replace(numbers_placeholder, numbers_text(content, template_lang, entry))


def numbers_text(content: ContentStore, lang: str, entry: EmergencyNumber) -> str:
    """ "999 (police), 995 (ambulance, fire)"; a single number for everything stands alone."""
    pack = content.language_pack(lang)
    words, separator = pack.services, pack.list_separator
    by_number: dict[str, list[Service]] = {}
    for listed in entry.services:
        by_number.setdefault(listed.number, []).append(listed.service)
    if len(by_number) == 1 and entry.services[0].service is Service.ALL:
        return entry.services[0].number
    return separator.join(
        f"{number} ({separator.join(words.get(service, service.value) for service in services)})"
        for number, services in by_number.items()
    )


def country_name(content: ContentStore, lang: str, entry: EmergencyNumber) -> str:
    """The language's own wording when it gives one, else babel's name, else the code."""
    own = content.packs.get(lang)
    if own is not None and entry.country in own.country_names:
        return own.country_names[entry.country]
    try:
        names = Locale.parse(lang, sep="-").territories
    except (ValueError, TypeError, UnknownLocaleError):
        names = Locale(ENGLISH).territories
    name = names.get(entry.country)
    return name if isinstance(name, str) else entry.country


def _pack_with(content: ContentStore, lang: str, field: str) -> tuple[LanguagePack | None, str]:
    """The pack holding `field`, and its language: the country name must be in the language
    of the sentence around it, so a text that falls back to English names it in English."""
    own = content.packs.get(lang)
    if own is not None and getattr(own, field) is not None:
        return content.language_pack(lang), lang
    return content.packs.get(ENGLISH), ENGLISH
