"""All content, validated and indexed: topics by id and language, menus, fallbacks and coverage.

A :class:`ContentStore` is immutable once built (by :func:`gfmd_info.loader.load_content`), so a
running bot can swap a whole new store in on reload and never serve half an edit.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from gfmd_info.content_model import (
    Category,
    Contact,
    CountryNote,
    EmergencyNumber,
    LanguagePack,
    Organisation,
    Status,
    TopicMeta,
    TopicText,
    squash_whitespace,
)

ENGLISH = "en"
HASH_LENGTH = 16


def _short_hash(payload: object) -> str:
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:HASH_LENGTH]


def _words(text: str | None) -> str | None:
    # Re-wrapping a paragraph is not a change a translator needs to follow.
    return None if text is None else squash_whitespace(text)


def english_hash(text: TopicText) -> str:
    """Fingerprint of what a translation translates: title, summary and sections."""
    return _short_hash(
        {
            "title": _words(text.title),
            "summary": _words(text.summary),
            "sections": [
                {"heading": _words(s.heading), "text": _words(s.text)} for s in text.sections
            ],
        }
    )


def language_hash(pack: LanguagePack) -> str:
    """Fingerprint of the translated part of ``_language.yaml``: disclaimer, urgent, notes."""
    return _short_hash(
        {
            "disclaimer": _words(pack.disclaimer),
            "urgent": None
            if pack.urgent is None
            else {
                "with_number": _words(pack.urgent.with_number),
                "without_number": _words(pack.urgent.without_number),
            },
            "country_notes": {key: _words(value) for key, value in pack.country_notes.items()},
            "call_line": None
            if pack.call_line is None
            else {
                "with_number": _words(pack.call_line.with_number),
                "without_number": _words(pack.call_line.without_number),
            },
            "services": {key.value: _words(value) for key, value in pack.services.items()},
        }
    )


def translates_language_text(pack: LanguagePack) -> bool:
    """Whether a ``_language.yaml`` holds translated text (and so has an English source)."""
    if pack.status is Status.PHRASES_ONLY:
        return False
    return (
        pack.disclaimer is not None
        or pack.urgent is not None
        or pack.call_line is not None
        or bool(pack.country_notes)
    )


class CoverageState(StrEnum):
    """Where one topic stands in one language. Exactly one state per topic and language."""

    REVIEWED = "reviewed"
    DRAFT = "draft"
    # A translation whose English source changed since it was stamped.
    STALE = "stale"
    PHRASES_ONLY = "phrases-only"
    MISSING = "missing"


@dataclass(frozen=True)
class CoverageRow:
    language: str
    reviewed: int
    draft: int
    stale: int
    phrases_only: int
    missing: int
    total: int

    @property
    def complete(self) -> int:
        """Topics with current text: English, or a translation stamped with today's English."""
        return self.reviewed + self.draft


@dataclass(frozen=True)
class Coverage:
    """Translation coverage: language x topic -> state."""

    languages: tuple[str, ...]
    topics: tuple[str, ...]
    states: Mapping[str, Mapping[str, CoverageState]]

    def state(self, language: str, topic_id: str) -> CoverageState:
        return self.states.get(language, {}).get(topic_id, CoverageState.MISSING)

    def rows(self) -> list[CoverageRow]:
        rows = []
        for language in self.languages:
            counts = {state: 0 for state in CoverageState}
            for topic_id in self.topics:
                counts[self.state(language, topic_id)] += 1
            rows.append(
                CoverageRow(
                    language=language,
                    reviewed=counts[CoverageState.REVIEWED],
                    draft=counts[CoverageState.DRAFT],
                    stale=counts[CoverageState.STALE],
                    phrases_only=counts[CoverageState.PHRASES_ONLY],
                    missing=counts[CoverageState.MISSING],
                    total=len(self.topics),
                )
            )
        return rows


@dataclass(frozen=True)
class LocalisedTopic:
    """The text to show for a topic: in ``lang_shown``, English when ``fallback`` is true."""

    topic_id: str
    lang_shown: str
    text: TopicText
    fallback: bool


@dataclass(frozen=True, kw_only=True)
class ContentStore:
    """Everything under ``content/``, read-only. Build it with :meth:`build`."""

    version: str
    languages: tuple[str, ...]
    text_languages: tuple[str, ...]
    categories: tuple[Category, ...]
    topics: Mapping[str, TopicMeta]
    organisations: Mapping[str, Organisation]
    sections: Mapping[str, str]
    notes: tuple[CountryNote, ...]
    emergency_numbers: Mapping[str, EmergencyNumber]
    contacts: tuple[Contact, ...]
    # language -> topic id -> text (phrases-only files included)
    texts: Mapping[str, Mapping[str, TopicText]]
    packs: Mapping[str, LanguagePack]
    # Merged language packs, filled on first use (the store never changes once built).
    _merged: dict[str, LanguagePack] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(
        cls,
        *,
        version: str,
        languages: Sequence[str],
        categories: Sequence[Category],
        topics: Sequence[TopicMeta],
        organisations: Sequence[Organisation],
        sections: Mapping[str, str],
        notes: Sequence[CountryNote],
        emergency_numbers: Sequence[EmergencyNumber],
        texts: Mapping[str, Mapping[str, TopicText]],
        packs: Mapping[str, LanguagePack],
        contacts: Sequence[Contact] = (),
    ) -> ContentStore:
        ordered = sorted(set(languages) | set(texts) | set(packs), key=_language_order)
        category_order = {category.id: category.order for category in categories}
        topic_map = {
            topic.id: topic
            for topic in sorted(
                topics, key=lambda t: (category_order.get(t.category, 0), t.order, t.id)
            )
        }
        text_languages = tuple(
            lang
            for lang in ordered
            if (pack := packs.get(lang)) is not None
            and pack.disclaimer is not None
            and pack.urgent is not None
            and all(
                (text := texts.get(lang, {}).get(topic_id)) is not None and text.has_text
                for topic_id in topic_map
            )
        )
        return cls(
            version=version,
            languages=tuple(ordered),
            text_languages=text_languages,
            categories=tuple(sorted(categories, key=lambda c: (c.order, c.id))),
            topics=MappingProxyType(topic_map),
            organisations=MappingProxyType({org.id: org for org in organisations}),
            sections=MappingProxyType(dict(sections)),
            notes=tuple(notes),
            emergency_numbers=MappingProxyType({n.country: n for n in emergency_numbers}),
            contacts=tuple(contacts),
            texts=MappingProxyType(
                {lang: MappingProxyType(dict(by_topic)) for lang, by_topic in texts.items()}
            ),
            packs=MappingProxyType(dict(packs)),
        )

    # Menus

    def topics_in(self, category_id: str) -> list[TopicMeta]:
        return [topic for topic in self.topics.values() if topic.category == category_id]

    # Text in a language, with English fallback

    def has_text(self, topic_id: str, lang: str) -> bool:
        text = self.texts.get(lang, {}).get(topic_id)
        return text is not None and text.has_text

    def topic_text(self, topic_id: str, lang: str) -> LocalisedTopic:
        """The topic in ``lang``, or in English (``fallback=True``) when ``lang`` has no text."""
        if topic_id not in self.topics:
            raise KeyError(topic_id)
        if self.has_text(topic_id, lang):
            return LocalisedTopic(topic_id, lang, self.texts[lang][topic_id], fallback=False)
        return LocalisedTopic(
            topic_id, ENGLISH, self.texts[ENGLISH][topic_id], fallback=lang != ENGLISH
        )

    def title(self, topic_id: str, lang: str) -> str:
        return self.topic_text(topic_id, lang).text.title or topic_id

    def phrases(self, lang: str) -> Mapping[str, list[str]]:
        """Topic id -> the phrases and title people may type, for each file in ``lang``."""
        by_topic = {}
        for topic_id, text in self.texts.get(lang, {}).items():
            words = list(text.phrases)
            if text.title is not None:
                words.append(text.title)
            by_topic[topic_id] = words
        return MappingProxyType(by_topic)

    def language_pack(self, lang: str) -> LanguagePack:
        """``lang``'s pack, with English disclaimer, urgent text, call line, service words,
        country notes and organisation names filling gaps."""
        merged = self._merged.get(lang)
        if merged is not None:
            return merged
        english = self.packs[ENGLISH]
        own = self.packs.get(lang)
        if own is None:
            return english
        merged = own.model_copy(
            update={
                "disclaimer": own.disclaimer or english.disclaimer,
                "urgent": own.urgent or english.urgent,
                "call_line": own.call_line or english.call_line,
                "services": {**english.services, **own.services},
                "country_notes": {**english.country_notes, **own.country_notes},
                "organisations": {**english.organisations, **own.organisations},
            }
        )
        self._merged[lang] = merged
        return merged

    # Facts that do not depend on the language

    def emergency_number(self, country: str) -> EmergencyNumber | None:
        return self.emergency_numbers.get(country.upper())

    def country_notes(self, country: str, topic_id: str, lang: str) -> list[str]:
        texts = self.language_pack(lang).country_notes
        return [
            texts[note.id]
            for note in self.notes
            if note.country == country.upper() and topic_id in note.topics and note.id in texts
        ]

    def contacts_for(self, country: str, topic_id: str) -> list[Contact]:
        """The contacts in ``country`` for ``topic_id``, in the order the file lists them."""
        code = country.upper()
        return [c for c in self.contacts if c.country == code and topic_id in c.topics]

    def organisations_for(self, topic_id: str) -> list[Organisation]:
        return [
            self.organisations[org_id]
            for org_id in self.topics[topic_id].organisations
            if org_id in self.organisations
        ]

    def sections_for(self, topic_id: str) -> list[tuple[str, str]]:
        """(reference, title) of each report section the topic draws on."""
        return [(ref, self.sections.get(ref, "")) for ref in self.topics[topic_id].sections]

    # Translation status

    def is_stale(self, topic_id: str, lang: str) -> bool:
        """A translation whose ``source_hash`` is not the hash of today's English text."""
        if lang == ENGLISH:
            return False
        text = self.texts.get(lang, {}).get(topic_id)
        source = self.texts.get(ENGLISH, {}).get(topic_id)
        if text is None or not text.has_text or source is None:
            return False
        return text.source_hash != english_hash(source)

    def is_language_stale(self, lang: str) -> bool:
        """Like :meth:`is_stale`, for the translated part of ``<lang>/_language.yaml``."""
        pack = self.packs.get(lang)
        source = self.packs.get(ENGLISH)
        if lang == ENGLISH or pack is None or source is None:
            return False
        return translates_language_text(pack) and pack.source_hash != language_hash(source)

    def coverage(self) -> Coverage:
        states: dict[str, Mapping[str, CoverageState]] = {}
        for lang in self.languages:
            row: dict[str, CoverageState] = {}
            for topic_id in self.topics:
                text = self.texts.get(lang, {}).get(topic_id)
                if text is None:
                    row[topic_id] = CoverageState.MISSING
                elif not text.has_text:
                    row[topic_id] = CoverageState.PHRASES_ONLY
                elif self.is_stale(topic_id, lang):
                    row[topic_id] = CoverageState.STALE
                elif text.status is Status.REVIEWED:
                    row[topic_id] = CoverageState.REVIEWED
                else:
                    row[topic_id] = CoverageState.DRAFT
            states[lang] = MappingProxyType(row)
        return Coverage(
            languages=self.languages,
            topics=tuple(self.topics),
            states=MappingProxyType(states),
        )


def _language_order(code: str) -> tuple[bool, str]:
    return (code != ENGLISH, code)
