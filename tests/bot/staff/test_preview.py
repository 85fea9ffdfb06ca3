"""The web preview shows staff what each medium would send, and only to staff; below the chat,
the last 30 days' use and what the bot could not answer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.runtime import Runtime
from tests.support.staff_runtime import ADMIN_TOKEN, AS_STAFF


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> Iterator[TestClient]:
    """Staff: the admin token is needed on every call once it is set, loopback included."""
    with make_client(headers=AS_STAFF, gfmd_bot_admin_token=ADMIN_TOKEN) as staff:
        yield staff


def message(client: TestClient, text: str, channel: str = "sms", **extra: object) -> Any:
    body = {"session": "session-one", "channel": channel, "text": text, **extra}
    response = client.post("/preview/message", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def runtime_of(client: TestClient) -> Runtime:
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return runtime


def test_the_page_is_served_to_staff(client: TestClient) -> None:
    page = client.get("/preview")
    assert page.status_code == 200
    assert "gfmd-bot preview" in page.text
    assert '<option value="ar">' in page.text  # the language hint offers what the bot speaks


def test_sms_preview_shows_pages_with_their_encoding_and_segments(client: TestClient) -> None:
    shown = message(client, "mi patron no me paga", country="MX")
    [page] = shown["messages"]
    assert page["encoding"] == "gsm7" and 1 <= page["segments"] <= 3
    assert "MAS" in page["text"]


def test_telegram_preview_shows_buttons_that_carry_option_ids(client: TestClient) -> None:
    shown = message(client, "hello", channel="telegram")
    buttons = [b for m in shown["messages"] for row in m["buttons"] for b in row]
    assert {"l:en", "l:es", "l:fr", "l:ar"} <= {b["data"] for b in buttons}
    chosen = message(client, "", channel="telegram", option_id="l:ar")
    assert chosen["rtl"] is True


def test_with_nothing_stored_the_page_says_so_in_words(client: TestClient) -> None:
    page = client.get("/preview").text
    assert "No messages in the last 30 days" in page
    assert "No unanswered questions since " in page


def test_the_page_charts_the_last_30_days_and_lists_the_gaps_masked(client: TestClient) -> None:
    runtime = runtime_of(client)
    today = dt.datetime.now(dt.UTC).date()
    with runtime.store.person("someone") as session:
        session.count_usage(today, "sms", "es", "es", "unpaid-wages", "answer")
        session.record_unanswered("en", "call me on 0501234567 about my visa", today)
    page = client.get("/preview").text
    usage = page[page.index('<section id="usage">') : page.index('<section id="gaps">')]
    assert "<svg" in usage and 'class="bar"' in usage
    gaps = page[page.index('<section id="gaps">') :]
    assert "call me on # about my visa" in gaps and "0501234567" not in page


def test_the_previews_own_turns_are_not_counted(client: TestClient) -> None:
    message(client, "mi patron no me paga", country="MX")
    assert runtime_of(client).store.usage_rows() == []


def test_the_preview_is_refused_from_outside_without_the_admin_token(
    make_client: Callable[..., TestClient],
) -> None:
    with make_client(client=("203.0.113.9", 5000), gfmd_bot_admin_token=ADMIN_TOKEN) as outside:
        assert outside.get("/preview").status_code == 403
        body = {"session": "session-two", "text": "hello"}
        assert outside.post("/preview/message", json=body).status_code == 403
        assert outside.post("/preview/message", json=body, headers=AS_STAFF).status_code == 200


def test_a_malformed_preview_request_is_a_clear_422(client: TestClient) -> None:
    response = client.post("/preview/message", json={"session": "x", "channel": "fax"})
    assert response.status_code == 422


def test_without_the_token_the_body_is_never_parsed(
    make_client: Callable[..., TestClient],
) -> None:
    with make_client(gfmd_bot_admin_token=ADMIN_TOKEN) as loopback:
        response = loopback.post(
            "/preview/message",
            content=b"{not json",
            headers={"content-type": "application/json"},
        )
    assert response.status_code == 403  # not 422: the token is checked first


def test_the_preview_takes_no_body_larger_than_it_needs(client: TestClient) -> None:
    body = {"session": "session-one", "text": "x" * 100_000}
    assert client.post("/preview/message", json=body).status_code == 413
