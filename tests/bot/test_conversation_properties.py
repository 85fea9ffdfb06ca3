"""Whatever anyone sends, in whatever state, the conversation answers sensibly and fits SMS."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.conversation import Conversation
from bot.i18n import Catalogs
from bot.messages import Channel, Inbound
from bot.rendering import render_sms_pages
from bot.state_store import SqlStore, open_store
from gfmd_info.knowledge import Knowledge

WORDS = [
    "menu",
    "more",
    "back",
    "language",
    "help",
    "privacy",
    "delete",
    "yes",
    "stop",
    "start",
    "0",
    "1",
    "2",
    "7",
    "99",
    "hi",
    "thanks",
    "mas",
    "suite",
    "المزيد",
    "قف",
    "parar",
    "my boss did not pay me",
    "passport",
    "help me now he has a knife",
    "",
    "😀",
    "\u200f",
]
messages = st.one_of(
    st.sampled_from(WORDS),
    st.text(max_size=80),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=500, max_size=2000),
)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqlStore]:
    path: Path = tmp_path_factory.mktemp("state") / "state.sqlite3"
    opened = open_store(f"sqlite:///{path}")
    yield opened
    opened.close()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    sequence=st.lists(messages, min_size=1, max_size=8),
    country=st.sampled_from([None, "AE", "MX", "SN", "ZZ"]),
    user=st.integers(min_value=0, max_value=5),
    channel=st.sampled_from([Channel.SMS, Channel.TELEGRAM, Channel.WHATSAPP]),
)
def test_any_text_in_any_state_gets_a_reply_that_fits_three_sms_segments(
    knowledge: Knowledge,
    catalogs: Catalogs,
    store: SqlStore,
    sequence: list[str],
    country: str | None,
    user: int,
    channel: Channel,
) -> None:
    conversation = Conversation(lambda: knowledge, catalogs, store)
    for text in sequence:
        reply = conversation.handle(Inbound(channel, f"user-{user}", text, country_hint=country))
        if reply is None:
            continue
        assert reply.blocks or reply.options
        for page in render_sms_pages(reply):
            assert page.measure.segments <= 3
