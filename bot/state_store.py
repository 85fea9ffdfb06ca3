"""Where state lives: one SQL schema on SQLite (default) and PostgreSQL (several replicas).

Stored: each person's `UserState` under an HMAC key, a fixed-window message counter per key,
the ids of deliveries already handled (so a duplicate is answered once, across restarts and
replicas), and, with no key at all, the normalised text of questions the bot could not answer.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from bot.state import UserState

SEEN_IDS_KEEP = dt.timedelta(days=7)
# A person silent this long is forgotten (language, place in the menu); so are unanswered
# questions older than this. Short retention is part of doing no harm.
RETENTION = dt.timedelta(days=180)
PURGE_EVERY_SECONDS = 3600
CHECKPOINT_EVERY_SECONDS = 2.0

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS user_state (
        user_key TEXT PRIMARY KEY, state TEXT NOT NULL, updated_on TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS rate_window (
        user_key TEXT PRIMARY KEY, window_start BIGINT NOT NULL, hits INTEGER NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS seen_delivery (
        delivery_id TEXT PRIMARY KEY, seen_at BIGINT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS unanswered (
        lang TEXT NOT NULL, text TEXT NOT NULL, day TEXT NOT NULL, hits INTEGER NOT NULL,
        PRIMARY KEY (lang, text, day))""",
    # The purge looks rows up by age.
    "CREATE INDEX IF NOT EXISTS seen_delivery_by_age ON seen_delivery (seen_at)",
    "CREATE INDEX IF NOT EXISTS user_state_by_age ON user_state (updated_on)",
    "CREATE INDEX IF NOT EXISTS unanswered_by_day ON unanswered (day)",
    "CREATE INDEX IF NOT EXISTS rate_window_by_age ON rate_window (window_start)",
)


@dataclass(frozen=True)
class UnansweredQuestion:
    lang: str
    text: str
    hits: int


class Store(Protocol):
    def load(self, key: str) -> UserState | None: ...
    def save(self, key: str, state: UserState) -> None: ...
    def delete(self, key: str) -> None: ...
    def first_delivery(self, delivery_id: str, now: dt.datetime) -> bool: ...
    def count_message(self, key: str, now: dt.datetime, window_seconds: int) -> int: ...
    def record_unanswered(self, lang: str, text: str, day: dt.date) -> None: ...
    def unanswered(self, limit: int = 50) -> list[UnansweredQuestion]: ...
    def ping(self) -> None: ...
    def close(self) -> None: ...

    # True when every call is a sub-millisecond local operation (SQLite): callers on an event
    # loop may then call it inline instead of paying for a thread hop. False for a server.
    @property
    def in_process(self) -> bool: ...


class SqlStore:
    """The store over a DB-API connection in autocommit mode (each statement is atomic on its
    own); `placeholder` is `?` (sqlite) or `%s` (psycopg)."""

    def __init__(
        self,
        connection: Any,
        placeholder: str,
        in_process: bool,
        retention: dt.timedelta = RETENTION,
        checkpointer: WalCheckpointer | None = None,
    ) -> None:
        self._db = connection
        self._checkpointer = checkpointer
        self._ph = placeholder
        self._in_process = in_process
        self._retention = retention
        self._next_purge = 0
        self._lock = threading.Lock()
        for statement in SCHEMA:
            self._run(statement)
        self.purge(dt.datetime.now(dt.UTC))

    def _run(self, sql: str, params: Sequence[object] = ()) -> Any:
        with self._lock:
            cursor = self._db.cursor()
            cursor.execute(sql.replace("?", self._ph), tuple(params))
            rows = cursor.fetchall() if cursor.description else []
            count = cursor.rowcount
            cursor.close()
            return rows, count

    def load(self, key: str) -> UserState | None:
        rows, _ = self._run("SELECT state FROM user_state WHERE user_key = ?", (key,))
        if not rows:
            return None
        try:
            return UserState.from_json(rows[0][0])
        except (ValueError, TypeError, KeyError):
            # Written by an older version in a shape this one cannot read: start afresh
            # rather than leave the person without answers.
            return None

    def save(self, key: str, state: UserState) -> None:
        self._run(
            "INSERT INTO user_state (user_key, state, updated_on) VALUES (?, ?, ?) "
            "ON CONFLICT (user_key) DO UPDATE SET state = excluded.state, "
            "updated_on = excluded.updated_on",
            (key, state.to_json(), state.last_seen.isoformat()),
        )

    def delete(self, key: str) -> None:
        self._run("DELETE FROM user_state WHERE user_key = ?", (key,))
        self._run("DELETE FROM rate_window WHERE user_key = ?", (key,))

    def first_delivery(self, delivery_id: str, now: dt.datetime) -> bool:
        stamp = int(now.timestamp())
        _, inserted = self._run(
            "INSERT INTO seen_delivery (delivery_id, seen_at) VALUES (?, ?) "
            "ON CONFLICT (delivery_id) DO NOTHING",
            (delivery_id, stamp),
        )
        if stamp >= self._next_purge:
            self.purge(now)
        return bool(inserted == 1)

    def purge(self, now: dt.datetime) -> None:
        """Forget what has outlived its use: old delivery ids, silent people, old questions."""
        stamp = int(now.timestamp())
        self._next_purge = stamp + PURGE_EVERY_SECONDS
        self._run(
            "DELETE FROM seen_delivery WHERE seen_at < ?",
            (stamp - int(SEEN_IDS_KEEP.total_seconds()),),
        )
        cutoff = (now - self._retention).date().isoformat()
        self._run("DELETE FROM user_state WHERE updated_on < ?", (cutoff,))
        self._run("DELETE FROM unanswered WHERE day < ?", (cutoff,))
        self._run("DELETE FROM rate_window WHERE window_start < ?", (stamp - 86_400,))

    def count_message(self, key: str, now: dt.datetime, window_seconds: int) -> int:
        start = int(now.timestamp()) // window_seconds * window_seconds
        rows, _ = self._run(
            "INSERT INTO rate_window (user_key, window_start, hits) VALUES (?, ?, 1) "
            "ON CONFLICT (user_key) DO UPDATE SET "
            "hits = CASE WHEN rate_window.window_start = excluded.window_start "
            "THEN rate_window.hits + 1 ELSE 1 END, window_start = excluded.window_start "
            "RETURNING hits",
            (key, start),
        )
        return int(rows[0][0]) if rows else 1

    def record_unanswered(self, lang: str, text: str, day: dt.date) -> None:
        self._run(
            "INSERT INTO unanswered (lang, text, day, hits) VALUES (?, ?, ?, 1) "
            "ON CONFLICT (lang, text, day) DO UPDATE SET hits = unanswered.hits + 1",
            (lang, text, day.isoformat()),
        )

    def unanswered(self, limit: int = 50) -> list[UnansweredQuestion]:
        rows, _ = self._run(
            "SELECT lang, text, SUM(hits) AS n FROM unanswered GROUP BY lang, text "
            "ORDER BY n DESC, lang, text LIMIT ?",
            (limit,),
        )
        return [UnansweredQuestion(str(r[0]), str(r[1]), int(r[2])) for r in rows]

    def ping(self) -> None:
        self._run("SELECT 1")

    @property
    def in_process(self) -> bool:
        return self._in_process

    def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
        with self._lock:
            self._db.close()


class WalCheckpointer:
    """Copies SQLite's write-ahead log into the database every few seconds, off the event loop
    where requests call the store inline."""

    def __init__(self, path: Path, every_seconds: float = CHECKPOINT_EVERY_SECONDS) -> None:
        self._path = path
        self._every = every_seconds
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        connection = sqlite3.connect(self._path, isolation_level=None)
        try:
            while not self._stopped.wait(self._every):
                try:
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
                except sqlite3.Error:
                    continue  # busy now; the next round catches up
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=10)


def sqlite_path(database_url: str) -> Path:
    """`sqlite:///var/x.db` is relative, `sqlite:////abs/x.db` absolute (as in SQLAlchemy)."""
    rest = database_url.removeprefix("sqlite:///")
    return Path(rest)


def open_store(database_url: str) -> SqlStore:
    if database_url.startswith("sqlite:///"):
        path = sqlite_path(database_url)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit: every statement is its own transaction, with no separate COMMIT call.
        connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA busy_timeout=5000")
        # With WAL, NORMAL never corrupts the database; a power cut may lose the last commits,
        # which for this state (menu position, seen ids) is harmless. FULL fsyncs every commit.
        connection.execute("PRAGMA synchronous=NORMAL")
        # Checkpoints (the only fsyncs left) run in a background thread, not in a request.
        connection.execute("PRAGMA wal_autocheckpoint=0")
        return SqlStore(connection, "?", in_process=True, checkpointer=WalCheckpointer(path))
    if database_url.startswith(("postgresql://", "postgres://")):
        import psycopg

        return SqlStore(psycopg.connect(database_url, autocommit=True), "%s", in_process=False)
    raise ValueError("DATABASE_URL must start with sqlite:/// or postgresql://")
