"""`gfmd-bot serve` as a real subprocess, on a free loopback port, with only the environment given.

`start_bot(env)` starts one, waits for `/healthz`, and returns a `ServedBot`: its base URL, an
HTTP client, what it printed (stdout) and logged (stderr, JSON lines), and ways to signal or stop
it. Every bot a test starts is stopped when the test ends, whatever happened.

The child never sees the developer's environment or `.env`: it runs in an empty temporary folder
with a small base environment (the repository's content and catalogs, a fresh SQLite file, a
fixed user-key secret, a Bot API base URL that goes nowhere), plus what the test passes.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from twilio.request_validator import RequestValidator

REPO = Path(__file__).resolve().parents[2]
TEST_SECRET = "e2e-test-user-key-secret"
# Nothing listens on the discard port: a Telegram token set by mistake never reaches Telegram.
NOWHERE = "http://127.0.0.1:9"
PASSED_THROUGH = ("PATH", "HOME", "TMPDIR", "LANG", "LC_ALL", "SYSTEMROOT")
START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.e2e)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def gfmd_bot_command() -> list[str]:
    """The installed `gfmd-bot` script beside this Python, else the same code via `-m`."""
    script = Path(sys.executable).with_name("gfmd-bot")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "bot.cli"]


@dataclass
class ServedBot:
    url: str
    process: subprocess.Popen[bytes]
    workdir: Path
    env: dict[str, str]
    _client: httpx.Client | None = field(default=None, repr=False)

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(base_url=self.url, timeout=15.0)
        return self._client

    def stdout(self) -> str:
        return (self.workdir / "stdout.txt").read_text(encoding="utf-8", errors="replace")

    def stderr(self) -> str:
        return (self.workdir / "stderr.txt").read_text(encoding="utf-8", errors="replace")

    def log_events(self) -> list[dict[str, Any]]:
        """Every JSON line the server logged so far (other lines, if any, are skipped)."""
        events = []
        for line in self.stderr().splitlines():
            if line.startswith("{"):
                try:
                    events.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
        return events

    def wait_for_event(self, event: str, count: int = 1, timeout: float = 10.0) -> dict[str, Any]:
        """The `count`-th log record whose `event` is `event`, waiting for it to be written."""
        deadline = time.monotonic() + timeout
        while True:
            found = [e for e in self.log_events() if e.get("event") == event]
            if len(found) >= count:
                return found[count - 1]
            if time.monotonic() > deadline:
                pytest.fail(f"no {event!r} log event #{count} within {timeout}s:\n{self.stderr()}")
            time.sleep(0.05)

    def send_signal(self, sig: signal.Signals) -> None:
        self.process.send_signal(sig)

    def stop(self, timeout: float = STOP_TIMEOUT) -> int:
        """SIGTERM (a graceful stop), then SIGKILL if it does not end in time; the exit code."""
        if self._client is not None:
            self._client.close()
            self._client = None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


StartBot = Callable[..., ServedBot]


MODEL_CACHE = Path(tempfile.gettempdir()) / f"gfmd-test-model-cache-{os.getuid()}"


def base_env(workdir: Path) -> dict[str, str]:
    env = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    env.setdefault("LANG", "C.UTF-8")
    var = workdir / "var"
    env.update(
        {
            "GFMD_CONTENT_DIR": str(REPO / "content"),
            "GFMD_LOCALES_DIR": str(REPO / "locales"),
            "GFMD_VAR_DIR": str(var),
            # Every server of the run shares one trained matcher instead of training its own.
            "GFMD_MODEL_CACHE_DIR": str(MODEL_CACHE),
            "DATABASE_URL": f"sqlite:///{var}/gfmd-bot.sqlite3",
            "GFMD_BOT_SECRET": TEST_SECRET,
            "TELEGRAM_API_BASE_URL": NOWHERE,
            "GFMD_LOG_LEVEL": "INFO",
        }
    )
    return env


def _launch(workdir: Path, env: dict[str, str], args: Sequence[str]) -> subprocess.Popen[bytes]:
    with (
        (workdir / "stdout.txt").open("wb") as out,
        (workdir / "stderr.txt").open("wb") as err,
    ):
        return subprocess.Popen(
            [*gfmd_bot_command(), "serve", *args],
            cwd=workdir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
        )


def _wait_healthy(bot: ServedBot, timeout: float) -> bool:
    """True once /healthz answers 200; False if the process ended first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if bot.process.poll() is not None:
            return False
        try:
            if httpx.get(f"{bot.url}/healthz", timeout=1.0).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    bot.stop()
    pytest.fail(f"gfmd-bot serve did not answer /healthz within {timeout}s:\n{bot.stderr()}")


@pytest.fixture
def start_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StartBot]:
    """Start `gfmd-bot serve` with `env` on top of the base environment.

    `wait=False` returns at once (for a server expected not to start: see `process`).
    """
    started: list[ServedBot] = []

    def start(
        env: Mapping[str, str] | None = None,
        *,
        args: Sequence[str] = (),
        wait: bool = True,
        timeout: float = START_TIMEOUT,
    ) -> ServedBot:
        for _attempt in range(3):
            workdir = tmp_path_factory.mktemp("served-bot")
            full_env = {**base_env(workdir), **(env or {})}
            port = free_port()
            command_args = ["--host", "127.0.0.1", "--port", str(port), *args]
            bot = ServedBot(
                f"http://127.0.0.1:{port}",
                _launch(workdir, full_env, command_args),
                workdir,
                full_env,
            )
            started.append(bot)
            if not wait or _wait_healthy(bot, timeout):
                return bot
            if "address already in use" not in bot.stderr().lower():
                pytest.fail(f"gfmd-bot serve exited with {bot.process.returncode}:\n{bot.stderr()}")
        pytest.fail("no free port found for gfmd-bot serve")

    yield start
    for bot in started:
        bot.stop()


@dataclass
class TwilioSender:
    """Posts Twilio message webhooks signed as Twilio signs them, with fresh MessageSids."""

    auth_token: str
    public_url: str
    sent: int = 0

    def params(self, sender: str, body: str, **extra: str) -> dict[str, str]:
        self.sent += 1
        return {
            "MessageSid": f"SM{self.sent:032x}",
            "AccountSid": "AC" + "0" * 32,
            "From": sender,
            "To": "+15005550006",
            "Body": body,
            "NumMedia": "0",
            **extra,
        }

    def post(
        self, bot: ServedBot, params: Mapping[str, str], signed: bool = True
    ) -> httpx.Response:
        url = self.public_url.rstrip("/") + "/sms/twilio"
        headers = {}
        if signed:
            validator = RequestValidator(self.auth_token)
            headers["X-Twilio-Signature"] = validator.compute_signature(url, dict(params))
        return bot.client.post("/sms/twilio", data=dict(params), headers=headers)

    def send(self, bot: ServedBot, sender: str, body: str) -> httpx.Response:
        return self.post(bot, self.params(sender, body))


TWILIO_TOKEN = "e2e-twilio-auth-token"
PUBLIC_URL = "https://bot.example.org"


@pytest.fixture
def twilio() -> TwilioSender:
    """A Twilio stand-in; start the bot with `twilio_env()` so they share the token and URL."""
    return TwilioSender(TWILIO_TOKEN, PUBLIC_URL)


@pytest.fixture
def twilio_env() -> dict[str, str]:
    return {"TWILIO_AUTH_TOKEN": TWILIO_TOKEN, "GFMD_BOT_PUBLIC_URL": PUBLIC_URL}
