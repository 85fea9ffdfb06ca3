from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from gfmd_info.content_check import (
    DEFAULT_MORE_HINT,
    CheckReport,
    check_content,
    format_report,
    stamp_language,
)
from gfmd_info.loader import load_content
from gfmd_info.problems import ContentError, Problem
from gfmd_info.sms_encoding import measure, to_gsm7
from gfmd_info.store import CoverageState

REPO = Path(__file__).parents[2]
SHIPPED = REPO / "content"
NEUTRAL_FILES = (
    "topics.yaml",
    "organisations.yaml",
    "sections.yaml",
    "country-notes.yaml",
    "emergency-numbers.yaml",
)
# The contract of ../shared/topics.md: these ids must exist, spelled exactly so.
CONTRACT_TOPIC_IDS = (
    "emergency",
    "covid-19",
    "health-care",
    "shelter",
    "food-and-cash",
    "unpaid-wages",
    "pensions-benefits",
    "work-rights",
    "recruitment",
    "trafficking",
    "domestic-work",
    "documents",
    "asylum",
    "stranded",
    "return-home",
    "family-reunification",
    "children",
    "education",
    "gender-violence",
    "lgbtiq",
    "mental-health",
    "legal-help",
    "skills-recognition",
    "safe-migration",
    "climate-displacement",
)


def topic_yaml(**fields: object) -> str:
    text: dict[str, object] = {
        "title": "Escuela",
        "summary": "Tus hijos pueden ir a la escuela.",
        "sections": [{"heading": "Qué hacer", "text": "Pregunta en la escuela."}],
        "phrases": [f"frase número {n}" for n in range(15)],
        "status": "draft",
    }
    text.update(fields)
    kept = {key: value for key, value in text.items() if value is not None}
    return yaml.safe_dump(kept, sort_keys=False, allow_unicode=True, width=1000)


def line_of(file: Path, start: str) -> int:
    for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip().startswith(start):
            return number
    raise AssertionError(f"{start!r} not in {file}")


@pytest.fixture
def content(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    folder.mkdir()
    for name in NEUTRAL_FILES:
        shutil.copy(SHIPPED / name, folder / name)
    shutil.copytree(SHIPPED / "en", folder / "en")
    (folder / "es").mkdir()
    return folder


def located(report: CheckReport, path: str, field: str) -> list[Problem]:
    return [p for p in report.problems if p.path == path and p.field == field]


# Stale translations and stamping


def test_an_unstamped_translation_is_reported_stale_as_a_warning(content: Path) -> None:
    file = content / "es" / "education.yaml"
    file.write_text(topic_yaml(), encoding="utf-8")

    report = check_content(content)

    [problem] = located(report, "content/es/education.yaml", "source_hash")
    assert problem.severity == "warning"
    assert "gfmd-bot content stamp es" in problem.message
    assert report.ok
    assert report.coverage.state("es", "education") is CoverageState.STALE


def test_stamping_makes_a_translation_current_and_keeps_comments(content: Path) -> None:
    file = content / "es" / "education.yaml"
    original = "# Escuela: informe I.C.3\n" + topic_yaml(source_hash="0" * 16) + "# fin\n"
    file.write_text(original, encoding="utf-8")

    assert stamp_language(content, "es") == 1

    after = file.read_text(encoding="utf-8")
    assert after.startswith("# Escuela: informe I.C.3\n") and after.endswith("# fin\n")
    assert len(after.splitlines()) == len(original.splitlines())
    report = check_content(content)
    assert located(report, "content/es/education.yaml", "source_hash") == []
    assert report.coverage.state("es", "education") is CoverageState.DRAFT
    assert stamp_language(content, "es") == 0


def test_stamping_adds_the_source_hash_line_when_absent(content: Path) -> None:
    file = content / "es" / "education.yaml"
    file.write_text(topic_yaml().rstrip("\n"), encoding="utf-8")  # no final newline either

    assert stamp_language(content, "es") == 1

    last = file.read_text(encoding="utf-8").splitlines()[-1]
    assert last.startswith("source_hash: ") and len(last) == len("source_hash: ") + 16
    assert load_content(content).is_stale("education", "es") is False


def test_stamping_covers_the_language_file_and_skips_phrases_only(content: Path) -> None:
    (content / "es" / "_language.yaml").write_text(
        "disclaimer: Información general.\n", encoding="utf-8"
    )
    only_phrases = topic_yaml(title=None, summary=None, sections=None, status="phrases-only")
    (content / "es" / "asylum.yaml").write_text(only_phrases, encoding="utf-8")

    assert check_content(content).warnings != []
    assert stamp_language(content, "es") == 1

    assert check_content(content).warnings == []
    assert "source_hash" not in (content / "es" / "asylum.yaml").read_text(encoding="utf-8")


def test_a_change_to_the_english_text_makes_its_stamped_translation_stale(content: Path) -> None:
    (content / "es" / "education.yaml").write_text(topic_yaml(), encoding="utf-8")
    stamp_language(content, "es")
    english = content / "en" / "education.yaml"
    data = yaml.safe_load(english.read_text(encoding="utf-8"))
    data["summary"] += " One more sentence."
    english.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    report = check_content(content)

    [problem] = located(report, "content/es/education.yaml", "source_hash")
    assert "English text changed" in problem.message


def test_stamping_refuses_a_language_with_errors(content: Path) -> None:
    (content / "es" / "education.yaml").write_text(topic_yaml(title="x" * 31), "utf-8")

    with pytest.raises(ContentError) as raised:
        stamp_language(content, "es")

    assert [p.field for p in raised.value.problems] == ["title"]
    assert "source_hash" not in (content / "es" / "education.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["en", "de"])
def test_stamping_english_or_a_missing_folder_is_a_content_error(content: Path, lang: str) -> None:
    with pytest.raises(ContentError):
        stamp_language(content, lang)


# Phrases


def test_a_phrase_two_topics_share_in_one_language_is_a_warning(content: Path) -> None:
    shared = [f"frase número {n}" for n in range(14)]
    (content / "es" / "education.yaml").write_text(
        topic_yaml(phrases=[*shared, "Mi  PATRÓN no paga"]), encoding="utf-8"
    )
    file = content / "es" / "unpaid-wages.yaml"
    file.write_text(
        topic_yaml(phrases=[f"otra {n}" for n in range(14)] + ["mi patrón no paga"]), "utf-8"
    )

    report = check_content(content)

    [problem] = located(report, "content/es/unpaid-wages.yaml", "phrases[14]")
    assert problem.severity == "warning"
    assert problem.line == line_of(file, "- mi patrón no paga")
    assert "education" in problem.message


# SMS budgets


def test_a_summary_over_three_sms_segments_is_an_error(content: Path) -> None:
    file = content / "es" / "education.yaml"
    file.write_text(topic_yaml(summary="Tus hijos pueden ir a la escuela. " * 14), "utf-8")

    report = check_content(content)

    [problem] = located(report, "content/es/education.yaml", "summary")
    assert problem.severity == "error"
    assert problem.line == line_of(file, "summary:")
    assert "segments" in problem.message


def test_accents_are_transliterated_before_the_summary_is_measured(content: Path) -> None:
    summary = ("Según la ley, tú también: pídelo. " * 13)[:430]
    assert measure(f"{summary}\n{DEFAULT_MORE_HINT}").segments > 3  # as UCS-2
    (content / "es" / "education.yaml").write_text(topic_yaml(summary=summary), "utf-8")

    assert located(check_content(content), "content/es/education.yaml", "summary") == []


def test_a_non_latin_summary_is_measured_as_ucs2(content: Path) -> None:
    (content / "ar").mkdir()
    summary = "يحق لك أن تحصل على أجرك كاملا. " * 7  # about 220 characters
    (content / "ar" / "education.yaml").write_text(topic_yaml(summary=summary), "utf-8")

    [problem] = located(check_content(content), "content/ar/education.yaml", "summary")

    assert "ucs2" in problem.message


def test_the_more_hint_of_each_language_counts_in_the_budget(content: Path) -> None:
    summary = "a" * 430
    (content / "es" / "education.yaml").write_text(topic_yaml(summary=summary), "utf-8")
    assert located(check_content(content), "content/es/education.yaml", "summary") == []

    report = check_content(content, more_hint=lambda lang: f"Responde MÁS ({lang}) " * 3)

    assert located(report, "content/es/education.yaml", "summary") != []


def test_an_urgent_text_longer_than_one_page_is_an_error(content: Path) -> None:
    file = content / "es" / "_language.yaml"
    file.write_text(
        "urgent:\n"
        f"  with_number: Llama al {{number}}. {'Busca un lugar seguro. ' * 25}\n"
        "  without_number: Llama al número de emergencias.\n",
        encoding="utf-8",
    )

    [problem] = located(check_content(content), "content/es/_language.yaml", "urgent.with_number")

    assert problem.severity == "error"
    assert problem.line == line_of(file, "with_number:")


# Catalogs


def write_catalog(locales: Path, lang: str, body: str) -> Path:
    folder = locales / lang / "LC_MESSAGES"
    folder.mkdir(parents=True)
    file = folder / "messages.po"
    header = (
        f'msgid ""\nmsgstr ""\n"Language: {lang}\\n"\n'
        '"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    )
    file.write_text(header + body, encoding="utf-8")
    return file


def test_catalog_problems_name_the_po_file_and_line(content: Path, tmp_path: Path) -> None:
    locales = tmp_path / "locales"
    write_catalog(locales, "en", 'msgid "Menu"\nmsgstr ""\n')
    po = write_catalog(
        locales, "es", '#, python-format\nmsgid "Call %(number)s"\nmsgstr "Llama al %(numero)s"\n'
    )

    report = check_content(content, locales_dir=locales)

    [problem] = [p for p in report.errors if p.path == "locales/es/LC_MESSAGES/messages.po"]
    assert problem.line == line_of(po, 'msgid "Call')
    assert "'Call %(number)s'" in problem.field


def test_english_without_a_catalog_is_an_error(content: Path, tmp_path: Path) -> None:
    locales = tmp_path / "locales"
    locales.mkdir()

    report = check_content(content, locales_dir=locales)

    assert [p.path for p in report.errors] == ["locales/en/LC_MESSAGES/messages.po"]


def test_a_fully_translated_language_without_a_catalog_is_a_warning(
    content: Path, tmp_path: Path
) -> None:
    shutil.rmtree(content / "es")
    shutil.copytree(content / "en", content / "es")
    locales = tmp_path / "locales"
    write_catalog(locales, "en", 'msgid "Menu"\nmsgstr ""\n')

    report = check_content(content, locales_dir=locales)

    assert report.errors == []
    [problem] = [p for p in report.warnings if p.path.startswith("locales/")]
    assert problem.path == "locales/es/LC_MESSAGES/messages.po"


def test_an_unparsable_catalog_is_an_error_not_a_traceback(content: Path, tmp_path: Path) -> None:
    locales = tmp_path / "locales"
    write_catalog(locales, "en", 'msgid "Menu"\nmsgstr ""\n')
    write_catalog(locales, "es", 'msgid "Menu"\nmsgstr "Menú"\nthis is not po\n')

    errors = check_content(content, locales_dir=locales).errors

    assert [(p.path, p.field) for p in errors] == [("locales/es/LC_MESSAGES/messages.po", "po")]


# The report


def test_the_report_lists_errors_then_warnings_then_the_coverage_table(content: Path) -> None:
    (content / "es" / "education.yaml").write_text(topic_yaml(), encoding="utf-8")
    (content / "es" / "shelter.yaml").write_text(topic_yaml(title="x" * 31), encoding="utf-8")

    lines = format_report(check_content(content)).splitlines()

    assert lines[0].startswith("content/es/shelter.yaml:1: title: ")
    assert lines[1].startswith("content/es/education.yaml:")
    assert "source_hash" in lines[1]
    assert lines[2] == "1 error(s), 1 warning(s)"
    header = lines[4].split()
    assert header == [
        "language",
        "complete",
        "reviewed",
        "draft",
        "stale",
        "phrases-only",
        "missing",
        "total",
    ]
    total = len(load_content_topics(content))
    assert lines[5].split() == ["en", str(total), str(total), "0", "0", "0", "0", str(total)]
    assert lines[6].split() == ["es", "0", "0", "0", "1", "0", str(total - 1), str(total)]


def load_content_topics(content: Path) -> list[str]:
    data = yaml.safe_load((content / "topics.yaml").read_text(encoding="utf-8"))
    return [topic["id"] for topic in data["topics"]]


# The shipped content


def shipped_topic_files() -> list[Path]:
    return sorted(
        file
        for file in SHIPPED.glob("*/*.yaml")
        if file.name != "_language.yaml" and not file.parent.name.startswith((".", "_"))
    )


def test_the_shipped_content_and_catalogs_have_no_errors() -> None:
    report = check_content(SHIPPED, locales_dir=REPO / "locales")

    assert [str(p) for p in report.errors] == []


def test_every_shipped_summary_fits_one_sms_page_with_the_more_hint() -> None:
    too_long = []
    for file in shipped_topic_files():
        summary = (yaml.safe_load(file.read_text(encoding="utf-8")) or {}).get("summary")
        if isinstance(summary, str):
            size = measure(to_gsm7(f"{summary.strip()}\n{DEFAULT_MORE_HINT}"))
            if size.segments > 3:
                too_long.append(f"{file.relative_to(REPO)}: {size}")
    assert too_long == []


def test_every_shipped_urgent_text_fits_one_sms_page() -> None:
    too_long = []
    for file in sorted(SHIPPED.glob("*/_language.yaml")):
        urgent = (yaml.safe_load(file.read_text(encoding="utf-8")) or {}).get("urgent") or {}
        for name, text in urgent.items():
            size = measure(to_gsm7(str(text).strip().replace("{number}", "999")))
            if size.segments > 3:
                too_long.append(f"{file.relative_to(REPO)}: {name}: {size}")
    assert too_long == []


def test_every_shipped_title_fits_30_characters() -> None:
    too_long = []
    for file in shipped_topic_files():
        title = (yaml.safe_load(file.read_text(encoding="utf-8")) or {}).get("title")
        if isinstance(title, str) and len(title.strip()) > 30:
            too_long.append(f"{file.relative_to(REPO)}: {title!r}")
    assert too_long == []


def test_every_shipped_topic_cites_at_least_one_section_that_exists() -> None:
    sections = yaml.safe_load((SHIPPED / "sections.yaml").read_text(encoding="utf-8"))["sections"]
    topics = yaml.safe_load((SHIPPED / "topics.yaml").read_text(encoding="utf-8"))["topics"]

    for topic in topics:
        assert topic["sections"], topic["id"]
        assert set(topic["sections"]) <= set(sections), topic["id"]


def test_every_contract_topic_id_exists_with_english_text() -> None:
    topics = yaml.safe_load((SHIPPED / "topics.yaml").read_text(encoding="utf-8"))["topics"]
    ids = {topic["id"] for topic in topics}

    assert len(CONTRACT_TOPIC_IDS) == 25
    assert set(CONTRACT_TOPIC_IDS) <= ids
    assert [i for i in CONTRACT_TOPIC_IDS if not (SHIPPED / "en" / f"{i}.yaml").is_file()] == []
