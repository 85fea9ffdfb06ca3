"""A topic cut into the pages a person reads with MORE, sized for the medium they use."""

from __future__ import annotations

from dataclasses import dataclass

from bot.messages import Channel
from bot.paging import SMS, PageBudget, fits, paginate
from gfmd_info.store import ContentStore


@dataclass(frozen=True)
class TopicPages:
    topic_id: str
    lang_shown: str
    fallback: bool
    pages: tuple[str, ...]


def budget_for(channel: Channel) -> PageBudget | None:
    """SMS pages are packed to three segments; other media show one part per page."""
    return SMS if channel in (Channel.SMS, Channel.TERMINAL) else None


def topic_pieces(
    content: ContentStore, topic_id: str, lang: str, country: str | None, with_title: bool = True
) -> tuple[list[str], str, bool]:
    shown = content.topic_text(topic_id, lang)
    text = shown.text
    # On SMS every character costs: the title is already the menu line people chose.
    pieces = [f"{text.title}\n{text.summary}" if with_title else f"{text.summary}"]
    pieces += [f"{section.heading}\n{section.text}" for section in text.sections]
    if country:
        pieces += content.country_notes(country, topic_id, lang)
    organisations = content.organisations_for(topic_id)
    if organisations:
        pieces.append("\n".join(f"{o.name}: {o.website}" for o in organisations))
    return pieces, shown.lang_shown, shown.fallback


def topic_pages(
    content: ContentStore,
    topic_id: str,
    lang: str,
    country: str | None,
    channel: Channel,
    more_hint: str,
) -> TopicPages:
    budget = budget_for(channel)
    pieces, shown, fallback = topic_pieces(content, topic_id, lang, country, budget is None)
    if budget is None:
        pages = [piece.strip() for piece in pieces if piece.strip()]
    else:
        pages = paginate(pieces, budget, more_hint)
    return TopicPages(topic_id, shown, fallback, tuple(pages))


def fits_with(page: str, extra: str, channel: Channel) -> bool:
    budget = budget_for(channel)
    return budget is None or fits(f"{page}\n{extra}", budget)
