"""What the matcher needs from the content store, per language, as plain data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class LanguageLexicon:
    """Everything one language contributes to matching.

    `phrases` maps topic id to the ways people ask it (titles included). The other fields are
    language knowledge kept in ``content/<lang>/_language.yaml``.
    """

    phrases: Mapping[str, Sequence[str]]
    sms_spellings: Mapping[str, str] = field(default_factory=dict)
    stopwords: Sequence[str] = ()
    emergency_terms: Sequence[str] = ()
    clitics: Sequence[str] = ()
    offtopic: Sequence[str] = ()
