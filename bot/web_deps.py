"""What the routes ask FastAPI for: the runtime, and the staff gate (see `bot.admin_auth`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from bot.admin_auth import admin_refusal
from bot.runtime import Runtime


async def get_runtime(request: Request) -> Runtime:
    # async on purpose: FastAPI runs a plain `def` dependency in a thread, on every request.
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def require_admin(request: Request, runtime: RuntimeDep) -> None:
    """The staff routes' gate. A dependency with no body parameter: it runs before any route
    reads a byte of the body."""
    client = request.client.host if request.client else None
    refusal = admin_refusal(runtime.settings, request.headers, client)
    if refusal is not None:
        raise HTTPException(status_code=403, detail=refusal)


AdminDep = Annotated[None, Depends(require_admin)]
