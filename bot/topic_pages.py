"""A topic cut into the pages a person reads with MORE, sized for the medium they use."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.messages import Channel
from bot.paging import SMS, PageBudget, fits, paginate
from gfmd_info.content_model import Contact
from gfmd_info.emergency_line import EMERGENCY_TOPIC, call_line
from gfmd_info.store import ContentStore


@dataclass(frozen=True)
class TopicPage:
    """One page: on SMS packed text; elsewhere one part with its heading (the topic's title
    on the first page), which the renderer may set in bold."""

    heading: str | None
    text: str


@dataclass(frozen=True)
class TopicPages:
    fallback: bool
    pages: tuple[TopicPage, ...]


def budget_for(channel: Channel) -> PageBudget | None:
    """SMS pages are packed to three segments; other media show one part per page."""
    return SMS if channel in (Channel.SMS, Channel.TERMINAL) else None


def topic_parts(
    content: ContentStore, topic_id: str, lang: str, country: str | None
) -> tuple[list[tuple[str | None, str]], str, bool]:
    """(heading, text) of each part: summary, sections, country notes, organisations.

    The emergency topic opens with the call line, however it was reached. When the person's
    country has contacts for the topic, they take the place of the last section, the general
    "Who can help" text.
    """
    shown = content.topic_text(topic_id, lang)
    text = shown.text
    summary = text.summary or ""
    if topic_id == EMERGENCY_TOPIC:
        line = call_line(content, shown.lang_shown, country)
        summary = f"{line}\n{summary}" if line else summary
    parts: list[tuple[str | None, str]] = [(text.title, summary)]
    parts += [(section.heading, section.text) for section in text.sections]
    contacts = content.contacts_for(country, topic_id) if country else []
    if contacts and text.sections:
        parts[-1] = (text.sections[-1].heading, contacts_text(content, shown.lang_shown, contacts))
    if country:
        parts += [(None, note) for note in content.country_notes(country, topic_id, lang)]
    organisations = content.organisations_for(topic_id)
    if organisations:
        names = content.language_pack(shown.lang_shown).organisations
        parts.append(
            (None, "\n".join(f"{names.get(o.id, o.name)}: {o.website}" for o in organisations))
        )
    return parts, shown.lang_shown, shown.fallback


def contacts_text(content: ContentStore, lang: str, contacts: Sequence[Contact]) -> str:
    """One paragraph per contact: its name, what it does, then how to reach it."""
    translated = content.language_pack(lang).contacts
    paragraphs = []
    for contact in contacts:
        own = translated.get(contact.id)
        name = (own.name if own else None) or contact.name
        does = (own.does if own else None) or contact.does
        reach = " ".join(value for value in (contact.phone, contact.url) if value)
        paragraphs.append(f"{name}: {does} {reach}")
    return "\n\n".join(paragraphs)


def topic_pages(
    content: ContentStore,
    topic_id: str,
    lang: str,
    country: str | None,
    channel: Channel,
    more_hint: str,
) -> TopicPages:
    parts, _shown, fallback = topic_parts(content, topic_id, lang, country)
    budget = budget_for(channel)
    if budget is None:
        pages = [TopicPage(heading, body.strip()) for heading, body in parts if body.strip()]
    else:
        # On SMS every character costs: the title is already the menu line people chose.
        pieces = [parts[0][1]] + [f"{h}\n{t}" if h else t for h, t in parts[1:]]
        pages = [TopicPage(None, page) for page in paginate(pieces, budget, more_hint)]
    return TopicPages(fallback, tuple(pages))


def fits_with(page: str, extra: str, channel: Channel) -> bool:
    budget = budget_for(channel)
    return budget is None or fits(f"{page}\n{extra}", budget)
