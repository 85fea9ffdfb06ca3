"""How the store reaches its database: one SQLite connection, or a pool of PostgreSQL ones.

Both hand out a DB-API connection in autocommit mode, on which the store opens its own
transactions: `BEGIN IMMEDIATE` on SQLite (the write lock is taken at once, so two turns of
one person never interleave), `BEGIN` on PostgreSQL (the row is locked by the store).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

CHECKPOINT_EVERY_SECONDS = 1.0
# Past this the checkpointer truncates the WAL (waiting for the write lock); `journal_size_limit`
# also cuts it back to this size whenever it is reset.
WAL_LIMIT_BYTES = 16 * 1024 * 1024
# A pool of this size serves a worker's threads; more would only queue in the server.
POOL_MAX_SIZE = 16
POOL_WAIT_SECONDS = 10.0


class Connector(Protocol):
    placeholder: str
    begin: str
    # True when every call is a sub-millisecond local operation (SQLite).
    in_process: bool
    # Takes the row lock of one person inside a transaction; empty where BEGIN already locks.
    lock_person: str

    def connection(self) -> Any: ...  # a context manager yielding a DB-API connection
    def close(self) -> None: ...


class SqliteConnector:
    placeholder = "?"
    begin = "BEGIN IMMEDIATE"
    in_process = True
    lock_person = ""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit: transactions are opened and closed by the store's own statements.
        db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA busy_timeout=5000")
        # With WAL, NORMAL never corrupts the database; a power cut may lose the last commits,
        # which for this state (menu position, seen ids) is harmless. FULL fsyncs every commit.
        db.execute("PRAGMA synchronous=NORMAL")
        # Checkpoints (the only fsyncs left) run in a background thread, not in a request.
        db.execute("PRAGMA wal_autocheckpoint=0")
        db.execute(f"PRAGMA journal_size_limit={WAL_LIMIT_BYTES}")
        self._db = db
        # One connection for the process: a transaction holds it until COMMIT.
        self._lock = threading.Lock()
        self._checkpointer = WalCheckpointer(path)

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self._db

    def close(self) -> None:
        self._checkpointer.stop()
        with self._lock:
            self._db.close()


class PostgresConnector:
    placeholder = "%s"
    begin = "BEGIN"
    in_process = False
    # The row may not exist yet (a first message): an advisory lock on the key serialises
    # turns of one person whether or not their row is there; FOR UPDATE then reads it.
    lock_person = "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))"

    def __init__(self, url: str) -> None:
        from psycopg_pool import ConnectionPool

        # `check` tests each connection as it is handed out, so one broken by a server
        # restart is replaced instead of failing the next message.
        self._pool: Any = ConnectionPool(
            url,
            min_size=1,
            max_size=POOL_MAX_SIZE,
            kwargs={"autocommit": True},
            check=ConnectionPool.check_connection,
            timeout=POOL_WAIT_SECONDS,
            open=False,
        )
        self._pool.open(wait=True, timeout=POOL_WAIT_SECONDS)

    def connection(self) -> Any:
        return self._pool.connection()

    def close(self) -> None:
        self._pool.close()


class WalCheckpointer:
    """Copies SQLite's write-ahead log into the database every few seconds, off the request
    path. A PASSIVE checkpoint never waits, so under steady writes it may never catch up and the
    WAL would grow without end: past `WAL_LIMIT_BYTES` a TRUNCATE checkpoint waits for its
    turn at the write lock (a few milliseconds between two messages) and empties the file."""

    def __init__(self, path: Path, every_seconds: float = CHECKPOINT_EVERY_SECONDS) -> None:
        self._path = path
        self._every = every_seconds
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        connection = sqlite3.connect(self._path, isolation_level=None)
        connection.execute("PRAGMA busy_timeout=2000")
        wal = self._path.with_name(self._path.name + "-wal")
        try:
            while not self._stopped.wait(self._every):
                try:
                    mode = "TRUNCATE" if _size(wal) > WAL_LIMIT_BYTES else "PASSIVE"
                    connection.execute(f"PRAGMA wal_checkpoint({mode})")
                except sqlite3.Error:
                    continue  # busy now; the next round catches up
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=10)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def sqlite_path(database_url: str) -> Path:
    """`sqlite:///var/x.db` is relative, `sqlite:////abs/x.db` absolute (as in SQLAlchemy)."""
    return Path(database_url.removeprefix("sqlite:///"))


def connect(database_url: str) -> Connector:
    if database_url.startswith("sqlite:///"):
        return SqliteConnector(sqlite_path(database_url))
    if database_url.startswith(("postgresql://", "postgres://")):
        return PostgresConnector(database_url)
    raise ValueError("DATABASE_URL must start with sqlite:/// or postgresql://")
