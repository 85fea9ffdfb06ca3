"""Where state lives: one SQL schema on SQLite (default) and PostgreSQL (several replicas).

Stored: each person's `UserState` under an HMAC key, a fixed-window message counter per key,
the ids of deliveries already handled (so a duplicate is answered once, across restarts and
replicas), and, with no key at all, the normalised text of questions the bot could not answer
(or only with a choice of topics) and how many messages were answered each day, by channel,
languages, topic and decision.

One message is one transaction (`Store.person`): the person's row is locked, then the delivery
is recorded, the message counted, the state loaded and saved. An exception rolls all of it back,
so a delivery that got no real answer is not recorded as seen and its retry is answered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.state import UserState
from bot.store_connections import Connector, connect
from bot.store_schema import upgrade
from gfmd_info.gap_report import AskedRow, Kind

if TYPE_CHECKING:
    from bot.settings import Settings

# Twilio's signature has no timestamp: a captured message stays a duplicate this long (see
# `bot.channels.twilio_form`). Telegram's update ids only need to outlive its retries.
SEEN_TWILIO_IDS_KEEP = dt.timedelta(days=400)
SEEN_TELEGRAM_IDS_KEEP = dt.timedelta(days=7)
# A person silent this long is forgotten (language, place in the menu). Short retention is part
# of doing no harm; unanswered questions, which no DELETE can reach, go sooner.
RETENTION = dt.timedelta(days=180)
UNANSWERED_RETENTION = dt.timedelta(days=30)
USAGE_RETENTION = dt.timedelta(days=400)
PURGE_EVERY_SECONDS = 3600
# The lock replicas take to upgrade the tables one after the other (never a user key: those
# are hex digests).
SCHEMA_LOCK = "store schema"


@dataclass(frozen=True)
class UnansweredQuestion:
    lang: str
    text: str
    hits: int


@dataclass(frozen=True)
class UsageRow:
    """How many messages were answered on one day along each dimension ("-": none, or not
    told): no key, no text."""

    day: dt.date
    channel: str
    lang_written: str
    lang_answered: str
    topic: str
    decision: str
    count: int


class _Sql:
    """Statements on one connection, with the connector's placeholder."""

    def __init__(self, db: Any, placeholder: str) -> None:
        self._db = db
        self._ph = placeholder if placeholder != "?" else None

    def run(self, sql: str, params: Sequence[object] = ()) -> tuple[list[Any], int]:
        cursor = self._db.cursor()
        try:
            cursor.execute(
                sql if self._ph is None else sql.replace("?", self._ph),
                params if isinstance(params, tuple) else tuple(params),
            )
            rows = cursor.fetchall() if cursor.description else []
            return rows, cursor.rowcount
        finally:
            cursor.close()


class PersonSession:
    """One person's row inside one open transaction, locked until it ends."""

    def __init__(self, sql: _Sql, key: str, for_update: str) -> None:
        self._sql = sql
        self.key = key
        self._for_update = for_update

    def load(self) -> UserState | None:
        rows, _ = self._sql.run(
            f"SELECT state FROM user_state WHERE user_key = ?{self._for_update}", (self.key,)
        )
        if not rows:
            return None
        try:
            return UserState.from_json(rows[0][0])
        except (ValueError, TypeError, KeyError):
            # Written by an older version in a shape this one cannot read: start afresh
            # rather than leave the person without answers.
            return None

    def save(self, state: UserState) -> None:
        self._sql.run(
            "INSERT INTO user_state (user_key, state, updated_on) VALUES (?, ?, ?) "
            "ON CONFLICT (user_key) DO UPDATE SET state = excluded.state, "
            "updated_on = excluded.updated_on",
            (self.key, state.to_json(), state.last_seen.isoformat()),
        )

    def delete(self) -> None:
        self._sql.run("DELETE FROM user_state WHERE user_key = ?", (self.key,))
        self._sql.run("DELETE FROM rate_window WHERE user_key = ?", (self.key,))

    def first_delivery(self, delivery_id: str, now: dt.datetime) -> bool:
        _, inserted = self._sql.run(
            "INSERT INTO seen_delivery (delivery_id, seen_at) VALUES (?, ?) "
            "ON CONFLICT (delivery_id) DO NOTHING",
            (delivery_id, int(now.timestamp())),
        )
        return bool(inserted == 1)

    def take_from_inbox(self, delivery_id: str) -> bool:
        """The inbox row's turn to be answered: False when another delivery answered it."""
        rows, _ = self._sql.run(
            f"SELECT state FROM inbox WHERE delivery_id = ?{self._for_update}", (delivery_id,)
        )
        return bool(rows) and rows[0][0] == "queued"

    def keep_answer(self, delivery_id: str, answer: str) -> None:
        """The answer to send, kept in the same transaction as the state it came with."""
        self._sql.run(
            "UPDATE inbox SET state = 'answered', payload = ? WHERE delivery_id = ?",
            (answer, delivery_id),
        )

    def count_message(self, now: dt.datetime, window_seconds: int) -> int:
        start = int(now.timestamp()) // window_seconds * window_seconds
        rows, _ = self._sql.run(
            "INSERT INTO rate_window (user_key, window_start, hits) VALUES (?, ?, 1) "
            "ON CONFLICT (user_key) DO UPDATE SET "
            "hits = CASE WHEN rate_window.window_start = excluded.window_start "
            "THEN rate_window.hits + 1 ELSE 1 END, window_start = excluded.window_start "
            "RETURNING hits",
            (self.key, start),
        )
        return int(rows[0][0]) if rows else 1

    def record_unanswered(
        self, lang: str, text: str, day: dt.date, kind: Kind = "unanswered"
    ) -> None:
        self._sql.run(
            "INSERT INTO unanswered (kind, lang, text, day, hits) VALUES (?, ?, ?, ?, 1) "
            "ON CONFLICT (kind, lang, text, day) DO UPDATE SET hits = unanswered.hits + 1",
            (kind, lang, text, day.isoformat()),
        )

    def count_usage(
        self,
        day: dt.date,
        channel: str,
        lang_written: str,
        lang_answered: str,
        topic: str,
        decision: str,
    ) -> None:
        """One message answered, added to the day's aggregates."""
        self._sql.run(
            "INSERT INTO usage_daily (day, channel, lang_written, lang_answered, topic, decision,"
            " hits) VALUES (?, ?, ?, ?, ?, ?, 1) "
            "ON CONFLICT (day, channel, lang_written, lang_answered, topic, decision) "
            "DO UPDATE SET hits = usage_daily.hits + 1",
            (day.isoformat(), channel, lang_written, lang_answered, topic, decision),
        )


class SqlStore:
    """The store over a `Connector`; every method is one transaction."""

    def __init__(
        self,
        connector: Connector,
        retention: dt.timedelta = RETENTION,
        unanswered_retention: dt.timedelta = UNANSWERED_RETENTION,
        usage_retention: dt.timedelta = USAGE_RETENTION,
    ) -> None:
        self._connector = connector
        self._retention = retention
        self.unanswered_retention = unanswered_retention
        self.usage_retention = usage_retention
        self._next_purge = 0
        with self._transaction(SCHEMA_LOCK) as sql:
            upgrade(lambda statement, params: sql.run(statement, params)[0])
        self.purge(dt.datetime.now(dt.UTC))

    @contextmanager
    def _transaction(self, key: str) -> Iterator[_Sql]:
        """One transaction holding `key`'s lock: committed when the block ends, rolled back
        when it raises."""
        connector = self._connector
        with connector.connection() as db:
            sql = _Sql(db, connector.placeholder)
            sql.run(connector.begin)
            try:
                if connector.lock_person:
                    sql.run(connector.lock_person, (key,))
                yield sql
            except BaseException:
                sql.run("ROLLBACK")
                raise
            sql.run("COMMIT")

    @contextmanager
    def person(self, key: str) -> Iterator[PersonSession]:
        """One transaction with `key`'s row locked."""
        for_update = "" if self._connector.in_process else " FOR UPDATE"
        with self._transaction(key) as sql:
            yield PersonSession(sql, key, for_update)
        now = dt.datetime.now(dt.UTC)
        if int(now.timestamp()) >= self._next_purge:
            self.purge(now)

    # -- one-statement conveniences (tests, the command line, the admin routes) -----------------

    def load(self, key: str) -> UserState | None:
        with self.person(key) as session:
            return session.load()

    def save(self, key: str, state: UserState) -> None:
        with self.person(key) as session:
            session.save(state)

    def delete(self, key: str) -> None:
        with self.person(key) as session:
            session.delete()

    def first_delivery(self, delivery_id: str, now: dt.datetime) -> bool:
        with self.person(delivery_id) as session:
            return session.first_delivery(delivery_id, now)

    def count_message(self, key: str, now: dt.datetime, window_seconds: int) -> int:
        with self.person(key) as session:
            return session.count_message(now, window_seconds)

    def record_unanswered(
        self, lang: str, text: str, day: dt.date, kind: Kind = "unanswered"
    ) -> None:
        with self.person("") as session:
            session.record_unanswered(lang, text, day, kind)

    def _run(self, statement: str, params: Sequence[object] = ()) -> list[Any]:
        with self._connector.connection() as db:
            return _Sql(db, self._connector.placeholder).run(statement, params)[0]

    def purge(self, now: dt.datetime) -> None:
        """Forget what has outlived its use: old delivery ids, silent people, old questions and
        old usage counts."""
        stamp = int(now.timestamp())
        self._next_purge = stamp + PURGE_EVERY_SECONDS
        telegram_cutoff = stamp - int(SEEN_TELEGRAM_IDS_KEEP.total_seconds())
        self._run(
            "DELETE FROM seen_delivery WHERE seen_at < ? AND delivery_id NOT LIKE ?",
            (telegram_cutoff, "twilio:%"),
        )
        self._run(
            "DELETE FROM seen_delivery WHERE seen_at < ?",
            (stamp - int(SEEN_TWILIO_IDS_KEEP.total_seconds()),),
        )
        # Telegram gives up on an update after a day: an inbox row is only a dedupe record then.
        self._run("DELETE FROM inbox WHERE received_at < ?", (telegram_cutoff,))
        cutoff = (now - self._retention).date().isoformat()
        self._run("DELETE FROM user_state WHERE updated_on < ?", (cutoff,))
        self.purge_unanswered((now - self.unanswered_retention).date())
        self._run("DELETE FROM rate_window WHERE window_start < ?", (stamp - 86_400,))
        usage_cutoff = (now - self.usage_retention).date().isoformat()
        self._run("DELETE FROM usage_daily WHERE day < ?", (usage_cutoff,))

    def purge_unanswered(self, before: dt.date | None) -> int:
        """Erase unanswered questions asked before `before` (all with None); how many rows."""
        with self._connector.connection() as db:
            sql = _Sql(db, self._connector.placeholder)
            if before is None:
                return max(0, sql.run("DELETE FROM unanswered")[1])
            return max(0, sql.run("DELETE FROM unanswered WHERE day < ?", (before.isoformat(),))[1])

    def unanswered_rows(self, since: dt.date | None = None) -> list[AskedRow]:
        """Every kept question with its day and kind, from `since` on (all with None), for the
        gap report."""
        rows = self._run(
            "SELECT day, lang, text, hits, kind FROM unanswered WHERE day >= ? "
            "ORDER BY day, lang, text, kind",
            ((since or dt.date.min).isoformat(),),
        )
        return [
            AskedRow(
                day=dt.date.fromisoformat(str(r[0])),
                lang=str(r[1]),
                text=str(r[2]),
                hits=int(r[3]),
                kind="ambiguous" if r[4] == "ambiguous" else "unanswered",
            )
            for r in rows
        ]

    def unanswered(self, limit: int = 50) -> list[UnansweredQuestion]:
        """The questions that got no answer at all, most asked first (ambiguous ones are in the
        gap report only)."""
        rows = self._run(
            "SELECT lang, text, SUM(hits) AS n FROM unanswered WHERE kind = 'unanswered' "
            "GROUP BY lang, text ORDER BY n DESC, lang, text LIMIT ?",
            (limit,),
        )
        return [UnansweredQuestion(str(r[0]), str(r[1]), int(r[2])) for r in rows]

    def usage_rows(self, since: dt.date | None = None) -> list[UsageRow]:
        """The daily counts from `since` on (all with None), by day."""
        rows = self._run(
            "SELECT day, channel, lang_written, lang_answered, topic, decision, hits "
            "FROM usage_daily WHERE day >= ? "
            "ORDER BY day, channel, lang_written, lang_answered, topic, decision",
            ((since or dt.date.min).isoformat(),),
        )
        return [
            UsageRow(
                day=dt.date.fromisoformat(str(r[0])),
                channel=str(r[1]),
                lang_written=str(r[2]),
                lang_answered=str(r[3]),
                topic=str(r[4]),
                decision=str(r[5]),
                count=int(r[6]),
            )
            for r in rows
        ]

    def ping(self) -> None:
        self._run("SELECT 1")

    @property
    def connector(self) -> Connector:
        return self._connector

    @property
    def in_process(self) -> bool:
        """True for SQLite: callers on an event loop may call it inline (no thread hop)."""
        return self._connector.in_process

    def close(self) -> None:
        self._connector.close()


# The store's interface is this class; tests use it over a temporary SQLite file.
Store = SqlStore


def open_store(
    database_url: str,
    retention: dt.timedelta = RETENTION,
    unanswered_retention: dt.timedelta = UNANSWERED_RETENTION,
    usage_retention: dt.timedelta = USAGE_RETENTION,
) -> SqlStore:
    return SqlStore(connect(database_url), retention, unanswered_retention, usage_retention)


def open_configured_store(settings: Settings) -> SqlStore:
    """The store with the retentions the operator set: opening a store purges by them, so a
    staff command must not open it with the defaults."""
    return open_store(
        settings.database_url,
        unanswered_retention=dt.timedelta(days=settings.gfmd_unanswered_retention_days),
        usage_retention=dt.timedelta(days=settings.gfmd_usage_retention_days),
    )
