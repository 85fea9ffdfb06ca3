"""Channel fixtures: settings over the real content and catalogs with a tmp database and var
dir, runtimes that share the content loaded once per session, and the real FastAPI app."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.conversation import Conversation
from bot.i18n import Catalogs
from bot.metrics import Metrics
from bot.runtime import KnowledgeHolder, Runtime
from bot.settings import Settings
from bot.state_store import open_store
from gfmd_info.knowledge import Knowledge

REPO = Path(__file__).resolve().parents[3]
CONTENT = REPO / "content"
LOCALES = REPO / "locales"
TWILIO_AUTH_TOKEN = "0123456789abcdef0123456789abcdef"
PUBLIC_URL = "https://bot.example.org"


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "twilio_auth_token": TWILIO_AUTH_TOKEN,
        "gfmd_bot_public_url": PUBLIC_URL,
        "gfmd_bot_secret": "test-secret",
        "database_url": f"sqlite:///{tmp_path}/db.sqlite3",
        "gfmd_var_dir": tmp_path,
        "gfmd_content_dir": CONTENT,
        "gfmd_locales_dir": LOCALES,
        "telegram_bot_token": None,
        "telegram_secret_token": None,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture
def channel_settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def make_runtime(
    tmp_path: Path, knowledge: Knowledge, catalogs: Catalogs
) -> Iterator[Callable[..., Runtime]]:
    """Runtimes over the content loaded once per session, each with its own settings
    (`make_settings` overrides), store and metrics; the same database file unless
    `database_url` is given, so a second runtime is the same bot after a restart."""
    made: list[Runtime] = []

    def factory(**overrides: Any) -> Runtime:
        settings = make_settings(tmp_path, **overrides)
        holder = KnowledgeHolder(settings.gfmd_content_dir, knowledge)
        store = open_store(settings.database_url)
        conversation = Conversation(holder, catalogs, store)
        secret = (settings.gfmd_bot_secret or "").encode()
        made.append(Runtime(settings, holder, catalogs, store, conversation, Metrics(), secret))
        return made[-1]

    yield factory
    for runtime in made:
        runtime.close()


@pytest.fixture
def make_client(make_runtime: Callable[..., Runtime]) -> Iterator[Callable[..., TestClient]]:
    """A TestClient over the app built by the real factory; `client.app.state.runtime` is
    its runtime."""
    clients: list[TestClient] = []

    def factory(**overrides: Any) -> TestClient:
        runtime = make_runtime(**overrides)
        clients.append(TestClient(create_app(runtime.settings, runtime)))
        return clients[-1]

    yield factory
    for client in clients:
        client.close()
