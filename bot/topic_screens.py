"""The screens of a topic: its first page (urgent when it must be), MORE, and next-page
buttons. Each returns an `Answer` and changes nothing else."""

from __future__ import annotations

from bot.flow import Event, after
from bot.messages import Block, BlockKind, Option
from bot.screens import Answer, Screens
from bot.state import Position, UserState
from bot.topic_pages import fits_with
from gfmd_info import emergency_line
from gfmd_info.emergency_line import call_line
from gfmd_info.matcher import EMERGENCY


def _(message: str) -> str:
    """Mark a message for extraction; `Words` translates it per person."""
    return message


class TopicScreens(Screens):
    """Every screen of one message, topics included."""

    def topic(
        self,
        state: UserState,
        topic_id: str,
        danger_possible: bool = False,
        danger_now: bool = False,
    ) -> Answer:
        """A topic's first page. Danger now opens with the urgent text (what to do, the local
        numbers); a topic asked about in a message that may speak of danger, with the call
        line. The emergency topic is always urgent, and its pages open with the call line."""
        state = state.update(
            position=after(state.position, Event.TOPIC_CHOSEN),
            topic=topic_id,
            category=self.content.topics[topic_id].category,
            page=0,
            urgent=topic_id == EMERGENCY or danger_now,
        )
        if danger_now:
            lead = emergency_line.urgent_text(self.content, self.urgent_lang, state.country)
        elif danger_possible and topic_id != EMERGENCY:
            lead = call_line(self.content, self.urgent_lang, state.country)
        else:
            lead = ""
        return self.page(state, 0, lead=lead)

    def more(self, state: UserState) -> Answer:
        topic = state.topic
        # A topic a content reload removed is gone: back to the menu rather than an error.
        if state.position is not Position.TOPIC or not topic or topic not in self.content.topics:
            note = self.words(state)(_("There is nothing more to show here."))
            return self.menu(state, note, Event.NO_MORE)
        return self.page(state, state.page + 1)

    def page_of(self, state: UserState, value: str) -> Answer:
        """A "next page" button: it names its topic, so an old button cannot page another."""
        topic, _sep, page = value.rpartition(":")
        if topic not in self.content.topics or not page.isdecimal():
            note = self.words(state)(_("There is nothing more to show here."))
            return self.menu(state, note, Event.NO_MORE)
        state = state.update(
            position=after(state.position, Event.PAGE_CHOSEN),
            topic=topic,
            category=self.content.topics[topic].category,
        )
        return self.page(state, int(page))

    def page(self, state: UserState, page: int, lead: str = "") -> Answer:
        """Page `page` of the person's topic; `lead`: the urgent block of a first page."""
        words = self.words(state)
        lang = self.lang(state)
        topic_id = state.topic or EMERGENCY
        hint = words(_("Reply MORE for more."))
        pages = self.conversation.topic_pages(
            self.knowledge, topic_id, lang, state.country, self.inbound.channel,
            hint if self.is_sms else "",
        )  # fmt: skip
        if page >= len(pages.pages):
            return self.menu(state, words(_("That was all on this topic.")), Event.NO_MORE)
        blocks = [Block(BlockKind.URGENT, lead)] if lead else []
        # On SMS an urgent answer has two pages: the urgent text and the first page, no more.
        if page == 0 and pages.fallback and not (lead and self.is_sms):
            notice = words(_("This topic is not translated yet; here it is in English."))
            blocks.append(Block(BlockKind.NOTICE, notice))
        shown = pages.pages[page]
        if shown.heading:
            blocks.append(Block(BlockKind.TITLE if page == 0 else BlockKind.HEADING, shown.heading))
        blocks.append(Block(BlockKind.TEXT, shown.text))
        last = page == len(pages.pages) - 1
        options = self._page_options(state, topic_id, page, shown.text, last)
        event = Event.MORE if page > 0 else Event.STAY
        state = state.update(page=page, position=after(state.position, event))
        # Topic pages carry the MORE hint in their text already (SMS).
        urgent = bool(lead) or (page == 0 and topic_id == EMERGENCY)
        return self.reply(state, blocks, options, urgent=urgent, more_hint=False)

    def _page_options(
        self, state: UserState, topic_id: str, page: int, page_text: str, last: bool
    ) -> list[Option]:
        words = self.words(state)
        menu = Option("m:menu", words(_("Main menu")))
        if not last:
            if self.is_sms:
                return []
            return [Option(f"p:{topic_id}:{page + 1}", words(_("More"))), menu]
        lang = self.lang(state)
        related = [
            Option(f"t:{t}", self.content.title(t, lang))
            for t in self.content.topics[topic_id].related
        ]
        lines = "\n".join(f"{n}. {o.label}" for n, o in enumerate([*related, menu], 1))
        if self.is_sms and not fits_with(page_text, lines, self.inbound.channel):
            return []
        return [*related, menu]
