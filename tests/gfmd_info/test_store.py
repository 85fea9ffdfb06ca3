from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
import yaml

from gfmd_info.content_model import Section, Status, TopicText
from gfmd_info.loader import load_content
from gfmd_info.store import ContentStore, CoverageState, english_hash

SHIPPED = Path(__file__).parents[2] / "content"
NEUTRAL_FILES = (
    "topics.yaml",
    "organisations.yaml",
    "sections.yaml",
    "country-notes.yaml",
    "emergency-numbers.yaml",
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


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """Shipped English plus a small Spanish folder: one topic in each coverage state."""
    folder = tmp_path / "content"
    folder.mkdir()
    for name in NEUTRAL_FILES:
        shutil.copy(SHIPPED / name, folder / name)
    shutil.copytree(SHIPPED / "en", folder / "en")
    english = load_content(folder).texts["en"]
    es = folder / "es"
    es.mkdir()
    reviewed = topic_yaml(
        status="reviewed",
        reviewer="Revisora",
        reviewed_on="2026-11-27",
        review_note="Read against en/education.yaml and the report, I.C.3.",
        source_hash=english_hash(english["education"]),
    )
    (es / "education.yaml").write_text(reviewed, encoding="utf-8")
    stamped = topic_yaml(title="Vivienda", source_hash=english_hash(english["shelter"]))
    (es / "shelter.yaml").write_text(stamped, encoding="utf-8")
    (es / "children.yaml").write_text(topic_yaml(title="Niños"), encoding="utf-8")
    only_phrases = topic_yaml(title=None, summary=None, sections=None, status="phrases-only")
    (es / "asylum.yaml").write_text(only_phrases, encoding="utf-8")
    (es / "_language.yaml").write_text(
        "disclaimer: Información general, no asesoría legal.\n"
        "stopwords: [el, la, de]\n"
        "country_notes:\n  es-health-access: España abrió la salud a todos.\n",
        encoding="utf-8",
    )
    return folder


@pytest.fixture
def store(content: Path) -> ContentStore:
    return load_content(content)


def test_languages_list_english_first_then_the_others_sorted(content: Path) -> None:
    (content / "ar").mkdir()
    (content / "fil").mkdir()

    assert load_content(content).languages == ("en", "ar", "es", "fil")


def test_text_languages_are_only_those_with_every_topic_disclaimer_and_urgent(
    store: ContentStore,
) -> None:
    assert store.text_languages == ("en",)


def test_categories_and_topics_in_a_category_follow_their_order(store: ContentStore) -> None:
    orders = [category.order for category in store.categories]
    assert orders == sorted(orders)
    for category in store.categories:
        topic_orders = [topic.order for topic in store.topics_in(category.id)]
        assert topic_orders == sorted(topic_orders)
    assert sum(len(store.topics_in(c.id)) for c in store.categories) == len(store.topics)


def test_topic_text_is_in_the_language_when_it_has_text(store: ContentStore) -> None:
    shown = store.topic_text("education", "es")

    assert (shown.lang_shown, shown.fallback, shown.text.title) == ("es", False, "Escuela")


@pytest.mark.parametrize("topic_id", ["asylum", "legal-help"], ids=["phrases-only", "missing"])
def test_topic_text_falls_back_to_english_without_a_translation(
    store: ContentStore, topic_id: str
) -> None:
    shown = store.topic_text(topic_id, "es")

    assert (shown.lang_shown, shown.fallback) == ("en", True)
    assert shown.text == store.texts["en"][topic_id]
    assert store.title(topic_id, "es") == store.texts["en"][topic_id].title


def test_english_text_is_not_a_fallback_in_english(store: ContentStore) -> None:
    assert store.topic_text("asylum", "en").fallback is False


def test_topic_text_of_an_unknown_topic_is_a_key_error(store: ContentStore) -> None:
    with pytest.raises(KeyError):
        store.topic_text("not-a-topic", "en")


def test_phrases_cover_every_file_in_the_language_with_its_title(store: ContentStore) -> None:
    phrases = store.phrases("es")

    assert set(phrases) == {"education", "shelter", "children", "asylum"}
    assert "Escuela" in phrases["education"]
    assert "frase número 3" in phrases["asylum"]
    assert len(phrases["asylum"]) == 15  # phrases-only: no title to add


def test_language_pack_takes_english_urgent_and_notes_where_the_language_has_none(
    store: ContentStore,
) -> None:
    english = store.packs["en"]

    pack = store.language_pack("es")

    assert pack.disclaimer == "Información general, no asesoría legal."
    assert pack.urgent == english.urgent
    assert pack.country_notes["es-health-access"] == "España abrió la salud a todos."
    assert pack.country_notes["ae-testing"] == english.country_notes["ae-testing"]
    assert pack.stopwords == ["el", "la", "de"]


def test_country_notes_are_those_of_the_country_and_topic_in_the_language(
    store: ContentStore,
) -> None:
    assert store.country_notes("ES", "health-care", "es") == ["España abrió la salud a todos."]
    assert store.country_notes("es", "documents", "es") == [
        store.packs["en"].country_notes["es-regularisation"]
    ]
    assert store.country_notes("ES", "trafficking", "es") == []


def test_emergency_numbers_by_country_code_each_service_with_its_number(content: Path) -> None:
    (content / "emergency-numbers.yaml").write_text(
        "numbers:\n"
        "  - country: SG\n"
        "    services:\n"
        '      - {service: police, number: "999"}\n'
        '      - {service: ambulance, number: "995"}\n'
        '      - {service: fire, number: "995"}\n'
        "    source: SCDF, emergency medical services\n"
        "    source_url: https://www.scdf.gov.sg/\n"
        "    checked: 2026-12-06\n",
        encoding="utf-8",
    )
    store = load_content(content)

    entry = store.emergency_number("sg")

    assert entry is not None
    assert [(s.service.value, s.number) for s in entry.services] == [
        ("police", "999"),
        ("ambulance", "995"),
        ("fire", "995"),
    ]
    assert entry.numbers == ("999", "995")
    assert store.emergency_number("ZW") is None


def test_contacts_are_those_of_the_country_and_topic_in_file_order(content: Path) -> None:
    entry = {
        "country": "AE",
        "name": "Example",
        "does": "Helps.",
        "url": "https://example.org/",
        "source": "Example, About page",
        "source_url": "https://example.org/about",
        "checked": "2026-12-06",
    }
    contacts = [
        {"id": "ae-one", "topics": ["unpaid-wages", "work-rights"], **entry},
        {"id": "qa-two", "topics": ["unpaid-wages"], **entry, "country": "QA"},
        {"id": "ae-three", "topics": ["unpaid-wages"], **entry},
    ]
    (content / "contacts.yaml").write_text(
        yaml.safe_dump({"contacts": contacts}, sort_keys=False), encoding="utf-8"
    )
    store = load_content(content)

    assert [c.id for c in store.contacts_for("ae", "unpaid-wages")] == ["ae-one", "ae-three"]
    assert [c.id for c in store.contacts_for("AE", "work-rights")] == ["ae-one"]
    assert store.contacts_for("AE", "asylum") == []


def test_without_a_contacts_file_no_country_has_contacts(store: ContentStore) -> None:
    assert store.contacts == ()


def test_language_pack_takes_the_english_call_line_and_service_words_it_lacks(
    store: ContentStore,
) -> None:
    english = store.language_pack("en")
    spanish = store.language_pack("es")

    assert spanish.call_line == english.call_line
    assert spanish.services == english.services
    assert spanish.organisations == english.organisations


def test_organisations_and_sections_follow_topics_yaml(store: ContentStore) -> None:
    topic = store.topics["trafficking"]

    assert [org.id for org in store.organisations_for("trafficking")] == topic.organisations
    sections = store.sections_for("trafficking")
    assert [ref for ref, _ in sections] == topic.sections
    assert all(title for _, title in sections)


def test_coverage_gives_each_topic_one_state_per_language(store: ContentStore) -> None:
    coverage = store.coverage()

    assert coverage.state("es", "education") is CoverageState.REVIEWED
    assert coverage.state("es", "shelter") is CoverageState.DRAFT
    assert coverage.state("es", "children") is CoverageState.STALE
    assert coverage.state("es", "asylum") is CoverageState.PHRASES_ONLY
    assert coverage.state("es", "legal-help") is CoverageState.MISSING
    row = {row.language: row for row in coverage.rows()}["es"]
    assert (row.complete, row.reviewed, row.draft, row.stale, row.phrases_only) == (2, 1, 1, 1, 1)
    assert row.missing == row.total - 4 == len(store.topics) - 4


def test_english_coverage_is_never_stale(store: ContentStore) -> None:
    states = store.coverage().states["en"]

    assert CoverageState.STALE not in states.values()
    assert CoverageState.MISSING not in states.values()


def test_english_hash_ignores_rewrapping_and_changes_with_the_words() -> None:
    text = TopicText(
        title="Unpaid wages",
        summary="You have a right to be paid.",
        sections=[Section(heading="What you can do", text="Write down the dates.")],
        phrases=[f"p{n}" for n in range(15)],
        status=Status.REVIEWED,
    )
    rewrapped = text.model_copy(update={"summary": "You have a right\n  to be paid."})
    changed = text.model_copy(update={"summary": "You have a right to be paid on time."})
    with_phrases = text.model_copy(update={"phrases": [f"q{n}" for n in range(15)]})

    assert len(english_hash(text)) == 16
    assert english_hash(rewrapped) == english_hash(text)
    assert english_hash(with_phrases) == english_hash(text)
    assert english_hash(changed) != english_hash(text)


def test_the_store_cannot_be_changed_once_built(store: ContentStore) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        store.version = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        store.topics["new"] = store.topics["asylum"]  # type: ignore[index]
    with pytest.raises(TypeError):
        store.texts["es"]["legal-help"] = store.texts["en"]["legal-help"]  # type: ignore[index]


def test_version_is_stable_and_changes_with_any_byte(content: Path) -> None:
    first = load_content(content).version
    assert load_content(content).version == first

    (content / "es" / "_language.yaml").write_text(
        (content / "es" / "_language.yaml").read_text(encoding="utf-8") + "# note\n",
        encoding="utf-8",
    )

    assert load_content(content).version != first
    assert len(first) == 12
