"""`gfmd-bot serve`: the app under uvicorn, with JSON logs and a line per channel.

One worker (the default) serves the app object built here, so broken content or catalogs stop
the command before it listens, with the problems as `file:line` lines and exit status 1. With
several workers, uvicorn imports `app_from_env` in each worker process; SIGHUP then makes
uvicorn replace the workers one at a time, and a worker that cannot load the content is never
put in service (the old ones keep serving).
"""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Sequence
from types import FrameType
from typing import Any, TextIO

import uvicorn
from fastapi import FastAPI

from bot.app import ChannelStatus, create_app
from bot.i18n import CatalogError
from bot.logs import configure
from bot.runtime import build_runtime, problem_lines
from bot.settings import Settings
from gfmd_info.problems import ContentError

log = logging.getLogger(__name__)

# Docker waits 10 s between SIGTERM and SIGKILL; Twilio gives up on a webhook after 15 s.
GRACEFUL_SHUTDOWN_SECONDS = 8
# uvicorn's exit status for a worker that failed before serving (it then stops retrying).
STARTUP_FAILURE = 3
APP_FACTORY = "bot.server:app_from_env"


def uvicorn_options(host: str, port: int) -> dict[str, Any]:
    """What every way of serving shares. No access log: it holds paths, queries and addresses."""
    return {
        "host": host,
        "port": port,
        "log_config": None,
        "access_log": False,
        "server_header": False,
        "lifespan": "on",
        "timeout_graceful_shutdown": GRACEFUL_SHUTDOWN_SECONDS,
    }


def announce(statuses: Sequence[ChannelStatus], out: TextIO) -> None:
    """One human line per channel (the app has logged the same as `channel_status` events)."""
    for status in statuses:
        state = "live" if status.live else "NOT live"
        out.write(f"{status.name}: {state}: {status.reason}\n")
    out.flush()


def serve(settings: Settings, host: str, port: int, workers: int = 1) -> int:
    configure(settings.gfmd_log_level)
    try:
        runtime = build_runtime(settings)
    except (ContentError, CatalogError) as error:
        for line in problem_lines(error):
            print(line, file=sys.stderr)
        print("gfmd-bot serve: cannot serve this content; nothing was started", file=sys.stderr)
        return 1
    try:
        app = create_app(settings, runtime)
    except BaseException:
        runtime.close()
        raise
    announce(app.state.channels, sys.stdout)
    print(f"serving on http://{host}:{port} with {max(workers, 1)} worker(s)", flush=True)
    if workers <= 1:
        # Until the app's lifespan takes SIGHUP over, a reload request has nothing to do: the
        # content was just loaded. Without this, SIGHUP's default action ends the process.
        if hasattr(signal, "SIGHUP"):
            signal.signal(signal.SIGHUP, signal.SIG_IGN)
        # uvicorn stops gracefully on SIGINT/SIGTERM, then raises the signal again for the
        # handler it found: let that be a no-op, so a requested stop exits 0 without a traceback.
        for stop in (signal.SIGINT, signal.SIGTERM):
            signal.signal(stop, _stopped)
        server = uvicorn.Server(uvicorn.Config(app, **uvicorn_options(host, port)))
        server.run()
        return 0 if server.started else 1
    # Each worker builds its own runtime (a database connection must not cross a fork).
    runtime.close()
    uvicorn.run(APP_FACTORY, factory=True, workers=workers, **uvicorn_options(host, port))
    return 0


def _stopped(signum: int, frame: FrameType | None) -> None:
    """Raised again by uvicorn once it has shut down; the shutdown is already done."""


def app_from_env() -> FastAPI:
    """The app for one of several worker processes, from the environment and `.env`."""
    settings = Settings()
    configure(settings.gfmd_log_level)
    try:
        return create_app(settings)
    except (ContentError, CatalogError) as error:
        log.error(
            "startup_refused",
            extra={"event": "startup_refused", "problems": list(problem_lines(error))},
        )
        raise SystemExit(STARTUP_FAILURE) from None
