"""Fixtures for the conversation tests: a fresh SQLite store and a conversation over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.conversation import Conversation
from bot.i18n import Catalogs
from bot.state_store import SqlStore, open_store
from gfmd_info.knowledge import Knowledge


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    opened = open_store(f"sqlite:///{tmp_path}/state.sqlite3")
    yield opened
    opened.close()


@pytest.fixture
def conversation(knowledge: Knowledge, catalogs: Catalogs, store: SqlStore) -> Conversation:
    return Conversation(lambda: knowledge, catalogs, store)
