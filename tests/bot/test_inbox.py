"""The inbox row is the delivery's dedupe record and its work item: stored once, claimed by one
replica at a time, emptied when done."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.inbox import CLAIM_SECONDS, DONE, MAX_ATTEMPTS, Inbox
from bot.state_store import SqlStore, open_store

POSTGRES_URL = os.environ.get("GFMD_TEST_POSTGRES_URL")
NOW = dt.datetime.now(dt.UTC)
AFTER_CLAIM = NOW + dt.timedelta(seconds=CLAIM_SECONDS + 1)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/state.sqlite3"
    if not POSTGRES_URL:
        pytest.skip("GFMD_TEST_POSTGRES_URL is not set")
    return POSTGRES_URL


@pytest.fixture
def stores(url: str) -> Iterator[tuple[SqlStore, SqlStore]]:
    """Two replicas' stores over one database."""
    first, second = open_store(url), open_store(url)
    yield first, second
    first.close()
    second.close()


def _ids(count: int) -> list[str]:
    run = uuid.uuid4().hex[:12]  # a shared PostgreSQL database keeps other runs' rows
    return [f"telegram:{run}{n}" for n in range(count)]


def test_a_delivery_is_stored_once(stores: tuple[SqlStore, SqlStore]) -> None:
    inbox = Inbox(stores[0])
    [delivery] = _ids(1)
    assert inbox.accept(delivery, "{}", NOW) is True
    assert inbox.accept(delivery, "{}", NOW) is False
    assert Inbox(stores[1]).accept(delivery, "{}", NOW) is False


def test_replicas_never_claim_the_same_row(stores: tuple[SqlStore, SqlStore]) -> None:
    one, other = Inbox(stores[0]), Inbox(stores[1])
    mine = set(_ids(6))
    for delivery in mine:
        one.accept(delivery, '{"update_id": 1}', NOW)
    assert not {r.delivery_id for r in one.claim_due(NOW, 100)} & mine  # claimed on accept

    first = {r.delivery_id for r in one.claim_due(AFTER_CLAIM, 3)}
    second = {r.delivery_id for r in other.claim_due(AFTER_CLAIM, 1000)}
    assert not first & second
    assert mine <= first | second


def test_a_done_row_keeps_only_its_id(stores: tuple[SqlStore, SqlStore]) -> None:
    inbox = Inbox(stores[0])
    [delivery] = _ids(1)
    inbox.accept(delivery, '{"text": "no me pagan"}', NOW)
    inbox.finish(delivery)
    later = AFTER_CLAIM + dt.timedelta(days=1)
    assert delivery not in {r.delivery_id for r in inbox.claim_due(later, 1000)}
    assert inbox.accept(delivery, "{}", NOW) is False
    # The row stays as the dedupe record, its text gone.
    with stores[0].connector.connection() as db:
        cursor = db.cursor()
        cursor.execute(
            "SELECT state, payload FROM inbox WHERE delivery_id = "
            + stores[0].connector.placeholder,
            (delivery,),
        )
        assert cursor.fetchall() == [(DONE, "")]


def test_a_send_that_keeps_failing_is_given_up(stores: tuple[SqlStore, SqlStore]) -> None:
    inbox = Inbox(stores[0])
    [delivery] = _ids(1)
    inbox.accept(delivery, "{}", NOW)
    results = [inbox.retry_later(delivery, NOW, 10) for _ in range(MAX_ATTEMPTS)]
    assert results == [True] * (MAX_ATTEMPTS - 1) + [False]
    assert delivery not in {r.delivery_id for r in inbox.claim_due(AFTER_CLAIM, 1000)}
