"""One message from one person: global checks in a fixed order, then the handler of the
position the person is in.

The global checks, in order: danger now (answered whatever else is going on); STOP and START;
a pending DELETE (only `1` or its button erases; anything else cancels it, and a question or
STOP is then handled as usual); silence while opted out. Then `HANDLERS[position]`. Every
step returns an `Answer` (the reply and the new state) and changes nothing else: the
conversation stores the state in the same transaction that loaded it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.control_words import Control
from bot.flow import Event, after
from bot.i18n import language_named
from bot.language_choice import first_language, written_language
from bot.messages import Block, BlockKind, Channel, Inbound
from bot.numbers import typed_number
from bot.reading import read_message
from bot.screens import Answer
from bot.state import Position, UserState
from bot.topic_screens import TopicScreens
from gfmd_info.gap_report import Kind
from gfmd_info.knowledge import Knowledge
from gfmd_info.matcher import EMERGENCY, Decision, MatchResult
from gfmd_info.normalise import normalise

if TYPE_CHECKING:
    from bot.conversation import Conversation


# Telegram's /start: coming back when opted out, the greeting when new, else the menu.
START_OPTION = "m:start"


def _(message: str) -> str:
    """Mark a message for extraction; `Words` translates it per person."""
    return message


class Turn:
    def __init__(
        self, conversation: Conversation, knowledge: Knowledge, inbound: Inbound, is_new: bool
    ) -> None:
        self.conversation = conversation
        self.knowledge = knowledge
        self.message = read_message(inbound, is_new, conversation.recognise)
        self.screens = TopicScreens(conversation, knowledge, inbound, urgent_lang="en")
        self._match: MatchResult | None = None
        # How the reply came about, for metrics and logs: "emergency", a matcher decision
        # ("answer", "ambiguous", "none") or "control" (menus, words, numbers, buttons).
        self.decision = "control"

    def match(self, state: UserState) -> MatchResult:
        if self._match is None:
            self._match = self.knowledge.matcher.match(self.message.text, state.language)
        return self._match

    def written_language(self) -> str:
        """For metrics: the language the message was written in, "-" when it cannot be told.
        The match already read it; a message never matched (a button, a number) is read now."""
        if self._match is not None and self._match.written is not None:
            guess = self._match.written
            return guess.lang if guess.confident and guess.lang else "-"
        return written_language(self.knowledge, self.message.text)

    def respond(self, state: UserState) -> Answer:
        return self._respond(self._with_language(state))

    def _respond(self, state: UserState) -> Answer:
        self.screens.urgent_lang = state.language or "en"
        danger = self._danger(state)
        if danger is not None:
            return danger
        stop_start = self._stop_or_start(state)
        if stop_start is not None:
            return stop_start
        if state.position is Position.CONFIRM_DELETE:
            return self._pending_delete(state)
        if state.opted_out:
            return self._while_opted_out(state)
        return HANDLERS[state.position](self, state)

    # -- global checks, in order ---------------------------------------------------------------

    def _danger(self, state: UserState) -> Answer | None:
        message = self.message
        if message.option is not None or message.control is not None:
            return None
        typed = message.number is not None and self._typed_emergency_number(state)
        if typed or (message.free_text and self._speaks_of_danger(state)):
            self.decision = "emergency"
            return self.screens.topic(self._cancel_delete(state), EMERGENCY, danger_now=True)
        return None

    def _speaks_of_danger(self, state: UserState) -> bool:
        result = self.match(state)
        written = result.lang
        # The urgent text or call line in the language the message was written in, when it has one.
        if (
            (result.emergency or result.danger_possible)
            and written
            and written != state.language
            and self.knowledge.content.language_pack(written).urgent is not None
        ):
            self.screens.urgent_lang = written
        return result.emergency

    def _typed_emergency_number(self, state: UserState) -> bool:
        """ "999" or "١١٢" typed alone, and not a choice on the list: a call for help."""
        typed = typed_number(self.message.text)
        if typed is None or len(typed) < 3 or int(typed) <= len(state.options):
            return False
        numbers = self.knowledge.content.emergency_numbers.values()
        return any(typed in n.numbers for n in numbers)

    def _stop_or_start(self, state: UserState) -> Answer | None:
        control = self.message.control
        words = self.conversation.words(state.language)
        if control is Control.STOP:
            state = self._cancel_delete(state).update(opted_out=True, options=())
            note = words(_("You will get no more messages. Send START to come back."))
            return self.screens.stay(state, note)
        # An English YES opts back in on SMS, where Twilio itself treats it so.
        yes = self.message.inbound.channel is Channel.SMS and normalise(self.message.text) == "yes"
        start = control is Control.START or (
            state.opted_out and (yes or self.message.option == START_OPTION)
        )
        if start:
            lead = (
                words(_("Welcome back. Messages are on again."))
                if state.opted_out
                else words(_("Messages are on."))
            )
            state = self._cancel_delete(state).update(opted_out=False)
            return self.screens.menu(state, lead)
        return None

    def _pending_delete(self, state: UserState) -> Answer:
        message = self.message
        if message.option == "d:yes" or (message.option is None and message.number == 1):
            return self.screens.deleted(state)
        if message.control is Control.DELETE:  # asked twice: ask once more, erase nothing yet
            return self.screens.ask_delete(state)
        state = self._cancel_delete(state)
        if state.opted_out:
            return Answer(None, state)
        kept = self.conversation.words(state.language)(_("Nothing was deleted."))
        if message.control is Control.YES or (message.free_text and not message.text.strip()):
            return self.screens.menu(state, kept)
        answer = HANDLERS[state.position](self, state)
        if answer.reply is None:
            return answer
        lead = Block(BlockKind.NOTICE, kept)
        return replace(answer, reply=replace(answer.reply, blocks=(lead, *answer.reply.blocks)))

    def _cancel_delete(self, state: UserState) -> UserState:
        if state.position is not Position.CONFIRM_DELETE:
            return state
        return state.update(position=after(state.position, Event.DELETE_CANCELLED), options=())

    def _while_opted_out(self, state: UserState) -> Answer:
        """Silence, except for erasing everything (coming back was handled before)."""
        if self.message.control is Control.DELETE:
            return self.screens.ask_delete(state)
        return Answer(None, state)

    # -- language --------------------------------------------------------------------------------

    def _with_language(self, state: UserState) -> UserState:
        """A new person's language, from what they write, then their app's setting."""
        if state.language is not None:
            return state
        lang = first_language(self.conversation, self.knowledge, self.message)
        return state.update(language=lang) if lang else state

    # -- per position ----------------------------------------------------------------------------

    def open_position(self, state: UserState) -> Answer:
        """Menus, categories, topics and choices: a button, a number, a word or a question."""
        message = self.message
        if message.option is not None:
            return self._choose(state, message.option)
        if message.number is not None:
            return self._number(state, message.number)
        if message.control is not None:
            return self._control(state, message.control)
        return self._free_text(state)

    def new_person(self, state: UserState) -> Answer:
        """A first message: a greeting, or a word that tells no language, asks for one."""
        message = self.message
        if message.option == START_OPTION or message.control is Control.GREETING:
            return self.screens.ask_language(state, greet=True)
        return self.open_position(state)

    def choosing_language(self, state: UserState) -> Answer:
        if self.message.free_text:
            offered = self.conversation.ui_languages(self.knowledge)
            named = language_named(self.message.text, offered, choosing=True)
            if named is not None:
                return self.screens.language_chosen(state, named)
        return self.open_position(state)

    def _number(self, state: UserState, number: int) -> Answer:
        if number == 0:
            return self.screens.menu(state)
        if 1 <= number <= len(state.options):
            return self._choose(state, state.options[number - 1])
        note = self.conversation.words(state.language)(_("That number is not on the list."))
        return self.screens.stay(state, note)

    def _choose(self, state: UserState, option: str) -> Answer:
        kind, _sep, value = option.partition(":")
        content = self.knowledge.content
        screens = self.screens
        if kind == "l" and value in self.conversation.ui_languages(self.knowledge):
            return screens.language_chosen(state, value)
        if kind == "c" and any(c.id == value for c in content.categories):
            return screens.category(state, value)
        if kind == "t" and value in content.topics:
            return screens.topic(state, value)
        if kind == "p":
            return screens.page_of(state, value)
        if kind == "d" and value == "yes":
            return screens.ask_delete(state)
        actions: dict[str, Callable[[UserState], Answer]] = {
            "menu": screens.menu,
            "start": screens.menu,
            "more": screens.more,
            "back": screens.back,
            "language": screens.ask_language,
        }
        if kind == "m" and value in actions:
            return actions[value](state)
        note = self.conversation.words(state.language)(_("That number is not on the list."))
        return screens.stay(state, note)

    def _control(self, state: UserState, control: Control) -> Answer:
        screens = self.screens
        words = self.conversation.words(state.language)
        match control:
            case Control.MENU | Control.YES:
                return screens.menu(state)
            case Control.LANGUAGE:
                return screens.ask_language(state)
            case Control.MORE:
                return screens.more(state)
            case Control.BACK:
                return screens.back(state)
            case Control.HELP:
                return screens.help(state)
            case Control.PRIVACY:
                return screens.privacy(state)
            case Control.DELETE:
                return screens.ask_delete(state)
            case Control.THANKS:
                return screens.stay(state, words(_("You are welcome. Stay safe.")))
            case Control.GREETING:
                return screens.menu(state, words(_("Hello. What do you need help with?")))
        return self._free_text(state)

    def _free_text(self, state: UserState) -> Answer:
        text = self.message.text
        offered = self.conversation.ui_languages(self.knowledge)
        named = language_named(text, offered, choosing=False)
        if named is not None:
            return self.screens.language_chosen(state, named)
        result = self.match(state)
        self.decision = str(result.decision)
        danger_possible = result.danger_possible
        if result.decision is Decision.ANSWER and result.topic:
            return self.screens.topic(state, result.topic, danger_possible)
        if result.decision is Decision.AMBIGUOUS and len(result.alternatives) > 1:
            answer = self.screens.ambiguous(state, result.alternatives[:3], danger_possible)
            return self._kept(answer, "ambiguous", result)
        if state.position is Position.NEW and state.language is None:
            answer = self.screens.ask_language(state, greet=True, danger_possible=danger_possible)
        else:
            # Led by the call line ("help me please"), the menu asks what about: no apology.
            sorry = (
                ""
                if danger_possible
                else self.conversation.words(state.language)(
                    _("Sorry, I did not understand. Choose a topic:")
                )
            )
            answer = self.screens.menu(state, sorry, Event.NOT_UNDERSTOOD, danger_possible)
        return self._kept(answer, "unanswered", result)

    def _kept(self, answer: Answer, kind: Kind, result: MatchResult) -> Answer:
        """`answer`, with the question to keep for the gap report (a preview's is not kept)."""
        if self.message.inbound.is_preview:
            return answer
        return replace(answer, question=(kind, result.lang or "en", self.message.text))


HANDLERS: dict[Position, Callable[[Turn, UserState], Answer]] = {
    Position.NEW: Turn.new_person,
    Position.LANGUAGE: Turn.choosing_language,
    Position.MENU: Turn.open_position,
    Position.CATEGORY: Turn.open_position,
    Position.TOPIC: Turn.open_position,
    Position.CHOICE: Turn.open_position,
    # A pending deletion is a global check; a cancelled one continues from the menu.
    Position.CONFIRM_DELETE: Turn.open_position,
}
