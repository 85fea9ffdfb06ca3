"""A local stand-in for the Telegram Bot API, served on loopback, that records every call.

python-telegram-bot reaches it through `TELEGRAM_API_BASE_URL` (its `base_url`), exactly as it
would reach a self-hosted Bot API server. It implements what the bot uses: getMe, sendMessage,
editMessageText, editMessageReplyMarkup, answerCallbackQuery, setWebhook, deleteWebhook,
getWebhookInfo and getUpdates (a short long-poll over updates queued by the test). Parameters
are recorded as the bot sent them, with JSON-valued fields (reply_markup, allowed_updates...)
decoded and ids turned into ints.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

BOT_USER: dict[str, Any] = {
    "id": 7000000001,
    "is_bot": True,
    "first_name": "GFMD test bot",
    "username": "gfmd_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}

# Parameters that python-telegram-bot sends JSON-encoded inside a form body.
_JSON_FIELDS = frozenset(
    {"reply_markup", "allowed_updates", "link_preview_options", "entities", "reply_parameters"}
)
_INT_FIELDS = frozenset({"chat_id", "message_id", "offset", "limit", "timeout", "max_connections"})
_LONG_POLL_CAP_SECONDS = 1.0


@dataclass(frozen=True)
class ApiCall:
    method: str
    params: dict[str, Any]


@dataclass(frozen=True)
class _Failure:
    error_code: int
    description: str


def _decode(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if key in _JSON_FIELDS:
        return json.loads(value)
    if key in _INT_FIELDS and value.lstrip("-").isdigit():
        return int(value)
    if value in ("true", "false") and key not in ("text", "url"):
        return value == "true"
    return value


class FakeBotApi:
    """The Bot API for one token. `base_url` is set once it is served."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.base_url = ""
        self._calls: list[ApiCall] = []
        self._updates: list[dict[str, Any]] = []
        self._failures: dict[str, list[_Failure]] = {}
        self._lock = threading.Lock()
        self._message_ids = itertools.count(1001)
        self._held: set[str] = set()
        self._waiting = 0
        self._methods: dict[str, Callable[[dict[str, Any]], Awaitable[Any]]] = {
            "getMe": self._get_me,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message,
            "editMessageReplyMarkup": self._edit_message,
            "answerCallbackQuery": self._true,
            "setWebhook": self._true,
            "deleteWebhook": self._true,
            "getWebhookInfo": self._webhook_info,
            "getUpdates": self._get_updates,
            "close": self._true,
            "logOut": self._true,
        }
        self.app = Starlette(
            routes=[Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])]
        )

    # -- what tests use ------------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[ApiCall]:
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[ApiCall]:
        """The first `count` calls of `method`, waiting for them to arrive; fails on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.calls(method)
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{count} {method} call(s) expected, {len(found)} arrived: "
                    f"{[c.method for c in self.calls()]}"
                )
            time.sleep(0.02)

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()

    def queue_update(self, update: dict[str, Any]) -> None:
        """An update for the next getUpdates (long polling)."""
        with self._lock:
            self._updates.append(update)

    def fail(self, method: str, error_code: int = 400, description: str = "Bad Request") -> None:
        """Make the next call of `method` fail as Telegram would."""
        with self._lock:
            self._failures.setdefault(method, []).append(_Failure(error_code, description))

    def hold(self, method: str) -> None:
        """Keep calls of `method` waiting, unanswered, until `release` (a slow Bot API). A call
        whose client goes away meanwhile is not performed (and not recorded)."""
        with self._lock:
            self._held.add(method)

    def release(self, method: str) -> None:
        with self._lock:
            self._held.discard(method)

    def waiting(self) -> int:
        """How many calls are being held."""
        with self._lock:
            return self._waiting

    # -- the API -------------------------------------------------------------------------------

    async def _endpoint(self, request: Request) -> JSONResponse:
        if request.path_params["token"] != self.token:
            return _error(401, "Unauthorized")
        method = str(request.path_params["method"])
        params = await _params(request)
        if method in self._held and not await self._held_until_released(method, request):
            return _error(499, "Client went away")
        with self._lock:
            self._calls.append(ApiCall(method, params))
            failures = self._failures.get(method)
            failure = failures.pop(0) if failures else None
        if failure is not None:
            return _error(failure.error_code, failure.description)
        handler = self._methods.get(method)
        if handler is None:
            return _error(404, "Not Found: method not found")
        return JSONResponse({"ok": True, "result": await handler(params)})

    async def _held_until_released(self, method: str, request: Request) -> bool:
        with self._lock:
            self._waiting += 1
        try:
            while method in self._held:
                await asyncio.sleep(0.01)
                if await request.is_disconnected():
                    return False
            return not await request.is_disconnected()
        finally:
            with self._lock:
                self._waiting -= 1

    async def _true(self, params: dict[str, Any]) -> bool:
        return True

    async def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return BOT_USER

    def _message(self, chat_id: int, message_id: int, params: dict[str, Any]) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "from": BOT_USER,
            "text": params.get("text", ""),
        }
        if "reply_markup" in params:
            message["reply_markup"] = params["reply_markup"]
        return message

    async def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._message(int(params["chat_id"]), next(self._message_ids), params)

    async def _edit_message(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        if "inline_message_id" in params:
            return True
        return self._message(int(params["chat_id"]), int(params["message_id"]), params)

    async def _webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        wait = min(float(params.get("timeout") or 0), _LONG_POLL_CAP_SECONDS)
        deadline = time.monotonic() + wait
        while True:
            with self._lock:
                # As Telegram does: an offset confirms every update below it.
                self._updates = [u for u in self._updates if int(u["update_id"]) >= offset]
                pending = list(self._updates[: int(params.get("limit") or 100)])
            if pending or time.monotonic() >= deadline:
                return pending
            await asyncio.sleep(0.02)


def _error(code: int, description: str) -> JSONResponse:
    body = {"ok": False, "error_code": code, "description": description}
    return JSONResponse(body, status_code=code)


async def _params(request: Request) -> dict[str, Any]:
    if request.headers.get("content-type", "").startswith("application/json"):
        raw = await request.json()
        return {str(k): v for k, v in (raw or {}).items()}
    form = await request.form()
    params = {key: _decode(key, value) for key, value in form.items()}
    params.update({key: _decode(key, value) for key, value in request.query_params.items()})
    return params


@contextmanager
def serve_fake_bot_api(token: str) -> Iterator[FakeBotApi]:
    """The fake API served by uvicorn in a thread on a free 127.0.0.1 port."""
    api = FakeBotApi(token)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    # log_config and log_level None: uvicorn leaves the process's logging configuration alone.
    config = uvicorn.Config(
        api.app,
        log_config=None,
        log_level=None,
        access_log=False,
        lifespan="off",
        ws="none",
        http="h11",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the fake Bot API did not start")
        time.sleep(0.01)
    api.base_url = f"http://127.0.0.1:{port}"
    try:
        yield api
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
