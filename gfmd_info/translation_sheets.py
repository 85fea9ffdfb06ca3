"""Translation sheets: the strings of one language as CSV, Excel or a gettext PO file.

A translator works in the tool they know; the sheet goes back through ``content import``.
CSV and Excel have one row per string with the columns :data:`COLUMNS`; a PO file has one
message per string (``msgctxt`` the key, ``msgid`` the English, ``msgstr`` the translation,
status and source hash in ``#.`` comments, stale strings marked fuzzy). Rows are numbered as the
translator sees them: the header is row 1 of a sheet; in a PO file it is the message's line.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import openpyxl  # type: ignore[import-untyped, unused-ignore]
from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, read_po, write_po
from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped, unused-ignore]
from openpyxl.worksheet.worksheet import (  # type: ignore[import-untyped, unused-ignore]
    Worksheet,
)

from gfmd_info.translation_units import Unit

FORMATS = ("csv", "xlsx", "po")
COLUMNS = ("lang", "key", "english", "translation", "status", "source_hash")
_COMMENT = re.compile(r"^(status|source_hash): *(\S*)$")


class SheetError(ValueError):
    """The file cannot be read as a translation sheet; the message says where and why."""


@dataclass(frozen=True)
class SheetRow:
    """One string as it came back from the translator."""

    row: int
    lang: str
    key: str
    english: str
    translation: str
    source_hash: str


def format_of(path: Path) -> str:
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise SheetError(f"{path}: a translation sheet ends in .csv, .xlsx or .po")
    return fmt


# Writing


def write_sheet(units: Sequence[Unit], lang: str, fmt: str) -> bytes:
    if fmt == "csv":
        return _write_csv(units, lang)
    if fmt == "xlsx":
        return _write_xlsx(units, lang)
    if fmt == "po":
        return _write_po(units, lang)
    raise SheetError(f"unknown format {fmt!r}: use csv, xlsx or po")


def _cells(unit: Unit, lang: str) -> list[str]:
    return [lang, unit.key, unit.english, unit.translation, unit.status, unit.source_hash]


def _write_csv(units: Sequence[Unit], lang: str) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(_cells(unit, lang) for unit in units)
    # The byte order mark makes Excel open the file as UTF-8, not in the local code page.
    return out.getvalue().encode("utf-8-sig")


def _write_xlsx(units: Sequence[Unit], lang: str) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.title = lang
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for unit in units:
        sheet.append(_cells(unit, lang))
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            # A text that starts with "=" is text here, never a formula.
            cell.data_type = "s"
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for column, width in zip("ABCDEF", (6, 34, 60, 60, 12, 18), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _write_po(units: Sequence[Unit], lang: str) -> bytes:
    catalog = Catalog(
        locale=lang.replace("-", "_"), project="gfmd-protection-bot content", fuzzy=False
    )
    for unit in units:
        catalog.add(
            unit.english,
            unit.translation,
            context=unit.key,
            auto_comments=[f"status: {unit.status}", f"source_hash: {unit.source_hash}"],
            flags=["fuzzy"] if unit.status == "stale" and unit.translation else [],
        )
    out = io.BytesIO()
    write_po(out, catalog, width=0, omit_header=False)
    return out.getvalue()


# Reading


def read_sheet(path: Path) -> list[SheetRow]:
    fmt = format_of(path)
    if fmt == "po":
        return _read_po(path)
    rows = _read_csv(path) if fmt == "csv" else _read_xlsx(path)
    return _rows_from_table(path, rows)


def _read_csv(path: Path) -> list[list[str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            return list(csv.reader(stream))
    except UnicodeDecodeError as error:
        raise SheetError(f"{path}: is not UTF-8 text: save the CSV as UTF-8") from error
    except csv.Error as error:
        raise SheetError(f"{path}: is not a readable CSV file: {error}") from error


def _read_xlsx(path: Path) -> list[list[str]]:
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise SheetError(f"{path}: is not a readable Excel workbook ({error})") from error
    try:
        sheet = book.worksheets[0]
        return [
            ["" if value is None else str(value) for value in row]
            for row in sheet.iter_rows(values_only=True)
        ]
    finally:
        book.close()


def _rows_from_table(path: Path, table: list[list[str]]) -> list[SheetRow]:
    if not table:
        raise SheetError(f"{path}: is empty")
    header = [name.strip().lower() for name in table[0]]
    missing = [name for name in ("lang", "key", "translation") if name not in header]
    if missing:
        raise SheetError(f"{path}:1: the header row needs the columns {', '.join(missing)}")
    at = {name: header.index(name) for name in COLUMNS if name in header}

    def cell(values: list[str], name: str) -> str:
        index = at.get(name)
        return values[index] if index is not None and index < len(values) else ""

    rows = []
    for number, values in enumerate(table[1:], start=2):
        if not any(value.strip() for value in values):
            continue
        rows.append(
            SheetRow(
                row=number,
                lang=cell(values, "lang").strip(),
                key=cell(values, "key").strip(),
                english=cell(values, "english"),
                translation=cell(values, "translation"),
                source_hash=cell(values, "source_hash").strip(),
            )
        )
    return rows


def _read_po(path: Path) -> list[SheetRow]:
    try:
        with path.open("rb") as stream:
            catalog = read_po(stream, abort_invalid=True)
    except PoFileError as error:
        raise SheetError(f"{path}:{error.lineno}: {error}") from error
    except (UnicodeDecodeError, ValueError) as error:
        raise SheetError(f"{path}: cannot be read as a PO file: {error}") from error
    lang = (catalog.locale_identifier or "").replace("_", "-")
    if not lang:
        raise SheetError(f"{path}: the header has no Language: say which language this is")
    rows = []
    for message in catalog:
        if not message.id:
            continue
        comments = dict(_comments(message.auto_comments))
        rows.append(
            SheetRow(
                row=message.lineno or 0,
                lang=lang,
                key=str(message.context or ""),
                english=str(message.id),
                translation=str(message.string or ""),
                source_hash=comments.get("source_hash", ""),
            )
        )
    return rows


def _comments(lines: Iterable[str]) -> Iterable[tuple[str, str]]:
    for line in lines:
        found = _COMMENT.match(line.strip())
        if found is not None:
            yield found[1], found[2]
