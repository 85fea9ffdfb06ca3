"""Everything a running bot shares, built once from `Settings`: content, words, state, metrics."""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio.to_thread

from bot.content_holder import (
    KnowledgeHolder,
    LastGood,
    ReloadResult,
    folder_digest,
    load_at_startup,
    problem_lines,
)
from bot.conversation import Conversation
from bot.i18n import CatalogError, Catalogs, available_languages
from bot.intake import Intake, RateLimit
from bot.metrics import Metrics
from bot.settings import Settings, SettingsError, settings_problems
from bot.state_store import Store, open_configured_store
from bot.user_keys import load_secret, user_key

# What callers have long taken from here.
__all__ = [
    "KnowledgeHolder",
    "LastGood",
    "ReloadResult",
    "Runtime",
    "build_runtime",
    "folder_digest",
    "load_at_startup",
    "problem_lines",
]

log = logging.getLogger(__name__)
T = TypeVar("T")

# Threads for blocking work (store, matching). They hold the GIL, or SQLite's one connection,
# most of the time: more would only contend for them; PostgreSQL's pool has 16 connections.
WORKER_THREADS = 8


@dataclass
class Runtime:
    settings: Settings
    knowledge: KnowledgeHolder
    catalogs: Catalogs
    store: Store
    conversation: Conversation
    metrics: Metrics
    secret: bytes
    # Built from the rest: one intake for every channel.
    intake: Intake = field(init=False)
    # Each event loop's own (a test may run several, one after another).
    _limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = field(
        init=False, default_factory=weakref.WeakKeyDictionary
    )

    def __post_init__(self) -> None:
        self.intake = build_intake(self.settings, self.conversation, self.store, self.catalogs)

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run blocking work (store, matching, signatures) from an async route in a worker
        thread: the event loop stays free for every other request, `/healthz` included."""
        loop = asyncio.get_running_loop()
        limiter = self._limiters.get(loop)
        if limiter is None:
            limiter = self._limiters[loop] = anyio.CapacityLimiter(WORKER_THREADS)
        return await anyio.to_thread.run_sync(fn, *args, limiter=limiter)

    def user_key(self, channel: str, platform_id: str) -> str:
        return user_key(self.secret, channel, platform_id)

    def reload_content(self) -> ReloadResult:
        result = self.knowledge.reload()
        self.metrics.reloads.labels(result="ok" if result.ok else "refused").inc()
        self.metrics.set_content_version(result.version)
        return result

    def readiness(self) -> list[str]:
        """Why the bot cannot serve; empty when it can. Content problems while other content
        serves are `warnings`, not reasons: one bad edit must not take every replica out."""
        reasons = []
        try:
            self.store.ping()
        except Exception as error:  # any driver error means "not reachable"
            reasons.append(f"store unreachable: {type(error).__name__}")
        if not self.conversation.ui_languages(self.knowledge()):
            reasons.append("no language has complete content and catalogs")
        return reasons

    def warnings(self) -> list[str]:
        """What an operator should fix although the bot serves (a refused content load)."""
        return self.knowledge.warnings()

    def close(self) -> None:
        self.store.close()


def build_runtime(settings: Settings) -> Runtime:
    """Raises SettingsError for settings unsafe to serve with, and ContentError or CatalogError
    when the content (with no last good copy to fall back to) or the catalogs are broken."""
    problems = settings_problems(settings)
    if problems:
        raise SettingsError(problems)
    knowledge = load_at_startup(
        settings.gfmd_content_dir, LastGood(settings.gfmd_var_dir, settings.gfmd_model_cache_dir)
    )
    languages = available_languages(settings.gfmd_locales_dir)
    if not languages:
        raise CatalogError(f"{settings.gfmd_locales_dir}: no catalogs found")
    catalogs = Catalogs(settings.gfmd_locales_dir, languages)
    store = open_configured_store(settings)
    metrics = Metrics()
    metrics.set_content_version(knowledge().content.version)
    secret = load_secret(settings.gfmd_bot_secret, settings.gfmd_var_dir)
    conversation = Conversation(knowledge, catalogs, store)
    return Runtime(settings, knowledge, catalogs, store, conversation, metrics, secret)


def build_intake(
    settings: Settings, conversation: Conversation, store: Store, catalogs: Catalogs
) -> Intake:
    limit = RateLimit(settings.gfmd_rate_limit_messages, settings.gfmd_rate_limit_window_seconds)
    return Intake(conversation, store, catalogs, limit)
