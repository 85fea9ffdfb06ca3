"""The conversation: one `Inbound` in, one channel-neutral `Reply` out, in one transaction.

`respond` runs inside the store transaction the intake opened (the person's row locked): it
loads the state, lets a `Turn` decide (global checks, then the handler of the position; see
`bot.turn`), and saves what the turn returned, with the day's usage counts and, when the bot
could not answer outright, the question (both without any key). Nothing here knows a channel's
wire format.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import replace

from bot.control_words import Control, ControlWords
from bot.i18n import Catalogs, Words
from bot.messages import Channel, Inbound, Reply
from bot.question_masking import unanswered_text
from bot.screens import short_reply
from bot.state import UserState
from bot.state_store import PersonSession, Store
from bot.topic_pages import TopicPages, topic_pages
from bot.turn import Turn
from gfmd_info.gap_report import Kind
from gfmd_info.knowledge import Knowledge

log = logging.getLogger(__name__)

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

    # -- entry points ------------------------------------------------------------------------

    def handle(self, inbound: Inbound) -> Reply | None:
        """The reply to `inbound` in its own transaction, or None while its sender opted out."""
        with self._store.person(inbound.user_key) as session:
            return self.respond(session, inbound)

    def respond(self, session: PersonSession, inbound: Inbound) -> Reply | None:
        """The reply to `inbound`, within `session`'s transaction; the new state is saved there."""
        knowledge = self._knowledge()
        stored = session.load()
        state = (stored or UserState()).update(last_seen=self._clock().date())
        if inbound.country_hint and not state.country:
            state = state.update(country=inbound.country_hint)
        turn = Turn(self, knowledge, inbound, is_new=stored is None)
        answer = turn.respond(state)
        if answer.state is None:
            session.delete()
        else:
            session.save(answer.state)
        if answer.question is not None:
            self._record_question(session, *answer.question)
        if answer.reply is None:
            return None
        reply = replace(
            answer.reply,
            decision=turn.decision,
            lang_written=turn.written_language() if inbound.text else "-",
        )
        if not inbound.is_preview:
            session.count_usage(
                self._clock().date(),
                str(inbound.channel),
                reply.lang_written,
                reply.language,
                reply.topic or "-",
                reply.decision,
            )
        log.debug(
            "turn",
            extra={"event": "turn", "topic": reply.topic, "decision": reply.decision},
        )
        return reply

    # -- what turns and channels share -------------------------------------------------------

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

    def knowledge(self) -> Knowledge:
        return self._knowledge()

    def ui_languages(self, knowledge: Knowledge) -> list[str]:
        """Languages a person can choose: full content and the bot's own words."""
        return [
            lang for lang in knowledge.content.text_languages if lang in self._catalogs.languages
        ]

    def words(self, lang: str | None) -> Words:
        return self._catalogs.words(lang)

    def recognise(self, text: str) -> Control | None:
        return self._controls.recognise(text)

    def control_languages(self, text: str) -> frozenset[str]:
        return self._controls.languages_of(text)

    def is_danger(self, text: str) -> bool:
        """Whether `text` speaks of danger now: the intake lets it through the rate limit."""
        return self._knowledge().matcher.match(text).emergency

    def _record_question(self, session: PersonSession, kind: Kind, lang: str, text: str) -> None:
        # No key, no time beyond the day: what people asked, never who asked it; whatever
        # could reach someone is masked (see `bot.question_masking`).
        cleaned = unanswered_text(text, UNANSWERED_MAX)
        if cleaned:
            session.record_unanswered(lang, cleaned, self._clock().date(), kind)

    def rate_limited(self, state: UserState | None, minutes: int) -> Reply:
        """The one "please wait" a person gets when they cross the message limit."""
        words = self.words(state.language if state else None)
        text = words.plural(
            "Too many messages. Please wait %(num)d minute.",
            "Too many messages. Please wait %(num)d minutes.",
            minutes,
        ) % {"num": minutes}
        return short_reply(_language(state), text, "rate_limited")

    def media_only(self, state: UserState | None) -> Reply:
        """A reply to a picture or voice note: the bot reads text only."""
        words = self.words(state.language if state else None)
        text = words(_("I can only read text. Please type your question."))
        return short_reply(_language(state), text, "media_only")


def _language(state: UserState | None) -> str:
    return state.language if state and state.language else "en"
