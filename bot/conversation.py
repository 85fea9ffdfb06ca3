"""The conversation: one `Inbound` in, one channel-neutral `Reply` out.

Order of decisions for every message: opted out? control words (STOP first)? a chosen option
(typed number or button)? otherwise the matcher, whose emergency flag comes before anything.
Positions and transitions are in `bot.flow`; nothing here knows a channel's wire format.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import replace

from bot.control_words import Control, ControlWords
from bot.flow import Event, after, back_from
from bot.i18n import (
    Catalogs,
    Words,
    display_name,
    language_named,
    languages_for_country,
    negotiate,
)
from bot.messages import Block, BlockKind, Channel, Inbound, Option, Reply
from bot.rendering import render_sms_pages
from bot.state import Position, UserState
from bot.state_store import Store
from bot.topic_pages import TopicPages, fits_with, topic_pages
from gfmd_info.emergency_line import urgent_text
from gfmd_info.knowledge import Knowledge
from gfmd_info.matcher import EMERGENCY, Decision, MatchResult
from gfmd_info.normalise import normalise

log = logging.getLogger(__name__)

RTL_LANGUAGES = frozenset({"ar", "ur", "fa", "ps", "he", "dv", "ckb", "sd", "ug", "yi"})
_NUMBER = re.compile(r"^\s*(\d{1,3})\s*[.)]?\s*$")
_LONG_DIGITS = re.compile(r"\d{4,}")
_PHONE_LIKE = re.compile(r"\+?(?:\d[\s().\-]*){5,}")
_EMAIL = re.compile(r"\S+@\S+")
UNANSWERED_MAX = 200
PAGES_CACHED = 4096


def _(message: str) -> str:
    """Mark a message for extraction; `Words` translates it per person."""
    return message


class Conversation:
    def __init__(
        self,
        knowledge: Callable[[], Knowledge],
        catalogs: Catalogs,
        store: Store,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self._knowledge = knowledge
        self._catalogs = catalogs
        self._controls = ControlWords(catalogs)
        self._store = store
        self._clock = clock
        self._pages: dict[tuple[str, str, str, str | None, Channel, str], TopicPages] = {}

    # -- entry point -------------------------------------------------------------------------

    def handle(self, inbound: Inbound) -> Reply | None:
        """The reply to `inbound`, or None while its sender has opted out."""
        knowledge = self._knowledge()
        stored = self._store.load(inbound.user_key)
        state = stored or self._first_state(inbound, knowledge)
        state = state.update(last_seen=self._clock().date())
        if inbound.country_hint and not state.country:
            state = state.update(country=inbound.country_hint)
        turn = _Turn(self, knowledge, inbound, state, is_new=stored is None)
        reply, new_state = turn.respond()
        if new_state is None:
            self._store.delete(inbound.user_key)
        else:
            self._store.save(inbound.user_key, new_state)
        return reply

    def _first_state(self, inbound: Inbound, knowledge: Knowledge) -> UserState:
        languages = self.ui_languages(knowledge)
        lang = negotiate(inbound.language_hint, languages)
        if lang is None and inbound.country_hint:
            lang = languages_for_country(inbound.country_hint, languages)[0]
        return UserState(language=lang, country=inbound.country_hint)

    def topic_pages(
        self,
        knowledge: Knowledge,
        topic_id: str,
        lang: str,
        country: str | None,
        channel: Channel,
        hint: str,
    ) -> TopicPages:
        """A topic's pages; cut once per content version, language, country and medium."""
        key = (knowledge.content.version, topic_id, lang, country, channel, hint)
        pages = self._pages.get(key)
        if pages is None:
            if len(self._pages) >= PAGES_CACHED:
                self._pages.clear()
            pages = topic_pages(knowledge.content, topic_id, lang, country, channel, hint)
            self._pages[key] = pages
        return pages

    def ui_languages(self, knowledge: Knowledge) -> list[str]:
        """Languages a person can choose: full content and the bot's own words."""
        return [
            lang for lang in knowledge.content.text_languages if lang in self._catalogs.languages
        ]

    def words(self, lang: str | None) -> Words:
        return self._catalogs.words(lang)

    def recognise(self, text: str) -> Control | None:
        return self._controls.recognise(text)

    def control_language(self, text: str) -> str | None:
        return self._controls.language_of(text)

    def is_danger(self, text: str) -> bool:
        """Whether `text` speaks of danger now: channels let it through their rate limits."""
        return self._knowledge().matcher.match(text).emergency

    def record_unanswered(self, lang: str, text: str) -> None:
        # No key, no time beyond the day: what people asked, never who asked it. Numbers
        # (phones, IDs, even written with spaces or dashes) and e-mail addresses are masked
        # before anything else, so that nobody can be reached through this list.
        masked = _EMAIL.sub(" # ", _PHONE_LIKE.sub(" # ", text))
        cleaned = _LONG_DIGITS.sub("#", normalise(masked))[:UNANSWERED_MAX]
        if cleaned:
            self._store.record_unanswered(lang, cleaned, self._clock().date())

    def delete(self, user_key: str) -> None:
        self._store.delete(user_key)

    def rate_limited(self, user_key: str, minutes: int) -> Reply:
        """The one "please wait" a person gets when they cross the message limit."""
        words = self._words_for(user_key)
        text = words.plural(
            "Too many messages. Please wait %(num)d minute.",
            "Too many messages. Please wait %(num)d minutes.",
            minutes,
        ) % {"num": minutes}
        return _short_reply(words.lang, text, "rate_limited")

    def media_only(self, user_key: str) -> Reply:
        """A reply to a picture or voice note: the bot reads text only."""
        words = self._words_for(user_key)
        text = words(_("I can only read text. Please type your question."))
        return _short_reply(words.lang, text, "media_only")

    def _words_for(self, user_key: str) -> Words:
        state = self._store.load(user_key)
        return self.words(state.language if state and state.language else None)


def _short_reply(lang: str, text: str, decision: str) -> Reply:
    return Reply(
        blocks=(Block(BlockKind.TEXT, text),),
        language=lang,
        rtl=lang in RTL_LANGUAGES,
        decision=decision,
    )


class _Turn:
    """One message from one person: the state it starts from and the reply it builds."""

    def __init__(
        self,
        conversation: Conversation,
        knowledge: Knowledge,
        inbound: Inbound,
        state: UserState,
        is_new: bool,
    ) -> None:
        self.c = conversation
        self.k = knowledge
        self.inbound = inbound
        self.state = state
        self.is_new = is_new
        self.lang = state.language or "en"
        self.w = conversation.words(self.lang)
        self.decision = "control"
        # The language a free-text message was written in, when the bot cannot yet answer in
        # it (phrases-only languages): the urgent text still comes in that language.
        self.written_in: str | None = None
        # The matcher's verdict on this message, once asked (danger is checked first).
        self.result: MatchResult | None = None

    # -- dispatch ----------------------------------------------------------------------------

    def respond(self) -> tuple[Reply | None, UserState | None]:
        text = self.inbound.text or ""
        control = None if self.inbound.option_id else self.c.recognise(text)
        # Danger comes before everything: an opt-out, a pending question, a menu.
        if self.inbound.option_id is None and control is None:
            if self._typed_emergency_number(text):
                self.decision = "emergency"
                return self._topic(EMERGENCY, urgent=True)
            if not _NUMBER.match(text):
                self.result = self.k.matcher.match(text, self.state.language)
                if self.result.emergency:
                    return self._free_text(text)
        if control is not None and self.state.language is None:
            # A newcomer's first word ("parar", "menu") may say which language they read.
            lang = self.c.control_language(text)
            if lang in self.c.ui_languages(self.k):
                self._set_language(lang)
        if self.state.position is Position.CONFIRM_DELETE:
            return self._confirm_delete(text, control)
        if self.state.opted_out:
            return self._while_opted_out(control)
        if control is Control.STOP:
            self.state = self.state.update(opted_out=True, options=())
            note = self.w(_("You will get no more messages. Send START to come back."))
            return self._reply([Block(BlockKind.TEXT, note)]), self.state
        option = self._chosen_option(text)
        if option is not None:
            return self._choose(option)
        if control is not None:
            return self._control(control)
        return self._free_text(text)

    def _while_opted_out(self, control: Control | None) -> tuple[Reply | None, UserState | None]:
        """Silence, except for coming back and for erasing everything."""
        # An English YES opts back in on SMS, where Twilio itself treats it so.
        yes_starts = self.inbound.channel is Channel.SMS and normalise(self.inbound.text) == "yes"
        if control is Control.START or yes_starts:
            self.state = self.state.update(opted_out=False)
            return self._menu(self.w(_("Welcome back. Messages are on again.")))
        if control is Control.DELETE:
            return self._ask_delete()
        return None, self.state

    def _confirm_delete(
        self, text: str, control: Control | None
    ) -> tuple[Reply | None, UserState | None]:
        if control is Control.YES or self._chosen_option(text) == "d:yes":
            return self._deleted()
        if control is Control.DELETE:  # asked twice: ask once more, erase nothing yet
            return self._ask_delete()
        self.state = self.state.update(position=after(Event.DELETE_CANCELLED))
        if self.state.opted_out:
            return None, self.state
        return self._menu(self.w(_("Nothing was deleted.")))

    def _typed_emergency_number(self, text: str) -> bool:
        """ "999" or "112" typed alone, and not a choice on the list: a call for help."""
        typed = text.strip()
        if not typed.isdigit() or len(typed) < 3 or int(typed) <= len(self.state.options):
            return False
        return any(n.number == typed for n in self.k.content.emergency_numbers.values())

    def _chosen_option(self, text: str) -> str | None:
        if self.inbound.option_id:
            return self.inbound.option_id
        found = _NUMBER.match(text)
        if not found:
            return None
        number = int(found.group(1))
        if number == 0:
            return "m:menu"
        if 1 <= number <= len(self.state.options):
            return self.state.options[number - 1]
        return "x:out-of-range"

    def _control(self, control: Control) -> tuple[Reply | None, UserState | None]:
        match control:
            case Control.START:
                return self._menu(self.w(_("Messages are on.")))
            case Control.MENU:
                return self._menu()
            case Control.LANGUAGE:
                return self._ask_language()
            case Control.MORE:
                return self._more()
            case Control.BACK:
                return self._back()
            case Control.HELP:
                return self._help()
            case Control.PRIVACY:
                return self._privacy()
            case Control.DELETE:
                return self._ask_delete()
            case Control.THANKS:
                return self._menu(self.w(_("You are welcome. Stay safe.")))
            case Control.GREETING:
                if self.is_new or self.state.language is None:
                    return self._ask_language(greet=True)
                return self._menu(self.w(_("Hello. What do you need help with?")))
        return self._free_text(self.inbound.text)

    def _choose(self, option: str) -> tuple[Reply | None, UserState | None]:
        kind, _sep, value = option.partition(":")
        content = self.k.content
        if kind == "l" and value in self.c.ui_languages(self.k):
            return self._language_chosen(value)
        if kind == "c" and any(c.id == value for c in content.categories):
            return self._category(value)
        if kind == "t" and value in content.topics:
            return self._topic(value)
        if kind == "m":
            actions = {
                "menu": self._menu,
                "more": self._more,
                "back": self._back,
                "language": self._ask_language,
            }
            if value in actions:
                return actions[value]()
        if kind == "d" and value == "yes":
            return self._ask_delete()
        if kind == "p":
            return self._page_of(value)
        return self._menu(self.w(_("That number is not on the list.")))

    # -- free text -----------------------------------------------------------------------------

    def _free_text(self, text: str) -> tuple[Reply | None, UserState | None]:
        choosing = self.state.position is Position.LANGUAGE
        named = language_named(text, self.c.ui_languages(self.k), choosing)
        if named is not None:
            return self._language_chosen(named)
        result = self.result or self.k.matcher.match(text, self.state.language)
        log.debug(
            "matched",
            extra={
                "event": "matched",
                "topic": result.topic,
                "decision": str(result.decision),
                "lang": result.lang,
                "emergency": result.emergency,
            },
        )
        if self.is_new or self.state.language is None:
            self._adopt_language(result)
        if result.lang and result.lang not in (self.lang, *self.c.ui_languages(self.k)):
            self.written_in = result.lang
        self.decision = "emergency" if result.emergency else str(result.decision)
        if result.emergency:
            return self._topic(EMERGENCY, urgent=True)
        if result.decision is Decision.ANSWER and result.topic:
            return self._topic(result.topic)
        if result.decision is Decision.AMBIGUOUS and len(result.alternatives) > 1:
            return self._ambiguous(result)
        if not self.inbound.is_preview:
            self.c.record_unanswered(result.lang or self.lang, text)
        if self.is_new:
            return self._ask_language(greet=True)
        return self._menu(self.w(_("Sorry, I did not understand. Choose a topic:")))

    def _adopt_language(self, result: MatchResult) -> None:
        # Only a message the bot understood says which language its writer reads.
        understood = result.decision is not Decision.NONE or result.emergency
        if understood and result.lang and result.lang in self.c.ui_languages(self.k):
            self._set_language(result.lang)

    def _set_language(self, lang: str) -> None:
        self.lang = lang
        self.w = self.c.words(lang)
        self.state = self.state.update(language=lang)

    def _ambiguous(self, result: MatchResult) -> tuple[Reply | None, UserState | None]:
        topics = result.alternatives[:3]
        options = [Option(f"t:{t}", self.k.content.title(t, self.lang)) for t in topics]
        self.state = self.state.update(position=after(Event.AMBIGUOUS))
        prompt = self.w(_("Which of these is closest to your question?"))
        return self._reply([Block(BlockKind.PROMPT, prompt)], options), self.state

    # -- screens ----------------------------------------------------------------------------

    def _menu(self, lead: str | None = None) -> tuple[Reply | None, UserState | None]:
        content = self.k.content
        options = [Option(f"c:{c.id}", self.w(_category_label(c.id))) for c in content.categories]
        blocks = [Block(BlockKind.TEXT, lead)] if lead else []
        blocks.append(Block(BlockKind.PROMPT, self.w(_("Choose a topic, or type your question."))))
        self.state = self.state.update(position=after(Event.MENU), topic=None, page=0)
        return self._reply(blocks, options), self.state

    def _ask_language(self, greet: bool = False) -> tuple[Reply | None, UserState | None]:
        languages = languages_for_country(self.state.country, self.c.ui_languages(self.k))
        if self.state.language in languages:
            languages.remove(self.state.language)
            languages.insert(0, self.state.language)
        options = [Option(f"l:{lang}", display_name(lang)) for lang in languages]
        blocks = []
        if greet:
            blocks.append(
                Block(
                    BlockKind.TEXT,
                    self.w(_("Hello. I give free information about your rights as a migrant.")),
                )
            )
        blocks.append(Block(BlockKind.PROMPT, self.w(_("Choose your language:"))))
        self.state = self.state.update(position=after(Event.ASK_LANGUAGE))
        return self._reply(blocks, options), self.state

    def _language_chosen(self, lang: str) -> tuple[Reply | None, UserState | None]:
        self._set_language(lang)
        self.state = self.state.update(position=after(Event.LANGUAGE_CHOSEN))
        return self._menu()

    def _category(self, category: str) -> tuple[Reply | None, UserState | None]:
        topics = self.k.content.topics_in(category)
        options = [Option(f"t:{t.id}", self.k.content.title(t.id, self.lang)) for t in topics]
        self.state = self.state.update(
            position=after(Event.CATEGORY_CHOSEN), category=category, topic=None, page=0
        )
        prompt = self.w(_category_label(category))
        return self._reply([Block(BlockKind.TITLE, prompt)], options), self.state

    def _topic(self, topic_id: str, urgent: bool = False) -> tuple[Reply | None, UserState | None]:
        self.state = self.state.update(
            position=after(Event.TOPIC_CHOSEN),
            topic=topic_id,
            category=self.k.content.topics[topic_id].category,
            page=0,
            urgent=urgent,
        )
        return self._page(0, first=True)

    def _more(self) -> tuple[Reply | None, UserState | None]:
        topic = self.state.topic
        # A topic a content reload removed is gone: back to the menu rather than an error.
        if (
            self.state.position is not Position.TOPIC
            or not topic
            or topic not in self.k.content.topics
        ):
            return self._menu(self.w(_("There is nothing more to show here.")))
        return self._page(self.state.page + 1, first=False)

    def _page_of(self, value: str) -> tuple[Reply | None, UserState | None]:
        """A "next page" button: it names its topic, so an old button cannot page another."""
        topic, _sep, page = value.rpartition(":")
        if topic not in self.k.content.topics or not page.isdigit():
            return self._menu(self.w(_("There is nothing more to show here.")))
        self.state = self.state.update(
            position=Position.TOPIC, topic=topic, category=self.k.content.topics[topic].category
        )
        return self._page(int(page), first=False)

    def _page(self, page: int, first: bool) -> tuple[Reply | None, UserState | None]:
        topic_id = self.state.topic or EMERGENCY
        hint = self.w(_("Reply MORE for more."))
        pages = self.c.topic_pages(
            self.k,
            topic_id,
            self.lang,
            self.state.country,
            self.inbound.channel,
            hint if self._is_sms() else "",
        )
        if page >= len(pages.pages):
            return self._menu(self.w(_("That was all on this topic.")))
        blocks: list[Block] = []
        if first and self.state.urgent:
            blocks.append(Block(BlockKind.URGENT, self._urgent_text()))
        # On SMS an urgent answer has two pages: the urgent text and the first page, no more.
        urgent_sms = self.state.urgent and self._is_sms()
        if first and (pages.fallback or self.written_in) and not urgent_sms:
            notice = self.w(_("This topic is not translated yet; here it is in English."))
            blocks.append(Block(BlockKind.NOTICE, notice))
        shown = pages.pages[page]
        if shown.heading:
            blocks.append(Block(BlockKind.TITLE if page == 0 else BlockKind.HEADING, shown.heading))
        blocks.append(Block(BlockKind.TEXT, shown.text))
        last = page == len(pages.pages) - 1
        options = self._page_options(topic_id, page, shown.text, last)
        self.state = self.state.update(page=page, position=after(Event.MORE))
        # On SMS the MORE hint is already part of the page text.
        reply = self._reply(blocks, options, urgent=first and self.state.urgent, more_hint="")
        return reply, self.state

    def _page_options(self, topic_id: str, page: int, page_text: str, last: bool) -> list[Option]:
        menu = Option("m:menu", self.w(_("Main menu")))
        if not last:
            if self._is_sms():
                return []
            return [Option(f"p:{topic_id}:{page + 1}", self.w(_("More"))), menu]
        related = [
            Option(f"t:{t}", self.k.content.title(t, self.lang))
            for t in self.k.content.topics[topic_id].related
        ]
        lines = "\n".join(f"{n}. {o.label}" for n, o in enumerate([*related, menu], 1))
        if self._is_sms() and not fits_with(page_text, lines, self.inbound.channel):
            return []
        return [*related, menu]

    def _urgent_text(self) -> str:
        return urgent_text(self.k.content, self.written_in or self.lang, self.state.country)

    def _back(self) -> tuple[Reply | None, UserState | None]:
        target = back_from(self.state.position, self.state.category is not None)
        if target is Position.CATEGORY and self.state.category:
            return self._category(self.state.category)
        return self._menu()

    def _help(self) -> tuple[Reply | None, UserState | None]:
        text = self.w(
            _(
                "Type your question in your own words, or a number from a list. "
                "MENU: topics. MORE: next part. BACK: go back. LANGUAGE: change language. "
                "PRIVACY: what we keep. DELETE: erase it. STOP: no more messages."
            )
        )
        return self._reply([Block(BlockKind.TEXT, text)]), self.state

    def _privacy(self) -> tuple[Reply | None, UserState | None]:
        text = self.w(
            _(
                "We keep your language, country and place in the menu under a code, never your "
                "number or name. Questions we cannot answer are kept apart, without who asked. "
                "Your phone company and the app see that you wrote. DELETE erases it all."
            )
        )
        return self._reply([Block(BlockKind.TEXT, text)]), self.state

    def _ask_delete(self) -> tuple[Reply | None, UserState | None]:
        self.state = self.state.update(position=after(Event.DELETE_ASKED))
        # Not YES on SMS: Twilio treats YES as its own opt-in keyword and answers it itself.
        text = self.w(
            _("Delete everything we keep about you? Reply 1 to delete. Anything else keeps it.")
        )
        options = [Option("d:yes", self.w(_("Yes, delete")))]
        return self._reply([Block(BlockKind.PROMPT, text)], options), self.state

    def _deleted(self) -> tuple[Reply | None, UserState | None]:
        text = self.w(_("Everything we kept about you is deleted. Write again any time."))
        self.state = UserState(language=self.state.language)
        return self._reply([Block(BlockKind.TEXT, text)]), None

    # -- helpers ------------------------------------------------------------------------------

    def _is_sms(self) -> bool:
        return self.inbound.channel in (Channel.SMS, Channel.TERMINAL)

    def _reply(
        self,
        blocks: list[Block],
        options: list[Option] | None = None,
        urgent: bool = False,
        more_hint: str | None = None,
    ) -> Reply:
        """The reply, with the one-time disclaimer where it fits (on SMS: in the same page)."""
        options = options or []
        self.state = self.state.update(options=tuple(o.id for o in options))
        reply = Reply(
            blocks=tuple(b for b in blocks if b.text),
            options=tuple(options),
            urgent=urgent,
            language=self.lang,
            rtl=self.lang in RTL_LANGUAGES,
            more_hint=self.w(_("Reply MORE for more.")) if more_hint is None else more_hint,
            options_prompt=self.w(_("Reply with a number:")) if options else "",
            topic=self.state.topic if self.state.position is Position.TOPIC else None,
            decision=self.decision,
        )
        disclaimer = self.k.content.language_pack(self.lang).disclaimer
        if disclaimer and not self.state.disclaimer_shown and not self.state.opted_out:
            notice = Block(BlockKind.NOTICE, disclaimer)
            with_disclaimer = replace(reply, blocks=(*reply.blocks, notice))
            if not self._is_sms() or _fits_sms(with_disclaimer):
                self.state = self.state.update(disclaimer_shown=True)
                return with_disclaimer
        return _fit_sms(reply) if self._is_sms() else reply


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


def _category_label(category_id: str) -> str:
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
