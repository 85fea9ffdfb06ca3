"""The tables the store keeps, the same on SQLite and PostgreSQL, and how a database made by an
older version is brought up to date.

`SCHEMA` is the shape before versions were counted (version 0); each step of `MIGRATIONS`
takes a database one version further, and `schema_version` records the steps done. A new
database runs them all, so there is one way to any version. `upgrade` runs in one transaction
under a lock (see `SqlStore`), so replicas starting together upgrade once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

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
    # Telegram's durable inbox (`bot.inbox`): the update as received, then the answer to send,
    # then nothing but its id (the dedupe record) once done.
    """CREATE TABLE IF NOT EXISTS inbox (
        delivery_id TEXT PRIMARY KEY, state TEXT NOT NULL, payload TEXT NOT NULL,
        received_at BIGINT NOT NULL, claimed_until BIGINT NOT NULL, attempts INTEGER NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS inbox_by_claim ON inbox (state, claimed_until)",
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: a kept question says whether it went unanswered or was ambiguous; the kind is part of
    # the key, so the table is made again (SQLite cannot change a primary key in place).
    (
        "ALTER TABLE unanswered RENAME TO unanswered_before_kind",
        """CREATE TABLE unanswered (
            kind TEXT NOT NULL, lang TEXT NOT NULL, text TEXT NOT NULL, day TEXT NOT NULL,
            hits INTEGER NOT NULL, PRIMARY KEY (kind, lang, text, day))""",
        "INSERT INTO unanswered (kind, lang, text, day, hits) "
        "SELECT 'unanswered', lang, text, day, hits FROM unanswered_before_kind",
        # The old index goes with the old table (PostgreSQL kept its name while renaming).
        "DROP TABLE unanswered_before_kind",
        "CREATE INDEX IF NOT EXISTS unanswered_by_day ON unanswered (day)",
    ),
    # 2: messages answered per day, counted along each dimension together: no key, no text.
    (
        """CREATE TABLE usage_daily (
            day TEXT NOT NULL, channel TEXT NOT NULL, lang_written TEXT NOT NULL,
            lang_answered TEXT NOT NULL, topic TEXT NOT NULL, decision TEXT NOT NULL,
            hits INTEGER NOT NULL,
            PRIMARY KEY (day, channel, lang_written, lang_answered, topic, decision))""",
    ),
)

Run = Callable[[str, Sequence[object]], list[Any]]


def upgrade(run: Run) -> int:
    """Create what is missing and take the database through the steps it has not had; the
    version it is at now."""
    for statement in SCHEMA:
        run(statement, ())
    done = int(run("SELECT MAX(version) FROM schema_version", ())[0][0] or 0)
    for version, step in enumerate(MIGRATIONS[done:], start=done + 1):
        for statement in step:
            run(statement, ())
        run("INSERT INTO schema_version (version) VALUES (?)", (version,))
    return max(done, len(MIGRATIONS))
