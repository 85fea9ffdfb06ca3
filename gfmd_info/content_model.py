"""The shape of everything under ``content/``: validated by pydantic, edited by NGO staff.

Limits here are the contract with the channels: a title is a menu line and a Telegram button,
a summary plus the MORE hint must fit one SMS page of three segments.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

TITLE_MAX = 30
SECTION_MAX = 700
PHRASES_MIN = 15
TOPIC_ID_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
# The report's parts: I.A, I.B, I.C.1 .. I.C.12 and II.
SECTION_REF_PATTERN = r"^(I\.A|I\.B|I\.C\.(1[0-2]|[1-9])|II)$"

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX)]
SectionText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=SECTION_MAX)
]
# Short: an id travels in Telegram callback data, which holds at most 64 bytes.
TOPIC_ID_MAX = 40
TopicId = Annotated[str, StringConstraints(pattern=TOPIC_ID_PATTERN, max_length=TOPIC_ID_MAX)]
SectionRef = Annotated[str, StringConstraints(pattern=SECTION_REF_PATTERN)]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Category(Strict):
    id: TopicId
    order: int


class TopicMeta(Strict):
    """Language-neutral facts about one topic (``content/topics.yaml``)."""

    id: TopicId
    category: TopicId
    order: int
    sections: list[SectionRef] = Field(min_length=1)
    related: list[TopicId] = Field(default_factory=list)
    organisations: list[TopicId] = Field(default_factory=list)


class Organisation(Strict):
    """An organisation the report names, with its official website."""

    id: TopicId
    name: NonEmpty
    website: Annotated[str, StringConstraints(pattern=r"^https://[^\s]+$")]
    report_mention: SectionRef


class CountryNote(Strict):
    """A concrete example the report gives for one country and topic."""

    id: TopicId
    country: CountryCode
    topics: list[TopicId] = Field(min_length=1)
    section: SectionRef


class EmergencyNumber(Strict):
    """A local emergency number: NGO-added data, so every entry names its source and date."""

    country: CountryCode
    number: Annotated[str, StringConstraints(pattern=r"^[0-9]{2,4}$")]
    source: NonEmpty
    checked: dt.date


class Status(StrEnum):
    DRAFT = "draft"
    REVIEWED = "reviewed"
    # Only ``phrases`` for matching; people see the English text with a notice.
    PHRASES_ONLY = "phrases-only"


class Section(Strict):
    heading: NonEmpty
    text: SectionText


class TopicText(Strict):
    """One topic in one language (``content/<lang>/<topic-id>.yaml``)."""

    title: Title | None = None
    summary: NonEmpty | None = None
    sections: list[Section] = Field(default_factory=list)
    phrases: list[NonEmpty] = Field(min_length=PHRASES_MIN)
    status: Status
    reviewer: NonEmpty | None = None
    reviewed_on: dt.date | None = None
    # sha256 (first 16 hex) of the English text this file translates; English files leave it out.
    source_hash: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")] | None = None

    @property
    def has_text(self) -> bool:
        return self.status is not Status.PHRASES_ONLY


class UrgentText(Strict):
    """The immediate-danger answer; ``{number}`` is replaced by the local emergency number."""

    with_number: NonEmpty
    without_number: NonEmpty

    @field_validator("with_number")
    @classmethod
    def _names_the_number(cls, value: str) -> str:
        if "{number}" not in value:
            raise ValueError("must contain {number}, where the local emergency number goes")
        return value


class LanguagePack(Strict):
    """Language-level content (``content/<lang>/_language.yaml``).

    Everything here is language knowledge the matcher and conversation use as data.
    """

    disclaimer: NonEmpty | None = None
    urgent: UrgentText | None = None
    # Words and short phrases that signal danger happening now; matched before any topic.
    emergency_terms: list[NonEmpty] = Field(default_factory=list)
    # SMS spellings expanded before matching: "xq" -> "porque".
    sms_spellings: dict[str, str] = Field(default_factory=dict)
    # Words that carry no topic evidence in this language (articles, pronouns, fillers).
    stopwords: list[NonEmpty] = Field(default_factory=list)
    # Prefixes glued to words that matching strips (Arabic: al-, wa-, bi-...), longest first.
    clitics: list[NonEmpty] = Field(default_factory=list)
    # Messages people send that are about none of the topics (football, recipes, prices,
    # weather, jokes): matching them means "not understood", not a wrong topic.
    offtopic: list[NonEmpty] = Field(default_factory=list)
    # Country notes by note id (see ``content/country-notes.yaml``).
    country_notes: dict[str, NonEmpty] = Field(default_factory=dict)
    status: Status = Status.DRAFT
    source_hash: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")] | None = None


_WS = re.compile(r"\s+")


def squash_whitespace(text: str) -> str:
    return _WS.sub(" ", text).strip()
