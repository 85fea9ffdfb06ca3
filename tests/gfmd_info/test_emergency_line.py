from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gfmd_info.emergency_line import call_line, urgent_text
from gfmd_info.loader import load_content
from gfmd_info.store import ContentStore

SHIPPED = Path(__file__).parents[2] / "content"
NEUTRAL_FILES = ("topics.yaml", "organisations.yaml", "sections.yaml", "country-notes.yaml")
# Sourced data belongs to the sourcing engineer; these tests bring their own.
NUMBERS = """\
numbers:
  - country: AE
    services:
      - {service: police, number: "999"}
      - {service: ambulance, number: "998"}
      - {service: fire, number: "997"}
    source: "UAE Government portal u.ae, Emergency numbers"
    source_url: https://u.ae/en/information-and-services/justice-safety-and-the-law/emergency-numbers
    checked: 2026-12-06
  - country: SG
    services:
      - {service: police, number: "999"}
      - {service: ambulance, number: "995"}
      - {service: fire, number: "995"}
    source: "SCDF, emergency medical services"
    source_url: https://www.scdf.gov.sg/
    checked: 2026-12-06
  - country: ES
    services:
      - {service: all, number: "112"}
    source: "European Commission, 112"
    source_url: https://digital-strategy.ec.europa.eu/en/policies/112
    checked: 2026-12-06
"""


@pytest.fixture
def content(tmp_path: Path) -> ContentStore:
    folder = tmp_path / "content"
    folder.mkdir()
    for name in NEUTRAL_FILES:
        shutil.copy(SHIPPED / name, folder / name)
    (folder / "emergency-numbers.yaml").write_text(NUMBERS, encoding="utf-8")
    for lang in ("en", "es"):
        shutil.copytree(SHIPPED / lang, folder / lang)
    # A language with its own urgent text but no call line of its own.
    (folder / "sw").mkdir()
    (folder / "sw" / "_language.yaml").write_text(
        "urgent:\n  with_number: Piga {number} sasa.\n  without_number: Piga namba ya dharura.\n",
        encoding="utf-8",
    )
    return load_content(folder)


def test_the_call_line_names_the_country_and_each_service_with_its_number(
    content: ContentStore,
) -> None:
    line = call_line(content, "en", "AE")

    assert line == "In danger now? In the UAE call 999 (police), 998 (ambulance), 997 (fire)."


def test_services_sharing_a_number_are_named_together_after_it(content: ContentStore) -> None:
    assert call_line(content, "en", "SG") == (
        "In danger now? In Singapore call 999 (police), 995 (ambulance, fire)."
    )


def test_one_number_for_every_service_stands_alone(content: ContentStore) -> None:
    assert call_line(content, "en", "es") == "In danger now? In Spain call 112."


@pytest.mark.parametrize("country", [None, "ZW"])
def test_without_a_sourced_number_the_call_line_says_to_call_the_local_number(
    content: ContentStore, country: str | None
) -> None:
    line = call_line(content, "en", country)

    assert line == "In danger now? Call your local emergency number."
    assert not any(digit in line for digit in "0123456789")


def test_the_call_line_is_in_the_persons_language_with_its_country_name(
    content: ContentStore,
) -> None:
    line = call_line(content, "es", "AE")

    assert line.startswith(
        "¿En peligro ahora? En los Emiratos Árabes Unidos llama al 999 (policía)"
    )
    assert "998 (ambulancia)" in line and "997 (bomberos)" in line


def test_a_language_without_a_call_line_gets_the_english_one_with_the_english_country_name(
    content: ContentStore,
) -> None:
    assert call_line(content, "sw", "SG") == call_line(content, "en", "SG")


def test_the_urgent_text_names_the_country_its_numbers_are_for_and_elsewhere(
    content: ContentStore,
) -> None:
    text = urgent_text(content, "en", "AE")

    assert "In the UAE: 999 (police), 998 (ambulance), 997 (fire); elsewhere" in text
    assert "{" not in text


def test_the_urgent_text_without_a_sourced_number_tells_how_to_find_it(
    content: ContentStore,
) -> None:
    urgent = content.packs["en"].urgent
    assert urgent is not None
    assert urgent_text(content, "en", "ZW") == urgent.without_number


def test_a_language_urgent_text_without_a_country_place_still_gets_the_numbers(
    content: ContentStore,
) -> None:
    assert urgent_text(content, "sw", "SG") == "Piga 999 (police), 995 (ambulance, fire) sasa."
