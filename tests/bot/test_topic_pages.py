from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.messages import Channel
from bot.paging import SMS, fits
from bot.topic_pages import topic_pages
from gfmd_info.loader import load_content
from gfmd_info.store import ContentStore

SHIPPED = Path(__file__).parents[2] / "content"
NEUTRAL_FILES = ("topics.yaml", "organisations.yaml", "sections.yaml", "country-notes.yaml")
HINT = "Reply MORE for more."
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
"""
CONTACTS = """\
contacts:
  - id: ae-labour-complaints
    country: AE
    topics: [unpaid-wages, work-rights]
    name: "Example labour ministry"
    does: "Takes complaints from private-sector workers, including unpaid wages."
    phone: "80060"
    url: https://labour.example.org/
    source: "Example ministry, Contact us page"
    source_url: https://labour.example.org/contact
    checked: 2026-12-06
  - id: ae-workers-centre
    country: AE
    topics: [unpaid-wages]
    name: "Example workers' centre"
    does: "Helps workers prepare a wage claim."
    url: https://centre.example.org/
    source: "Example centre, About page"
    source_url: https://centre.example.org/about
    checked: 2026-12-06
"""


@pytest.fixture
def content(tmp_path: Path) -> ContentStore:
    folder = tmp_path / "content"
    folder.mkdir()
    for name in NEUTRAL_FILES:
        shutil.copy(SHIPPED / name, folder / name)
    (folder / "emergency-numbers.yaml").write_text(NUMBERS, encoding="utf-8")
    (folder / "contacts.yaml").write_text(CONTACTS, encoding="utf-8")
    for lang in ("en", "es"):
        shutil.copytree(SHIPPED / lang, folder / lang)
    with (folder / "es" / "_language.yaml").open("a", encoding="utf-8") as stream:
        stream.write(
            "contacts:\n"
            "  ae-labour-complaints:\n"
            "    name: Ministerio de trabajo de ejemplo\n"
            "    does: Recibe quejas de trabajadores, también por salarios no pagados.\n"
        )
    return load_content(folder)


def texts(content: ContentStore, topic: str, lang: str, country: str | None) -> list[str]:
    pages = topic_pages(content, topic, lang, country, Channel.TELEGRAM, "")
    return [page.text for page in pages.pages]


@pytest.mark.parametrize("channel", [Channel.SMS, Channel.TELEGRAM])
def test_the_emergency_topic_opens_with_the_call_line_and_the_local_numbers(
    content: ContentStore, channel: Channel
) -> None:
    pages = topic_pages(content, "emergency", "en", "AE", channel, HINT)

    first = pages.pages[0].text
    assert first.startswith(
        "In danger now? In the UAE call 999 (police), 998 (ambulance), 997 (fire).\n"
    )
    # What to do now comes straight after, before anything else.
    assert "safe place" in first.splitlines()[1]


def test_the_emergency_topic_without_a_known_country_says_to_call_the_local_number(
    content: ContentStore,
) -> None:
    [first, *_] = texts(content, "emergency", "en", None)

    assert first.startswith("In danger now? Call your local emergency number.\n")


def test_the_first_sms_page_of_the_emergency_topic_fits_one_page(content: ContentStore) -> None:
    pages = topic_pages(content, "emergency", "es", "AE", Channel.SMS, HINT)

    assert pages.pages[0].text.startswith("¿En peligro ahora? En los Emiratos Árabes Unidos")
    assert fits(pages.pages[0].text, SMS)


def test_other_topics_do_not_get_the_call_line(content: ContentStore) -> None:
    assert not texts(content, "unpaid-wages", "en", "AE")[0].startswith("In danger now?")


def test_who_can_help_lists_the_contacts_of_the_persons_country(content: ContentStore) -> None:
    pages = topic_pages(content, "unpaid-wages", "en", "AE", Channel.TELEGRAM, "")

    [help_page] = [page for page in pages.pages if page.heading == "Who can help"]
    assert help_page.text == (
        "Example labour ministry: Takes complaints from private-sector workers, including"
        " unpaid wages. 80060 https://labour.example.org/\n\n"
        "Example workers' centre: Helps workers prepare a wage claim."
        " https://centre.example.org/"
    )


def test_who_can_help_keeps_the_general_text_without_contacts_for_the_country(
    content: ContentStore,
) -> None:
    general = content.texts["en"]["unpaid-wages"].sections[-1].text

    for country in ("QA", None):
        pages = topic_pages(content, "unpaid-wages", "en", country, Channel.TELEGRAM, "")
        [help_page] = [page for page in pages.pages if page.heading == "Who can help"]
        assert help_page.text == general


def test_contacts_of_the_country_show_only_on_their_topics(content: ContentStore) -> None:
    pages = texts(content, "documents", "en", "AE")

    assert not any("Example labour ministry" in text for text in pages)


def test_contacts_are_shown_in_the_persons_language_with_english_where_untranslated(
    content: ContentStore,
) -> None:
    pages = texts(content, "unpaid-wages", "es", "AE")

    [help_text] = [text for text in pages if "80060" in text]
    assert help_text.startswith(
        "Ministerio de trabajo de ejemplo: Recibe quejas de trabajadores, también por salarios"
    )
    assert "Example workers' centre: Helps workers prepare a wage claim." in help_text


def test_organisation_names_are_shown_in_the_persons_language(content: ContentStore) -> None:
    pages = texts(content, "asylum", "es", None)

    assert "ACNUR, la Agencia de la ONU para los Refugiados: https://www.unhcr.org" in pages[-1]
