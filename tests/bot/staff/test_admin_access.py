"""Staff routes (`/admin/*`, `/preview`): the token on every call once set, loopback only
without a proxy while not, a Bearer token only, and no redirect built from the Host header."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from bot.content_holder import KnowledgeHolder, ReloadResult
from tests.support.staff_runtime import ADMIN_TOKEN as TOKEN

PREVIEW_BODY = {"session": "session-one", "text": "hello"}
# What a proxy on the same host may add; any of them, even empty, hides the real client.
PROXY_HEADERS = [
    {"X-Forwarded-For": "203.0.113.7"},
    {"X-Forwarded-For": ""},
    {"X-Real-IP": "203.0.113.7"},
    {"Forwarded": "for=203.0.113.7;proto=https"},
    {"X-Forwarded-Host": "bot.example.org"},
    {"X-Forwarded-Proto": "https"},
]


@pytest.fixture(autouse=True)
def instant_reload(monkeypatch: pytest.MonkeyPatch) -> None:
    """Who may reload is tested here; the reload itself (seconds of loading) in test_app.py."""
    monkeypatch.setattr(KnowledgeHolder, "reload", lambda self: ReloadResult(True, "same"))


def staff_calls(client: TestClient, headers: dict[str, str]) -> list[int]:
    """The status of a call to each staff route."""
    return [
        client.post("/admin/reload", headers=headers).status_code,
        client.get("/admin/unanswered", headers=headers).status_code,
        client.get("/preview", headers=headers).status_code,
        client.post("/preview/message", json=PREVIEW_BODY, headers=headers).status_code,
    ]


@pytest.mark.parametrize(
    "proxy", PROXY_HEADERS, ids=lambda h: next(iter(h)) + "=" + h[next(iter(h))]
)
def test_without_a_token_a_loopback_call_through_any_proxy_is_refused(
    make_client: Callable[..., TestClient], proxy: dict[str, str]
) -> None:
    with make_client() as loopback:
        assert staff_calls(loopback, proxy) == [403, 403, 403, 403]


def test_without_a_token_a_direct_loopback_call_is_let_in(
    make_client: Callable[..., TestClient],
) -> None:
    with make_client() as loopback:
        assert staff_calls(loopback, {}) == [200, 200, 200, 200]


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token", TOKEN, f"Token {TOKEN}", f"Basic {TOKEN}", "Bearer ", "Bearer"],
    ids=["none", "wrong", "bare", "other-scheme", "basic", "empty", "scheme-only"],
)
def test_with_a_token_set_loopback_without_the_right_bearer_token_is_refused(
    make_client: Callable[..., TestClient], authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    with make_client(gfmd_bot_admin_token=TOKEN) as loopback:
        assert staff_calls(loopback, headers) == [403, 403, 403, 403]


@pytest.mark.parametrize("scheme", ["Bearer", "bearer"])
def test_with_a_token_set_the_bearer_token_opens_every_staff_route(
    make_client: Callable[..., TestClient], scheme: str
) -> None:
    headers = {"Authorization": f"{scheme} {TOKEN}"}
    with make_client(gfmd_bot_admin_token=TOKEN) as loopback:
        assert staff_calls(loopback, headers) == [200, 200, 200, 200]
        assert staff_calls(loopback, {**headers, "X-Forwarded-For": "203.0.113.7"}) == [200] * 4


def test_a_trailing_slash_is_not_redirected_to_the_host_as_sent(
    make_client: Callable[..., TestClient],
) -> None:
    with make_client(gfmd_bot_admin_token=TOKEN) as client:
        for path in ("/admin/reload/", "/admin/unanswered/", "/preview/", "/healthz/"):
            response = client.request(
                "GET" if "reload" not in path else "POST",
                path,
                headers={"Host": "evil.example"},
                follow_redirects=False,
            )
            assert response.status_code == 404, path
            assert "location" not in response.headers, path
            assert "evil.example" not in response.text, path


def test_the_startup_line_says_the_token_is_needed_on_every_call(
    make_client: Callable[..., TestClient],
) -> None:
    with make_client(gfmd_bot_admin_token=TOKEN) as client:
        assert "every call" in client.app.state.admin_access  # type: ignore[attr-defined]
    with make_client() as client:
        assert "never through a proxy" in client.app.state.admin_access  # type: ignore[attr-defined]
