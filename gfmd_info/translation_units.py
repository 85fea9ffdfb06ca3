"""Every string a translator translates, under a stable key, with its English source.

A key names the file and the place in it: ``unpaid-wages/summary``,
``unpaid-wages/sections/2/text`` (sections counted from 0, as ``content check`` names them),
``_language/urgent/with_number``. Phrases, danger words, SMS spellings and the other matching
data are not translations of English: each language writes its own, so they are not listed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from babel import Locale

from gfmd_info.loader import LANGUAGE_FILE, ContentRead
from gfmd_info.store import ENGLISH, english_hash, language_hash
from gfmd_info.yaml_lines import Loc

LANGUAGE_KEY = "_language"


@dataclass(frozen=True)
class Unit:
    """One translatable string of one language."""

    key: str
    english: str
    # "" where the language has no translation yet.
    translation: str
    # reviewed, draft, stale, phrases-only or missing: where the file stands.
    status: str
    # The English text's hash now: what ``source_hash`` becomes once this is translated.
    source_hash: str


def file_of(key: str) -> tuple[str, Loc]:
    """``unpaid-wages/sections/2/text`` -> (``unpaid-wages.yaml``, ("sections", 2, "text"))."""
    stem, _, rest = key.partition("/")
    if not stem or not rest:
        raise ValueError(f"{key!r} is not a key like unpaid-wages/summary")
    loc = tuple(int(part) if part.isdigit() else part for part in rest.split("/"))
    name = LANGUAGE_FILE if stem == LANGUAGE_KEY else f"{stem}.yaml"
    return name, loc


def key_of(name: str, loc: Loc) -> str:
    stem = LANGUAGE_KEY if name == LANGUAGE_FILE else name.removesuffix(".yaml")
    return "/".join([stem, *map(str, loc)])


def translation_units(read: ContentRead, lang: str) -> list[Unit]:
    """The units of ``lang``, topics in menu order, then ``_language.yaml``."""
    store = read.store
    coverage = store.coverage()
    units: list[Unit] = []
    for topic_id in store.topics:
        source = store.texts.get(ENGLISH, {}).get(topic_id)
        if source is None:
            continue
        name = f"{topic_id}.yaml"
        status = str(coverage.state(lang, topic_id))
        english = _raw(read, ENGLISH, name)
        own = _raw(read, lang, name)
        units += _units(name, _topic_strings(english), own, status, english_hash(source))
    english_pack = store.packs.get(ENGLISH)
    if english_pack is not None:
        pack = store.packs.get(lang)
        if pack is None:
            status = "missing"
        elif store.is_language_stale(lang):
            status = "stale"
        else:
            status = str(pack.status)
        own = _raw(read, lang, LANGUAGE_FILE)
        strings = _language_strings(read, _raw(read, ENGLISH, LANGUAGE_FILE), own)
        units += _units(LANGUAGE_FILE, strings, own, status, language_hash(english_pack))
    return units


def _units(
    name: str, strings: Mapping[Loc, str], own: object, status: str, source_hash: str
) -> list[Unit]:
    return [
        Unit(key_of(name, loc), english, _string_at(own, loc), status, source_hash)
        for loc, english in strings.items()
    ]


def _raw(read: ContentRead, lang: str, name: str) -> object:
    """The file's data as written (not as validated: pydantic strips, a round trip must not)."""
    document = read.documents.get(read.path(lang, name))
    return None if document is None else document.data


def value_at(data: object, loc: Loc) -> object:
    """The value at ``loc`` in plain YAML data, ``None`` where there is none."""
    for part in loc:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return None
    return data


def _string_at(data: object, loc: Loc) -> str:
    found = value_at(data, loc)
    return found if isinstance(found, str) else ""


def _topic_strings(english: object) -> dict[Loc, str]:
    found: dict[Loc, str] = {}
    for name in ("title", "summary"):
        found[(name,)] = _string_at(english, (name,))
    sections = english.get("sections") if isinstance(english, dict) else None
    for index in range(len(sections) if isinstance(sections, list) else 0):
        for name in ("heading", "text"):
            found[("sections", index, name)] = _string_at(english, ("sections", index, name))
    return {loc: text for loc, text in found.items() if text}


_NESTED = ("urgent", "call_line")
_BY_ID = ("services", "categories", "country_notes")


def _language_strings(read: ContentRead, english: object, own: object) -> dict[Loc, str]:
    """The translated part of ``_language.yaml``; organisation and contact names come from
    their own files, country names from babel where English has none of its own."""
    found: dict[Loc, str] = {("disclaimer",): _string_at(english, ("disclaimer",))}
    for name in _NESTED:
        for part in ("with_number", "without_number"):
            found[(name, part)] = _string_at(english, (name, part))
    for name in _BY_ID:
        for key in _mapping(english, name):
            found[(name, key)] = _string_at(english, (name, key))
    store = read.store
    countries = {**_mapping(own, "country_names"), **_mapping(english, "country_names")}
    for code in sorted(countries):
        found[("country_names", code)] = _string_at(
            english, ("country_names", code)
        ) or _country_name(code)
    for org_id, org in store.organisations.items():
        found[("organisations", org_id)] = org.name
    for contact in store.contacts:
        found[("contacts", contact.id, "name")] = contact.name
        found[("contacts", contact.id, "does")] = contact.does
    return {loc: text for loc, text in found.items() if text}


def _mapping(data: object, name: str) -> dict[str, object]:
    value = data.get(name) if isinstance(data, dict) else None
    return {str(key): item for key, item in value.items()} if isinstance(value, dict) else {}


def _country_name(code: str) -> str:
    name = Locale("en").territories.get(code)
    return name if isinstance(name, str) else code
