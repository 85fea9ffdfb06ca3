"""``content import``: a translator's sheet back into the YAML files, checked first.

Only strings whose translation changed are written (whitespace and line breaks inside a cell do
not count as a change), so a sheet that comes back untouched changes no byte. A file that
changed becomes ``status: draft`` (a native speaker reviews it with ``content review``) with
the ``source_hash`` of the English the sheet was exported from. An empty cell leaves the file
as it is: deleting text is an edit for the YAML file itself. The English and status columns
are there to read; only the translation and the source hash are taken back.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from gfmd_info.content_model import squash_whitespace
from gfmd_info.content_writes import MoreHint, check_then_write
from gfmd_info.loader import LANGUAGE_FILE, read_content
from gfmd_info.problems import Problem, field_name
from gfmd_info.store import ENGLISH
from gfmd_info.translation_sheets import SheetRow, read_sheet
from gfmd_info.translation_units import Unit, file_of, key_of, translation_units
from gfmd_info.yaml_edit import Value, YamlEditError, set_values
from gfmd_info.yaml_lines import Loc

_HASH = re.compile(r"^[0-9a-f]{16}$")
# A topic file's new text goes above its phrases, as the files are written.
_PLACE_BEFORE = {"title": "phrases", "summary": "phrases", "sections": "phrases"}


@dataclass(frozen=True)
class ImportResult:
    lang: str
    written: tuple[str, ...] = ()
    # "SHEET:ROW: key: message", one per problem; nothing is written while there are any.
    problems: tuple[str, ...] = ()


@dataclass
class _FileEdit:
    name: str
    values: dict[Loc, Value] = field(default_factory=dict)
    rows: dict[Loc, SheetRow] = field(default_factory=dict)
    source_hash: str = ""


def import_sheet(
    content_dir: Path,
    sheet: Path,
    more_hint: MoreHint | None = None,
    today: dt.date | None = None,
) -> ImportResult:
    rows = read_sheet(sheet)
    if not rows:
        return ImportResult("", problems=(f"{sheet}: has no rows to import",))
    lang = rows[0].lang
    problems = [
        _at(sheet, row, row.key, f"is for language {row.lang!r}; this sheet is {lang!r}")
        for row in rows
        if row.lang != lang
    ]
    if lang == ENGLISH or not (content_dir / lang).is_dir():
        why = "is English, the source" if lang == ENGLISH else "has no folder in the content"
        problems.append(_at(sheet, rows[0], "lang", f"{lang!r} {why}"))
    if problems:
        return ImportResult(lang, problems=tuple(problems))
    units = {unit.key: unit for unit in translation_units(read_content(content_dir), lang)}
    edits, problems = _edits(sheet, rows, units)
    changes: dict[str, str] = {}
    for edit in edits.values():
        rel = f"{lang}/{edit.name}"
        path = content_dir / rel
        first = next(iter(edit.rows.values()))
        if not path.is_file() and edit.name != LANGUAGE_FILE:
            problems.append(
                _at(sheet, first, first.key, f"{rel} does not exist: copy en/{edit.name} first")
            )
            continue
        original = path.read_bytes().decode("utf-8") if path.is_file() else ""
        values = {**edit.values, ("status",): "draft", ("source_hash",): edit.source_hash}
        try:
            changes[rel] = set_values(original, values, _PLACE_BEFORE)
        except YamlEditError as error:
            problems.append(_at(sheet, first, first.key, f"cannot be written: {error}"))
    if problems:
        return ImportResult(lang, problems=tuple(problems))
    blocking = check_then_write(content_dir, changes, more_hint, today)
    if blocking:
        located = [_locate(sheet, problem, lang, edits) for problem in blocking]
        return ImportResult(lang, problems=tuple(located))
    return ImportResult(lang, written=tuple(sorted(changes)))


def _edits(
    sheet: Path, rows: Sequence[SheetRow], units: dict[str, Unit]
) -> tuple[dict[str, _FileEdit], list[str]]:
    edits: dict[str, _FileEdit] = {}
    problems: list[str] = []
    for row in rows:
        unit = units.get(row.key)
        if unit is None:
            problems.append(_at(sheet, row, row.key, "is not a key of this language's content"))
            continue
        new = row.translation.strip()
        if not new or squash_whitespace(new) == squash_whitespace(unit.translation):
            continue
        name, loc = file_of(row.key)
        edit = edits.setdefault(name, _FileEdit(name))
        source_hash = row.source_hash or unit.source_hash
        if not _HASH.match(source_hash):
            problems.append(_at(sheet, row, row.key, f"source_hash {source_hash!r} is not a hash"))
        elif edit.source_hash and source_hash != edit.source_hash:
            problems.append(
                _at(sheet, row, row.key, f"source_hash differs from row {_first_row(edit)}")
            )
        edit.source_hash = edit.source_hash or source_hash
        edit.values[loc] = new.replace("\r\n", "\n")
        edit.rows[loc] = row
    return edits, problems


def _first_row(edit: _FileEdit) -> int:
    return next(iter(edit.rows.values())).row


def _at(sheet: Path, row: SheetRow, key: str, message: str) -> str:
    return f"{sheet}:{row.row}: {key}: {message}"


def _locate(sheet: Path, problem: Problem, lang: str, edits: dict[str, _FileEdit]) -> str:
    """The sheet row a problem of the checked result belongs to, by file and field."""
    folder, _, name = problem.path.partition("/")
    edit = edits.get(name) if folder == lang else None
    if edit is None:
        return str(problem)
    by_field = {field_name(loc): (loc, row) for loc, row in edit.rows.items()}
    found = by_field.get(problem.field) or next(
        (
            pair
            for known, pair in by_field.items()
            if known.startswith(problem.field) or problem.field.startswith(known)
        ),
        None,
    )
    if found is None:
        row = next(iter(edit.rows.values()))
        return _at(sheet, row, key_of(name, (problem.field,)), problem.message)
    loc, row = found
    return _at(sheet, row, key_of(name, loc), problem.message)
