"""Everything a running bot shares, built once from `Settings`: content, words, state, metrics."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import anyio.to_thread

from bot.conversation import Conversation
from bot.i18n import CatalogError, Catalogs, available_languages
from bot.metrics import Metrics
from bot.settings import Settings
from bot.state_store import Store, open_store
from bot.user_keys import load_secret, user_key
from gfmd_info.knowledge import Knowledge
from gfmd_info.problems import ContentError

log = logging.getLogger(__name__)
T = TypeVar("T")


def problem_lines(error: ContentError | CatalogError | OSError) -> tuple[str, ...]:
    """Why content or catalogs cannot be served, one `file:line: field: message` line each."""
    if isinstance(error, ContentError):
        return tuple(str(p) for p in error.problems if p.severity == "error")
    if isinstance(error, OSError):
        where = error.filename or "?"
        return (f"{where}:?: file: cannot be read ({error.strerror or type(error).__name__})",)
    return (str(error),)


@dataclass(frozen=True)
class ReloadResult:
    ok: bool
    version: str
    problems: tuple[str, ...] = ()


@dataclass
class KnowledgeHolder:
    """The content in service. A reload swaps it whole, or not at all."""

    content_dir: Path
    _current: Knowledge
    last_error: tuple[str, ...] = ()
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self) -> Knowledge:
        return self._current

    def reload(self) -> ReloadResult:
        with self._lock:
            try:
                fresh = Knowledge.load(self.content_dir)
            except (ContentError, OSError) as error:
                self.last_error = problem_lines(error)
                log.error(
                    "content_reload_refused",
                    extra={
                        "event": "content_reload_refused",
                        "version": self._current.content.version,
                        "problems": list(self.last_error),
                    },
                )
                return ReloadResult(False, self._current.content.version, self.last_error)
            self._current = fresh
            self.last_error = ()
            log.info(
                "content_reloaded",
                extra={"event": "content_reloaded", "version": fresh.content.version},
            )
            return ReloadResult(True, fresh.content.version)


@dataclass
class Runtime:
    settings: Settings
    knowledge: KnowledgeHolder
    catalogs: Catalogs
    store: Store
    conversation: Conversation
    metrics: Metrics
    secret: bytes

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run blocking work (store and conversation) from an async route: inline when the
        store is in-process SQLite (a thread hop costs more than the work), else in a thread."""
        if self.store.in_process:
            return fn(*args)
        return await anyio.to_thread.run_sync(fn, *args)

    def user_key(self, channel: str, platform_id: str) -> str:
        return user_key(self.secret, channel, platform_id)

    def reload_content(self) -> ReloadResult:
        result = self.knowledge.reload()
        self.metrics.reloads.labels(result="ok" if result.ok else "refused").inc()
        self.metrics.set_content_version(result.version)
        return result

    def readiness(self) -> list[str]:
        """Why the bot is not ready; empty when it is."""
        reasons = [f"content reload refused: {p}" for p in self.knowledge.last_error[:5]]
        try:
            self.store.ping()
        except Exception as error:  # any driver error means "not reachable"
            reasons.append(f"store unreachable: {type(error).__name__}")
        if not self.conversation.ui_languages(self.knowledge()):
            reasons.append("no language has complete content and catalogs")
        return reasons

    def close(self) -> None:
        self.store.close()


def build_runtime(settings: Settings) -> Runtime:
    """Raises ContentError or CatalogError when the shipped content or catalogs are broken."""
    content_dir = settings.gfmd_content_dir
    knowledge = KnowledgeHolder(content_dir, Knowledge.load(content_dir))
    languages = available_languages(settings.gfmd_locales_dir)
    if not languages:
        raise CatalogError(f"{settings.gfmd_locales_dir}: no catalogs found")
    catalogs = Catalogs(settings.gfmd_locales_dir, languages)
    store = open_store(settings.database_url)
    metrics = Metrics()
    metrics.set_content_version(knowledge().content.version)
    secret = load_secret(settings.gfmd_bot_secret, settings.gfmd_var_dir)
    conversation = Conversation(knowledge, catalogs, store)
    return Runtime(settings, knowledge, catalogs, store, conversation, metrics, secret)
