"""The tables the store keeps, the same on SQLite and PostgreSQL."""

from __future__ import annotations

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
)
