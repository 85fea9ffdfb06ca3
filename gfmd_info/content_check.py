"""``gfmd-bot content check`` and ``content stamp``: what an editor runs after changing content.

:func:`check_content` adds to the loader's problems what only matters to editors: stale
translations, a phrase two topics share, SMS budgets, the gettext catalogs in ``locales/``; and
it returns the translation coverage. :func:`stamp_language` records, in each translated file, the
English text it now matches.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from babel.messages.pofile import PoFileError, read_po

from gfmd_info.content_model import squash_whitespace
from gfmd_info.emergency_line import EMERGENCY_TOPIC, call_line, urgent_text
from gfmd_info.loader import LANGUAGE_FILE, ContentRead, is_language_code, read_content
from gfmd_info.problems import ContentError, Problem, errors_first
from gfmd_info.sms_encoding import Encoding, measure, to_gsm7
from gfmd_info.store import (
    ENGLISH,
    ContentStore,
    Coverage,
    english_hash,
    language_hash,
    translates_language_text,
)

DEFAULT_MORE_HINT = "Reply MORE for more."
# One SMS page: what a person receives before they have to reply MORE.
PAGE_SEGMENTS = 3
# The most a page of PAGE_SEGMENTS segments holds, per encoding (153 septets, 67 UCS-2 units).
_PAGE_UNITS = {Encoding.GSM7: 153 * PAGE_SEGMENTS, Encoding.UCS2: 67 * PAGE_SEGMENTS}
# Sourced facts older than this are flagged for re-checking.
RECHECK_AFTER_DAYS = 365
CATALOG = "LC_MESSAGES/messages.po"


@dataclass(frozen=True)
class CheckReport:
    problems: tuple[Problem, ...]
    coverage: Coverage

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors


def check_content(
    content_dir: Path,
    locales_dir: Path | None = None,
    more_hint: Callable[[str], str] | None = None,
    today: dt.date | None = None,
) -> CheckReport:
    """Every problem in ``content/`` (and ``locales/`` when given), and the coverage table."""
    read = read_content(content_dir)
    hint = more_hint or (lambda _lang: DEFAULT_MORE_HINT)
    problems = [
        *read.problems,
        *_stale_translations(read),
        *_shared_phrases(read),
        *_sms_budgets(read, hint),
        *_overstatements(read),
        *_sourced_facts(read, today or dt.date.today()),
    ]
    if locales_dir is not None:
        problems += check_locales(locales_dir, read.store.text_languages)
    return CheckReport(tuple(errors_first(problems)), read.store.coverage())


# Translations behind their English source


def _stale_translations(read: ContentRead) -> Iterable[Problem]:
    store = read.store
    for lang in store.languages:
        files = [
            (f"{topic_id}.yaml", store.texts[lang][topic_id].source_hash)
            for topic_id in store.texts.get(lang, {})
            if store.is_stale(topic_id, lang)
        ]
        if store.is_language_stale(lang):
            files.append((LANGUAGE_FILE, store.packs[lang].source_hash))
        for name, stamped in files:
            path = read.path(lang, name)
            line = read.line(path, ("source_hash",))
            why = "is missing" if stamped is None else "is stale: the English text changed"
            yield Problem(
                path,
                line,
                "source_hash",
                f"{why}; check the translation against en/{name}, then run"
                f" `gfmd-bot content stamp {lang}`",
                "warning",
            )


def _phrase_key(phrase: str) -> str:
    return squash_whitespace(phrase.casefold())


def _shared_phrases(read: ContentRead) -> Iterable[Problem]:
    for lang, by_topic in read.store.texts.items():
        first: dict[str, tuple[str, str, int | None]] = {}
        for topic_id, text in sorted(by_topic.items()):
            path = read.path(lang, f"{topic_id}.yaml")
            for index, phrase in enumerate(text.phrases):
                line = read.line(path, ("phrases", index))
                key = _phrase_key(phrase)
                if key not in first:
                    first[key] = (topic_id, path, line)
                    continue
                other, other_path, other_line = first[key]
                if other != topic_id:
                    yield Problem(
                        path,
                        line,
                        f"phrases[{index}]",
                        f"{phrase!r} is also a phrase of {other} ({other_path}:{other_line}):"
                        " the bot cannot tell the two apart",
                        "warning",
                    )


# SMS budgets


def _over_budget(text: str) -> str | None:
    """Why ``text`` does not fit one SMS page, or ``None`` when it does."""
    sent = to_gsm7(text)
    size = measure(sent)
    if size.segments <= PAGE_SEGMENTS:
        return None
    unit = "characters" if size.encoding is Encoding.GSM7 else "UCS-2 units"
    over = size.units - _PAGE_UNITS[size.encoding]
    return (
        f"needs {size.segments} SMS segments ({size.units} {unit}, {size.encoding.value});"
        f" one page is {PAGE_SEGMENTS}: shorten it by at least {over} {unit}"
    )


def _sms_budgets(read: ContentRead, hint: Callable[[str], str]) -> Iterable[Problem]:
    """A summary, and the urgent text, must fit one page. With a single three-digit number it
    is an error not to; a country whose several numbers make it too long is a warning naming
    the country, for the translator to shorten the text around the numbers."""
    store = read.store
    if ENGLISH not in store.packs:
        return
    for lang in store.languages:
        for topic_id, text in store.texts.get(lang, {}).items():
            if text.summary is None:
                continue
            path = read.path(lang, f"{topic_id}.yaml")
            line = read.line(path, ("summary",))
            if topic_id != EMERGENCY_TOPIC:
                why = _over_budget(f"{text.summary}\n{hint(lang)}")
                if why is not None:
                    yield Problem(path, line, "summary", f"{why} (MORE hint included)")
                continue
            page = partial(_emergency_page, store, lang, f"{text.summary}\n{hint(lang)}")
            yield from _fits_everywhere(
                store, page, path, line, "summary", " (MORE hint and the call line included)"
            )
        pack = store.packs.get(lang)
        if pack is None or pack.urgent is None:
            continue
        path = read.path(lang, LANGUAGE_FILE)
        why = _over_budget(urgent_text(store, lang, None))
        if why is not None:
            line = read.line(path, ("urgent", "without_number"))
            yield Problem(path, line, "urgent.without_number", why)
        line = read.line(path, ("urgent", "with_number"))
        urgent = partial(urgent_text, store, lang)
        yield from _fits_everywhere(store, urgent, path, line, "urgent.with_number", "")


def _fits_everywhere(
    store: ContentStore,
    render: Callable[[str | None], str],
    path: str,
    line: int | None,
    field: str,
    note: str,
) -> Iterable[Problem]:
    sample = _with_sample_number(store)
    for country in [None, *([] if sample is None else [sample])]:
        why = _over_budget(render(country))
        if why is not None:
            yield Problem(path, line, field, f"{why}{note}")
            return
    too_long = [
        country for country in store.emergency_numbers if _over_budget(render(country)) is not None
    ]
    if too_long:
        yield Problem(
            path,
            line,
            field,
            f"does not fit one SMS page with the numbers of {', '.join(too_long)}{note}:"
            " shorten the text around them",
            "warning",
        )


def _emergency_page(store: ContentStore, lang: str, rest: str, country: str | None) -> str:
    return f"{call_line(store, lang, country)}\n{rest}"


def _with_sample_number(store: ContentStore) -> str | None:
    """A country with one three-digit number for everything: the common case."""
    return next(
        (
            country
            for country, entry in store.emergency_numbers.items()
            if len(entry.numbers) == 1 and len(entry.number) == 3
        ),
        None,
    )


# Promises the report does not make


def _overstatements(read: ContentRead) -> Iterable[Problem]:
    """The report records what the 2020 talks called for; every topic text draws on it, so
    none may say it was agreed, guaranteed or is a right. The words are per language."""
    store = read.store
    for lang in store.languages:
        pack = store.packs.get(lang)
        if pack is None or not pack.overstatement_words:
            continue
        pattern = re.compile(
            "|".join(
                rf"(?<!\w){re.escape(word.casefold())}(?!\w)" for word in pack.overstatement_words
            )
        )
        for topic_id, text in store.texts.get(lang, {}).items():
            path = read.path(lang, f"{topic_id}.yaml")
            fields: list[tuple[tuple[str | int, ...], str, str | None]] = [
                (("summary",), "summary", text.summary)
            ]
            fields += [
                (("sections", i, "text"), f"sections[{i}].text", section.text)
                for i, section in enumerate(text.sections)
            ]
            for loc, name, value in fields:
                found = pattern.search(squash_whitespace(value or "").casefold())
                if found is not None:
                    yield Problem(
                        path,
                        read.line(path, loc),
                        name,
                        f"says {found.group(0)!r}: the report records what the 2020 talks"
                        " called for, not agreements or rights; say what was called for, and"
                        f" where (overstatement_words in {lang}/{LANGUAGE_FILE})",
                    )


# NGO-added facts: emergency numbers and contacts


def _sourced_facts(read: ContentRead, today: dt.date) -> Iterable[Problem]:
    store = read.store
    dated: list[tuple[str, tuple[str | int, ...], dt.date]] = []
    path = read.path("emergency-numbers.yaml")
    where = _positions(read, path, "numbers", "country")
    for country, entry in store.emergency_numbers.items():
        index = where.get(country, 0)
        dated.append((path, ("numbers", index), entry.checked))
        if entry.source_url is None:
            yield Problem(
                path,
                read.line(path, ("numbers", index)),
                f"numbers[{index}].source_url",
                f"is missing: give the address of the page the {country} numbers were read on",
                "warning",
            )
    contacts_path = read.path("contacts.yaml")
    where = _positions(read, contacts_path, "contacts", "id")
    dated += [
        (contacts_path, ("contacts", where.get(contact.id, 0)), contact.checked)
        for contact in store.contacts
    ]
    for file, loc, checked in dated:
        field = f"{loc[0]}[{loc[1]}].checked"
        line = read.line(file, (*loc, "checked"))
        if checked > today:
            yield Problem(
                file, line, field, f"{checked} is in the future: give the day it was read"
            )
        elif (today - checked).days > RECHECK_AFTER_DAYS:
            yield Problem(
                file,
                line,
                field,
                f"was checked on {checked}, more than 12 months ago: read the source again and"
                " update the date",
                "warning",
            )


def _positions(read: ContentRead, path: str, key: str, name: str) -> dict[str, int]:
    """Where each entry stands in the file, by its key: entries that failed to load are not
    in the store, so the store's order is not the file's."""
    document = read.documents.get(path)
    data = None if document is None else document.data
    entries = data.get(key) if isinstance(data, dict) else None
    found: dict[str, int] = {}
    for index, item in enumerate(entries if isinstance(entries, list) else []):
        if isinstance(item, dict) and isinstance(item.get(name), str):
            found.setdefault(item[name], index)
    return found


# Gettext catalogs


def check_locales(locales_dir: Path, text_languages: Iterable[str]) -> list[Problem]:
    """Catalogs must parse and keep their placeholders; English, every language's fallback,
    must have one. A language with full text but no catalog, untranslated and fuzzy messages
    are warnings: those words show in English. (A phrases-only language answers in English,
    so it needs no catalog.)"""
    root = locales_dir.resolve().name if locales_dir.is_absolute() else str(locales_dir)
    if not locales_dir.is_dir():
        return [Problem(root, None, "folder", "the locales folder does not exist")]
    problems: list[Problem] = []
    folders = sorted(
        entry.name
        for entry in locales_dir.iterdir()
        if entry.is_dir() and not entry.name.startswith((".", "_"))
    )
    for lang in dict.fromkeys([ENGLISH, *text_languages]):
        if lang not in folders:
            problems.append(
                Problem(
                    f"{root}/{lang}/{CATALOG}",
                    None,
                    "file",
                    f"is missing: the bot's own words (menus, prompts) have no {lang!r} catalog",
                    "error" if lang == ENGLISH else "warning",
                )
            )
    for lang in folders:
        path = f"{root}/{lang}/{CATALOG}"
        if not is_language_code(lang.replace("_", "-")):
            problems.append(Problem(f"{root}/{lang}", None, "language", "unknown language code"))
        problems += _check_catalog(locales_dir / lang / CATALOG, path, lang)
    return problems


def _check_catalog(file: Path, path: str, lang: str) -> list[Problem]:
    if not file.is_file():
        return [Problem(path, None, "file", "is missing")]
    try:
        with file.open("rb") as stream:
            catalog = read_po(stream, abort_invalid=True)
    except PoFileError as error:
        return [Problem(path, error.lineno, "po", str(error))]
    except (UnicodeDecodeError, ValueError) as error:
        return [Problem(path, None, "po", f"cannot be read: {error}")]
    problems = []
    for message, failures in catalog.check():
        field = f"msgid {_short(message.id)}"
        problems += [Problem(path, message.lineno, field, str(failure)) for failure in failures]
    messages = [message for message in catalog if message.id]
    fuzzy = [message for message in messages if message.fuzzy]
    if fuzzy:
        problems.append(
            Problem(
                path,
                fuzzy[0].lineno,
                "fuzzy",
                f"{len(fuzzy)} fuzzy message(s) are shown in English until reviewed",
                "warning",
            )
        )
    if lang != ENGLISH:
        untranslated = [message for message in messages if not _translated(message.string)]
        if untranslated:
            problems.append(
                Problem(
                    path,
                    untranslated[0].lineno,
                    "msgstr",
                    f"{len(untranslated)} message(s) are not translated and show in English",
                    "warning",
                )
            )
    return problems


def _translated(string: object) -> bool:
    if isinstance(string, tuple | list):
        return all(string)
    return bool(string)


def _short(msgid: object) -> str:
    text = msgid[0] if isinstance(msgid, tuple | list) else msgid
    text = squash_whitespace(str(text))
    return repr(text if len(text) <= 40 else text[:37] + "...")


# The coverage report


_COLUMNS = ("complete", "reviewed", "draft", "stale", "phrases-only", "missing", "total")


def format_report(report: CheckReport) -> str:
    """One line per problem (errors first), a count, then the coverage table."""
    lines = [str(problem) for problem in errors_first(report.problems)]
    lines.append(f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)")
    lines.append("")
    width = max([len("language"), *(len(lang) for lang in report.coverage.languages)])
    lines.append(" ".join(["language".ljust(width), *(name.rjust(8) for name in _COLUMNS)]))
    for row in report.coverage.rows():
        counts = (
            row.complete,
            row.reviewed,
            row.draft,
            row.stale,
            row.phrases_only,
            row.missing,
            row.total,
        )
        cells = (str(n).rjust(max(8, len(name))) for n, name in zip(counts, _COLUMNS, strict=True))
        lines.append(" ".join([row.language.ljust(width), *cells]))
    lines.append(
        "complete = reviewed + draft: text that matches today's English."
        " stale: shown, but its English changed since it was stamped."
        " draft: shown, but not yet reviewed by a native speaker: have it reviewed before"
        " launch."
    )
    return "\n".join(lines)


# Stamping translations


_SOURCE_HASH = re.compile(
    r"^source_hash[ \t]*:(?P<gap>[ \t]*)(?P<value>\"[^\"]*\"|'[^']*'|[^\s#]*)"
)


def stamp_language(content_dir: Path, lang: str) -> int:
    """Set ``source_hash`` in every translated file of ``lang`` to its English text's hash.

    Only the ``source_hash:`` line changes (it is added at the end when absent), so comments and
    layout survive. Returns how many files changed. Raises :class:`ContentError` when ``lang``
    or English has errors: a broken file is not stamped as translated.
    """
    read = read_content(content_dir)
    folder = read.path(lang)
    if lang == ENGLISH or not (content_dir / lang).is_dir():
        why = "is English, the source" if lang == ENGLISH else "is not a language folder"
        raise ContentError([Problem(folder, None, "language", f"{lang!r} {why}: nothing to stamp")])
    blocking = [
        problem
        for problem in read.errors
        if problem.path == folder
        or problem.path.startswith((f"{folder}/", f"{read.path(ENGLISH)}/"))
    ]
    if blocking:
        raise ContentError(blocking)
    store = read.store
    targets: list[tuple[Path, str]] = []
    for topic_id, text in store.texts.get(lang, {}).items():
        source = store.texts[ENGLISH].get(topic_id)
        if text.has_text and source is not None:
            targets.append((content_dir / lang / f"{topic_id}.yaml", english_hash(source)))
    pack = store.packs.get(lang)
    if pack is not None and translates_language_text(pack):
        targets.append((content_dir / lang / LANGUAGE_FILE, language_hash(store.packs[ENGLISH])))
    return sum(set_source_hash(file, value) for file, value in sorted(targets))


def set_source_hash(file: Path, value: str) -> bool:
    """Rewrite (or append) the top-level ``source_hash:`` line; True when the file changed."""
    original = file.read_bytes().decode("utf-8")
    lines = original.splitlines(keepends=True)
    endings = (line[len(line.rstrip("\r\n")) :] for line in lines)
    newline = next((ending for ending in endings if ending), "\n")
    for index, line in enumerate(lines):
        match = _SOURCE_HASH.match(line)
        if match is None:
            continue
        if match["value"].strip("\"'") == value:
            return False
        gap = match["gap"] or " "
        lines[index] = f"source_hash:{gap}{value}{line[match.end() :]}"
        break
    else:
        if lines and not lines[-1].endswith(("\n", "\r")):
            lines[-1] += newline
        lines.append(f"source_hash: {value}{newline}")
    file.write_bytes("".join(lines).encode("utf-8"))
    return True
