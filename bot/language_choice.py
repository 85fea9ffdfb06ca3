"""Which language a new person reads: what they write, then their app's setting; never their
phone's country (a Nepali worker on a Qatari number reads Nepali, not Arabic).

A recognised language without translated topics yet is still the person's language: the bot's
own words come in it where its catalog has them, and only the topic text in English. A short or
ambiguous message decides nothing; the language menu asks instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.i18n import negotiate, official_languages
from gfmd_info.knowledge import Knowledge
from gfmd_info.language_id import MIN_WORDS, LanguageGuess

if TYPE_CHECKING:
    from bot.conversation import Conversation
    from bot.reading import Message


def identify(knowledge: Knowledge, text: str) -> LanguageGuess:
    """The matcher's guess at the language `text` is written in, and whether it is sure."""
    return knowledge.matcher.identify_language(text)


def recognised_languages(conversation: Conversation, knowledge: Knowledge) -> list[str]:
    """Languages the bot can call a person's own: any with content or with the bot's words."""
    found = [*knowledge.matcher.languages, *conversation.ui_languages(knowledge)]
    return list(dict.fromkeys(found))


def first_language(
    conversation: Conversation, knowledge: Knowledge, message: Message
) -> str | None:
    """A new person's language, or None: then the bot asks with the language menu."""
    recognised = recognised_languages(conversation, knowledge)
    if message.free_text and message.text.strip():
        guess = identify(knowledge, message.text)
        if guess.confident and guess.lang in recognised:
            return guess.lang
    if message.control is not None:
        # A newcomer's first word may say which language they read ("detener"). English words
        # work for everyone, so they say nothing; a word two languages share ("parar": es, pt)
        # is settled by the one spoken where the person is, if only one of them is.
        offered = conversation.ui_languages(knowledge)
        found = {lang for lang in conversation.control_languages(message.text) if lang != "en"}
        found &= set(offered)
        if len(found) > 1 and message.inbound.country_hint:
            spoken = set(official_languages(message.inbound.country_hint))
            found = found & spoken if len(found & spoken) == 1 else found
        if len(found) == 1:
            return next(iter(found))
    return negotiate(message.inbound.language_hint, recognised)


def written_language(knowledge: Knowledge, text: str) -> str:
    """For metrics: the language a message was written in, when it can be told ("-" if not)."""
    stripped = text.strip()
    # One word ("1", "MORE", "hola") is never a confident guess (`MIN_WORDS`): nothing to read.
    if not stripped or (MIN_WORDS > 1 and stripped.isalnum()):
        return "-"
    guess = identify(knowledge, text)
    return guess.lang if guess.confident and guess.lang else "-"
