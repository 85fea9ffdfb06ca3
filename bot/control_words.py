"""Words that steer the conversation (MENU, MORE, STOP...), recognised before any matching.

Each list is a `|`-separated translatable string in the catalogs, so translators add the words
their users really type. Every language's words are recognised for everyone, and English always.
"""

from __future__ import annotations

from enum import StrEnum

from bot.i18n import Catalogs
from gfmd_info.normalise import normalise


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is used."""
    return message


# Longer than any control word in any language, with room for spaces and punctuation.
CONTROL_MAX_CHARS = 60


class Control(StrEnum):
    MENU = "menu"
    LANGUAGE = "language"
    MORE = "more"
    BACK = "back"
    HELP = "help"
    PRIVACY = "privacy"
    DELETE = "delete"
    STOP = "stop"
    START = "start"
    YES = "yes"
    GREETING = "greeting"
    THANKS = "thanks"


WORD_LISTS: dict[Control, str] = {
    # Translators: words people send to see the main menu, separated by |
    Control.MENU: N_("menu|main menu|0|home|topics"),
    # Translators: words to change the language, separated by |
    Control.LANGUAGE: N_("language|languages|lang|change language"),
    # Translators: words to read the next part of an answer, separated by |
    Control.MORE: N_("more|next|continue|m"),
    # Translators: words to go back one step, separated by |
    Control.BACK: N_("back|previous|return"),
    # Translators: words asking how the bot works, separated by |
    Control.HELP: N_("help|info|how does this work|?"),
    # Translators: words asking what the bot stores, separated by |
    Control.PRIVACY: N_("privacy|my data|data"),
    # Translators: words asking to erase everything stored, separated by |
    Control.DELETE: N_("delete|delete my data|erase|forget me"),
    # Translators: words to stop all messages (opt out), separated by |
    Control.STOP: N_("stop|stopall|unsubscribe|cancel|end|quit|revoke|optout"),
    # Translators: words to start messages again (opt back in), separated by |
    Control.START: N_("start|unstop|subscribe"),
    # Translators: words confirming yes, separated by |
    Control.YES: N_("yes|y|ok|confirm"),
    # Translators: greetings people open with, separated by |
    Control.GREETING: N_("hi|hello|hey|hallo|good morning|good evening|salam|salaam"),
    # Translators: ways to say thanks, separated by |
    Control.THANKS: N_("thanks|thank you|thx|ty|thank u|ok thanks"),
}

# Checked in this order: a word in two lists means the first (STOP before anything else).
_ORDER = (
    Control.STOP,
    Control.START,
    Control.DELETE,
    Control.MENU,
    Control.LANGUAGE,
    Control.MORE,
    Control.BACK,
    Control.PRIVACY,
    Control.HELP,
    Control.YES,
    Control.THANKS,
    Control.GREETING,
)


class ControlWords:
    def __init__(self, catalogs: Catalogs) -> None:
        self._lookup: dict[str, Control] = {}
        # The languages whose own list has the word ("parar": es), to greet a newcomer in it.
        self._languages: dict[str, set[str]] = {}
        for control in reversed(_ORDER):
            for words in catalogs.all_words():
                own = words.alternatives(WORD_LISTS[control])
                english = {w for w in (normalise(x) for x in WORD_LISTS[control].split("|")) if w}
                for word in own:
                    self._lookup[word] = control
                    if words.lang == "en" or word not in english:
                        self._languages.setdefault(word, set()).add(words.lang)
        # "?" normalises to nothing; keep it as the help word it is.
        self._raw = {"?": Control.HELP}

    def recognise(self, text: str) -> Control | None:
        if len(text) > CONTROL_MAX_CHARS:  # a question, not a control word: skip normalising it
            return None
        stripped = text.strip()
        if stripped in self._raw:
            return self._raw[stripped]
        return self._lookup.get(normalise(stripped))

    def languages_of(self, text: str) -> frozenset[str]:
        """The languages whose own control words include `text` ("parar": es and pt)."""
        if len(text) > CONTROL_MAX_CHARS:
            return frozenset()
        return frozenset(self._languages.get(normalise(text), ()))

    def language_of(self, text: str) -> str | None:
        """The one language whose control words include `text`, if only one does."""
        found = self.languages_of(text)
        return next(iter(found)) if len(found) == 1 else None
