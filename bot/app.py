"""The FastAPI app factory: health, readiness, metrics, admin, and each channel's routes."""

from __future__ import annotations

import hmac
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from bot.runtime import Runtime, build_runtime
from bot.settings import Settings

log = logging.getLogger(__name__)

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost", "testclient"})


@dataclass(frozen=True)
class ChannelStatus:
    name: str
    live: bool
    reason: str
    lifespan: Callable[[], AbstractAsyncContextManager[None]] | None = None


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def require_admin(request: Request, runtime: RuntimeDep) -> None:
    """Admin routes: from loopback, or with `Authorization: Bearer <GFMD_BOT_ADMIN_TOKEN>`."""
    token = runtime.settings.gfmd_bot_admin_token
    given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    if token and given and hmac.compare_digest(given.encode(), token.encode()):
        return
    client = request.client.host if request.client else ""
    if client in LOOPBACK and not request.headers.get("x-forwarded-for"):
        return
    raise HTTPException(status_code=403, detail="admin token required")


AdminDep = Annotated[None, Depends(require_admin)]


def _core_routes(app: FastAPI) -> None:
    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz(runtime: RuntimeDep) -> JSONResponse:
        reasons = runtime.readiness()
        body = {
            "ready": not reasons,
            "content_version": runtime.knowledge().content.version,
            "reasons": reasons,
        }
        return JSONResponse(body, status_code=200 if not reasons else 503)

    @app.get("/metrics")
    def metrics(runtime: RuntimeDep) -> Response:
        return Response(runtime.metrics.render(), media_type="text/plain; version=0.0.4")

    @app.post("/admin/reload")
    def reload_content(runtime: RuntimeDep, _admin: AdminDep) -> JSONResponse:
        result = runtime.reload_content()
        body = {"reloaded": result.ok, "version": result.version, "problems": list(result.problems)}
        return JSONResponse(body, status_code=200 if result.ok else 422)

    @app.get("/admin/unanswered")
    def unanswered(runtime: RuntimeDep, _admin: AdminDep, limit: int = 50) -> PlainTextResponse:
        rows = runtime.store.unanswered(max(1, min(limit, 500)))
        return PlainTextResponse("\n".join(f"{q.hits}\t{q.lang}\t{q.text}" for q in rows))


def create_app(settings: Settings, runtime: Runtime | None = None) -> FastAPI:
    from bot.channels import sms, telegram

    runtime = runtime or build_runtime(settings)
    statuses: list[ChannelStatus] = []

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            for status in statuses:
                if status.lifespan is not None:
                    await stack.enter_async_context(status.lifespan())
            yield
        runtime.close()

    app = FastAPI(title="gfmd-protection-bot", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.runtime = runtime
    _core_routes(app)
    statuses.append(sms.mount(app, runtime))
    statuses.append(telegram.mount(app, runtime))
    app.state.channels = statuses
    for status in statuses:
        log.info(
            "channel_status",
            extra={"event": "channel_status", "channel": status.name, "live": status.live,
                   "reason": status.reason},
        )
    return app
