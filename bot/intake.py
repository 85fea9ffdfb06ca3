"""One intake for every channel: dedupe, rate limit, the opt-out gate, the conversation and
the fallback, in one store transaction per message. Channels keep only their wire formats.

The delivery is recorded as handled in the same transaction as the reply's state, so a
failure rolls both back and the provider's retry is answered. On any exception the person
still gets `Fallback`'s short reply (with the call line when the text spoke of danger).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass

from bot.control_words import Control
from bot.conversation import Conversation
from bot.fallback import Fallback
from bot.i18n import Catalogs
from bot.messages import Inbound, Reply
from bot.state_store import PersonSession, Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivery:
    inbound: Inbound
    # The provider's id of this delivery (`twilio:SM...`, `telegram:42`); None: no dedupe.
    delivery_id: str | None = None
    # A picture or voice note with no text.
    media_only: bool = False
    # A word the provider answers itself (Twilio's STOP, HELP...): recorded, never answered.
    provider_answers: bool = False
    # For a delivery held in the inbox (`bot.inbox`, `delivery_id` its row): the answer as it
    # is to be sent, kept in the row in the same transaction, so that a crash before the send
    # resends that answer instead of answering twice or never. The row is then the dedupe.
    keep: Callable[[Outcome], str] | None = None


@dataclass(frozen=True)
class Outcome:
    """What came of a delivery: a reply to send, or none and why (`duplicate`, `opted_out`,
    `rate_limited_silent`, `provider_keyword`, `empty`)."""

    reply: Reply | None
    decision: str


@dataclass(frozen=True)
class RateLimit:
    messages: int
    window_seconds: int

    def minutes_left(self, now: dt.datetime) -> int:
        """Whole minutes until the fixed window (as the store counts it) ends."""
        stamp = int(now.timestamp())
        window_end = stamp // self.window_seconds * self.window_seconds + self.window_seconds
        return max(1, math.ceil((window_end - stamp) / 60))


class Intake:
    def __init__(
        self,
        conversation: Conversation,
        store: Store,
        catalogs: Catalogs,
        limit: RateLimit,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.conversation = conversation
        self._store = store
        self._limit = limit
        self._clock = clock
        self.fallback = Fallback(catalogs, conversation.recognise)

    def receive(self, delivery: Delivery) -> Outcome:
        try:
            with self._store.person(delivery.inbound.user_key) as session:
                return self._in_transaction(session, delivery)
        except Exception as error:  # a bug or a store outage: a short reply, never silence
            log.error("intake_failed", extra={"event": "intake_failed", "error": _kind(error)})
            return Outcome(self.fallback_reply(delivery.inbound), "error")

    def fallback_reply(self, inbound: Inbound) -> Reply:
        try:
            knowledge = self.conversation.knowledge()
        except Exception:
            knowledge = None
        try:  # works when the failure was not the store's
            state = self._store.load(inbound.user_key)
            known = state.language if state else None
        except Exception:
            known = None
        return self.fallback.reply(knowledge, inbound, known)

    def _in_transaction(self, session: PersonSession, delivery: Delivery) -> Outcome:
        now = self._clock()
        delivery_id = delivery.delivery_id
        if delivery_id and delivery.keep is not None:
            if not session.take_from_inbox(delivery_id):
                return Outcome(None, "duplicate")
            outcome = self._answer(session, delivery, now)
            session.keep_answer(delivery_id, delivery.keep(outcome))
            return outcome
        if delivery_id and not session.first_delivery(delivery_id, now):
            return Outcome(None, "duplicate")
        return self._answer(session, delivery, now)

    def _answer(self, session: PersonSession, delivery: Delivery, now: dt.datetime) -> Outcome:
        inbound = delivery.inbound
        hits = session.count_message(now, self._limit.window_seconds)
        if hits > self._limit.messages and not self._never_limited(delivery):
            state = session.load()
            if hits == self._limit.messages + 1 and not (state and state.opted_out):
                minutes = self._limit.minutes_left(now)
                return Outcome(self.conversation.rate_limited(state, minutes), "rate_limited")
            return Outcome(None, "rate_limited_silent")
        if delivery.media_only:
            state = session.load()
            if state is not None and state.opted_out:
                return Outcome(None, "opted_out")
            return Outcome(self.conversation.media_only(state), "media_only")
        if not inbound.text.strip() and inbound.option_id is None:
            return Outcome(None, "empty")
        reply = self.conversation.respond(session, inbound)
        if delivery.provider_answers:
            return Outcome(None, "provider_keyword")
        if reply is None:
            return Outcome(None, "opted_out")
        return Outcome(reply, reply.decision)

    def _never_limited(self, delivery: Delivery) -> bool:
        """Words the provider answers cost nothing and keep opt-outs in step, a STOP in any
        language must be honoured, and danger now must be answered: none is limited."""
        text = delivery.inbound.text
        if delivery.provider_answers:
            return True
        if not text.strip() or delivery.inbound.option_id is not None:
            return False
        conversation = self.conversation
        return conversation.recognise(text) is Control.STOP or conversation.is_danger(text)


def _kind(error: BaseException) -> str:
    return type(error).__name__
