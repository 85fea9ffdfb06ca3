from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from gfmd_info.loader import load_content, read_content
from gfmd_info.problems import ContentError, Problem

SHIPPED = Path(__file__).parents[2] / "content"
NEUTRAL_FILES = (
    "topics.yaml",
    "organisations.yaml",
    "sections.yaml",
    "country-notes.yaml",
    "emergency-numbers.yaml",
)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """The shipped language-neutral files and English, in a folder a test may break."""
    folder = tmp_path / "content"
    folder.mkdir()
    for name in NEUTRAL_FILES:
        shutil.copy(SHIPPED / name, folder / name)
    shutil.copytree(SHIPPED / "en", folder / "en")
    return folder


def topic_yaml(**fields: object) -> str:
    """A valid topic file; keyword arguments replace (or, with ``None``, remove) fields."""
    text: dict[str, object] = {
        "title": "Unpaid wages",
        "summary": "Write down the dates you worked and what you are owed.",
        "sections": [{"heading": "What you can do", "text": "Keep copies of your papers."}],
        "phrases": [f"phrase number {n}" for n in range(15)],
        "status": "draft",
    }
    text.update(fields)
    kept = {key: value for key, value in text.items() if value is not None}
    return yaml.safe_dump(kept, sort_keys=False, allow_unicode=True, width=1000)


def line_of(file: Path, start: str) -> int:
    """1-based number of the first line of ``file`` that starts with ``start`` (indent ignored)."""
    for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip().startswith(start):
            return number
    raise AssertionError(f"{start!r} not in {file}")


def problems_of(content: Path) -> list[Problem]:
    return list(read_content(content).problems)


def edit(file: Path, old: str, new: str) -> None:
    text = file.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {file}"
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def topic_index(content: Path, topic_id: str) -> int:
    topics = yaml.safe_load((content / "topics.yaml").read_text(encoding="utf-8"))["topics"]
    return next(i for i, topic in enumerate(topics) if topic["id"] == topic_id)


@dataclass(frozen=True)
class Expected:
    path: str
    line: int | None
    field: str
    words: str  # a fragment of the message


def _bad_indentation(content: Path) -> Expected:
    file = content / "en" / "education.yaml"
    file.write_text(
        "title: School\nsummary: >-\n  Children can go to school.\n phrases:\n  - school\n",
        encoding="utf-8",
    )
    return Expected("content/en/education.yaml", 4, "yaml", "YAML syntax")


def _unknown_topic_file(content: Path) -> Expected:
    (content / "en" / "unpayed-wages.yaml").write_text(topic_yaml(), encoding="utf-8")
    return Expected("content/en/unpayed-wages.yaml", 1, "topic id", "not a topic in topics.yaml")


def _missing_summary(content: Path) -> Expected:
    file = content / "en" / "education.yaml"
    file.write_text(topic_yaml(summary=None), encoding="utf-8")
    return Expected("content/en/education.yaml", line_of(file, "status:"), "summary", "missing")


def _empty_title(content: Path) -> Expected:
    file = content / "en" / "education.yaml"
    file.write_text(topic_yaml(title=""), encoding="utf-8")
    return Expected("content/en/education.yaml", line_of(file, "title:"), "title", "empty")


def _title_over_30(content: Path) -> Expected:
    file = content / "en" / "education.yaml"
    file.write_text(topic_yaml(title="School, classes and language courses"), encoding="utf-8")
    return Expected("content/en/education.yaml", line_of(file, "title:"), "title", "at most 30")


def _section_over_700(content: Path) -> Expected:
    file = content / "en" / "education.yaml"
    sections = [
        {"heading": "Short", "text": "Fine."},
        {"heading": "Long", "text": " ".join(["word"] * 150)},
    ]
    file.write_text(topic_yaml(sections=sections), encoding="utf-8")
    line = line_of(file, "text: word")
    return Expected("content/en/education.yaml", line, "sections[1].text", "at most 700")


def _duplicate_topic_id(content: Path) -> Expected:
    file = content / "topics.yaml"
    count = len(yaml.safe_load(file.read_text(encoding="utf-8"))["topics"])
    with file.open("a", encoding="utf-8") as stream:
        stream.write("  - id: education\n    category: health\n    order: 9\n")
        stream.write("    sections: [I.C.3]\n")
    line = len(file.read_text(encoding="utf-8").splitlines()) - 3
    return Expected("content/topics.yaml", line, f"topics[{count}].id", "duplicate topic id")


def _unknown_language_folder(content: Path) -> Expected:
    (content / "xx").mkdir()
    (content / "xx" / "education.yaml").write_text(topic_yaml(), encoding="utf-8")
    return Expected("content/xx", None, "language", "not a language code")


def _unknown_related_id(content: Path) -> Expected:
    index = topic_index(content, "education")
    file = content / "topics.yaml"
    edit(file, "related: [children, skills-recognition]", "related: [children, school]")
    line = line_of(file, "related: [children, school]")
    return Expected("content/topics.yaml", line, f"topics[{index}].related[1]", "'school'")


def _unknown_organisation_id(content: Path) -> Expected:
    index = topic_index(content, "education")
    file = content / "topics.yaml"
    head, marker, tail = file.read_text(encoding="utf-8").partition("- id: education\n")
    tail = tail.replace("organisations: [unicef]\n", "organisations: [unesco]\n", 1)
    file.write_text(head + marker + tail, encoding="utf-8")
    line = line_of(file, "organisations: [unesco]")
    return Expected("content/topics.yaml", line, f"topics[{index}].organisations[0]", "'unesco'")


def _country_code_not_iso(content: Path) -> Expected:
    file = content / "emergency-numbers.yaml"
    with file.open("a", encoding="utf-8") as stream:
        stream.write(
            '  - {country: UK, services: [{service: all, number: "999"}], source: "GOV.UK",'
            " checked: 2026-11-27}\n"
        )
    numbers = yaml.safe_load(file.read_text(encoding="utf-8"))["numbers"]
    line = len(file.read_text(encoding="utf-8").splitlines())
    field = f"numbers[{len(numbers) - 1}].country"
    return Expected("content/emergency-numbers.yaml", line, field, "ISO 3166")


def _section_not_in_sections_yaml(content: Path) -> Expected:
    index = topic_index(content, "stranded")
    sections = content / "sections.yaml"
    kept = [
        line
        for line in sections.read_text(encoding="utf-8").splitlines(keepends=True)
        if not line.strip().startswith("I.C.11:")
    ]
    sections.write_text("".join(kept), encoding="utf-8")
    topics = content / "topics.yaml"
    edit(topics, "sections: [I.C.1, I.C.11]", "sections: [I.C.1, I.C.11]  # stranded")
    line = line_of(topics, "sections: [I.C.1, I.C.11]  # stranded")
    return Expected("content/topics.yaml", line, f"topics[{index}].sections[1]", "'I.C.11'")


def _unknown_field(content: Path) -> Expected:
    file = content / "en" / "education.yaml"
    file.write_text(topic_yaml() + "summry: Children can go to school.\n", encoding="utf-8")
    return Expected("content/en/education.yaml", line_of(file, "summry:"), "summry", "unknown")


def _draft_without_title(content: Path) -> Expected:
    file = content / "en" / "education.yaml"
    file.write_text(topic_yaml(title=None), encoding="utf-8")
    return Expected("content/en/education.yaml", line_of(file, "status:"), "title", "draft")


def _reviewed_without_sections(content: Path) -> Expected:
    file = content / "en" / "education.yaml"
    text = topic_yaml(sections=None, status="reviewed", reviewer="A", reviewed_on="2026-11-27")
    file.write_text(text, encoding="utf-8")
    line = line_of(file, "status:")
    return Expected("content/en/education.yaml", line, "sections", "reviewed")


def _phrases_only_with_title(content: Path) -> Expected:
    (content / "es").mkdir()
    file = content / "es" / "education.yaml"
    file.write_text(topic_yaml(summary=None, sections=None, status="phrases-only"), "utf-8")
    return Expected("content/es/education.yaml", line_of(file, "title:"), "title", "phrases-only")


def _reviewed_without_reviewer(content: Path) -> Expected:
    file = content / "en" / "education.yaml"
    file.write_text(topic_yaml(status="reviewed", reviewed_on="2026-11-27"), encoding="utf-8")
    return Expected("content/en/education.yaml", line_of(file, "status:"), "reviewer", "reviewer")


def _country_note_without_english_text(content: Path) -> Expected:
    file = content / "country-notes.yaml"
    with file.open("a", encoding="utf-8") as stream:
        stream.write("  - {id: ke-new-note, country: KE, topics: [shelter], section: I.C.1}\n")
    language = content / "en" / "_language.yaml"
    line = line_of(language, "country_notes:")
    return Expected("content/en/_language.yaml", line, "country_notes", "'ke-new-note'")


def _missing_english_file(content: Path) -> Expected:
    (content / "en" / "education.yaml").unlink()
    return Expected("content/en/education.yaml", None, "file", "missing")


def _number_phrase_without_quotes(content: Path) -> Expected:
    file = content / "en" / "education.yaml"
    phrases: list[object] = [f"phrase number {n}" for n in range(15)]
    file.write_text(topic_yaml(phrases=[*phrases, 112]), encoding="utf-8")
    return Expected("content/en/education.yaml", line_of(file, "- 112"), "phrases[15]", "quotes")


def _duplicate_key(content: Path) -> Expected:
    file = content / "en" / "education.yaml"
    file.write_text(topic_yaml() + "title: School again\n", encoding="utf-8")
    line = line_of(file, "title: School again")
    return Expected("content/en/education.yaml", line, "title", "twice")


BAD_INPUTS: dict[str, Callable[[Path], Expected]] = {
    "yaml with bad indentation": _bad_indentation,
    "topic file whose name is not in topics.yaml": _unknown_topic_file,
    "missing field": _missing_summary,
    "empty field": _empty_title,
    "title over 30 characters": _title_over_30,
    "section over 700 characters": _section_over_700,
    "duplicate topic id in topics.yaml": _duplicate_topic_id,
    "language folder babel does not know": _unknown_language_folder,
    "related id that does not exist": _unknown_related_id,
    "organisation id that does not exist": _unknown_organisation_id,
    "country code that is not ISO 3166": _country_code_not_iso,
    "section ref not in sections.yaml": _section_not_in_sections_yaml,
    "unknown field": _unknown_field,
    "draft without title": _draft_without_title,
    "reviewed without sections": _reviewed_without_sections,
    "phrases-only file with a title": _phrases_only_with_title,
    "reviewed without reviewer": _reviewed_without_reviewer,
    "country note without English text": _country_note_without_english_text,
    "missing English file": _missing_english_file,
    "number phrase without quotes": _number_phrase_without_quotes,
    "duplicate key in one file": _duplicate_key,
}


def test_the_copied_shipped_content_loads_before_any_test_breaks_it(content: Path) -> None:
    assert [str(p) for p in problems_of(content) if p.severity == "error"] == []


@pytest.mark.parametrize("case", list(BAD_INPUTS), ids=list(BAD_INPUTS))
def test_each_bad_input_is_reported_with_its_file_line_and_field(content: Path, case: str) -> None:
    expected = BAD_INPUTS[case](content)

    errors = [p for p in problems_of(content) if p.severity == "error"]

    matching = [
        p
        for p in errors
        if (p.path, p.line, p.field) == (expected.path, expected.line, expected.field)
        and expected.words in p.message
    ]
    assert matching, "\n".join(str(p) for p in errors)


def test_load_content_of_a_broken_folder_lists_every_problem_not_only_the_first(
    content: Path,
) -> None:
    broken = [
        _title_over_30(content),
        _unknown_related_id(content),
        _country_code_not_iso(content),
        _unknown_topic_file(content),
    ]

    with pytest.raises(ContentError) as raised:
        load_content(content)

    found = {(p.path, p.line, p.field) for p in raised.value.problems}
    for expected in broken:
        assert (expected.path, expected.line, expected.field) in found
        assert f"{expected.path}:{expected.line}: {expected.field}:" in str(raised.value)


def test_one_broken_topic_entry_is_one_error_not_a_cascade(content: Path) -> None:
    index = topic_index(content, "education")
    file = content / "topics.yaml"
    edit(
        file,
        "  - id: education\n    category: family-and-children\n    order: 3\n",
        ("  - id: education\n    category: family-and-children\n    order: third\n"),
    )

    errors = [str(p) for p in problems_of(content) if p.severity == "error"]

    # Its English file, the related lists naming it and its country notes do not also fail.
    assert len(errors) == 1, errors
    line = line_of(file, "order: third")
    assert errors[0].startswith(f"content/topics.yaml:{line}: topics[{index}].order: ")


def test_a_missing_translation_is_not_an_error(content: Path) -> None:
    (content / "es").mkdir()
    (content / "es" / "education.yaml").write_text(topic_yaml(), encoding="utf-8")

    store = load_content(content)

    assert store.texts["es"].keys() == {"education"}


@pytest.mark.parametrize("folder", ["fil", "pt-BR", "sw"])
def test_language_folders_babel_knows_are_accepted_under_their_own_name(
    content: Path, folder: str
) -> None:
    (content / folder).mkdir()
    (content / folder / "education.yaml").write_text(topic_yaml(), encoding="utf-8")

    assert folder in load_content(content).languages


def test_yes_no_and_on_stay_words_not_booleans(content: Path) -> None:
    (content / "es").mkdir()
    (content / "es" / "_language.yaml").write_text(
        "stopwords: [no, si, yes, on, off, NO]\n", encoding="utf-8"
    )

    store = load_content(content)

    assert store.packs["es"].stopwords == ["no", "si", "yes", "on", "off", "NO"]


@pytest.mark.parametrize(
    "raw",
    [
        b"\xff\xfe\x00garbage",
        b"- just\n- a list\n",
        b"title: a\n\ttabbed: b\n",
        b"title: [unclosed\n",
        b"reviewed_on: 2026-13-45\n",
        b"&a [*a]\n",
        b"",
    ],
    ids=["not utf-8", "a list", "a tab", "unclosed", "impossible date", "recursive", "empty"],
)
def test_unreadable_files_are_problems_never_tracebacks(content: Path, raw: bytes) -> None:
    (content / "en" / "education.yaml").write_bytes(raw)

    with pytest.raises(ContentError) as raised:
        load_content(content)

    paths = {p.path for p in raised.value.problems}
    assert "content/en/education.yaml" in paths


def test_problem_reads_as_path_line_field_message() -> None:
    assert str(Problem("content/en/a.yaml", 3, "title", "is empty")) == (
        "content/en/a.yaml:3: title: is empty"
    )
    assert str(Problem("content/xx", None, "language", "unknown", "warning")) == (
        "content/xx:?: language: unknown"
    )


def test_problem_paths_start_at_the_content_folder_name(content: Path) -> None:
    _empty_title(content)

    assert all(p.path.startswith("content/") for p in problems_of(content))
