"""`content review` records who reviewed a translation, when, and against which English."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from gfmd_info.content_check import check_content
from gfmd_info.loader import read_content
from gfmd_info.problems import ContentError
from gfmd_info.review import record_review
from gfmd_info.store import CoverageState, english_hash

REPO = Path(__file__).parents[2]
DAY = dt.date(2026, 12, 6)


@pytest.fixture
def content(content_copy: Path) -> Path:
    return content_copy


def test_a_reviewed_topic_names_reviewer_day_note_and_the_english_it_was_read_against(
    content: Path,
) -> None:
    before = (content / "es" / "asylum.yaml").read_bytes()

    written = record_review(
        content, "es", "Ana María", topic="unpaid-wages", note="read against en/", today=DAY
    )

    assert written == ["es/unpaid-wages.yaml"]
    store = read_content(content).store
    text = store.texts["es"]["unpaid-wages"]
    assert (text.status.value, text.reviewer, text.reviewed_on, text.review_note) == (
        "reviewed",
        "Ana María",
        DAY,
        "read against en/",
    )
    assert text.source_hash == english_hash(store.texts["en"]["unpaid-wages"])
    assert (content / "es" / "asylum.yaml").read_bytes() == before


def test_the_coverage_table_counts_the_review(content: Path) -> None:
    record_review(content, "es", "Ana", topic="shelter", note="read against en/", today=DAY)

    coverage = check_content(content, today=DAY).coverage
    assert coverage.state("es", "shelter") is CoverageState.REVIEWED
    assert next(row for row in coverage.rows() if row.language == "es").reviewed == 1


def test_a_whole_language_is_reviewed_at_once_except_phrases_only_files(content: Path) -> None:
    written = record_review(content, "fr", "Jean", note="read against en/", today=DAY)

    store = read_content(content).store
    with_text = sorted(t for t, text in store.texts["fr"].items() if text.has_text)
    assert written == sorted([f"fr/{topic}.yaml" for topic in with_text] + ["fr/_language.yaml"])
    assert store.packs["fr"].reviewer == "Jean"


def test_a_translation_review_without_a_note_is_refused(content: Path) -> None:
    before = (content / "es" / "shelter.yaml").read_bytes()
    with pytest.raises(ContentError, match="review_note"):
        record_review(content, "es", "Ana", topic="shelter", today=DAY)
    assert (content / "es" / "shelter.yaml").read_bytes() == before


def test_a_phrases_only_topic_has_nothing_to_review(content: Path) -> None:
    phrases = "".join(f"  - pedido de asilo numero {n}\n" for n in range(20))
    (content / "pt" / "asylum.yaml").write_text(
        f"status: phrases-only\nphrases:\n{phrases}", encoding="utf-8"
    )
    with pytest.raises(ContentError, match="phrases-only"):
        record_review(content, "pt", "Rita", topic="asylum", note="read", today=DAY)


def test_reviewing_twice_on_one_day_writes_nothing_the_second_time(content: Path) -> None:
    record_review(content, "es", "Ana", topic="shelter", note="read against en/", today=DAY)
    assert (
        record_review(content, "es", "Ana", topic="shelter", note="read against en/", today=DAY)
        == []
    )
