"""A runtime for the staff's routes: the content loaded once per session, the repository's
catalogs, a fresh SQLite file and var dir, and the settings a test asks for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.conversation import Conversation
from bot.i18n import Catalogs
from bot.metrics import Metrics
from bot.runtime import KnowledgeHolder, Runtime
from bot.settings import Settings
from bot.state_store import open_store
from gfmd_info.knowledge import Knowledge

REPO = Path(__file__).resolve().parents[2]
ADMIN_TOKEN = "admin-token-for-tests"
AS_STAFF = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def staff_runtime(var: Path, knowledge: Knowledge, catalogs: Catalogs, **settings: Any) -> Runtime:
    """`settings` override the defaults (no admin token, no public URL: loopback is staff)."""
    values: dict[str, Any] = {
        "gfmd_content_dir": REPO / "content",
        "gfmd_locales_dir": REPO / "locales",
        "gfmd_var_dir": var,
        "database_url": f"sqlite:///{var}/state.sqlite3",
        "gfmd_bot_secret": "staff-test-secret",
        **settings,
    }
    chosen = Settings(_env_file=None, **values)  # type: ignore[call-arg]
    holder = KnowledgeHolder(chosen.gfmd_content_dir, knowledge)
    store = open_store(chosen.database_url)
    conversation = Conversation(holder, catalogs, store)
    return Runtime(chosen, holder, catalogs, store, conversation, Metrics(), b"staff-test-secret")
