"""`gfmd-bot serve`: the app under uvicorn, with JSON logs and a line per channel.

One worker (the default) serves the app object built here. Broken content is served from the
last good copy under GFMD_VAR_DIR when there is one (the problems printed and logged, and listed
as `/readyz` warnings); without one, or with broken catalogs or unsafe settings, the command
stops before it listens, with the problems as `file:line` lines and exit status 1. With several
workers, uvicorn's supervisor starts `app_from_env` in each worker process; SIGHUP then makes it
replace the workers one at a time (a worker that cannot start is never put in service: the old
ones keep serving). A worker that cannot start otherwise (one that died being replaced) stops
the whole command, and then it exits 1, not 0, so that a supervisor sees the failure.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
from collections.abc import Sequence
from types import FrameType
from typing import Any, TextIO

import uvicorn
from fastapi import FastAPI
from uvicorn.supervisors import Multiprocess

from bot.app import ChannelStatus, create_app
from bot.i18n import CatalogError
from bot.logs import configure
from bot.runtime import build_runtime, problem_lines
from bot.settings import Settings, SettingsError
from bot.user_keys import secret_beside_database
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
    except SettingsError as error:
        for problem in error.problems:
            print(f"gfmd-bot serve: {problem}", file=sys.stderr)
        print("gfmd-bot serve: nothing was started", file=sys.stderr)
        return 1
    except (ContentError, CatalogError) as error:
        for line in problem_lines(error):
            print(line, file=sys.stderr)
        print("gfmd-bot serve: cannot serve this content; nothing was started", file=sys.stderr)
        return 1
    if runtime.knowledge.from_last_good:
        for line in runtime.knowledge.last_error:
            print(line, file=sys.stderr)
        print(
            "gfmd-bot serve: the content folder is broken; serving the last good copy "
            f"({runtime.knowledge().content.version}) until a reload succeeds",
            file=sys.stderr,
        )
    beside = secret_beside_database(settings)
    if beside is not None:
        print(f"gfmd-bot serve: WARNING: {beside}", file=sys.stderr)
        log.warning("secret_beside_database", extra={"event": "secret_beside_database"})
    try:
        app = create_app(settings, runtime)
    except BaseException:
        runtime.close()
        raise
    announce(app.state.channels, sys.stdout)
    print(f"admin: {app.state.admin_access}", flush=True)
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
    return serve_workers(host, port, workers)


def serve_workers(host: str, port: int, workers: int) -> int:
    """What `uvicorn.run(..., workers=N)` does, keeping hold of the supervisor: when it stops
    because a worker failed to start, uvicorn returns as if asked to stop; this exits 1."""
    config = uvicorn.Config(
        APP_FACTORY, factory=True, workers=workers, **uvicorn_options(host, port)
    )
    supervisor = Multiprocess(config, sockets=[config.bind_socket()])
    with contextlib.suppress(KeyboardInterrupt):
        supervisor.run()
    failed = sum(1 for worker in supervisor.processes if worker.exitcode == STARTUP_FAILURE)
    if failed:
        log.error(
            "worker_failed_to_start",
            extra={"event": "worker_failed_to_start", "workers": failed},
        )
        print("gfmd-bot serve: a worker failed to start; stopped", file=sys.stderr)
        return 1
    return 0


def _stopped(signum: int, frame: FrameType | None) -> None:
    """Raised again by uvicorn once it has shut down; the shutdown is already done."""


def app_from_env() -> FastAPI:
    """The app for one of several worker processes, from the environment and `.env`."""
    settings = Settings()
    configure(settings.gfmd_log_level)
    try:
        return create_app(settings)
    except SettingsError as error:
        problems = list(error.problems)
    except (ContentError, CatalogError) as error:
        problems = list(problem_lines(error))
    log.error("startup_refused", extra={"event": "startup_refused", "problems": problems})
    raise SystemExit(STARTUP_FAILURE) from None
