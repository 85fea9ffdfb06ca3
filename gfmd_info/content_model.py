"""The shape of everything under ``content/``: validated by pydantic, edited by NGO staff.

Limits here are the contract with the channels: a title is a menu line and a Telegram button,
a summary plus the MORE hint must fit one SMS page of three segments.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

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
HttpsUrl = Annotated[str, StringConstraints(pattern=r"^https://[^\s]+$")]
# Digits, with spaces or dashes as people write them; an optional + for international numbers.
PhoneNumber = Annotated[str, StringConstraints(pattern=r"^\+?[0-9][0-9 -]{1,19}$")]
# An emergency number is short; spaces would make "999" and "9 9 9" two numbers.
ShortNumber = Annotated[str, StringConstraints(pattern=r"^[0-9]{2,6}$")]


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
    website: HttpsUrl
    report_mention: SectionRef


class CountryNote(Strict):
    """A concrete example the report gives for one country and topic."""

    id: TopicId
    country: CountryCode
    topics: list[TopicId] = Field(min_length=1)
    section: SectionRef


class Service(StrEnum):
    """Who answers an emergency number; ``all`` is one number for everything, like 112."""

    ALL = "all"
    POLICE = "police"
    AMBULANCE = "ambulance"
    FIRE = "fire"


class ServiceNumber(Strict):
    service: Service
    number: ShortNumber


class EmergencyNumber(Strict):
    """A country's emergency numbers: NGO-added data, so every entry names its source and date."""

    country: CountryCode
    services: list[ServiceNumber] = Field(min_length=1)
    source: NonEmpty
    # Optional only because older entries lack it; ``content check`` warns until it is added.
    source_url: HttpsUrl | None = None
    checked: dt.date

    @field_validator("services")
    @classmethod
    def _each_service_once(cls, value: list[ServiceNumber]) -> list[ServiceNumber]:
        seen = [entry.service for entry in value]
        twice = sorted({service.value for service in seen if seen.count(service) > 1})
        if twice:
            raise ValueError(f"lists {', '.join(twice)} more than once")
        return value

    @property
    def numbers(self) -> tuple[str, ...]:
        """Every number, each once, in the order listed."""
        return tuple(dict.fromkeys(entry.number for entry in self.services))

    @property
    def number(self) -> str:
        """The first number listed (for callers that need one number)."""
        return self.services[0].number


class Contact(Strict):
    """Concrete help in one country (``content/contacts.yaml``): NGO-added, sourced and dated."""

    id: TopicId
    country: CountryCode
    topics: list[TopicId] = Field(min_length=1)
    name: NonEmpty
    does: NonEmpty
    phone: PhoneNumber | None = None
    url: HttpsUrl | None = None
    source: NonEmpty
    source_url: HttpsUrl
    checked: dt.date

    @model_validator(mode="after")
    def _reachable(self) -> Contact:
        if self.phone is None and self.url is None:
            raise ValueError("needs a phone or a url (or both): how people reach it")
        return self


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
    # What the reviewer compared, e.g. "read against en/ and the report, I.C.3; changed tu to vous".
    review_note: NonEmpty | None = None
    # sha256 (first 16 hex) of the English text this file translates; English files leave it out.
    source_hash: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")] | None = None

    @property
    def has_text(self) -> bool:
        return self.status is not Status.PHRASES_ONLY


class UrgentText(Strict):
    """The immediate-danger answer. In ``with_number``, ``{number}`` becomes the local numbers
    ("999 (police), 998 (ambulance)") and ``{country}``, when present, the country's name."""

    with_number: NonEmpty
    without_number: NonEmpty

    @field_validator("with_number")
    @classmethod
    def _names_the_number(cls, value: str) -> str:
        if "{number}" not in value:
            raise ValueError("must contain {number}, where the local emergency number goes")
        return value


class CallLine(Strict):
    """One short line that opens the emergency topic. ``with_number`` has ``{numbers}`` and
    ``{country}``: "In danger now? In {country} call {numbers}."."""

    with_number: NonEmpty
    without_number: NonEmpty

    @field_validator("with_number")
    @classmethod
    def _names_numbers_and_country(cls, value: str) -> str:
        missing = [name for name in ("{numbers}", "{country}") if name not in value]
        if missing:
            raise ValueError(f"must contain {' and '.join(missing)}")
        return value


class ContactText(Strict):
    """A contact's name and what it does, in one language; a missing field stays English."""

    name: NonEmpty | None = None
    does: NonEmpty | None = None


class LanguagePack(Strict):
    """Language-level content (``content/<lang>/_language.yaml``).

    Everything here is language knowledge the matcher and conversation use as data.
    """

    disclaimer: NonEmpty | None = None
    urgent: UrgentText | None = None
    call_line: CallLine | None = None
    # The words for each service in a list of numbers: police, ambulance, fire, all.
    services: dict[Service, NonEmpty] = Field(default_factory=dict)
    # The menu's name for each category of topics.yaml, by id: a menu line and a button.
    categories: dict[str, Title] = Field(default_factory=dict)
    # Between numbers, and between services sharing one: ", " unless the language has its own.
    list_separator: Annotated[str, StringConstraints(min_length=1, max_length=3)] = ", "
    # Country names as the urgent text and call line use them, where babel's name does not
    # read well there ("the UAE" for "United Arab Emirates" after "In").
    country_names: dict[CountryCode, NonEmpty] = Field(default_factory=dict)
    # Words that turn what the 2020 talks called for into a promise ("agreed", "guaranteed");
    # ``content check`` refuses them in this language's topic text.
    overstatement_words: list[NonEmpty] = Field(default_factory=list)
    # Translated names of organisations (organisations.yaml) and contacts (contacts.yaml), by id.
    organisations: dict[str, NonEmpty] = Field(default_factory=dict)
    contacts: dict[str, ContactText] = Field(default_factory=dict)
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
    reviewer: NonEmpty | None = None
    reviewed_on: dt.date | None = None
    review_note: NonEmpty | None = None
    source_hash: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")] | None = None


_WS = re.compile(r"\s+")


def squash_whitespace(text: str) -> str:
    return _WS.sub(" ", text).strip()
