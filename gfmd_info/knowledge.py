"""Content and the matcher built from it, loaded together and swapped together on reload."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gfmd_info.content_model import LanguagePack
from gfmd_info.loader import load_content
from gfmd_info.matcher import Matcher
from gfmd_info.matching_data import LanguageLexicon
from gfmd_info.store import ContentStore


def lexicons(content: ContentStore) -> dict[str, LanguageLexicon]:
    out: dict[str, LanguageLexicon] = {}
    for lang in content.languages:
        own = content.packs.get(lang) or LanguagePack()
        out[lang] = LanguageLexicon(
            phrases=content.phrases(lang),
            sms_spellings=own.sms_spellings,
            stopwords=own.stopwords,
            emergency_terms=own.emergency_terms,
            clitics=own.clitics,
            offtopic=own.offtopic,
        )
    return out


@dataclass(frozen=True)
class Knowledge:
    content: ContentStore
    matcher: Matcher

    @classmethod
    def from_content(cls, content: ContentStore, model_cache: Path | None = None) -> Knowledge:
        """Trains the matcher, or takes it from `model_cache` when the phrases are unchanged."""
        return cls(content, Matcher(lexicons(content), cache_dir=model_cache))

    @classmethod
    def load(cls, content_dir: Path, model_cache: Path | None = None) -> Knowledge:
        """Raises `gfmd_info.loader.ContentError` listing every problem of a broken folder."""
        return cls.from_content(load_content(content_dir), model_cache)
