"""Read ``content/`` all-or-nothing: every problem is collected, each with file, line and field.

:func:`load_content` returns a :class:`ContentStore` only when nothing is wrong; otherwise it
raises :class:`ContentError` listing every problem found, never a traceback for bad input.
:func:`read_content` returns what could be read together with the problems, for
``gfmd-bot content check`` to report on.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from babel import Locale
from babel.core import UnknownLocaleError
from pydantic import BaseModel, ValidationError

from gfmd_info.content_model import (
    SECTION_REF_PATTERN,
    Category,
    Contact,
    CountryNote,
    EmergencyNumber,
    LanguagePack,
    Organisation,
    Status,
    TopicMeta,
    TopicText,
)
from gfmd_info.problems import (
    PATTERN_MESSAGES,
    ContentError,
    Problem,
    Severity,
    describe,
    errors_first,
    field_name,
    listing,
)
from gfmd_info.store import ENGLISH, ContentStore
from gfmd_info.yaml_lines import Loc, YamlDocument, YamlSyntaxError, load_yaml

LANGUAGE_FILE = "_language.yaml"
Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True)
class ContentRead:
    """What could be read from ``content/`` and every problem found on the way.

    ``store`` holds only the parts that validated: with errors present it is incomplete and is
    fit for reporting (coverage, SMS budgets), not for serving.
    """

    store: ContentStore
    problems: tuple[Problem, ...]
    documents: Mapping[str, YamlDocument]
    root: str

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def path(self, *parts: str) -> str:
        """The path problems use for a file under the content folder."""
        return "/".join((self.root, *parts)) if self.root else "/".join(parts)

    def line(self, path: str, loc: Loc) -> int | None:
        document = self.documents.get(path)
        return None if document is None else document.line_of(loc)


def load_content(content_dir: Path) -> ContentStore:
    """The whole content, validated; raise :class:`ContentError` listing every error."""
    read = read_content(content_dir)
    if read.errors:
        raise ContentError(read.problems)
    return read.store


def read_content(content_dir: Path) -> ContentRead:
    reader = _Reader(content_dir)
    sections = _read_sections(reader)
    organisations, org_ids = _read_organisations(reader, sections)
    categories, category_ids, topics, topic_ids = _read_topics(reader, sections, org_ids)
    notes, note_ids = _read_country_notes(reader, sections, topic_ids)
    numbers = _read_emergency_numbers(reader)
    contacts, contact_ids = _read_contacts(reader, topic_ids)
    known = _KnownIds(
        notes=note_ids, organisations=org_ids, contacts=contact_ids, categories=category_ids
    )
    languages, texts, packs = _read_languages(reader, topic_ids, known)
    store = ContentStore.build(
        version=reader.version(),
        languages=languages,
        categories=categories,
        topics=topics,
        organisations=organisations,
        sections=sections or {},
        notes=notes,
        emergency_numbers=numbers,
        texts=texts,
        packs=packs,
        contacts=contacts,
    )
    return ContentRead(
        store=store,
        problems=tuple(errors_first(reader.problems)),
        documents=reader.documents,
        root=reader.root,
    )


@cache
def iso_countries() -> frozenset[str]:
    """ISO 3166 alpha-2 codes, from babel's territory names.

    CLDR also names groupings (EU, EZ, UN) and private-use codes (QO, XA, XB, ZZ); those are
    not countries. XK (Kosovo) is user-assigned but in general use, so it stays.
    """
    codes = {code for code in Locale("en").territories if isinstance(code, str)}
    return frozenset(
        code
        for code in codes
        if len(code) == 2
        and code.isalpha()
        and code not in {"EU", "EZ", "UN", "AA", "ZZ"}
        and not ("QM" <= code <= "QZ")
        and not (code.startswith("X") and code != "XK")
    )


def is_language_code(code: str) -> bool:
    """Whether babel knows ``code`` (a folder name like ``es``, ``fil`` or ``pt-BR``)."""
    try:
        Locale.parse(code, sep="-")
    except (ValueError, TypeError, UnknownLocaleError):
        return False
    return True


# Reading files


class _Reader:
    """Reads files under one content folder, remembering every problem and every byte."""

    def __init__(self, content_dir: Path) -> None:
        self.dir = content_dir
        self.root = content_dir.resolve().name if content_dir.is_absolute() else str(content_dir)
        if self.root == ".":
            self.root = ""
        self.problems: list[Problem] = []
        self.documents: dict[str, YamlDocument] = {}
        self._digest = hashlib.sha256()

    def path(self, rel: str) -> str:
        if not rel:
            return self.root or "."
        return f"{self.root}/{rel}" if self.root else rel

    def report(
        self,
        rel: str,
        line: int | None,
        field: str,
        message: str,
        severity: Severity = "error",
    ) -> None:
        self.problems.append(Problem(self.path(rel), line, field, message, severity))

    def at(self, rel: str, loc: Loc, message: str, severity: Severity = "error") -> None:
        """Report at a location inside a file already read."""
        document = self.documents.get(self.path(rel))
        line = None if document is None else document.line_of(loc)
        self.report(rel, line, field_name(loc), message, severity)

    def version(self) -> str:
        return self._digest.hexdigest()[:12]

    def read(self, rel: str, *, required: bool = True) -> YamlDocument | None:
        file = self.dir / rel
        if not file.is_file():
            if required:
                self.report(rel, None, "file", "is missing")
            return None
        try:
            raw = file.read_bytes()
        except OSError as error:
            self.report(rel, None, "file", f"cannot be read: {error.strerror}")
            return None
        self._digest.update(rel.encode() + b"\0" + raw + b"\0")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = raw[: error.start].count(b"\n") + 1
            self.report(rel, line, "file", "is not UTF-8 text: save it as UTF-8")
            return None
        try:
            document = load_yaml(text)
        except YamlSyntaxError as error:
            self.report(rel, error.line, "yaml", error.message)
            return None
        self.documents[self.path(rel)] = document
        for loc, line in document.duplicate_keys:
            self.report(rel, line, field_name(loc), "appears twice: the first value would be lost")
        return document

    def mapping(
        self, rel: str, document: YamlDocument, allowed: Sequence[str]
    ) -> dict[str, Any] | None:
        """The file's top-level mapping; unknown keys are reported."""
        data = {} if document.data is None else document.data
        if not isinstance(data, dict):
            self.report(rel, document.line_of(()), "file", "must be a mapping of `field: value`")
            return None
        for key in data:
            if key not in allowed:
                self.at(rel, (key,), f"unknown field; this file has {listing(allowed)}")
        return data

    def entries(self, rel: str, data: Mapping[str, Any], key: str) -> list[tuple[Loc, Any]]:
        value = data.get(key)
        if value is None:
            self.at(rel, (key,), "is missing")
            return []
        if not isinstance(value, list):
            self.at(rel, (key,), "must be a list (lines starting with `- `)")
            return []
        return [((key, index), item) for index, item in enumerate(value)]

    def validate(self, model: type[Model], data: object, rel: str, loc: Loc = ()) -> Model | None:
        try:
            return model.model_validate(data)
        except ValidationError as error:
            for detail in error.errors():
                where = (*loc, *detail["loc"])
                self.at(rel, where, describe(detail, model if not detail["loc"][1:] else None))
            return None


# The language-neutral files


def _read_sections(reader: _Reader) -> dict[str, str] | None:
    rel = "sections.yaml"
    document = reader.read(rel)
    if document is None:
        return None
    data = reader.mapping(rel, document, ["sections"])
    if data is None:
        return None
    sections = data.get("sections")
    if not isinstance(sections, dict):
        reader.at(rel, ("sections",), "must be a mapping of `section: title`")
        return None
    good = {}
    for ref, title in sections.items():
        if not re.fullmatch(SECTION_REF_PATTERN, str(ref)):
            reader.at(rel, ("sections", ref), f"{ref!r} {PATTERN_MESSAGES[SECTION_REF_PATTERN]}")
        elif not isinstance(title, str) or not title.strip():
            reader.at(rel, ("sections", ref), "needs a title")
        else:
            good[str(ref)] = title
    return good


def _check_section(
    reader: _Reader, rel: str, loc: Loc, ref: str, sections: Mapping[str, str] | None
) -> None:
    if sections is not None and ref not in sections:
        reader.at(rel, loc, f"section {ref!r} is not in sections.yaml")


def _declared(entries: Sequence[tuple[Loc, Any]]) -> set[str]:
    """The ids of every entry, valid or not: checking against them does not cascade one error
    into a second one somewhere else."""
    return {
        item["id"]
        for _, item in entries
        if isinstance(item, dict) and isinstance(item.get("id"), str)
    }


def _read_organisations(
    reader: _Reader, sections: Mapping[str, str] | None
) -> tuple[list[Organisation], set[str] | None]:
    rel = "organisations.yaml"
    document = reader.read(rel)
    data = None if document is None else reader.mapping(rel, document, ["organisations"])
    if data is None:
        return [], None
    found: dict[str, Organisation] = {}
    entries = reader.entries(rel, data, "organisations")
    for loc, item in entries:
        org = reader.validate(Organisation, item, rel, loc)
        if org is None:
            continue
        if org.id in found:
            reader.at(rel, (*loc, "id"), f"duplicate organisation id {org.id!r}")
            continue
        _check_section(reader, rel, (*loc, "report_mention"), org.report_mention, sections)
        found[org.id] = org
    return list(found.values()), _declared(entries)


def _read_topics(
    reader: _Reader,
    sections: Mapping[str, str] | None,
    org_ids: set[str] | None,
) -> tuple[list[Category], set[str] | None, list[TopicMeta], set[str] | None]:
    """The categories and topics, each with the ids declared (``None``: the file is broken)."""
    rel = "topics.yaml"
    document = reader.read(rel)
    data = None if document is None else reader.mapping(rel, document, ["categories", "topics"])
    if data is None:
        return [], None, [], None
    categories: dict[str, Category] = {}
    category_entries = reader.entries(rel, data, "categories")
    category_ids = _declared(category_entries)
    for loc, item in category_entries:
        category = reader.validate(Category, item, rel, loc)
        if category is not None and category.id in categories:
            reader.at(rel, (*loc, "id"), f"duplicate category id {category.id!r}")
        elif category is not None:
            categories[category.id] = category
    topics: dict[str, tuple[Loc, TopicMeta]] = {}
    entries = reader.entries(rel, data, "topics")
    declared = _declared(entries)
    for loc, item in entries:
        topic = reader.validate(TopicMeta, item, rel, loc)
        if topic is not None and topic.id in topics:
            first = reader.documents[reader.path(rel)].line_of((*topics[topic.id][0], "id"))
            reader.at(rel, (*loc, "id"), f"duplicate topic id {topic.id!r} (first on line {first})")
        elif topic is not None:
            topics[topic.id] = (loc, topic)
    orders: dict[tuple[str, int], str] = {}
    for loc, topic in topics.values():
        if topic.category not in category_ids:
            reader.at(rel, (*loc, "category"), f"unknown category {topic.category!r}")
        for index, ref in enumerate(topic.sections):
            _check_section(reader, rel, (*loc, "sections", index), ref, sections)
        for index, other in enumerate(topic.related):
            if other not in declared:
                reader.at(rel, (*loc, "related", index), f"unknown topic id {other!r}")
        for index, org_id in enumerate(topic.organisations):
            if org_ids is not None and org_id not in org_ids:
                reader.at(
                    rel,
                    (*loc, "organisations", index),
                    f"unknown organisation id {org_id!r}: add it to organisations.yaml",
                )
        if (topic.category, topic.order) in orders:
            shared = orders[(topic.category, topic.order)]
            reader.at(rel, (*loc, "order"), f"same order as {shared!r}", "warning")
        orders[(topic.category, topic.order)] = topic.id
    used = {topic.category for _, topic in topics.values()}
    for index, category in enumerate(categories.values()):
        if category.id not in used:
            reader.at(rel, ("categories", index), "no topic is in this category", "warning")
    topics_found = [topic for _, topic in topics.values()]
    return list(categories.values()), category_ids, topics_found, declared


def _check_country(reader: _Reader, rel: str, loc: Loc, code: str) -> None:
    if code not in iso_countries():
        reader.at(rel, loc, f"{code!r} is not an ISO 3166 country code")


def _read_country_notes(
    reader: _Reader, sections: Mapping[str, str] | None, topic_ids: set[str] | None
) -> tuple[list[CountryNote], set[str] | None]:
    rel = "country-notes.yaml"
    document = reader.read(rel)
    data = None if document is None else reader.mapping(rel, document, ["notes"])
    if data is None:
        return [], None
    notes: dict[str, CountryNote] = {}
    entries = reader.entries(rel, data, "notes")
    for loc, item in entries:
        note = reader.validate(CountryNote, item, rel, loc)
        if note is None:
            continue
        if note.id in notes:
            reader.at(rel, (*loc, "id"), f"duplicate note id {note.id!r}")
            continue
        _check_country(reader, rel, (*loc, "country"), note.country)
        _check_section(reader, rel, (*loc, "section"), note.section, sections)
        for index, topic_id in enumerate(note.topics):
            if topic_ids is not None and topic_id not in topic_ids:
                reader.at(rel, (*loc, "topics", index), f"unknown topic id {topic_id!r}")
        notes[note.id] = note
    return list(notes.values()), _declared(entries)


def _read_emergency_numbers(reader: _Reader) -> list[EmergencyNumber]:
    rel = "emergency-numbers.yaml"
    document = reader.read(rel)
    data = None if document is None else reader.mapping(rel, document, ["numbers"])
    if data is None:
        return []
    numbers: dict[str, EmergencyNumber] = {}
    for loc, item in reader.entries(rel, data, "numbers"):
        number = reader.validate(EmergencyNumber, item, rel, loc)
        if number is None:
            continue
        if number.country in numbers:
            reader.at(rel, (*loc, "country"), f"{number.country} is listed twice")
            continue
        _check_country(reader, rel, (*loc, "country"), number.country)
        numbers[number.country] = number
    return list(numbers.values())


def _read_contacts(
    reader: _Reader, topic_ids: set[str] | None
) -> tuple[list[Contact], set[str] | None]:
    """``contacts.yaml`` is optional: without it every country gets the general help text."""
    rel = "contacts.yaml"
    document = reader.read(rel, required=False)
    data = None if document is None else reader.mapping(rel, document, ["contacts"])
    if data is None:
        return [], set() if document is None else None
    contacts: dict[str, Contact] = {}
    entries = reader.entries(rel, data, "contacts")
    for loc, item in entries:
        contact = reader.validate(Contact, item, rel, loc)
        if contact is None:
            continue
        if contact.id in contacts:
            reader.at(rel, (*loc, "id"), f"duplicate contact id {contact.id!r}")
            continue
        _check_country(reader, rel, (*loc, "country"), contact.country)
        for index, topic_id in enumerate(contact.topics):
            if topic_ids is not None and topic_id not in topic_ids:
                reader.at(rel, (*loc, "topics", index), f"unknown topic id {topic_id!r}")
        contacts[contact.id] = contact
    return list(contacts.values()), _declared(entries)


# Language folders


_TEXT_FIELDS = ("title", "summary", "sections")


@dataclass(frozen=True)
class _KnownIds:
    """Ids a language file may translate; ``None`` where the file defining them is broken."""

    notes: set[str] | None
    organisations: set[str] | None
    contacts: set[str] | None
    categories: set[str] | None


def _read_languages(
    reader: _Reader, topic_ids: set[str] | None, known: _KnownIds
) -> tuple[list[str], dict[str, dict[str, TopicText]], dict[str, LanguagePack]]:
    folders = sorted(
        entry.name
        for entry in (reader.dir.iterdir() if reader.dir.is_dir() else [])
        if entry.is_dir() and not entry.name.startswith((".", "_"))
    )
    if not reader.dir.is_dir():
        reader.report("", None, "folder", "the content folder does not exist")
    texts: dict[str, dict[str, TopicText]] = {}
    packs: dict[str, LanguagePack] = {}
    for lang in folders:
        if not is_language_code(lang):
            reader.report(
                lang, None, "language", f"{lang!r} is not a language code (like es, fr, ar, pt)"
            )
        pack = _read_pack(reader, lang, known)
        if pack is not None:
            packs[lang] = pack
        texts[lang] = _read_topic_files(reader, lang, topic_ids)
    if ENGLISH not in folders:
        reader.report(ENGLISH, None, "language", "the English folder is missing")
    if topic_ids is not None:
        for topic_id in sorted(topic_ids):
            rel = f"{ENGLISH}/{topic_id}.yaml"
            if not (reader.dir / rel).is_file():
                reader.report(rel, None, "file", "is missing: every topic needs its English text")
    return folders, texts, packs


def _read_pack(reader: _Reader, lang: str, known: _KnownIds) -> LanguagePack | None:
    rel = f"{lang}/{LANGUAGE_FILE}"
    document = reader.read(rel, required=lang == ENGLISH)
    if document is None:
        return None
    data = {} if document.data is None else document.data
    pack = reader.validate(LanguagePack, data, rel)
    if pack is None:
        return None
    note_ids = known.notes
    translated = (
        ("country_notes", pack.country_notes, note_ids, "a note id in country-notes.yaml"),
        ("organisations", pack.organisations, known.organisations, "an id in organisations.yaml"),
        ("contacts", pack.contacts, known.contacts, "an id in contacts.yaml"),
        ("categories", pack.categories, known.categories, "a category id in topics.yaml"),
    )
    for name, mapping, ids, what in translated:
        for key in mapping:
            if ids is not None and key not in ids:
                reader.at(rel, (name, key), f"is not {what}")
    for code in pack.country_names:
        _check_country(reader, rel, ("country_names", code), code)
    if lang != ENGLISH and pack.status is Status.REVIEWED:
        _check_review_record(reader, rel, document, document.data)
    _check_category_labels(reader, rel, lang, pack, known.categories)
    if lang == ENGLISH:
        for name in ("disclaimer", "urgent", "call_line"):
            if getattr(pack, name) is None:
                reader.at(rel, (name,), "is missing: every language falls back to English")
        for note_id in sorted((note_ids or set()) - set(pack.country_notes)):
            reader.at(
                rel,
                ("country_notes",),
                f"has no text for note {note_id!r} (from country-notes.yaml)",
            )
    return pack


def _check_category_labels(
    reader: _Reader, rel: str, lang: str, pack: LanguagePack, category_ids: set[str] | None
) -> None:
    """Every category in the menu needs an English label; another language without one shows
    the English label, which is worth a warning only where the rest is in that language."""
    if lang != ENGLISH and pack.status is Status.PHRASES_ONLY:
        return
    english = lang == ENGLISH
    why = "every language falls back to English" if english else "the menu shows the English one"
    for category_id in sorted((category_ids or set()) - set(pack.categories)):
        reader.at(
            rel,
            ("categories",),
            f"has no label for category {category_id!r} (from topics.yaml): {why}",
            "error" if english else "warning",
        )


def _check_review_record(
    reader: _Reader,
    rel: str,
    document: YamlDocument,
    data: object,
    names: Sequence[str] = ("reviewer", "reviewed_on", "review_note"),
) -> None:
    """A reviewed translation records who reviewed it, when, and what they checked."""
    given = data if isinstance(data, dict) else {}
    for name in names:
        if given.get(name) in (None, ""):
            reader.report(
                rel,
                document.line_of(("status",)),
                name,
                "is missing: a reviewed translation records who reviewed it (reviewer), when"
                " (reviewed_on) and what they checked (review_note)",
            )


def _read_topic_files(
    reader: _Reader, lang: str, topic_ids: set[str] | None
) -> dict[str, TopicText]:
    texts: dict[str, TopicText] = {}
    folder = reader.dir / lang
    for file in sorted(folder.iterdir()):
        rel = f"{lang}/{file.name}"
        if file.suffix == ".yml":
            reader.report(rel, None, "file", "is ignored: content files end in .yaml", "warning")
        if file.suffix != ".yaml" or file.name == LANGUAGE_FILE or not file.is_file():
            continue
        topic_id = file.stem
        known = topic_ids is None or topic_id in topic_ids
        document = reader.read(rel)
        if not known:
            reader.report(
                rel, 1, "topic id", f"{topic_id!r} is not a topic in topics.yaml (check the name)"
            )
        if document is None:
            continue
        text = _read_topic_text(reader, lang, rel, document)
        if text is not None and known:
            texts[topic_id] = text
    return texts


def _read_topic_text(
    reader: _Reader, lang: str, rel: str, document: YamlDocument
) -> TopicText | None:
    data = reader.mapping(rel, document, list(TopicText.model_fields))
    if data is None:
        return None
    status = data.get("status")
    if status in ("draft", "reviewed"):
        for name in _TEXT_FIELDS:
            if data.get(name) in (None, []):
                reader.report(
                    rel,
                    document.line_of(("status",)),
                    name,
                    f"is missing: a {status} topic needs a title, a summary and sections",
                )
    if status == "reviewed":
        for name in ("reviewer", "reviewed_on"):
            if data.get(name) is None:
                reader.report(
                    rel,
                    document.line_of(("status",)),
                    name,
                    "is missing: a reviewed topic names its reviewer and the date (reviewed_on)",
                )
        if lang != ENGLISH:
            _check_review_record(reader, rel, document, data, names=("review_note",))
    if status == "phrases-only":
        for name in _TEXT_FIELDS:
            if data.get(name) not in (None, [], ""):
                reader.at(
                    rel,
                    (name,),
                    "is not allowed in a phrases-only file: remove it, or set status: draft",
                )
        if lang == ENGLISH:
            reader.at(
                rel,
                ("status",),
                "English is every language's fallback, so it needs the full text"
                " (draft or reviewed)",
            )
    # Unknown fields were reported by ``mapping``; validate the rest.
    known = {key: value for key, value in data.items() if key in TopicText.model_fields}
    return reader.validate(TopicText, known, rel)
