"""The reply when something failed: short, in the person's language, and with the call line
when the message may have spoken of danger. Built so that it cannot fail itself."""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.control_words import Control
from bot.i18n import Catalogs
from bot.language_choice import identify
from bot.messages import Inbound, Reply
from bot.numbers import typed_number
from bot.screens import short_reply
from gfmd_info.emergency_line import call_line
from gfmd_info.knowledge import Knowledge

log = logging.getLogger(__name__)


def _(message: str) -> str:
    """Mark a message for extraction; `Words` translates it per person."""
    return message


APOLOGY = _("Sorry, something went wrong. Please write again in a few minutes.")
# The last resort, when not even the content can be read.
FIXED = "Sorry, something went wrong. If you are in danger now, call your local emergency number."


class Fallback:
    """The apology in every catalog's language, rendered once at startup. `recognise` tells
    control words, which speak of no danger (except HELP)."""

    def __init__(self, catalogs: Catalogs, recognise: Callable[[str], Control | None]) -> None:
        self._apology = {words.lang: words(APOLOGY) for words in catalogs.all_words()}
        self._recognise = recognise

    def reply(
        self, knowledge: Knowledge | None, inbound: Inbound, known: str | None = None
    ) -> Reply:
        """`known`: the person's language, when it could still be read."""
        try:
            return self._reply(knowledge, inbound, known)
        except Exception as error:  # the fallback of the fallback: never silence
            log.error("fallback_failed", extra={"event": "fallback_failed", "error": _kind(error)})
            return short_reply("en", FIXED, "error")

    def _reply(self, knowledge: Knowledge | None, inbound: Inbound, known: str | None) -> Reply:
        if knowledge is None:
            return short_reply("en", FIXED, "error")
        lang = known or self._language(knowledge, inbound)
        text = self._apology.get(lang) or self._apology.get("en") or FIXED
        lead = ""
        if self._maybe_danger(knowledge, inbound):
            lead = call_line(knowledge.content, lang, inbound.country_hint)
        return short_reply(lang, text, "error", lead)

    def _language(self, knowledge: Knowledge, inbound: Inbound) -> str:
        try:
            guess = identify(knowledge, inbound.text) if inbound.text else None
        except Exception:  # the matcher may be what failed
            guess = None
        if guess is not None and guess.confident and guess.lang in self._apology:
            return guess.lang
        hint = (inbound.language_hint or "").split("-")[0].lower()
        return hint if hint in self._apology else "en"

    def _maybe_danger(self, knowledge: Knowledge, inbound: Inbound) -> bool:
        """True unless the text is surely not about danger (when in doubt: the call line)."""
        text = inbound.text.strip()
        if inbound.option_id is not None or not text:
            return False
        control = self._recognise(text)
        if control is not None:
            return control is Control.HELP
        typed = typed_number(text)
        if typed is not None:
            return any(typed in n.numbers for n in knowledge.content.emergency_numbers.values())
        try:
            result = knowledge.matcher.match(text)
        except Exception:
            return True
        return result.emergency or result.danger_possible


def _kind(error: BaseException) -> str:
    return type(error).__name__
