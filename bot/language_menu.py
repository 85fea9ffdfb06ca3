"""The language menu: which languages, in which order, and how each is named.

Order: the person's own language when it is known, then the official languages of the country
their number is from (offered first, never chosen for them: a Nepali worker on a Qatari number
reads Nepali), then the languages their message looks like, then the rest in the bot's order.

Names: each language in its own name and script (`Español`, `नेपाली`, `اردو`); on Telegram, three
buttons a row. On SMS one letter outside GSM-7 turns the whole message into UCS-2, 67 characters
a segment instead of 153: the greeting with thirteen names in their scripts needs four segments
(one page holds three), with the same names in Latin letters ("Nepali", "Arabi", "Urdu") two. So
an SMS menu names the languages in their scripts when that fits one page, else in Latin letters,
which every phone shows and which people who text in romanised Nepali or Urdu read every day.
When even that does not fit (a greeting in Devanagari makes the page UCS-2 anyway), it offers the
likeliest languages and "More languages", the whole list without the greeting. A language can
also be chosen by typing its name, in any script.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import replace

from bot.i18n import Words, display_name, official_languages
from bot.messages import Option, Reply
from bot.rendering import render_sms_pages

# Telegram buttons per row: three short names side by side, thirteen languages in five rows.
BUTTONS_PER_ROW = 3
# The fewest languages an SMS menu offers before "More languages".
LANGUAGE_MENU_MIN = 4
MORE_LANGUAGES = "m:language"


def _(message: str) -> str:
    """Mark a message for extraction; `Words` translates it per person."""
    return message


def ordered_languages(
    offered: Sequence[str], known: str | None, country: str | None, guessed: Sequence[str]
) -> list[str]:
    """`offered`, likeliest first: the person's language, their country's, their message's."""
    spoken = official_languages(country) if country else ()
    ordered = [known, *spoken, *guessed, *offered]
    return list(dict.fromkeys(lang for lang in ordered if lang and lang in offered))


def native_options(languages: Sequence[str]) -> list[Option]:
    return [Option(f"l:{lang}", display_name(lang)) for lang in languages]


def latin_options(languages: Sequence[str], words: Callable[[str], Words]) -> list[Option]:
    return [Option(f"l:{lang}", words(lang).latin_name()) for lang in languages]


def fits_one_page(reply: Reply) -> bool:
    return len(render_sms_pages(reply)) == 1


def sms_menu(
    draft: Reply, languages: Sequence[str], words: Callable[[str], Words], more: bool
) -> Reply:
    """`draft` (the greeting and prompt) with the languages that fit one SMS page: all of them
    in their scripts, else all in Latin letters, else the likeliest and, when `more`, "More
    languages" (without it, as many as fit: the rest can still be typed by name)."""
    return _sms_menu(draft, tuple(languages), words, more)


# Every new sender gets one of a few menus, and each fit renders the menu's pages several times.
@functools.lru_cache(maxsize=1024)
def _sms_menu(
    draft: Reply, languages: tuple[str, ...], words: Callable[[str], Words], more: bool
) -> Reply:
    for options in (native_options(languages), latin_options(languages, words)):
        reply = replace(draft, options=tuple(options))
        if fits_one_page(reply):
            return reply
    native = native_options(languages)
    tail = [Option(MORE_LANGUAGES, words(draft.language)(_("More languages")))] if more else []
    for count in range(len(native) - 1, LANGUAGE_MENU_MIN - 1, -1):
        reply = replace(draft, options=(*native[:count], *tail))
        if fits_one_page(reply):
            return reply
    return replace(draft, options=(*native[:LANGUAGE_MENU_MIN], *tail))
