"""The FastAPI app factory: health, readiness, metrics, the staff's routes, each channel's.

The core routes live here, the staff's in `bot.staff`. A channel, and the staff's preview,
hands the app its routes through `mount(app, runtime)`, which returns a `ChannelStatus` (live
or not, and why; see `bot.channel_status`). The app owns the runtime from then on:
its lifespan starts each channel's own lifespan, reloads content on SIGHUP, and closes the store
after the last request.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response
from prometheus_client import Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.admin_auth import admin_access
from bot.body_limit import BodyLimit
from bot.channel_status import ChannelMount, ChannelStatus
from bot.metrics import Metrics
from bot.runtime import Runtime, build_runtime
from bot.settings import Settings
from bot.staff import admin_routes
from bot.web_deps import RuntimeDep

# `bot.server` and the tests name the status of what is mounted through this module.
__all__ = ["ChannelMount", "ChannelStatus", "create_app"]

log = logging.getLogger(__name__)

PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


def _core_routes(app: FastAPI) -> None:
    @app.get("/healthz")
    async def healthz() -> Response:
        # On the event loop, not in the thread pool that the channels' work may fill.
        return Response(b'{"status":"ok"}', media_type="application/json")

    @app.get("/readyz")
    def readyz(runtime: RuntimeDep) -> JSONResponse:
        # Not ready (503) only when nothing can be served; a refused content load while other
        # content serves is a warning (200): one bad edit must not take every replica out.
        reasons = runtime.readiness()
        body = {
            "ready": not reasons,
            "content_version": runtime.knowledge().content.version,
            "reasons": reasons,
            "warnings": runtime.warnings(),
        }
        return JSONResponse(body, status_code=200 if not reasons else 503)

    @app.get("/metrics")
    def metrics(runtime: RuntimeDep) -> Response:
        return Response(runtime.metrics.render(), media_type=PROMETHEUS_TEXT)


class WebhookTiming:
    """Latency of the channels' routes, by route template, and one log line per call.

    Only routes a channel mounted are timed: core routes are polled by machines, and paths that
    match no route (scanners) would make a label per path. The log line names the route
    template, never the path or query as sent, nor the client's address.
    """

    def __init__(self, app: ASGIApp, metrics: Metrics, core_paths: frozenset[str]) -> None:
        self.app = app
        self.metrics = metrics
        self.core_paths = core_paths
        # Each route's histogram, looked up once: `labels()` takes a lock and checks the names.
        self._latency: dict[str, Histogram] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        if not log.isEnabledFor(logging.DEBUG):
            # The status is only for the debug line: no wrapper around every `send`.
            try:
                await self.app(scope, receive, send)
            finally:
                self._observe(scope, started, None)
            return
        status = 500

        async def send_and_note_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note_status)
        finally:
            self._observe(scope, started, status)

    def _observe(self, scope: Scope, started: float, status: int | None) -> None:
        route = getattr(scope.get("route"), "path", None)
        if not isinstance(route, str) or route in self.core_paths:
            return
        elapsed = time.perf_counter() - started
        latency = self._latency.get(route)
        if latency is None:
            latency = self._latency[route] = self.metrics.latency.labels(route=route)
        latency.observe(elapsed)
        if status is not None:
            # Each channel logs its own line per message (decision, topic); this one is for
            # debugging the HTTP side.
            log.debug(
                "webhook_request",
                extra={
                    "event": "webhook_request",
                    "route": route,
                    "method": scope.get("method", ""),
                    "status": status,
                    "ms": round(elapsed * 1000, 1),
                },
            )


@contextmanager
def reload_on_sighup(runtime: Runtime) -> Iterator[None]:
    """SIGHUP reloads the content, off the event loop. Only the main thread can take signals,
    so under a test client (which runs the app in another thread) this does nothing."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGHUP"):
        yield
        return
    loop = asyncio.get_running_loop()

    def reload() -> None:
        try:
            runtime.reload_content()
        except Exception:  # never let a reload take the server down
            log.exception("content_reload_failed", extra={"event": "content_reload_failed"})

    def on_sighup() -> None:
        log.info("reload_requested", extra={"event": "reload_requested", "by": "SIGHUP"})
        loop.run_in_executor(None, reload)

    loop.add_signal_handler(signal.SIGHUP, on_sighup)
    try:
        yield
    finally:
        loop.remove_signal_handler(signal.SIGHUP)


def default_channels() -> list[ChannelMount]:
    from bot.channels import sms, telegram
    from bot.staff import preview

    return [sms.mount, telegram.mount, preview.mount]


def create_app(
    settings: Settings,
    runtime: Runtime | None = None,
    channels: Sequence[ChannelMount] | None = None,
) -> FastAPI:
    """The whole bot as one ASGI app. `channels` defaults to SMS, Telegram and the preview."""
    runtime = runtime or build_runtime(settings)
    statuses: list[ChannelStatus] = []

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            async with AsyncExitStack() as stack:
                for status in statuses:
                    if status.lifespan is not None:
                        await stack.enter_async_context(status.lifespan())
                stack.enter_context(reload_on_sighup(runtime))
                log.info(
                    "serving",
                    extra={"event": "serving", "version": runtime.knowledge().content.version},
                )
                yield
        finally:
            runtime.close()
            log.info("stopped", extra={"event": "stopped"})

    app = FastAPI(
        title="gfmd-protection-bot",
        lifespan=lifespan,
        # A redirect to the slash-less path would be built from the Host header as sent.
        redirect_slashes=False,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.runtime = runtime
    _core_routes(app)
    admin_routes.mount(app)
    core_paths = frozenset(getattr(route, "path", "") for route in app.routes)
    for mount in default_channels() if channels is None else channels:
        statuses.append(mount(app, runtime))
    app.state.channels = statuses
    app.add_middleware(WebhookTiming, metrics=runtime.metrics, core_paths=core_paths)
    # Added last, so outermost: a body is bounded before anything else sees the request.
    app.add_middleware(BodyLimit)
    usable, how = admin_access(runtime.settings)
    log.log(
        logging.INFO if usable else logging.WARNING,
        "admin_access",
        extra={"event": "admin_access", "usable": usable, "reason": how},
    )
    app.state.admin_access = how
    for status in statuses:
        log.info(
            "channel_status",
            extra={
                "event": "channel_status",
                "channel": status.name,
                "live": status.live,
                "reason": status.reason,
            },
        )
    return app
