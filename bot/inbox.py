"""A durable inbox: a delivery is stored before it is acknowledged, and done once answered.

One row per delivery, and the row is also its dedupe record: `accept` inserts it or finds it
there (a repeated delivery). Its states: `queued` (the payload is the delivery as received),
`answered` (the payload is the answer to send, written by the intake in the same transaction
as the person's new state, see `PersonSession.keep_answer`), `done` (the payload is emptied:
nothing a person wrote stays once it is answered).

A row is worked on by whoever holds its claim (`claimed_until`). The process that accepts a
delivery claims it at once; rows whose claim ran out (a process that died, a send to retry)
are claimed by `claim_due`, with `FOR UPDATE SKIP LOCKED` on PostgreSQL so that several
replicas never take the same row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.state_store import SqlStore

QUEUED = "queued"
ANSWERED = "answered"
DONE = "done"
# Long enough for one update's sends; a row claimed longer than this is taken over.
CLAIM_SECONDS = 120
# A send that keeps failing (Bot API unreachable) is tried again later, this many times.
MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class InboxRow:
    delivery_id: str
    state: str
    payload: str


def _stamp(now: dt.datetime) -> int:
    return int(now.timestamp())


class Inbox:
    def __init__(self, store: SqlStore) -> None:
        self._store = store
        connector = store.connector
        self._ph = connector.placeholder
        # SQLite serves one process: whatever it left unfinished is this process's to resume.
        self.single_process = connector.in_process
        self._skip_locked = "" if connector.in_process else " FOR UPDATE SKIP LOCKED"

    def _run(
        self, sql: str, params: tuple[object, ...] = ()
    ) -> tuple[list[tuple[object, ...]], int]:
        with self._store.connector.connection() as db:
            cursor = db.cursor()
            try:
                cursor.execute(sql.replace("?", self._ph), params)
                rows = cursor.fetchall() if cursor.description else []
                return rows, cursor.rowcount
            finally:
                cursor.close()

    def accept(self, delivery_id: str, payload: str, now: dt.datetime) -> bool:
        """Store a delivery, claimed by the caller; False when it is already there."""
        _, inserted = self._run(
            "INSERT INTO inbox (delivery_id, state, payload, received_at, claimed_until, attempts)"
            " VALUES (?, ?, ?, ?, ?, 0) ON CONFLICT (delivery_id) DO NOTHING",
            (delivery_id, QUEUED, payload, _stamp(now), _stamp(now) + CLAIM_SECONDS),
        )
        return inserted == 1

    def claim_due(self, now: dt.datetime, limit: int, everything: bool = False) -> list[InboxRow]:
        """Unfinished rows whose claim ran out (all unfinished with `everything`), oldest
        first, now claimed by the caller."""
        due = 2**62 if everything else _stamp(now)
        rows, _ = self._run(
            "UPDATE inbox SET claimed_until = ? WHERE delivery_id IN ("
            "SELECT delivery_id FROM inbox WHERE state <> ? AND claimed_until < ? "
            f"ORDER BY received_at LIMIT ?{self._skip_locked}) "
            "RETURNING delivery_id, state, payload",
            (_stamp(now) + CLAIM_SECONDS, DONE, due, limit),
        )
        return [InboxRow(str(r[0]), str(r[1]), str(r[2])) for r in rows]

    def finish(self, delivery_id: str) -> None:
        """Answered, or refused for good by the provider: only the dedupe record stays."""
        self._run(
            "UPDATE inbox SET state = ?, payload = '' WHERE delivery_id = ?", (DONE, delivery_id)
        )

    def retry_later(self, delivery_id: str, now: dt.datetime, seconds: int) -> bool:
        """Leave the row for a later `claim_due`; False (and done) after `MAX_ATTEMPTS`."""
        rows, _ = self._run(
            "UPDATE inbox SET claimed_until = ?, attempts = attempts + 1 WHERE delivery_id = ? "
            "RETURNING attempts",
            (_stamp(now) + seconds, delivery_id),
        )
        if rows and int(str(rows[0][0])) >= MAX_ATTEMPTS:
            self.finish(delivery_id)
            return False
        return True

    def unfinished(self) -> int:
        rows, _ = self._run("SELECT COUNT(*) FROM inbox WHERE state <> ?", (DONE,))
        return int(str(rows[0][0])) if rows else 0
