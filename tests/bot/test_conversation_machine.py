"""Random sequences of messages, buttons, control words and numbers, on every channel, through
the intake: what must hold after every step, whatever came before."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule, run_state_machine_as_test

from bot.channels.sms import is_twilio_keyword
from bot.control_words import Control
from bot.conversation import Conversation
from bot.i18n import Catalogs
from bot.intake import Delivery, Intake, Outcome, RateLimit
from bot.messages import BlockKind, Channel, Inbound
from bot.numbers import typed_number
from bot.state import Position, UserState
from bot.state_store import SqlStore, open_store
from gfmd_info.knowledge import Knowledge

COUNTRY = "BH"  # its emergency number is 999
TEXTS = (
    "my boss did not pay me for three months",
    "no me pagan el sueldo",
    "salaire impayé",
    "الكفيل ما دفع راتبي",
    "मेरो मालिकले तीन महिनादेखि तलब दिएको छैन",
    "where can I sleep tonight",
    "help me now he has a knife",
    "ayuda me quiere matar ahora",
    "qwzx vbnm plokij",
    "passport",
    "hello",
    "thanks",
    "ok",
    "",
)
WORDS = (
    "stop", "STOP", "parar", "توقف", "start", "START", "menu", "more", "MORE", "back",
    "help", "HELP", "privacy", "delete", "language", "yes", "arret", "borrar", "siguiente",
)  # fmt: skip
DIGITS = {"ascii": "0123456789", "arabic": "٠١٢٣٤٥٦٧٨٩", "devanagari": "०१२३४५६७८९"}
DIGITS["bengali"] = "০১২৩৪৫৬৭৮৯"


def _in_script(number: int, script: str) -> str:
    return "".join(DIGITS[script][int(d)] for d in str(number))


class ConversationMachine(RuleBasedStateMachine):
    knowledge: Knowledge
    catalogs: Catalogs

    def __init__(self) -> None:
        super().__init__()
        self.folder = tempfile.TemporaryDirectory()
        self.store: SqlStore = open_store(f"sqlite:///{Path(self.folder.name)}/state.sqlite3")
        self.conversation = Conversation(lambda: self.knowledge, self.catalogs, self.store)
        limit = RateLimit(messages=10_000, window_seconds=600)
        self.intake = Intake(self.conversation, self.store, self.catalogs, limit)
        self.user = uuid.uuid4().hex
        self.channel = Channel.SMS

    def teardown(self) -> None:
        self.store.close()
        self.folder.cleanup()

    @initialize(channel=st.sampled_from(list(Channel)))
    def choose_channel(self, channel: Channel) -> None:
        self.channel = channel

    # -- what a person does ----------------------------------------------------------------

    @rule(text=st.sampled_from(TEXTS))
    def write(self, text: str) -> None:
        self._step(text)

    @rule(word=st.sampled_from(WORDS))
    def control_word(self, word: str) -> None:
        self._step(word)

    @rule(
        word=st.sampled_from(("delete", "borrar", "حذف", "effacer")),
        answer=st.sampled_from(("ok", "yes", "si", "oui", "نعم", "stop", "1", "١", "१", "৷")),
    )
    def delete_then(self, word: str, answer: str) -> None:
        """DELETE and an answer to its prompt: the sequence issue 16 found erasing on "ok"."""
        self._step(word)
        self._step(answer)

    @rule(number=st.integers(min_value=0, max_value=12), script=st.sampled_from(list(DIGITS)))
    def number(self, number: int, script: str) -> None:
        self._step(_in_script(number, script))

    @rule(script=st.sampled_from(list(DIGITS)))
    def emergency_number(self, script: str) -> None:
        self._step(_in_script(999, script))

    @rule(index=st.integers(min_value=0, max_value=9))
    def button(self, index: int) -> None:
        before = self.store.load(self.user)
        options = before.options if before else ()
        if self.channel is Channel.TELEGRAM and index < len(options):
            self._step("", option=options[index])

    # -- what must hold --------------------------------------------------------------------

    def _step(self, text: str, option: str | None = None) -> None:
        before = self.store.load(self.user)
        inbound = Inbound(self.channel, self.user, text, country_hint=COUNTRY, option_id=option)
        provider = is_twilio_keyword(self.channel, text)
        delivery = Delivery(inbound, f"d:{uuid.uuid4().hex}", provider_answers=provider)
        outcome = self.intake.receive(delivery)
        after = self.store.load(self.user)
        assert outcome.decision != "error", outcome
        self._replies_unless_silent(outcome, after, provider, text, option)
        if provider:
            return
        control = None if option else self.conversation.recognise(text)
        self._danger_first(outcome, text, option, control, before)
        self._stop_always_works(control, after)
        self._erased_only_when_confirmed(before, after, text, option)
        self._listed_number_picks_it(before, after, text, option, control)
        self._more_advances_or_says_so(before, after, outcome, control)

    def _replies_unless_silent(
        self,
        outcome: Outcome,
        after: UserState | None,
        provider: bool,
        text: str,
        option: str | None,
    ) -> None:
        if outcome.reply is None:
            silent = provider or (after is not None and after.opted_out)
            assert silent or (not text.strip() and option is None), outcome
        else:
            assert any(block.text.strip() for block in outcome.reply.blocks)

    def _danger_first(
        self,
        outcome: Outcome,
        text: str,
        option: str | None,
        control: Control | None,
        before: UserState | None,
    ) -> None:
        if option is not None or control is not None or not text.strip():
            return
        typed = typed_number(text)
        options = before.options if before else ()
        if typed is not None:
            danger = typed == "999" and len(options) < 999
        else:
            danger = self.knowledge.matcher.match(text).emergency
        if danger:
            assert outcome.reply is not None and outcome.reply.urgent
            assert outcome.reply.blocks[0].kind is BlockKind.URGENT
            assert "999" in outcome.reply.blocks[0].text

    def _stop_always_works(self, control: Control | None, after: UserState | None) -> None:
        if control is Control.STOP:
            assert after is not None and after.opted_out

    def _erased_only_when_confirmed(
        self, before: UserState | None, after: UserState | None, text: str, option: str | None
    ) -> None:
        if before is not None and after is None:
            assert before.position is Position.CONFIRM_DELETE
            assert option == "d:yes" or (option is None and typed_number(text) == "1")

    def _listed_number_picks_it(
        self,
        before: UserState | None,
        after: UserState | None,
        text: str,
        option: str | None,
        control: Control | None,
    ) -> None:
        typed = typed_number(text)
        if before is None or after is None or option or control or typed is None:
            return
        if before.opted_out or before.position is Position.CONFIRM_DELETE:
            return
        number = int(typed)
        if not 1 <= number <= len(before.options):
            return
        kind, _sep, value = before.options[number - 1].partition(":")
        if kind == "c":
            assert (after.position, after.category) == (Position.CATEGORY, value)
        elif kind == "t":
            assert (after.position, after.topic) == (Position.TOPIC, value)
        elif kind == "l":
            assert after.language == value and after.position is Position.MENU

    def _more_advances_or_says_so(
        self,
        before: UserState | None,
        after: UserState | None,
        outcome: Outcome,
        control: Control | None,
    ) -> None:
        if control is not Control.MORE or before is None or after is None:
            return
        if before.opted_out or before.position is not Position.TOPIC:
            return
        if after.position is Position.TOPIC:
            assert (after.topic, after.page) == (before.topic, before.page + 1)
            return
        words = self.conversation.words(after.language)
        said = "\n".join(b.text for b in outcome.reply.blocks) if outcome.reply else ""
        assert words("That was all on this topic.") in said


def test_random_conversations_keep_every_promise(knowledge: Knowledge, catalogs: Catalogs) -> None:
    ConversationMachine.knowledge = knowledge
    ConversationMachine.catalogs = catalogs
    run_state_machine_as_test(
        ConversationMachine,
        settings=settings(
            max_examples=50,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
