"""`gfmd-bot serve` as a subprocess on a free loopback port, and a short SMS conversation with
it over real HTTP: choose a language, ask about a topic, read MORE."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from twilio.request_validator import RequestValidator

from tests.e2e.conftest import MODEL_CACHE

REPO = Path(__file__).resolve().parents[2]
TOKEN = "e2e-auth-token-0123456789abcdef"
SENDER = "+34612345678"

pytestmark = pytest.mark.e2e


def gfmd_bot() -> str:
    beside_python = Path(sys.executable).parent / "gfmd-bot"
    found = str(beside_python) if beside_python.exists() else shutil.which("gfmd-bot")
    if not found:
        pytest.fail("gfmd-bot is not installed next to this Python or on PATH")
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # Only what the bot needs: no Telegram token or developer settings leak in.
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
    env.update(
        TWILIO_AUTH_TOKEN=TOKEN,
        GFMD_BOT_PUBLIC_URL=base,
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
        GFMD_VAR_DIR=str(tmp_path),
        GFMD_BOT_SECRET="e2e-secret",
        # The matcher trained once for the whole run, as every other served bot shares it.
        GFMD_MODEL_CACHE_DIR=str(MODEL_CACHE),
    )
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [gfmd_bot(), "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                if process.poll() is not None:
                    pytest.fail(f"gfmd-bot serve exited:\n{log_path.read_text()}")
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"gfmd-bot serve never became healthy:\n{log_path.read_text()}")
                time.sleep(0.1)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def send(base: str, sid: int, text: str) -> list[str]:
    fields = {
        "MessageSid": f"SM{sid:032x}",
        "SmsSid": f"SM{sid:032x}",
        "AccountSid": "AC" + "0" * 32,
        "From": SENDER,
        "To": "+12125550142",
        "Body": text,
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
    }
    url = f"{base}/sms/twilio"
    signature = RequestValidator(TOKEN).compute_signature(url, fields)
    response = httpx.post(url, data=fields, headers={"X-Twilio-Signature": signature}, timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/xml")
    return [m.text or "" for m in ET.fromstring(response.content).iter("Message")]


def test_a_short_sms_conversation_with_the_running_server(server: str) -> None:
    greeting = send(server, 1, "hola")
    assert len(greeting) == 1, greeting
    # A numbered list of languages: answer with the number of Spanish.
    number = next(line.split(".")[0] for line in greeting[0].splitlines() if "Espa" in line)

    menu = send(server, 2, number)
    assert "Trabajo y salario" in menu[0], menu

    topic = send(server, 3, "no me pagan el sueldo")
    assert len(topic) == 1 and "no es tu culpa" in topic[0] and "Responde MAS" in topic[0], topic

    more = send(server, 4, "MAS")
    assert len(more) == 1 and "Qu" in more[0] and more[0] != topic[0], more

    again = send(server, 4, "MAS")  # Twilio retrying the same MessageSid
    assert again == []

    refused = httpx.post(f"{server}/sms/twilio", data={"Body": "hola", "From": SENDER})
    assert refused.status_code == 403
