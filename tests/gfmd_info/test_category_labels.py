"""Category labels live in each language's `_language.yaml`: checked there, exported there."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from gfmd_info.content_check import check_content
from gfmd_info.loader import load_content, read_content
from gfmd_info.problems import ContentError, Problem
from gfmd_info.translation_import import import_sheet
from gfmd_info.translation_sheets import write_sheet
from gfmd_info.translation_units import translation_units

REPO = Path(__file__).parents[2]


@pytest.fixture
def content(content_copy: Path) -> Path:
    return content_copy


def edit_pack(content: Path, lang: str, old: str, new: str) -> Path:
    file = content / lang / "_language.yaml"
    text = file.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    file.write_text(text.replace(old, new), encoding="utf-8")
    return file


def line_of(file: Path, start: str) -> int:
    lines = file.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if line.startswith(start))


def label_problems(content: Path) -> list[Problem]:
    return [p for p in check_content(content).problems if p.field.startswith("categories")]


def test_every_shipped_language_labels_every_category() -> None:
    store = load_content(REPO / "content")
    ids = {category.id for category in store.categories}
    assert {lang: set(pack.categories) for lang, pack in store.packs.items()} == {
        lang: ids for lang in store.packs
    }


MISSING_HEALTH = "categories: has no label for category 'health' (from topics.yaml)"


@pytest.mark.parametrize(
    ("lang", "old", "new", "at", "severity", "reported"),
    [
        pytest.param(
            "en",
            '  health: "Health"\n',
            "",
            "categories:",
            "error",
            f"{MISSING_HEALTH}: every language falls back to English",
            id="a missing English label is an error",
        ),
        pytest.param(
            "es",
            '  health: "Salud"\n',
            '  health: "Salud"\n  helth: "Salud"\n',
            "  helth:",
            "error",
            "categories.helth: is not a category id in topics.yaml",
            id="an unknown category id is an error",
        ),
        pytest.param(
            "fr",
            '  health: "Santé"\n',
            f'  health: "{"S" * 31}"\n',
            "  health:",
            "error",
            "categories.health: is 31 characters; at most 30",
            id="a label longer than a menu line is an error",
        ),
        pytest.param(
            "es",
            '  health: "Salud"\n',
            "",
            "categories:",
            "warning",
            f"{MISSING_HEALTH}: the menu shows the English one",
            id="a missing translated label is a warning",
        ),
    ],
)
def test_a_label_problem_is_reported_at_its_file_and_line(
    content: Path, lang: str, old: str, new: str, at: str, severity: str, reported: str
) -> None:
    file = edit_pack(content, lang, old, new)

    [problem] = label_problems(content)

    where = f"content/{lang}/_language.yaml:{line_of(file, at)}:"
    assert (problem.severity, str(problem)) == (severity, f"{where} {reported}")


def test_content_without_an_english_label_is_not_served(content: Path) -> None:
    edit_pack(content, "en", '  health: "Health"\n', "")

    with pytest.raises(ContentError):
        load_content(content)


def test_content_without_a_translated_label_is_served(content: Path) -> None:
    edit_pack(content, "es", '  health: "Salud"\n', "")

    assert "health" not in load_content(content).packs["es"].categories


def test_a_phrases_only_language_is_not_warned_about_labels(content: Path) -> None:
    (content / "es" / "_language.yaml").write_text("status: phrases-only\n", encoding="utf-8")

    assert label_problems(content) == []


def test_labels_are_exported_for_translators_and_an_edited_one_is_imported(
    content: Path,
) -> None:
    units = {unit.key: unit for unit in translation_units(read_content(content), "es")}
    health = units["_language/categories/health"]
    assert (health.english, health.translation) == ("Health", "Salud")
    sheet = content.parent / "es.csv"
    edited = {**units, health.key: replace(health, translation="Salud y médicos")}
    sheet.write_bytes(write_sheet(list(edited.values()), "es", "csv"))

    result = import_sheet(content, sheet)

    assert (result.problems, result.written) == ((), ("es/_language.yaml",))
    pack = load_content(content).packs["es"]
    assert pack.categories["health"] == "Salud y médicos"
    assert pack.categories["safety"] == "Seguridad y peligro"
