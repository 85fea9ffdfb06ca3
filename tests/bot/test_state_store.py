from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest

from bot.state import Position, UserState
from bot.state_store import SqlStore, open_store

POSTGRES_URL = os.environ.get("GFMD_TEST_POSTGRES_URL")
NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    if request.param == "sqlite":
        opened = open_store(f"sqlite:///{tmp_path}/state.sqlite3")
    else:
        if not POSTGRES_URL:
            pytest.skip("GFMD_TEST_POSTGRES_URL is not set")
        opened = open_store(POSTGRES_URL)
    yield opened
    opened.close()


def _key() -> str:
    # Unique per test so runs against a shared PostgreSQL database never collide.
    return uuid.uuid4().hex


def test_state_is_saved_and_loaded_unchanged(store: SqlStore) -> None:
    key = _key()
    state = UserState(
        language="ar",
        country="AE",
        position=Position.TOPIC,
        topic="shelter",
        page=2,
        options=("t:food-and-cash", "m:menu"),
        disclaimer_shown=True,
    )
    store.save(key, state)
    assert store.load(key) == state


def test_delete_erases_state_and_rate_counter(store: SqlStore) -> None:
    key = _key()
    store.save(key, UserState(language="es"))
    store.count_message(key, NOW, 600)
    store.delete(key)
    assert store.load(key) is None
    assert store.count_message(key, NOW, 600) == 1


def test_a_delivery_id_is_first_only_once(store: SqlStore) -> None:
    delivery = f"twilio:SM{_key()}"
    assert store.first_delivery(delivery, NOW) is True
    assert store.first_delivery(delivery, NOW) is False


def test_message_counter_restarts_with_each_window(store: SqlStore) -> None:
    key = _key()
    assert [store.count_message(key, NOW, 600) for _ in range(3)] == [1, 2, 3]
    later = NOW + dt.timedelta(minutes=11)
    assert store.count_message(key, later, 600) == 1


def test_unanswered_questions_are_counted_without_any_user_key(store: SqlStore) -> None:
    text = f"question {_key()}"
    store.record_unanswered("xx", text, NOW.date())
    store.record_unanswered("xx", text, NOW.date())
    found = [q for q in store.unanswered(500) if q.text == text]
    assert [(q.lang, q.hits) for q in found] == [("xx", 2)]


def test_the_same_question_is_kept_apart_as_unanswered_and_as_ambiguous(store: SqlStore) -> None:
    text = f"question {_key()}"
    store.record_unanswered("xx", text, NOW.date())
    store.record_unanswered("xx", text, NOW.date(), kind="ambiguous")
    store.record_unanswered("xx", text, NOW.date(), kind="ambiguous")
    kept = {(row.kind, row.hits) for row in store.unanswered_rows() if row.text == text}
    assert kept == {("unanswered", 1), ("ambiguous", 2)}
    # The plain listing is of questions that got no answer at all.
    assert [q.hits for q in store.unanswered(500) if q.text == text] == [1]


def test_a_database_of_the_version_before_kinds_is_upgraded_keeping_its_questions(
    tmp_path: Path,
) -> None:
    path = tmp_path / "state.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(
        """CREATE TABLE user_state (
            user_key TEXT PRIMARY KEY, state TEXT NOT NULL, updated_on TEXT NOT NULL);
        CREATE TABLE unanswered (
            lang TEXT NOT NULL, text TEXT NOT NULL, day TEXT NOT NULL, hits INTEGER NOT NULL,
            PRIMARY KEY (lang, text, day));
        CREATE INDEX unanswered_by_day ON unanswered (day);
        INSERT INTO unanswered VALUES ('es', 'no me pagan', '2026-11-20', 3);"""
    )
    old.close()

    for _ in range(2):  # a second start finds nothing left to do
        store = open_store(f"sqlite:///{path}", unanswered_retention=dt.timedelta(days=3650))
        try:
            rows = store.unanswered_rows()
            store.record_unanswered("es", "no me pagan", dt.date(2026, 11, 20), kind="ambiguous")
        finally:
            store.close()
    assert [(row.kind, row.hits) for row in rows] == [("ambiguous", 1), ("unanswered", 3)]
    db = sqlite3.connect(path)
    try:
        versions = db.execute("SELECT version FROM schema_version ORDER BY version").fetchall()
    finally:
        db.close()
    assert versions == [(1,), (2,)]


def test_state_written_by_one_process_is_read_by_a_fresh_one(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/state.sqlite3"
    writer = (
        "from bot.state_store import open_store; from bot.state import UserState, Position;"
        f"s = open_store({url!r}); s.save('k1', UserState(language='fr', "
        "position=Position.MENU, opted_out=True)); s.close()"
    )
    subprocess.run([sys.executable, "-c", writer], check=True)
    reader = (
        f"from bot.state_store import open_store; s = open_store({url!r}); st = s.load('k1');"
        "print(st.language, st.position, st.opted_out)"
    )
    out = subprocess.run([sys.executable, "-c", reader], check=True, capture_output=True, text=True)
    assert out.stdout.split() == ["fr", "menu", "True"]


def test_unknown_database_url_is_refused() -> None:
    with pytest.raises(ValueError, match="DATABASE_URL"):
        open_store("mysql://somewhere/db")


def test_people_silent_longer_than_the_retention_are_forgotten(store: SqlStore) -> None:
    key = _key()
    long_ago = (NOW - dt.timedelta(days=400)).date()
    store.save(key, UserState(language="es", last_seen=long_ago))
    store.record_unanswered("xx", f"old question {key}", long_ago)
    store.purge(NOW)
    assert store.load(key) is None
    assert not [q for q in store.unanswered(500) if key in q.text]


def test_a_state_this_version_cannot_read_starts_afresh(store: SqlStore) -> None:
    key = _key()
    store.save(key, UserState(language="fr"))
    store._run(  # a row written by some other version of the bot
        "UPDATE user_state SET state = ? WHERE user_key = ?", ('{"position": "gone"}', key)
    )
    assert store.load(key) is None


def test_a_failed_transaction_leaves_nothing_behind(store: SqlStore) -> None:
    key, delivery = _key(), f"twilio:SM{_key()}"
    with pytest.raises(RuntimeError), store.person(key) as session:
        assert session.first_delivery(delivery, NOW)
        session.save(UserState(language="fr"))
        raise RuntimeError("the reply could not be built")
    assert store.load(key) is None
    assert store.first_delivery(delivery, NOW) is True  # the retry is not a duplicate


def test_one_persons_transactions_never_interleave(store: SqlStore) -> None:
    key = _key()
    store.save(key, UserState(page=0))

    def bump() -> None:
        with store.person(key) as session:
            state = session.load()
            assert state is not None
            session.save(state.update(page=state.page + 1))

    with ThreadPoolExecutor(max_workers=8) as pool:
        for future in [pool.submit(bump) for _ in range(100)]:
            future.result()
    state = store.load(key)
    assert state is not None and state.page == 100


@pytest.mark.postgres
def test_the_postgres_store_answers_again_after_its_connections_are_killed() -> None:
    if not POSTGRES_URL:
        pytest.skip("GFMD_TEST_POSTGRES_URL is not set")
    # Only this store's connections are killed: other tests may share the server.
    name = f"gfmd-test-{_key()}"
    separator = "&" if "?" in POSTGRES_URL else "?"
    store = open_store(f"{POSTGRES_URL}{separator}application_name={name}")
    try:
        key = _key()
        store.save(key, UserState(language="ar"))
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            killed = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = %s",
                (name,),
            ).fetchone()
        assert killed is not None and killed[0] >= 1
        store.ping()
        state = store.load(key)
        assert state is not None and state.language == "ar"
    finally:
        store.close()
