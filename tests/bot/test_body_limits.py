"""Every route refuses an oversized body before reading it, whoever sends it and however.

The app is driven at its ASGI edge with the body streamed from a generator, as a server would
hand it over: nothing but the app can hold it in memory, and the bytes it pulled are counted.
"""

from __future__ import annotations

import asyncio
import socket
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from bot.app import create_app
from bot.body_limit import DEFAULT_LIMIT, ROUTE_LIMITS, BodyLimit
from bot.conversation import Conversation
from bot.i18n import Catalogs
from bot.metrics import Metrics
from bot.runtime import KnowledgeHolder, Runtime
from bot.server import uvicorn_options
from bot.settings import Settings
from bot.state_store import open_store
from gfmd_info.knowledge import Knowledge

REPO = Path(__file__).resolve().parents[2]
MB = 1024 * 1024
CHUNK = 64 * 1024
MEMORY_RISE_LIMIT = 20 * MB


@pytest.fixture
def app(tmp_path: Path, knowledge: Knowledge, catalogs: Catalogs) -> Iterator[FastAPI]:
    """The real app with every channel on (so each route's own checks run), and no
    credentials sent by any call."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        gfmd_content_dir=REPO / "content",
        gfmd_locales_dir=REPO / "locales",
        gfmd_var_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path}/state.sqlite3",
        gfmd_bot_secret="test-secret",
        gfmd_bot_admin_token="admin-token",
        gfmd_bot_public_url="https://bot.example.org",
        twilio_auth_token="0123456789abcdef0123456789abcdef",
        telegram_bot_token="123456:" + "A" * 35,
        telegram_secret_token="telegram-secret",
    )
    holder = KnowledgeHolder(settings.gfmd_content_dir, knowledge)
    store = open_store(settings.database_url)
    runtime = Runtime(
        settings, holder, catalogs, store, Conversation(holder, catalogs, store), Metrics(), b"s"
    )
    yield create_app(settings, runtime)
    runtime.close()


def routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path) the app serves, including those of included routers."""
    found = []
    pending = list(app.routes)
    while pending:
        route = pending.pop()
        if isinstance(route, Route):
            found += [(method, route.path) for method in sorted(route.methods or ())]
        included = getattr(route, "original_router", None)  # FastAPI's included router
        pending += getattr(included, "routes", [])
    assert {path for _, path in found} >= {"/sms/twilio", "/telegram/webhook", "/preview/message"}
    return found


class StreamedBody:
    """A body of `size` bytes handed over in chunks, as a server does; counts what was taken."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.taken = 0
        self._chunk = b"{" * CHUNK

    async def receive(self) -> Message:
        if self.taken >= self.size:
            await asyncio.sleep(0)
            return {"type": "http.disconnect"}
        n = min(CHUNK, self.size - self.taken)
        self.taken += n
        body = self._chunk if n == CHUNK else self._chunk[:n]
        return {"type": "http.request", "body": body, "more_body": self.taken < self.size}


def call(
    app: Any,
    method: str,
    path: str,
    body: StreamedBody,
    declared: bool,
    extra: tuple[tuple[bytes, bytes], ...] = (),
) -> int:
    """The status the app answers; the body is only ever in `body`'s one reused chunk."""
    headers = [(b"host", b"bot.example.org"), (b"content-type", b"application/json"), *extra]
    if declared:
        headers.append((b"content-length", str(body.size).encode()))
    else:
        headers.append((b"transfer-encoding", b"chunked"))
    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("203.0.113.7", 40000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(app(scope, body.receive, send))
    [start] = [m for m in sent if m["type"] == "http.response.start"]
    return int(start["status"])


@pytest.mark.parametrize("size", [10 * MB, 100 * MB], ids=["10MB", "100MB"])
@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "streamed"])
def test_every_route_refuses_a_large_body_before_reading_it(
    app: FastAPI, size: int, declared: bool
) -> None:
    for method, path in routes(app):
        limit = ROUTE_LIMITS.get(path, DEFAULT_LIMIT)
        body = StreamedBody(size)
        tracemalloc.start()
        try:
            status = call(app, method, path, body, declared)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        where = f"{method} {path}"
        assert peak < MEMORY_RISE_LIMIT, f"{where}: {peak} bytes at peak"
        if declared:
            assert (status, body.taken) == (413, 0), where
        else:
            # Refused at the first chunk past the limit, or earlier by the route's own checks;
            # a route that takes no body (health, metrics) answers without reading any.
            assert status in (403, 404, 405, 413) or body.taken == 0, f"{where}: {status}"
            assert body.taken <= limit + CHUNK, f"{where}: read {body.taken} bytes"


def test_a_body_within_the_limit_reaches_the_route(app: FastAPI) -> None:
    body = StreamedBody(ROUTE_LIMITS["/preview/message"])
    staff = ((b"authorization", b"Bearer admin-token"),)
    # Read whole, then found not to be the preview's JSON.
    assert call(app, "POST", "/preview/message", body, declared=True, extra=staff) == 422
    assert body.taken == body.size


async def _parser_that_turns_errors_into_400(scope: Scope, receive: Receive, send: Send) -> None:
    try:
        while (await receive()).get("more_body"):
            pass
        status = 200
    except Exception:
        status = 400
    await send({"type": "http.response.start", "status": status, "headers": []})
    await send({"type": "http.response.body", "body": b"parsed"})


def test_an_app_that_swallows_the_error_still_answers_413_and_reads_no_further() -> None:
    guarded = BodyLimit(_parser_that_turns_errors_into_400, limits={}, default=CHUNK)
    body = StreamedBody(10 * MB)
    assert call(guarded, "POST", "/anything", body, declared=False) == 413
    assert body.taken == 2 * CHUNK


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_under_uvicorn_a_declared_100_mb_body_is_refused_from_its_headers(app: FastAPI) -> None:
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, **uvicorn_options("127.0.0.1", port)))
    request = (
        b"POST /preview/message HTTP/1.1\r\nHost: bot.example.org\r\n"
        b"Content-Type: application/json\r\nContent-Length: 104857600\r\n\r\n{"
    )

    async def post_headers_only() -> bytes:
        serving = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.01)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(request)
        await writer.drain()
        answer = await reader.read(4096)
        writer.close()
        server.should_exit = True
        await serving
        return answer

    answer = asyncio.run(post_headers_only())
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:40]
