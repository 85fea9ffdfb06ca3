"""A topic cut into the pages a person reads with MORE, sized for the medium they use."""

from __future__ import annotations

from dataclasses import dataclass

from bot.messages import Channel
from bot.paging import SMS, PageBudget, fits, paginate
from gfmd_info.store import ContentStore


@dataclass(frozen=True)
class TopicPage:
    """One page: on SMS packed text; elsewhere one part with its heading (the topic's title
    on the first page), which the renderer may set in bold."""

    heading: str | None
    text: str


@dataclass(frozen=True)
class TopicPages:
    topic_id: str
    lang_shown: str
    fallback: bool
    pages: tuple[TopicPage, ...]


def budget_for(channel: Channel) -> PageBudget | None:
    """SMS pages are packed to three segments; other media show one part per page."""
    return SMS if channel in (Channel.SMS, Channel.TERMINAL) else None


def topic_parts(
    content: ContentStore, topic_id: str, lang: str, country: str | None
) -> tuple[list[tuple[str | None, str]], str, bool]:
    """(heading, text) of each part: summary, sections, country notes, organisations."""
    shown = content.topic_text(topic_id, lang)
    text = shown.text
    parts: list[tuple[str | None, str]] = [(text.title, text.summary or "")]
    parts += [(section.heading, section.text) for section in text.sections]
    if country:
        parts += [(None, note) for note in content.country_notes(country, topic_id, lang)]
    organisations = content.organisations_for(topic_id)
    if organisations:
        parts.append((None, "\n".join(f"{o.name}: {o.website}" for o in organisations)))
    return parts, shown.lang_shown, shown.fallback


def topic_pages(
    content: ContentStore,
    topic_id: str,
    lang: str,
    country: str | None,
    channel: Channel,
    more_hint: str,
) -> TopicPages:
    parts, shown, fallback = topic_parts(content, topic_id, lang, country)
    budget = budget_for(channel)
    if budget is None:
        pages = [TopicPage(heading, body.strip()) for heading, body in parts if body.strip()]
    else:
        # On SMS every character costs: the title is already the menu line people chose.
        pieces = [parts[0][1]] + [f"{h}\n{t}" if h else t for h, t in parts[1:]]
        pages = [TopicPage(None, page) for page in paginate(pieces, budget, more_hint)]
    return TopicPages(topic_id, shown, fallback, tuple(pages))


def fits_with(page: str, extra: str, channel: Channel) -> bool:
    budget = budget_for(channel)
    return budget is None or fits(f"{page}\n{extra}", budget)
