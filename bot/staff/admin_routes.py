"""`/admin/*`: reload the content, list the questions the bot could not answer."""

from __future__ import annotations

import logging

from fastapi import FastAPI
from fastapi.responses import JSONResponse, PlainTextResponse

from bot.web_deps import AdminDep, RuntimeDep

log = logging.getLogger(__name__)


def mount(app: FastAPI) -> None:
    @app.post("/admin/reload")
    def reload_content(runtime: RuntimeDep, _admin: AdminDep) -> JSONResponse:
        log.info("reload_requested", extra={"event": "reload_requested", "by": "http"})
        result = runtime.reload_content()
        body = {"reloaded": result.ok, "version": result.version, "problems": list(result.problems)}
        return JSONResponse(body, status_code=200 if result.ok else 422)

    @app.get("/admin/unanswered")
    def unanswered(runtime: RuntimeDep, _admin: AdminDep, limit: int = 50) -> PlainTextResponse:
        rows = runtime.store.unanswered(max(1, min(limit, 500)))
        if not rows:
            days = runtime.settings.gfmd_unanswered_retention_days
            return PlainTextResponse(
                f"No unanswered questions are stored. Questions are kept {days} days"
                " without any user key."
            )
        return PlainTextResponse("\n".join(f"{q.hits}\t{q.lang}\t{q.text}" for q in rows))
