"""A translator's round trip: export a language, edit the sheet in any tool, import it back."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl  # type: ignore[import-untyped, unused-ignore]
import pytest
from babel.messages.pofile import read_po, write_po

from gfmd_info.loader import read_content
from gfmd_info.store import english_hash
from gfmd_info.translation_import import import_sheet
from gfmd_info.translation_sheets import read_sheet, write_sheet
from gfmd_info.translation_units import translation_units
from tests.support.content_edits import set_english_summary

REPO = Path(__file__).parents[2]
FORMATS = ("csv", "xlsx", "po")


@pytest.fixture
def content(content_copy: Path) -> Path:
    return content_copy


def export(content: Path, lang: str, fmt: str) -> Path:
    sheet = content.parent / f"{lang}.{fmt}"
    units = translation_units(read_content(content), lang)
    sheet.write_bytes(write_sheet(units, lang, fmt))
    return sheet


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def edit(sheet: Path, changes: dict[str, str]) -> dict[str, int]:
    """Set the translation of each key as a translator would; returns each key's row."""
    rows: dict[str, int] = {}
    if sheet.suffix == ".csv":
        table = list(csv.reader(io.StringIO(sheet.read_text(encoding="utf-8-sig"))))
        for number, values in enumerate(table, start=1):
            if values[1] in changes:
                values[3] = changes[values[1]]
                rows[values[1]] = number
        out = io.StringIO()
        csv.writer(out).writerows(table)
        sheet.write_text(out.getvalue(), encoding="utf-8")
    elif sheet.suffix == ".xlsx":
        book = openpyxl.load_workbook(sheet)
        worksheet = book.worksheets[0]
        for number, cells in enumerate(worksheet.iter_rows(), start=1):
            key = str(cells[1].value)
            if key in changes:
                worksheet.cell(row=number, column=4, value=changes[key])
                rows[key] = number
        book.save(sheet)
    else:
        with sheet.open("rb") as stream:
            catalog = read_po(stream)
        for message in catalog:
            if message.context in changes:
                message.string = changes[message.context]
        with sheet.open("wb") as stream:
            write_po(stream, catalog)
        with sheet.open("rb") as stream:
            rows = {m.context: m.lineno or 0 for m in read_po(stream) if m.context in changes}
    return rows


def test_export_lists_text_and_language_strings_but_no_phrases(content: Path) -> None:
    units = {unit.key: unit for unit in translation_units(read_content(content), "es")}
    summary = units["unpaid-wages/summary"]
    assert summary.english == read_content(content).store.texts["en"]["unpaid-wages"].summary
    assert summary.translation.startswith("Que no te paguen")
    assert "unpaid-wages/sections/2/text" in units
    assert "_language/urgent/with_number" in units
    assert "_language/disclaimer" in units
    assert not any("/phrases" in key or "emergency_terms" in key for key in units)
    source = read_content(content).store.texts["en"]["unpaid-wages"]
    assert summary.source_hash == english_hash(source)


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_untouched_sheet_changes_no_byte(content: Path, fmt: str) -> None:
    sheet = export(content, "es", fmt)
    before = snapshot(content)
    result = import_sheet(content, sheet)
    assert result.problems == ()
    assert result.written == ()
    assert snapshot(content) == before


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_row_reads_back_as_exported(content: Path, fmt: str) -> None:
    units = translation_units(read_content(content), "ar")
    rows = read_sheet(export(content, "ar", fmt))
    assert [(r.key, r.english, r.translation) for r in rows] == [
        (u.key, u.english, u.translation) for u in units
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_edited_translation_is_written_as_draft_with_the_new_source_hash(
    content: Path, fmt: str
) -> None:
    # The English changed after the Spanish was stamped: the sheet carries the new hash.
    set_english_summary(content, "shelter", "If you lost your home, ask a local group for help.")
    target = content / "es" / "shelter.yaml"
    target.write_text(
        target.read_text(encoding="utf-8").replace(
            "status: draft",
            "status: reviewed\nreviewer: Ana\nreviewed_on: 2026-11-01\n"
            "review_note: read against en/",
        ),
        encoding="utf-8",
    )
    sheet = export(content, "es", fmt)
    new_summary = "Si perdiste tu casa, pide ayuda a un grupo local."
    edit(sheet, {"shelter/summary": new_summary})
    untouched = (content / "es" / "asylum.yaml").read_bytes()

    result = import_sheet(content, sheet)

    assert result.problems == ()
    assert result.written == ("es/shelter.yaml",)
    store = read_content(content).store
    text = store.texts["es"]["shelter"]
    assert text.summary == new_summary
    assert text.status.value == "draft"
    assert text.source_hash == english_hash(store.texts["en"]["shelter"])
    assert not store.is_stale("shelter", "es")
    assert (content / "es" / "asylum.yaml").read_bytes() == untouched


def test_only_the_edited_lines_of_a_file_change(content: Path) -> None:
    original = (content / "es" / "unpaid-wages.yaml").read_text(encoding="utf-8").splitlines()
    sheet = export(content, "es", "csv")
    edit(sheet, {"unpaid-wages/sections/1/heading": "Lo que se pidió en 2020"})

    assert import_sheet(content, sheet).written == ("es/unpaid-wages.yaml",)

    edited = (content / "es" / "unpaid-wages.yaml").read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(original, edited, strict=True) if a != b]
    assert changed == [
        (
            "  - heading: Lo que pidieron las reuniones de 2020",
            "  - heading: Lo que se pidió en 2020",
        )
    ]


def test_a_phrases_only_topic_gets_its_text_above_the_phrases(content: Path) -> None:
    sheet = export(content, "pt", "csv")
    units = [
        u for u in translation_units(read_content(content), "pt") if u.key.startswith("asylum/")
    ]
    edit(
        sheet,
        {u.key: ("Asilo" if u.key.endswith("title") else "Texto em português.") for u in units},
    )

    result = import_sheet(content, sheet)

    assert result.problems == ()
    text = (content / "pt" / "asylum.yaml").read_text(encoding="utf-8")
    assert text.index("title: Asilo") < text.index("phrases:")
    assert "status: draft" in text
    assert read_content(content).store.texts["pt"]["asylum"].has_text


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_bad_edit_is_reported_at_its_row_and_nothing_is_written(content: Path, fmt: str) -> None:
    sheet = export(content, "es", fmt)
    units = {u.key: u for u in translation_units(read_content(content), "es")}
    long_summary = units["unpaid-wages/summary"].translation * 2
    no_number = units["_language/urgent/with_number"].translation.replace("{number}", "112")
    rows = edit(
        sheet,
        {"unpaid-wages/summary": long_summary, "_language/urgent/with_number": no_number},
    )
    before = snapshot(content)

    result = import_sheet(content, sheet)

    assert result.written == ()
    assert snapshot(content) == before
    summary_row = rows["unpaid-wages/summary"]
    urgent_row = rows["_language/urgent/with_number"]
    assert any(
        p.startswith(f"{sheet}:{summary_row}: unpaid-wages/summary: needs") and "SMS" in p
        for p in result.problems
    ), result.problems
    assert (
        f"{sheet}:{urgent_row}: _language/urgent/with_number: must contain {{number}}, where the"
        " local emergency number goes"
    ) in result.problems


def test_a_row_for_another_language_or_an_unknown_key_is_refused(content: Path) -> None:
    sheet = export(content, "es", "csv")
    text = sheet.read_text(encoding="utf-8-sig")
    last_row = len(text.splitlines())
    sheet.write_text(
        text
        + "es,no-such-topic/title,,Nada,draft,0123456789abcdef\r\n"
        + "fr,unpaid-wages/title,,Salaire,draft,0123456789abcdef\r\n",
        encoding="utf-8",
    )

    result = import_sheet(content, sheet)

    assert result.problems == (
        f"{sheet}:{last_row + 2}: unpaid-wages/title: is for language 'fr'; this sheet is 'es'",
    )
    sheet.write_text(
        text + "es,no-such-topic/title,,Nada,draft,0123456789abcdef\r\n", encoding="utf-8"
    )
    assert import_sheet(content, sheet).problems == (
        f"{sheet}:{last_row + 1}: no-such-topic/title: is not a key of this language's content",
    )
