"""What the bot shows: each screen turns a state into an `Answer` (the reply and the state
after it), and changes nothing else. `bot.turn` decides which screen a message gets.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.flow import Event, after
from bot.i18n import Words, display_name, languages_for_country
from bot.messages import Block, BlockKind, Channel, Inbound, Option, Reply
from bot.rendering import render_sms_pages
from bot.state import Position, UserState
from bot.topic_pages import fits_with
from gfmd_info import emergency_line
from gfmd_info.emergency_line import call_line
from gfmd_info.knowledge import Knowledge
from gfmd_info.matcher import EMERGENCY

if TYPE_CHECKING:
    from bot.conversation import Conversation

RTL_LANGUAGES = frozenset({"ar", "ur", "fa", "ps", "he", "dv", "ckb", "sd", "ug", "yi"})


def _(message: str) -> str:
    """Mark a message for extraction; `Words` translates it per person."""
    return message


@dataclass(frozen=True)
class Answer:
    """A reply (None: silence) and the state to store (None: forget the person)."""

    reply: Reply | None
    state: UserState | None
    # (language, text) of a question nobody could answer, to keep apart without its sender.
    unanswered: tuple[str, str] | None = None


def short_reply(lang: str, text: str, decision: str, lead: str = "") -> Reply:
    blocks = [Block(BlockKind.URGENT, lead)] if lead else []
    blocks.append(Block(BlockKind.TEXT, text))
    return Reply(
        blocks=tuple(blocks),
        urgent=bool(lead),
        language=lang,
        rtl=lang in RTL_LANGUAGES,
        decision=decision,
    )


class Screens:
    """The screens of one message: its channel, and the language its urgent text is in."""

    def __init__(
        self, conversation: Conversation, knowledge: Knowledge, inbound: Inbound, urgent_lang: str
    ) -> None:
        self.conversation = conversation
        self.knowledge = knowledge
        self.content = knowledge.content
        self.inbound = inbound
        self.urgent_lang = urgent_lang

    def words(self, state: UserState) -> Words:
        return self.conversation.words(state.language)

    def lang(self, state: UserState) -> str:
        return state.language or "en"

    @property
    def is_sms(self) -> bool:
        return self.inbound.channel in (Channel.SMS, Channel.TERMINAL)

    # -- screens ----------------------------------------------------------------------------

    def menu(self, state: UserState, lead: str = "", event: Event = Event.MENU) -> Answer:
        words = self.words(state)
        options = [
            Option(f"c:{c.id}", words(category_label(c.id))) for c in self.content.categories
        ]
        blocks = [Block(BlockKind.TEXT, lead)] if lead else []
        blocks.append(Block(BlockKind.PROMPT, words(_("Choose a topic, or type your question."))))
        state = state.update(position=after(state.position, event), topic=None, page=0)
        return self.reply(state, blocks, options)

    def ask_language(self, state: UserState, greet: bool = False) -> Answer:
        offered = self.conversation.ui_languages(self.knowledge)
        languages = languages_for_country(state.country, offered)
        if state.language in languages:
            languages.remove(state.language)
            languages.insert(0, state.language)
        options = [Option(f"l:{lang}", display_name(lang)) for lang in languages]
        words = self.words(state)
        blocks = []
        if greet:
            hello = words(_("Hello. I give free information about your rights as a migrant."))
            blocks.append(Block(BlockKind.TEXT, hello))
        blocks.append(Block(BlockKind.PROMPT, words(_("Choose your language:"))))
        event = Event.FIRST_CONTACT if state.position is Position.NEW else Event.ASK_LANGUAGE
        return self.reply(state.update(position=after(state.position, event)), blocks, options)

    def language_chosen(self, state: UserState, lang: str) -> Answer:
        return self.menu(state.update(language=lang), event=Event.LANGUAGE_CHOSEN)

    def category(
        self, state: UserState, category: str, event: Event = Event.CATEGORY_CHOSEN
    ) -> Answer:
        lang = self.lang(state)
        topics = self.content.topics_in(category)
        options = [Option(f"t:{t.id}", self.content.title(t.id, lang)) for t in topics]
        state = state.update(
            position=after(state.position, event),
            category=category,
            topic=None,
            page=0,
        )
        label = self.words(state)(category_label(category))
        return self.reply(state, [Block(BlockKind.TITLE, label)], options)

    def topic(self, state: UserState, topic_id: str, danger_possible: bool = False) -> Answer:
        """A topic's first page. The emergency topic, however reached, is urgent; another topic
        is led by the call line when the message may have spoken of danger."""
        state = state.update(
            position=after(state.position, Event.TOPIC_CHOSEN),
            topic=topic_id,
            category=self.content.topics[topic_id].category,
            page=0,
            urgent=topic_id == EMERGENCY,
        )
        return self.page(state, 0, first=True, call_first=danger_possible)

    def ambiguous(
        self, state: UserState, topics: tuple[str, ...], danger_possible: bool = False
    ) -> Answer:
        lang = self.lang(state)
        options = [Option(f"t:{t}", self.content.title(t, lang)) for t in topics]
        blocks = []
        if danger_possible:
            line = call_line(self.content, self.urgent_lang, state.country)
            blocks.append(Block(BlockKind.URGENT, line))
        prompt = self.words(state)(_("Which of these is closest to your question?"))
        blocks.append(Block(BlockKind.PROMPT, prompt))
        state = state.update(position=after(state.position, Event.AMBIGUOUS))
        return self.reply(state, blocks, options, urgent=danger_possible)

    def more(self, state: UserState) -> Answer:
        topic = state.topic
        # A topic a content reload removed is gone: back to the menu rather than an error.
        if state.position is not Position.TOPIC or not topic or topic not in self.content.topics:
            note = self.words(state)(_("There is nothing more to show here."))
            return self.menu(state, note, Event.NO_MORE)
        return self.page(state, state.page + 1, first=False)

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
        return self.page(state, int(page), first=False)

    def page(self, state: UserState, page: int, first: bool, call_first: bool = False) -> Answer:
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
        blocks: list[Block] = []
        urgent = first and state.urgent
        # The emergency topic opens with the urgent text (the local numbers and what to do);
        # another topic, when the message may have spoken of danger, with the call line.
        if urgent:
            text = emergency_line.urgent_text(self.content, self.urgent_lang, state.country)
            blocks.append(Block(BlockKind.URGENT, text))
        elif first and call_first:
            line = call_line(self.content, self.urgent_lang, state.country)
            blocks.append(Block(BlockKind.URGENT, line))
        # On SMS an urgent answer has two pages: the urgent text and the first page, no more.
        if first and pages.fallback and not (urgent and self.is_sms):
            notice = words(_("This topic is not translated yet; here it is in English."))
            blocks.append(Block(BlockKind.NOTICE, notice))
        shown = pages.pages[page]
        if shown.heading:
            blocks.append(Block(BlockKind.TITLE if page == 0 else BlockKind.HEADING, shown.heading))
        blocks.append(Block(BlockKind.TEXT, shown.text))
        last = page == len(pages.pages) - 1
        options = self._page_options(state, topic_id, page, shown.text, last)
        event = Event.MORE if state.position is Position.TOPIC and not first else Event.STAY
        state = state.update(page=page, position=after(state.position, event))
        # On SMS the MORE hint is already part of the page text.
        urgent = urgent or (first and call_first)
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

    def back(self, state: UserState) -> Answer:
        if state.position is Position.TOPIC:
            if state.category:
                return self.category(state, state.category, Event.BACK)
            return self.menu(state)
        return self.menu(state, event=Event.BACK)

    def help(self, state: UserState) -> Answer:
        """How the bot works, led by the call line: "help" may be a cry for it."""
        words = self.words(state)
        text = words(
            _(
                "Type your question in your own words, or a number from a list. "
                "MENU: topics. MORE: next part. BACK: go back. LANGUAGE: change language. "
                "PRIVACY: what we keep. DELETE: erase it. STOP: no more messages."
            )
        )
        line = call_line(self.content, self.urgent_lang, state.country)
        return self.stay(state, text, lead=line)

    def privacy(self, state: UserState) -> Answer:
        text = self.words(state)(
            _(
                "We keep your language, country and place in the menu under a code, never your "
                "number or name. Questions we cannot answer are kept apart, without who asked. "
                "Your phone company and the app see that you wrote. DELETE erases it all."
            )
        )
        return self.stay(state, text)

    def stay(self, state: UserState, text: str, lead: str = "") -> Answer:
        """A short note; position, topic, page and the options offered all stay as they were."""
        blocks = [Block(BlockKind.URGENT, lead)] if lead else []
        blocks.append(Block(BlockKind.TEXT, text))
        state = state.update(position=after(state.position, Event.STAY))
        # Pages of a note are all sent at once: no "reply MORE" between them.
        return self.reply(state, blocks, urgent=bool(lead), more_hint=False)

    def ask_delete(self, state: UserState) -> Answer:
        words = self.words(state)
        # Not YES on SMS: Twilio treats YES as its own opt-in keyword and answers it itself.
        text = words(
            _("Delete everything we keep about you? Reply 1 to delete. Anything else keeps it.")
        )
        options = [Option("d:yes", words(_("Yes, delete")))]
        state = state.update(position=after(state.position, Event.DELETE_ASKED))
        return self.reply(state, [Block(BlockKind.PROMPT, text)], options)

    def deleted(self, state: UserState) -> Answer:
        after(state.position, Event.DELETE_CONFIRMED)
        text = self.words(state)(
            _("Everything we kept about you is deleted. Write again any time.")
        )
        reply = self.reply(state, [Block(BlockKind.TEXT, text)]).reply
        return Answer(reply, None)

    # -- the reply ----------------------------------------------------------------------------

    def reply(
        self,
        state: UserState,
        blocks: list[Block],
        options: list[Option] | None = None,
        urgent: bool = False,
        more_hint: bool = True,
    ) -> Answer:
        """The reply, with the one-time disclaimer where it fits (on SMS: in the same page).
        A reply without options leaves the ones offered before in place."""
        words = self.words(state)
        lang = self.lang(state)
        if options:
            state = state.update(options=tuple(o.id for o in options))
        reply = Reply(
            blocks=tuple(b for b in blocks if b.text),
            options=tuple(options or ()),
            urgent=urgent,
            language=lang,
            rtl=lang in RTL_LANGUAGES,
            # Topic pages carry the MORE hint in their text already (SMS).
            more_hint=words(_("Reply MORE for more.")) if more_hint else "",
            options_prompt=words(_("Reply with a number:")) if options else "",
            topic=state.topic if state.position is Position.TOPIC else None,
        )
        disclaimer = self.content.language_pack(lang).disclaimer
        if disclaimer and not state.disclaimer_shown and not state.opted_out:
            with_disclaimer = replace(
                reply, blocks=(*reply.blocks, Block(BlockKind.NOTICE, disclaimer))
            )
            if not self.is_sms or _fits_sms(with_disclaimer):
                return Answer(with_disclaimer, state.update(disclaimer_shown=True))
        return Answer(_fit_sms(reply) if self.is_sms else reply, state)


def _fits_sms(reply: Reply) -> bool:
    return len(render_sms_pages(reply)) <= (2 if reply.urgent else 1)


def _fit_sms(reply: Reply) -> Reply:
    """One SMS page (two when urgent): prompts go before anything that informs."""
    if _fits_sms(reply):
        return reply
    informing = tuple(b for b in reply.blocks if b.kind is not BlockKind.PROMPT)
    for candidate in (
        replace(reply, blocks=informing),
        replace(reply, blocks=informing, options_prompt=""),
    ):
        if candidate.blocks and _fits_sms(candidate):
            return candidate
    return reply


def category_label(category_id: str) -> str:
    """The catalog entry naming a category; an unknown category shows its id."""
    labels = {
        "safety": _("Safety and danger"),
        "health": _("Health"),
        "work-and-pay": _("Work and pay"),
        "housing-and-food": _("Housing and food"),
        "papers-and-travel": _("Papers and travel"),
        "family-and-children": _("Family and children"),
        "rights-and-support": _("Rights and legal help"),
    }
    return labels.get(category_id, category_id)
