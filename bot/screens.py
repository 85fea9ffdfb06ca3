"""What the bot shows: each screen turns a state into an `Answer` (the reply and the state
after it), and changes nothing else. `bot.turn` decides which screen a message gets.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.flow import Event, after
from bot.i18n import Words
from bot.language_menu import BUTTONS_PER_ROW, native_options, ordered_languages, sms_menu
from bot.messages import Block, BlockKind, Channel, Inbound, Option, Reply
from bot.rendering import render_sms_pages
from bot.state import Position, UserState
from gfmd_info.emergency_line import call_line
from gfmd_info.gap_report import Kind
from gfmd_info.knowledge import Knowledge

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
    # (kind, language, text) of a question the bot could not answer outright ("unanswered",
    # or "ambiguous": only a choice of topics), to keep apart without its sender.
    question: tuple[Kind, str, str] | None = None


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
    """The screens of one message that are no topic's pages (those are `TopicScreens`): its
    channel, and the language its urgent text is in."""

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

    def category_name(self, state: UserState, category_id: str) -> str:
        """A category's label from the content, in the person's language or else English."""
        for lang in (self.lang(state), "en"):
            label = self.content.language_pack(lang).categories.get(category_id)
            if label:
                return label
        return category_id

    # -- screens ----------------------------------------------------------------------------

    def menu(
        self,
        state: UserState,
        lead: str = "",
        event: Event = Event.MENU,
        danger_possible: bool = False,
    ) -> Answer:
        words = self.words(state)
        options = [
            Option(f"c:{c.id}", self.category_name(state, c.id)) for c in self.content.categories
        ]
        blocks = self._call_line_if(danger_possible, state)
        if lead:
            blocks.append(Block(BlockKind.TEXT, lead))
        blocks.append(Block(BlockKind.PROMPT, words(_("Choose a topic, or type your question."))))
        state = state.update(position=after(state.position, event), topic=None, page=0)
        return self.reply(state, blocks, options, urgent=danger_possible)

    def _call_line_if(self, danger_possible: bool, state: UserState) -> list[Block]:
        """The call line as the first block when danger may be near, else nothing."""
        if not danger_possible:
            return []
        return [Block(BlockKind.URGENT, call_line(self.content, self.urgent_lang, state.country))]

    def ask_language(
        self, state: UserState, greet: bool = False, danger_possible: bool = False
    ) -> Answer:
        """The language menu (see `bot.language_menu`); on SMS within one page."""
        offered = self.conversation.ui_languages(self.knowledge)
        languages = ordered_languages(offered, state.language, state.country, self.guessed())
        words = self.words(state)
        blocks = self._call_line_if(danger_possible, state)
        if greet:
            hello = words(_("Hello. I give free information about your rights as a migrant."))
            blocks.append(Block(BlockKind.TEXT, hello))
        blocks.append(Block(BlockKind.PROMPT, words(_("Choose your language:"))))
        event = Event.FIRST_CONTACT if state.position is Position.NEW else Event.ASK_LANGUAGE
        state = state.update(position=after(state.position, event))
        if not self.is_sms:
            return self.reply(
                state, blocks, native_options(languages), per_row=BUTTONS_PER_ROW,
                urgent=danger_possible,
            )  # fmt: skip
        lang = self.lang(state)
        draft = Reply(
            blocks=tuple(blocks),
            language=lang,
            rtl=lang in RTL_LANGUAGES,
            options_prompt=words(_("Reply with a number:")),
        )
        menu = sms_menu(draft, languages, self.conversation.words, more=greet)
        return self.reply(state, blocks, list(menu.options), urgent=danger_possible)

    def guessed(self) -> tuple[str, ...]:
        """The languages a message looks like, likeliest first; of a control word ("नमस्ते"),
        only those whose own words have it (an English "hello" tells nothing)."""
        text = self.inbound.text
        if not text.strip():
            return ()
        guess = self.knowledge.matcher.identify_language(text)
        likeliest = tuple(guess.alternatives) or ((guess.lang,) if guess.lang else ())
        if self.conversation.recognise(text) is None:
            return likeliest
        own = self.conversation.control_languages(text) - {"en"}
        return (*(lang for lang in likeliest if lang in own), *sorted(own))

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
        label = self.category_name(state, category)
        return self.reply(state, [Block(BlockKind.TITLE, label)], options)

    def back(self, state: UserState) -> Answer:
        if state.position is Position.TOPIC:
            if state.category:
                return self.category(state, state.category, Event.BACK)
            return self.menu(state)
        return self.menu(state, event=Event.BACK)

    def ambiguous(
        self, state: UserState, topics: tuple[str, ...], danger_possible: bool = False
    ) -> Answer:
        lang = self.lang(state)
        options = [Option(f"t:{t}", self.content.title(t, lang)) for t in topics]
        blocks = self._call_line_if(danger_possible, state)
        prompt = self.words(state)(_("Which of these is closest to your question?"))
        blocks.append(Block(BlockKind.PROMPT, prompt))
        state = state.update(position=after(state.position, Event.AMBIGUOUS))
        return self.reply(state, blocks, options, urgent=danger_possible)

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
        per_row: int = 0,
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
            options_per_row=per_row,
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
