"""The web preview shows staff what each medium would send, and only to staff."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.settings import Settings

REPO = Path(__file__).resolve().parents[3]
ADMIN = "preview-admin-token"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=f"sqlite:///{tmp_path}/state.sqlite3",
        gfmd_var_dir=tmp_path,
        gfmd_bot_secret="preview-secret",
        gfmd_bot_admin_token=ADMIN,
        gfmd_content_dir=REPO / "content",
        gfmd_locales_dir=REPO / "locales",
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """Staff: the admin token is needed on every call once it is set, loopback included."""
    with TestClient(create_app(settings), headers={"Authorization": f"Bearer {ADMIN}"}) as staff:
        yield staff


def message(client: TestClient, text: str, channel: str = "sms", **extra: object) -> dict:  # type: ignore[type-arg]
    body = {"session": "session-one", "channel": channel, "text": text, **extra}
    response = client.post("/preview/message", json=body)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_the_page_is_served_to_staff(client: TestClient) -> None:
    page = client.get("/preview")
    assert page.status_code == 200
    assert "gfmd-bot preview" in page.text


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


def test_the_preview_is_refused_from_outside_without_the_admin_token(settings: Settings) -> None:
    with TestClient(create_app(settings), client=("203.0.113.9", 5000)) as outside:
        assert outside.get("/preview").status_code == 403
        body = {"session": "session-two", "text": "hello"}
        assert outside.post("/preview/message", json=body).status_code == 403
        headers = {"Authorization": f"Bearer {ADMIN}"}
        assert outside.post("/preview/message", json=body, headers=headers).status_code == 200


def test_a_malformed_preview_request_is_a_clear_422(client: TestClient) -> None:
    response = client.post("/preview/message", json={"session": "x", "channel": "fax"})
    assert response.status_code == 422


def test_without_the_token_the_body_is_never_parsed(settings: Settings) -> None:
    with TestClient(create_app(settings)) as loopback:
        response = loopback.post(
            "/preview/message",
            content=b"{not json",
            headers={"content-type": "application/json"},
        )
    assert response.status_code == 403  # not 422: the token is checked first


def test_the_preview_takes_no_body_larger_than_it_needs(client: TestClient) -> None:
    body = {"session": "session-one", "text": "x" * 100_000}
    assert client.post("/preview/message", json=body).status_code == 413
