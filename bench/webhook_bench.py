"""Throughput and latency of `POST /sms/twilio` under load, against a bare FastAPI endpoint.

Both apps run in their own process under the same uvicorn options as `gfmd-bot serve` (one
worker, JSON logs at INFO to /dev/null, no access log) on a loopback port, and take the same
load from wrk: `--connections` open connections (50), pre-signed requests that are all distinct
(each its own MessageSid; senders write a short conversation of four messages in English,
Spanish, French or Arabic). The bot does everything it does in service: signature check, seen-id
record and rate count in SQLite, the conversation, TwiML. The bare endpoint parses the form and
returns constant TwiML. The figures are for this machine; the ratio is what carries over.

After the measured run the bot's load goes on until `--wal-requests` (20,000) requests in all
have been answered, and the largest size the SQLite WAL reached is printed: the checkpointer
must keep it bounded (`bot.store_connections.WAL_LIMIT_BYTES`) under steady writes.
`--plain` serves both apps with asyncio and h11 instead of uvicorn's standard extras (uvloop,
httptools), to compare the two.

wrk is not a Python package: `apt-get install -y wrk` (Debian, Ubuntu), `brew install wrk`.

    cd /work/main && .venv/bin/python bench/webhook_bench.py [--duration 10] [--connections 50]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import Response

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TOKEN = "bench-auth-token-0123456789abcdef"
SECRET = "bench-secret"
CONVERSATIONS = [
    ["hello", "1", "my boss did not pay me", "MORE"],
    ["hola", "mi jefe no me paga", "MAS", "menu"],
    ["bonjour", "mon patron ne me paie pas", "SUITE", "3"],
    ["مرحبا", "صاحب العمل لم يدفع لي راتبي", "المزيد", "0"],
    ["my passport was taken by my employer", "MORE", "MORE", "thanks"],
    ["I am in danger", "MORE", "help", "privacy"],
]
COUNTRY_PREFIXES = ["+34612", "+971501", "+33612", "+52155", "+44770", "+97455"]

LUA = r"""
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
function init(args)
  local path, threads = args[1], tonumber(args[2])
  requests, n, wrapped = {}, 0, 0
  local i = 0
  for line in io.lines(path) do
    if i % threads == id then
      local signature, body = line:match("^([^\t]*)\t(.*)$")
      requests[#requests + 1] = wrk.format("POST", "/sms/twilio", {
        ["Content-Type"] = "application/x-www-form-urlencoded",
        ["X-Twilio-Signature"] = signature,
      }, body)
    end
    i = i + 1
  end
end
function request()
  n = n + 1
  if n > #requests then n, wrapped = 1, wrapped + 1 end
  return requests[n]
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d "
    .. "status=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect, e.read, e.write, e.timeout))
end
"""


@dataclass(frozen=True)
class Result:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    wal_max_bytes: int = 0
    wal_requests: int = 0
    healthz_ms: tuple[float, ...] = ()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def write_requests(path: Path, url: str, count: int, prefix: str) -> None:
    """`count` distinct requests as lines of `signature<TAB>urlencoded body`."""
    from twilio.request_validator import RequestValidator

    validator = RequestValidator(TOKEN)
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            person, turn = divmod(n, 4)
            texts = CONVERSATIONS[person % len(CONVERSATIONS)]
            number = f"{COUNTRY_PREFIXES[person % len(COUNTRY_PREFIXES)]}{person:06d}"
            sid = f"SM{prefix}{n:031x}"
            fields = {
                "ToCountry": "US",
                "SmsMessageSid": sid,
                "NumMedia": "0",
                "SmsSid": sid,
                "SmsStatus": "received",
                "Body": texts[turn],
                "To": "+12125550142",
                "NumSegments": "1",
                "MessageSid": sid,
                "AccountSid": "AC" + "0" * 32,
                "From": number,
                "ApiVersion": "2010-04-01",
            }
            signature = validator.compute_signature(url, fields)
            out.write(f"{signature}\t{urlencode(fields)}\n")


class WalWatch:
    """The largest size a WAL file reaches, sampled in a thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.largest = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            try:
                self.largest = max(self.largest, self.path.stat().st_size)
            except OSError:
                continue

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.largest


class HealthzProbe:
    """`/healthz` asked every 100 ms while the load runs: how long each answer took."""

    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}/healthz"
        self.times: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(self.url, timeout=5):
                    self.times.append((time.perf_counter() - started) * 1000)
            except OSError:
                self.times.append(5000.0)

    def stop(self) -> tuple[float, ...]:
        self._stop.set()
        self._thread.join()
        return tuple(sorted(self.times))


def serve(kind: str, port: int, workdir: Path, plain: bool) -> None:
    """Run one app (in this process) under `gfmd-bot serve`'s uvicorn options."""
    import uvicorn

    from bot.logs import configure
    from bot.server import uvicorn_options
    from bot.settings import Settings

    settings = Settings(  # type: ignore[call-arg]  # pydantic-settings' init argument
        _env_file=None,
        twilio_auth_token=TOKEN,
        gfmd_bot_public_url=f"http://127.0.0.1:{port}",
        gfmd_bot_secret=SECRET,
        database_url=f"sqlite:///{workdir}/bench.sqlite3",
        gfmd_var_dir=workdir,
        gfmd_content_dir=ROOT / "content",
        gfmd_locales_dir=ROOT / "locales",
    )
    configure(settings.gfmd_log_level)
    if kind == "bot":
        from bot.app import create_app

        app = create_app(settings)
    else:
        app = FastAPI()
        constant = (
            '<?xml version="1.0" encoding="UTF-8"?><Response><Message>ok</Message></Response>'
        )

        @app.post("/sms/twilio")
        async def bare(request: Request) -> Response:  # names from module level: FastAPI
            # resolves these annotations (they are strings here) in the module's globals
            await request.form()
            return Response(constant, media_type="text/xml")

    options = uvicorn_options("127.0.0.1", port)
    if plain:
        options.update(loop="asyncio", http="h11")
    uvicorn.Server(uvicorn.Config(app, **options)).run()


def start(kind: str, workdir: Path, plain: bool = False) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    serve_args = ["--serve", kind, "--port", str(port), "--workdir", str(workdir)]
    process = subprocess.Popen(
        [sys.executable, __file__, *serve_args, *(["--plain"] if plain else [])],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{kind} server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return process, port
        except OSError as error:
            if getattr(error, "code", None) == 404:  # the bare app has no /healthz: it is up
                return process, port
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{kind} server did not start")


def run_wrk(port: int, requests: Path, lua: Path, args: argparse.Namespace, seconds: int) -> str:
    command = [
        "wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s", "--timeout", "5s",
        "-s", str(lua), f"http://127.0.0.1:{port}/sms/twilio", "--", str(requests),
        str(args.threads),
    ]  # fmt: skip
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def measure(kind: str, args: argparse.Namespace, lua: Path, tmp: Path) -> Result:
    workdir = tmp / kind
    workdir.mkdir()
    process, port = start(kind, workdir, args.plain)
    watch = WalWatch(workdir / "bench.sqlite3-wal")
    try:
        url = f"http://127.0.0.1:{port}/sms/twilio"
        warmup, main = workdir / "warmup.txt", workdir / "requests.txt"
        write_requests(warmup, url, args.warmup * 400, "f")
        write_requests(main, url, args.requests, "0")
        served = _values(run_wrk(port, warmup, lua, args, args.warmup))["requests"]
        probe = HealthzProbe(port) if kind == "bot" else None
        values = _values(run_wrk(port, main, lua, args, args.duration))
        healthz = probe.stop() if probe else ()
        served += values["requests"]
        while kind == "bot" and served < args.wal_requests:
            served += _values(run_wrk(port, main, lua, args, 5))["requests"]
    finally:
        process.terminate()
        process.wait(timeout=30)
        wal_max = watch.stop()
    if values["requests"] > args.requests:
        print(f"warning: {kind}: {values['requests']} requests > {args.requests} distinct ones")
    errors = sum(values[k] for k in ("status", "connect", "read", "write", "timeout"))
    return Result(
        kind,
        values["requests"] / (values["duration_us"] / 1e6),
        values["p50_us"] / 1000,
        values["p99_us"] / 1000,
        values["requests"],
        errors,
        wal_max,
        served,
        healthz,
    )


def _values(output: str) -> dict[str, int]:
    found = re.search(r"RESULT (.*)", output)
    if not found:
        raise SystemExit(f"wrk printed no result:\n{output}")
    return {k: int(v) for k, v in (item.split("=") for item in found.group(1).split())}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of measured load")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of load before it")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--requests", type=int, default=60_000, help="distinct requests")
    parser.add_argument("--wal-requests", type=int, default=20_000, help="load for the WAL")
    parser.add_argument("--plain", action="store_true", help="asyncio and h11, no uvloop")
    parser.add_argument("--serve", choices=["bot", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.workdir, args.plain)
        return 0
    if not shutil.which("wrk"):
        print("wrk not found: apt-get install -y wrk", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        lua = tmp / "twilio.lua"
        lua.write_text(LUA)
        bot = measure("bot", args, lua, tmp)
        bare = measure("bare", args, lua, tmp)
    print(
        f"load: {args.connections} connections, {args.duration} s, wrk -t{args.threads}, "
        f"one uvicorn worker, {os.cpu_count()} CPUs, "
        + ("asyncio + h11" if args.plain else "uvicorn's standard extras (uvloop, httptools)")
    )
    for result in (bot, bare):
        label = "/sms/twilio" if result.name == "bot" else "bare FastAPI form endpoint"
        print(
            f"{label:<27} {result.rps:8.0f} req/s   p50 {result.p50_ms:6.1f} ms   "
            f"p99 {result.p99_ms:6.1f} ms   ({result.requests} requests, {result.errors} errors)"
        )
    ratio = bot.rps / bare.rps
    verdict = "ok" if ratio >= 0.5 and bot.p99_ms <= 50 else "BELOW TARGET"
    print(f"ratio /sms/twilio / bare: {ratio:.2f}  (target >= 0.5, p99 <= 50 ms: {verdict})")
    if bot.healthz_ms:
        times = bot.healthz_ms
        print(
            f"/healthz under that load: median {times[len(times) // 2]:.1f} ms, "
            f"slowest {times[-1]:.1f} ms of {len(times)} probes (target < 100 ms)"
        )
    wal_mb = bot.wal_max_bytes / 2**20
    wal_verdict = "ok" if wal_mb < 64 else "OVER TARGET"
    print(
        f"SQLite WAL: at most {wal_mb:.1f} MB during {bot.wal_requests} requests "
        f"(target < 64 MB: {wal_verdict})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
