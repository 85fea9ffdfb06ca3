from __future__ import annotations

import asyncio
import logging
import os
import re
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import psycopg
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from bot.app import create_app
from bot.channel_status import ChannelStatus
from bot.conversation import Conversation
from bot.i18n import Catalogs
from bot.messages import Channel, Inbound
from bot.metrics import Metrics
from bot.runtime import KnowledgeHolder, Runtime
from bot.server import uvicorn_options
from bot.settings import Settings
from bot.state_store import open_store
from gfmd_info.knowledge import Knowledge

REPO = Path(__file__).resolve().parents[2]
ADMIN_TOKEN = "admin-token-for-tests"
AS_ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
MARKER = "Reload marker ZEBRA. Keep your payslips."
OUTSIDE = ("203.0.113.7", 40000)


class FakeChannel:
    """A channel as the app sees one: routes, a status, a lifespan; and a slow route."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self.slow_started = asyncio.Event()

    def mount(self, app: FastAPI, runtime: Runtime) -> ChannelStatus:
        @app.post("/fake/{name}")
        def receive_fake(name: str) -> dict[str, str]:
            return {"name": name}

        @app.post("/fake-slow")
        async def receive_slowly() -> dict[str, str]:
            self.slow_started.set()
            await asyncio.sleep(0.5)
            return {"done": "yes"}

        @asynccontextmanager
        async def lifespan() -> AsyncIterator[None]:
            self.events.append("started")
            yield
            self.events.append("stopped")

        return ChannelStatus("fake", False, "FAKE_TOKEN unset", lifespan)


def settings_for(content: Path, tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        gfmd_content_dir=content,
        gfmd_locales_dir=REPO / "locales",
        gfmd_var_dir=tmp_path / "var",
        database_url=f"sqlite:///{tmp_path}/state.sqlite3",
        gfmd_bot_secret="test-secret",
        gfmd_bot_admin_token=ADMIN_TOKEN,
    )


@pytest.fixture
def content(content_copy: Path) -> Path:
    return content_copy


@pytest.fixture
def runtime(content: Path, tmp_path: Path, knowledge: Knowledge, catalogs: Catalogs) -> Runtime:
    """A runtime over a copy of the content, starting from the content loaded once per session
    (the same files): only a reload reads the copy."""
    settings = settings_for(content, tmp_path)
    holder = KnowledgeHolder(content, knowledge)
    store = open_store(settings.database_url)
    metrics = Metrics()
    metrics.set_content_version(knowledge.content.version)
    conversation = Conversation(holder, catalogs, store)
    return Runtime(settings, holder, catalogs, store, conversation, metrics, b"test-secret")


@pytest.fixture
def channel() -> FakeChannel:
    return FakeChannel()


@pytest.fixture
def app(runtime: Runtime, channel: FakeChannel) -> FastAPI:
    return create_app(runtime.settings, runtime, channels=[channel.mount])


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """Staff on loopback, with the admin token (needed on every call once it is set)."""
    with TestClient(app, headers=AS_ADMIN) as test_client:
        yield test_client


def samples(client: TestClient, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    response = client.get("/metrics")
    found = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            if sample.name == name:
                found[tuple(sorted(sample.labels.items()))] = sample.value
    return found


def edit_summary(content: Path, summary: str) -> Path:
    path = content / "en" / "unpaid-wages.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        re.sub(r"^summary: .*\n(?:  .*\n)*", f"summary: {summary}\n", text, count=1, flags=re.M),
        encoding="utf-8",
    )
    return path


def answer(runtime: Runtime, who: str) -> str:
    key = runtime.user_key(Channel.SMS, who)
    reply = runtime.conversation.handle(Inbound(Channel.SMS, key, "my boss did not pay me"))
    assert reply is not None
    return "\n".join(block.text for block in reply.blocks)


# -- health, readiness, metrics -----------------------------------------------------------------


def test_healthz_says_the_process_is_alive(client: TestClient) -> None:
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_readyz_is_ready_with_the_content_version(client: TestClient, runtime: Runtime) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "ready": True,
        "content_version": runtime.knowledge().content.version,
        "reasons": [],
        "warnings": [],
    }


def test_readyz_is_503_with_the_reason_when_the_store_is_gone(
    client: TestClient, runtime: Runtime
) -> None:
    runtime.store.close()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["reasons"] == ["store unreachable: ProgrammingError"]


def test_metrics_are_prometheus_text_with_the_content_version(
    client: TestClient, runtime: Runtime
) -> None:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    version = runtime.knowledge().content.version
    assert samples(client, "gfmd_content_info") == {(("version", version),): 1.0}
    families = {f.name for f in text_string_to_metric_families(response.text)}
    assert {
        "gfmd_messages",
        "gfmd_unanswered",
        "gfmd_duplicates",
        "gfmd_rejected_signatures",
        "gfmd_rate_limited",
        "gfmd_request_seconds",
        "gfmd_content_info",
    } <= families


# -- request latency and request logs -----------------------------------------------------------


def test_channel_routes_are_timed_by_route_template(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.app")
    for name in ("alpha", "beta"):
        assert client.post(f"/fake/{name}?From=%2B14155550100").status_code == 200
    client.get("/healthz")
    client.get("/readyz")
    client.post("/no/such/route")

    counts = samples(client, "gfmd_request_seconds_count")
    assert counts == {(("route", "/fake/{name}"),): 2.0}
    logged = [r for r in caplog.records if getattr(r, "event", "") == "webhook_request"]
    assert [(r.route, r.method, r.status) for r in logged] == [  # type: ignore[attr-defined]
        ("/fake/{name}", "POST", 200),
        ("/fake/{name}", "POST", 200),
    ]
    text = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    assert "alpha" not in text and "4155550100" not in text


# -- admin: reload ------------------------------------------------------------------------------


def test_reload_answers_with_the_content_version(client: TestClient, runtime: Runtime) -> None:
    response = client.post("/admin/reload")
    assert response.status_code == 200
    assert response.json() == {
        "reloaded": True,
        "version": runtime.knowledge().content.version,
        "problems": [],
    }


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 403),
        ({"Authorization": "Bearer wrong"}, 403),
        ({"Authorization": f"Bearer {ADMIN_TOKEN}"}, 200),
    ],
)
def test_reload_from_outside_needs_the_admin_token(
    app: FastAPI, headers: dict[str, str], status: int
) -> None:
    with TestClient(app, client=OUTSIDE) as outside:
        assert outside.post("/admin/reload", headers=headers).status_code == status
        assert outside.get("/admin/unanswered", headers=headers).status_code == status


def test_with_a_token_set_loopback_needs_it_too(app: FastAPI) -> None:
    with TestClient(app) as loopback:
        assert loopback.post("/admin/reload").status_code == 403
        assert loopback.post("/admin/reload", headers=AS_ADMIN).status_code == 200


def test_a_proxied_request_is_not_taken_for_loopback(
    runtime: Runtime, channel: FakeChannel
) -> None:
    runtime.settings = runtime.settings.model_copy(update={"gfmd_bot_admin_token": None})
    app = create_app(runtime.settings, runtime, channels=[channel.mount])
    with TestClient(app) as loopback:
        response = loopback.post("/admin/reload", headers={"X-Forwarded-For": "203.0.113.7"})
    assert response.status_code == 403


def _exposed(runtime: Runtime, **changes: object) -> Runtime:
    """The same runtime with GFMD_BOT_PUBLIC_URL set (and `changes`)."""
    update = {"gfmd_bot_public_url": "https://bot.example.org", **changes}
    runtime.settings = runtime.settings.model_copy(update=update)
    return runtime


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 403),
        ({"Authorization": "Bearer wrong"}, 403),
        ({"Authorization": f"Bearer {ADMIN_TOKEN}"}, 200),
    ],
)
def test_with_a_public_url_even_loopback_needs_the_admin_token(
    runtime: Runtime, channel: FakeChannel, headers: dict[str, str], status: int
) -> None:
    app = create_app(runtime.settings, _exposed(runtime), channels=[channel.mount])
    with TestClient(app) as loopback:  # what a same-host proxy without X-Forwarded-For looks like
        assert loopback.post("/admin/reload", headers=headers).status_code == status
        assert loopback.get("/admin/unanswered", headers=headers).status_code == status


def test_with_a_public_url_and_no_admin_token_admin_routes_are_closed_and_the_log_says_so(
    runtime: Runtime, channel: FakeChannel, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.app")
    exposed = _exposed(runtime, gfmd_bot_admin_token=None)
    app = create_app(exposed.settings, exposed, channels=[channel.mount])
    with TestClient(app) as loopback:
        response = loopback.post("/admin/reload")
    assert response.status_code == 403
    assert "GFMD_BOT_ADMIN_TOKEN" in response.json()["detail"]
    [logged] = [r for r in caplog.records if getattr(r, "event", "") == "admin_access"]
    assert logged.levelno == logging.WARNING
    assert logged.usable is False  # type: ignore[attr-defined]
    assert "GFMD_BOT_PUBLIC_URL is set and GFMD_BOT_ADMIN_TOKEN is not" in logged.reason  # type: ignore[attr-defined]


def test_without_a_public_url_loopback_needs_no_admin_token(
    runtime: Runtime, channel: FakeChannel
) -> None:
    runtime.settings = runtime.settings.model_copy(update={"gfmd_bot_admin_token": None})
    app = create_app(runtime.settings, runtime, channels=[channel.mount])
    with TestClient(app) as loopback:
        assert loopback.post("/admin/reload").status_code == 200


def test_a_good_edit_is_served_after_post_admin_reload(
    client: TestClient, runtime: Runtime, content: Path
) -> None:
    before = runtime.knowledge().content.version
    assert MARKER not in answer(runtime, "+14155550100")
    edit_summary(content, MARKER)

    response = client.post("/admin/reload")

    assert response.status_code == 200
    assert response.json()["version"] != before
    assert MARKER in answer(runtime, "+14155550101")
    assert client.get("/readyz").json()["content_version"] == response.json()["version"]


def test_a_broken_edit_is_refused_whole_and_readyz_stays_200_with_warnings(
    client: TestClient, runtime: Runtime, content: Path
) -> None:
    before = runtime.knowledge().content.version
    first = answer(runtime, "+14155550100")
    path = edit_summary(content, MARKER)
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("title: ", "title: [", 1))

    response = client.post("/admin/reload")

    assert response.status_code == 422
    body = response.json()
    assert body["reloaded"] is False and body["version"] == before
    assert any(re.search(r"en/unpaid-wages\.yaml:\d+: ", p) for p in body["problems"])
    assert answer(runtime, "+14155550101") == first
    # The previous content still serves: one typo must not take every replica out of a load
    # balancer. The problems are listed as warnings until a good reload.
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["ready"] is True and ready.json()["reasons"] == []
    assert ready.json()["content_version"] == before
    warnings = ready.json()["warnings"]
    assert warnings[0] == f"content reload refused, still serving {before}: {body['problems'][0]}"

    path.write_text(good, encoding="utf-8")
    assert client.post("/admin/reload").status_code == 200
    assert client.get("/readyz").json()["warnings"] == []


def test_readyz_is_503_when_no_language_can_be_served(
    client: TestClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime.conversation, "ui_languages", lambda knowledge: [])
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["reasons"] == ["no language has complete content and catalogs"]


# -- lifespan and channels ----------------------------------------------------------------------


def test_the_lifespan_runs_each_channels_own_and_then_closes_the_store(
    app: FastAPI, runtime: Runtime, channel: FakeChannel
) -> None:
    with TestClient(app) as client:
        assert channel.events == ["started"]
        assert client.get("/readyz").status_code == 200
    assert channel.events == ["started", "stopped"]
    assert runtime.readiness() == ["store unreachable: ProgrammingError"]


def test_each_channel_status_is_kept_and_logged(
    runtime: Runtime, channel: FakeChannel, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.app")
    app = create_app(runtime.settings, runtime, channels=[channel.mount])
    assert [(s.name, s.live, s.reason) for s in app.state.channels] == [
        ("fake", False, "FAKE_TOKEN unset")
    ]
    logged = [r.__dict__ for r in caplog.records if getattr(r, "event", "") == "channel_status"]
    assert [(r["channel"], r["live"], r["reason"]) for r in logged] == [
        ("fake", False, "FAKE_TOKEN unset")
    ]


def test_without_credentials_both_real_channels_are_mounted_and_refuse_calls(
    runtime: Runtime,
) -> None:
    app = create_app(runtime.settings, runtime)
    assert {(s.name, s.live) for s in app.state.channels} == {
        ("sms", False),
        ("telegram", False),
        ("preview", True),  # staff only: the admin token (or loopback while none is set)
    }
    with TestClient(app) as client:
        sms = client.post("/sms/twilio", data={"From": "+14155550100", "Body": "hello"})
        telegram = client.post("/telegram/webhook", json={"update_id": 1})
    assert sms.status_code in (403, 503)
    assert telegram.status_code in (403, 404)


# -- graceful shutdown under uvicorn ------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_uvicorn_finishes_a_request_in_flight_before_closing_the_store(
    app: FastAPI, runtime: Runtime, channel: FakeChannel
) -> None:
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, **uvicorn_options("127.0.0.1", port)))

    async def stop_during_a_request() -> httpx.Response:
        serving = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.01)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            in_flight = asyncio.create_task(http.post("/fake-slow"))
            await channel.slow_started.wait()
            server.should_exit = True
            response = await in_flight
        await serving
        return response

    response = asyncio.run(stop_during_a_request())
    assert (response.status_code, response.json()) == (200, {"done": "yes"})
    assert channel.events == ["started", "stopped"]
    assert runtime.readiness() == ["store unreachable: ProgrammingError"]


@pytest.mark.postgres
def test_readyz_is_ready_again_after_the_database_drops_every_connection(
    content: Path, tmp_path: Path, knowledge: Knowledge, catalogs: Catalogs, channel: FakeChannel
) -> None:
    url = os.environ.get("GFMD_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("GFMD_TEST_POSTGRES_URL is not set")
    # Only this app's connections are dropped: other tests may share the server.
    name = f"gfmd-readyz-{uuid.uuid4().hex}"
    settings = settings_for(content, tmp_path).model_copy(
        update={"database_url": f"{url}{'&' if '?' in url else '?'}application_name={name}"}
    )
    holder = KnowledgeHolder(content, knowledge)
    store = open_store(settings.database_url)
    conversation = Conversation(holder, catalogs, store)
    runtime = Runtime(settings, holder, catalogs, store, conversation, Metrics(), b"test-secret")
    app = create_app(settings, runtime, channels=[channel.mount])
    with TestClient(app, headers=AS_ADMIN) as client:
        assert client.get("/readyz").status_code == 200
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = %s",
                (name,),
            )
        response = client.get("/readyz")
        assert response.status_code == 200, response.json()
        assert response.json()["reasons"] == []
