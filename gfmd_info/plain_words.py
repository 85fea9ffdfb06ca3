"""Messages that name nothing: "help", "tulong po", "ayuda por favor".

Each language lists its words that carry no topic (`stopwords` in `_language.yaml`: articles,
pronouns, fillers, and the everyday words for help and please). A message made only of them asks
for something without saying what: it names no topic and no danger, so the model's best guess
for it is a guess about nothing. A plea said twice ("help help") is a cry, not a question.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from gfmd_info.normalise import normalise


class PlainWords:
    def __init__(self, stopwords_by_lang: Mapping[str, Iterable[str]]) -> None:
        # Per language, its filler words as messages are normalised.
        self.by_lang = {
            lang: frozenset(w for word in words for w in normalise(word).split())
            for lang, words in stopwords_by_lang.items()
        }

    def names_nothing(self, words: Sequence[str], langs: Iterable[str | None]) -> bool:
        """Whether every one of normalised `words` carries no topic in one of `langs` (the
        person's language and the one the message is written in; every language when neither
        is known)."""
        if not words:
            return True
        if len(set(words)) < len(words):
            return False  # "help help", "tulong tulong": a repeated plea is a cry
        known = [self.by_lang[lang] for lang in langs if lang in self.by_lang]
        pools = known or list(self.by_lang.values())
        return any(all(w in pool for w in words) for pool in pools)
