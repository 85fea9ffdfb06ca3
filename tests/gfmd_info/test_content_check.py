from __future__ import annotations

import datetime as dt
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


def edit_file(file: Path, old: str, new: str) -> None:
    text = file.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {file}"
    file.write_text(text.replace(old, new), encoding="utf-8")


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


def stale_warnings(content: Path) -> list[Problem]:
    return [p for p in check_content(content).warnings if p.field == "source_hash"]


def test_stamping_covers_the_language_file_and_skips_phrases_only(content: Path) -> None:
    (content / "es" / "_language.yaml").write_text(
        "disclaimer: Información general.\n", encoding="utf-8"
    )
    only_phrases = topic_yaml(title=None, summary=None, sections=None, status="phrases-only")
    (content / "es" / "asylum.yaml").write_text(only_phrases, encoding="utf-8")

    assert stale_warnings(content) != []
    assert stamp_language(content, "es") == 1

    assert stale_warnings(content) == []
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
    for file in (content / "es").glob("*.yaml"):
        # A copy is not a reviewed translation: it has no review record.
        edit_file(file, "status: reviewed", "status: draft")
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


# Sourced facts: emergency numbers and contacts

TODAY = dt.date(2026, 12, 6)


def write_numbers(content: Path, *entries: str) -> Path:
    file = content / "emergency-numbers.yaml"
    file.write_text("numbers:\n" + "".join(entries), encoding="utf-8")
    return file


def number_entry(
    country: str = "AE",
    source: str | None = '"UAE Government portal u.ae"',
    source_url: str | None = "https://u.ae/emergency",
    checked: str | None = "2026-12-06",
) -> str:
    lines = [
        f"  - country: {country}\n",
        '    services: [{service: police, number: "999"}, {service: ambulance, number: "998"}]\n',
    ]
    lines += [f"    source: {source}\n"] if source else []
    lines += [f"    source_url: {source_url}\n"] if source_url else []
    lines += [f"    checked: {checked}\n"] if checked else []
    return "".join(lines)


@pytest.mark.parametrize("missing", ["source", "checked"])
def test_an_emergency_number_without_its_source_or_date_fails_the_check(
    content: Path, missing: str
) -> None:
    entry = number_entry(source=None) if missing == "source" else number_entry(checked=None)
    write_numbers(content, entry)

    report = check_content(content, today=TODAY)

    [problem] = located(report, "content/emergency-numbers.yaml", f"numbers[0].{missing}")
    assert problem.severity == "error"
    assert not report.ok


def test_an_emergency_number_checked_more_than_a_year_ago_is_flagged(content: Path) -> None:
    file = write_numbers(content, number_entry(checked="2025-11-30"))

    report = check_content(content, today=TODAY)

    [problem] = located(report, "content/emergency-numbers.yaml", "numbers[0].checked")
    assert problem.severity == "warning"
    assert "more than 12 months ago" in problem.message
    assert problem.line == line_of(file, "checked:")


def test_an_emergency_number_checked_in_the_future_is_an_error(content: Path) -> None:
    write_numbers(content, number_entry(checked="2027-12-06"))

    [problem] = located(
        check_content(content, today=TODAY), "content/emergency-numbers.yaml", "numbers[0].checked"
    )

    assert problem.severity == "error"


def test_an_emergency_number_without_the_address_of_its_source_is_a_warning(
    content: Path,
) -> None:
    write_numbers(content, number_entry(source_url=None))

    [problem] = located(
        check_content(content, today=TODAY),
        "content/emergency-numbers.yaml",
        "numbers[0].source_url",
    )

    assert problem.severity == "warning"


def test_a_service_listed_twice_for_one_country_is_an_error(content: Path) -> None:
    write_numbers(
        content,
        "  - country: AE\n"
        '    services: [{service: police, number: "999"}, {service: police, number: "901"}]\n'
        "    source: u.ae\n    checked: 2026-12-06\n",
    )

    [problem] = located(
        check_content(content, today=TODAY), "content/emergency-numbers.yaml", "numbers[0].services"
    )

    assert "police more than once" in problem.message


def contact_entry(**fields: object) -> dict[str, object]:
    entry: dict[str, object] = {
        "id": "ae-labour-complaints",
        "country": "AE",
        "topics": ["unpaid-wages"],
        "name": "Example ministry",
        "does": "Takes complaints about unpaid wages.",
        "phone": "80060",
        "url": "https://labour.example.org/",
        "source": "Example ministry, Contact us page",
        "source_url": "https://labour.example.org/contact",
        "checked": "2026-12-06",
    }
    entry.update(fields)
    return {key: value for key, value in entry.items() if value is not None}


def write_contacts(content: Path, *entries: dict[str, object]) -> Path:
    file = content / "contacts.yaml"
    file.write_text(yaml.safe_dump({"contacts": list(entries)}, sort_keys=False), encoding="utf-8")
    return file


def test_a_sourced_contact_passes_the_check(content: Path) -> None:
    write_contacts(content, contact_entry())

    report = check_content(content, today=TODAY)

    assert [p for p in report.problems if p.path == "content/contacts.yaml"] == []


@pytest.mark.parametrize("missing", ["source", "source_url", "checked"])
def test_a_contact_without_its_source_or_date_fails_the_check(content: Path, missing: str) -> None:
    write_contacts(content, contact_entry(**{missing: None}))

    report = check_content(content, today=TODAY)

    [problem] = located(report, "content/contacts.yaml", f"contacts[0].{missing}")
    assert problem.severity == "error"


def test_a_contact_with_neither_phone_nor_url_is_an_error(content: Path) -> None:
    write_contacts(content, contact_entry(phone=None, url=None))

    [problem] = [p for p in check_content(content, today=TODAY).errors]

    assert problem.path == "content/contacts.yaml"
    assert "phone or a url" in problem.message


def test_a_contact_checked_more_than_a_year_ago_is_flagged(content: Path) -> None:
    write_contacts(content, contact_entry(checked="2025-06-01"))

    [problem] = located(
        check_content(content, today=TODAY), "content/contacts.yaml", "contacts[0].checked"
    )

    assert problem.severity == "warning"


def test_a_contact_for_an_unknown_topic_or_country_is_an_error(content: Path) -> None:
    write_contacts(content, contact_entry(country="UK", topics=["wages"]))

    report = check_content(content, today=TODAY)

    assert {p.field for p in report.errors} == {"contacts[0].country", "contacts[0].topics[0]"}


def test_a_translated_contact_must_name_a_contact_id_that_exists(content: Path) -> None:
    write_contacts(content, contact_entry())
    (content / "es" / "_language.yaml").write_text(
        "contacts:\n  ae-labour-complaints: {name: Ministerio}\n  ae-unknown: {name: Otro}\n",
        encoding="utf-8",
    )

    [problem] = check_content(content, today=TODAY).errors

    assert (problem.path, problem.field) == ("content/es/_language.yaml", "contacts.ae-unknown")


# Promises the report does not make


def test_agreed_in_a_section_on_what_the_talks_called_for_is_an_error(content: Path) -> None:
    file = content / "en" / "unpaid-wages.yaml"
    edit_file(file, "In 2020, participants in the GFMD talks called for", "Governments agreed on")

    report = check_content(content)

    [problem] = located(report, "content/en/unpaid-wages.yaml", "sections[1].text")
    assert problem.severity == "error"
    assert "'agreed'" in problem.message
    # The line of the section's `text:`, where its folded paragraph starts.
    assert problem.line == line_of(file, "Governments agreed on") - 1


@pytest.mark.parametrize("words", ["you have the right to", "Payment is guaranteed"])
def test_rights_and_guarantees_in_a_summary_are_errors(content: Path, words: str) -> None:
    edit_file(content / "en" / "unpaid-wages.yaml", "Not being paid for work", f"{words} work")

    [problem] = located(check_content(content), "content/en/unpaid-wages.yaml", "summary")

    assert problem.severity == "error"


def test_an_editor_can_add_overstatement_words_for_a_language(content: Path) -> None:
    (content / "es" / "education.yaml").write_text(
        topic_yaml(summary="Los gobiernos prometieron escuela para todos."), encoding="utf-8"
    )
    assert located(check_content(content), "content/es/education.yaml", "summary") == []

    (content / "es" / "_language.yaml").write_text(
        "overstatement_words: [prometieron]\n", encoding="utf-8"
    )

    [problem] = located(check_content(content), "content/es/education.yaml", "summary")
    assert "'prometieron'" in problem.message


def test_overstatement_words_match_whole_words_only(content: Path) -> None:
    (content / "es" / "_language.yaml").write_text(
        "overstatement_words: [acordaron]\n", encoding="utf-8"
    )
    (content / "es" / "education.yaml").write_text(
        topic_yaml(summary="No acordaronse nada; desacordaron."), encoding="utf-8"
    )

    assert located(check_content(content), "content/es/education.yaml", "summary") == []


# Review records and the coverage table


def test_a_reviewed_translation_records_who_when_and_what(content: Path) -> None:
    file = content / "es" / "education.yaml"
    file.write_text(
        topic_yaml(status="reviewed", reviewer="Ana", reviewed_on="2026-12-01"), encoding="utf-8"
    )

    [problem] = check_content(content).errors
    assert (problem.path, problem.field) == ("content/es/education.yaml", "review_note")

    file.write_text(
        topic_yaml(
            status="reviewed",
            reviewer="Ana",
            reviewed_on="2026-12-01",
            review_note="Read against en/education.yaml; kept tú.",
        ),
        encoding="utf-8",
    )
    report = check_content(content)
    assert report.errors == []
    assert report.coverage.state("es", "education") is CoverageState.STALE


def test_the_coverage_table_says_drafts_need_a_native_speakers_review(content: Path) -> None:
    text = format_report(check_content(content))

    assert "draft" in text and "stale" in text and "reviewed" in text
    assert "native speaker" in text


# The shipped content says what the report says


def shipped_text(lang: str, topic_id: str) -> dict[str, object]:
    data = yaml.safe_load((SHIPPED / lang / f"{topic_id}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def reading(lang: str, topic_id: str) -> str:
    """Summary and sections of a shipped topic, as one line of text."""
    data = shipped_text(lang, topic_id)
    sections = data.get("sections")
    parts = [str(data.get("summary"))]
    if isinstance(sections, list):
        parts += [f"{s['heading']}: {s['text']}" for s in sections]
    return " ".join(" ".join(parts).split())


def shipped_notes(lang: str) -> dict[str, str]:
    data = yaml.safe_load((SHIPPED / lang / "_language.yaml").read_text(encoding="utf-8"))
    notes = data.get("country_notes") or {}
    return {key: " ".join(str(value).split()) for key, value in notes.items()}


@pytest.mark.parametrize(
    ("topic_id", "overstatement"),
    [
        ("documents", "praised for giving papers"),
        ("trafficking", "Countries are building more cooperation"),
        ("recruitment", "They want recruiters registered"),
        ("family-reunification", "have had too little attention"),
        ("return-home", "You should still be able to claim"),
        ("covid-19", "should be open to you"),
        ("unpaid-wages", "You have a right to be paid"),
        ("shelter", "Montevideo has a fund"),
    ],
)
def test_the_overstatements_the_second_reader_found_are_gone(
    topic_id: str, overstatement: str
) -> None:
    assert overstatement not in reading("en", topic_id)


def test_the_talks_are_reported_as_what_they_called_for_not_as_rights() -> None:
    rights_headings = {"en": "Your rights", "es": "Tus derechos", "fr": "Vos droits", "ar": "حقوقك"}
    for lang, heading in rights_headings.items():
        for topic_id in CONTRACT_TOPIC_IDS:
            assert f"{heading}:" not in reading(lang, topic_id), (lang, topic_id)
            assert "Tes droits:" not in reading(lang, topic_id)


def test_a_business_participants_view_is_given_as_one_participants() -> None:
    assert "One business participant said recruiters should be registered" in reading(
        "en", "recruitment"
    )


def test_covid_care_for_all_is_a_call_that_not_every_country_follows() -> None:
    summary = str(shipped_text("en", "covid-19")["summary"])

    assert "called for" in summary and "Not every country" in summary


@pytest.mark.parametrize("lang", ["en", "es", "fr", "ar"])
def test_examples_are_dated_and_health_notes_say_going_in_this_direction(lang: str) -> None:
    notes = shipped_notes(lang)
    year_words = {"en": "2020", "es": "2020", "fr": "2020", "ar": "2020"}[lang]
    for note_id in ("uy-montevideo-fund", "mx-city-services", "it-regularisation"):
        assert year_words in notes[note_id].split("(GFMD")[0], (lang, note_id)
    if lang == "en":
        for note_id in ("ae-health-access", "es-health-access"):
            assert "opening health care" not in notes[note_id]
            assert "going in the direction" in notes[note_id]
        assert "was praised" not in notes["it-regularisation"]


@pytest.mark.parametrize("lang", ["en", "es", "fr", "ar"])
def test_wherever_the_content_suggests_the_police_it_cautions_people_without_valid_papers(
    lang: str,
) -> None:
    police = {"en": "police", "es": "policía", "fr": "police", "ar": "الشرطة"}[lang]
    caution = {
        "en": ("is safe for you", "share details with the police"),
        "es": ("es seguro", "comparte", "compart"),
        "fr": ("est sûr", "c'est sûr", "sont sûrs", "transmet"),
        "ar": ("آمن لك", "يشارك", "تشارك"),
    }[lang]
    data_files = [f for f in sorted((SHIPPED / lang).glob("*.yaml")) if f.name != "_language.yaml"]
    for file in data_files:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        texts = [str(data.get("summary"))]
        texts += [str(s["text"]) for s in data.get("sections") or []]
        for text in texts:
            if police in text and file.stem != "emergency":
                assert any(word in text for word in caution), (file.name, text[:80])


@pytest.mark.parametrize(
    ("topic_id", "who"),
    [
        ("unpaid-wages", ("مكتب العمل", "نقابة", "جمعية عمال")),
        ("trafficking", ("منظمة الهجرة", "الطوارئ", "سفارتك")),
        ("health-care", ("جمعية مهاجرين", "عيادة")),
        ("asylum", ("المفوضية", "مساعدة قانونية")),
    ],
)
def test_arabic_summaries_name_who_to_ask_as_the_english_does(
    topic_id: str, who: tuple[str, ...]
) -> None:
    summary = " ".join(str(shipped_text("ar", topic_id)["summary"]).split())

    for name in who:
        assert name in summary, name
    size = measure(to_gsm7(f"{summary}\n{DEFAULT_MORE_HINT}"))
    assert size.segments <= 3


def test_arabic_claims_are_no_stronger_than_the_english() -> None:
    for topic_id in CONTRACT_TOPIC_IDS:
        text = reading("ar", topic_id)
        assert "يجب أن تتلقى" not in text and "يمكنك المطالبة" not in text, topic_id


@pytest.mark.parametrize("topic_id", ["gender-violence", "domestic-work"])
def test_arabic_addresses_a_woman_where_most_readers_are_women(topic_id: str) -> None:
    text = reading("ar", topic_id)

    assert any(word in text for word in ("اذهبي", "احتفظي", "احفظي"))
    # "someone you trust": تثقين for a woman, تثق for a man.
    assert "تثقين" in text and "تثق " not in text


def test_french_uses_one_register_vous() -> None:
    tu_words = ("tu", "ton", "ta", "tes", "toi", "t'aider", "t'écouter")
    for topic_id in CONTRACT_TOPIC_IDS:
        words = reading("fr", topic_id).replace(",", " ").replace(".", " ").split()
        assert not [w for w in words if w.lower() in tu_words], topic_id
    pack = (SHIPPED / "fr" / "_language.yaml").read_text(encoding="utf-8")
    assert "Renseigne-toi" not in pack and "Demande à" not in pack


def test_a_stale_date_is_located_on_its_own_entry_after_a_broken_one(content: Path) -> None:
    file = write_numbers(
        content,
        number_entry(country="QA", source=None),
        number_entry(country="KW", checked="2024-01-01"),
    )

    [problem] = located(
        check_content(content, today=TODAY), "content/emergency-numbers.yaml", "numbers[1].checked"
    )

    assert problem.severity == "warning"
    assert problem.line == len(file.read_text(encoding="utf-8").splitlines())
