"""`gfmd-bot serve` as people run it: a subprocess on a loopback port, driven over HTTP."""

from __future__ import annotations

import os
import re
import shutil
import signal
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support.content_edits import break_yaml, set_english_summary

if TYPE_CHECKING:
    from tests.e2e.conftest import ServedBot, StartBot, TwilioSender

QUESTION = "my boss did not pay me"
ADMIN = "e2e-admin-token"
AS_ADMIN = {"Authorization": f"Bearer {ADMIN}"}
SUMMARY_START = "Not being paid for work you did"


def metric(bot: ServedBot, name: str, **labels: str) -> float:
    """The sum of the samples named `name` whose labels include `labels`."""
    total = 0.0
    for family in text_string_to_metric_families(bot.client.get("/metrics").text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                total += sample.value
    return total


def wait_until_version(bot: ServedBot, version_changed_from: str, timeout: float = 15.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        version = str(bot.client.get("/readyz").json()["content_version"])
        if version != version_changed_from:
            return version
        time.sleep(0.1)
    pytest.fail(f"content version still {version_changed_from} after {timeout}s:\n{bot.stderr()}")


# -- no credentials --------------------------------------------------------------------------------


def test_without_credentials_it_serves_health_and_metrics_and_refuses_webhooks(
    start_bot: StartBot,
) -> None:
    bot = start_bot()

    assert bot.client.get("/healthz").json() == {"status": "ok"}
    ready = bot.client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["ready"] is True
    version = ready.json()["content_version"]
    assert metric(bot, "gfmd_content_info", version=version) == 1.0

    sms = bot.client.post("/sms/twilio", data={"From": "+14155550100", "Body": "hello"})
    telegram = bot.client.post("/telegram/webhook", json={"update_id": 1, "message": {}})
    assert sms.status_code in (403, 503)
    assert "<Message>" not in sms.text
    assert telegram.status_code in (403, 404)

    printed = bot.stdout()
    assert re.search(r"^sms: NOT live: .*TWILIO_AUTH_TOKEN", printed, re.M)
    assert re.search(r"^telegram: NOT live: .*TELEGRAM_BOT_TOKEN", printed, re.M)
    logged = {e["channel"]: e for e in bot.log_events() if e.get("event") == "channel_status"}
    assert {name: e["live"] for name, e in logged.items()} == {
        "sms": False,
        "telegram": False,
        "preview": True,
    }
    assert all(e["reason"] for e in logged.values())

    assert bot.stop() == 0
    events = [e.get("event") for e in bot.log_events()]
    assert events.index("serving") < events.index("stopped")
    assert "Traceback" not in bot.stderr()


def test_broken_content_stops_serve_before_it_listens(
    start_bot: StartBot, content_copy: Path
) -> None:
    break_yaml(content_copy / "en" / "shelter.yaml")
    bot = start_bot({"GFMD_CONTENT_DIR": str(content_copy)}, wait=False)
    assert bot.process.wait(timeout=30) == 1
    errors = bot.stderr()
    assert re.search(r"^\S*en/shelter\.yaml:\d+: yaml: ", errors, re.M)
    assert "Traceback" not in errors
    assert "Uvicorn running" not in errors


# -- with credentials ------------------------------------------------------------------------------


def test_an_sms_conversation_is_reflected_in_the_metrics(
    start_bot: StartBot, twilio: TwilioSender, twilio_env: dict[str, str]
) -> None:
    bot = start_bot(twilio_env)
    assert "sms: live" in bot.stdout()

    first = twilio.send(bot, "+14155550100", QUESTION)
    assert first.status_code == 200
    assert first.headers["content-type"].startswith("text/xml")
    assert SUMMARY_START in first.text
    more = twilio.send(bot, "+14155550100", "MORE")
    assert more.status_code == 200 and "<Message>" in more.text
    assert more.text != first.text
    repeated = twilio.params("+14155550100", "MORE")
    assert twilio.post(bot, repeated).status_code == 200
    assert twilio.post(bot, repeated).status_code == 200  # Twilio delivering it again
    unsigned = twilio.post(bot, twilio.params("+14155550100", QUESTION), signed=False)
    forged = twilio.params("+14155550100", QUESTION)
    forged_response = bot.client.post(
        "/sms/twilio", data=forged, headers={"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}
    )
    assert (unsigned.status_code, forged_response.status_code) == (403, 403)

    duplicate = metric(bot, "gfmd_messages_total", channel="sms", decision="duplicate")
    assert duplicate == 1.0
    assert metric(bot, "gfmd_messages_total", channel="sms") - duplicate == 3.0
    assert metric(bot, "gfmd_messages_total", channel="sms", decision="answer") >= 1
    assert metric(bot, "gfmd_messages_total", channel="sms", topic="unpaid-wages", lang="en") >= 1
    assert metric(bot, "gfmd_duplicates_total", channel="sms") == 1.0
    assert metric(bot, "gfmd_rejected_signatures_total", channel="sms") == 2.0
    assert metric(bot, "gfmd_request_seconds_count", route="/sms/twilio") >= 6.0
    assert metric(bot, "gfmd_request_seconds_count", route="/healthz") == 0.0


# -- content reload while serving -----------------------------------------------------------------


def test_reload_over_http_serves_a_good_edit_and_refuses_a_broken_one(
    start_bot: StartBot,
    twilio: TwilioSender,
    twilio_env: dict[str, str],
    content_copy: Path,
) -> None:
    env = {**twilio_env, "GFMD_CONTENT_DIR": str(content_copy), "GFMD_BOT_ADMIN_TOKEN": ADMIN}
    bot = start_bot(env)
    before = bot.client.get("/readyz").json()["content_version"]
    assert SUMMARY_START in twilio.send(bot, "+14155550100", QUESTION).text
    # With a public URL set, loopback is no reason to trust a call: the token is needed.
    assert bot.client.post("/admin/reload").status_code == 403

    path = set_english_summary(
        content_copy, "unpaid-wages", "Reload marker ZEBRA, keep your payslips."
    )
    reloaded = bot.client.post("/admin/reload", headers=AS_ADMIN)
    assert reloaded.status_code == 200
    assert reloaded.json()["reloaded"] is True and reloaded.json()["version"] != before
    edited = twilio.send(bot, "+14155550101", QUESTION).text
    assert "Reload marker ZEBRA" in edited and SUMMARY_START not in edited

    break_yaml(path)
    refused = bot.client.post("/admin/reload", headers=AS_ADMIN)
    assert refused.status_code == 422
    body = refused.json()
    assert body["reloaded"] is False and body["version"] == reloaded.json()["version"]
    assert any(re.search(r"en/unpaid-wages\.yaml:\d+: yaml: ", p) for p in body["problems"])
    ready = bot.client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["reasons"] == []
    assert ready.json()["warnings"][0].endswith(f": {body['problems'][0]}")
    assert twilio.send(bot, "+14155550102", QUESTION).text == edited
    logged = bot.wait_for_event("content_reload_refused")
    assert logged["problems"] == body["problems"]

    assert metric(bot, "gfmd_content_reloads_total", result="ok") == 1.0
    assert metric(bot, "gfmd_content_reloads_total", result="refused") == 1.0


def test_sighup_reloads_a_good_edit_and_keeps_serving_through_a_broken_one(
    start_bot: StartBot,
    twilio: TwilioSender,
    twilio_env: dict[str, str],
    content_copy: Path,
) -> None:
    bot = start_bot({**twilio_env, "GFMD_CONTENT_DIR": str(content_copy)})
    before = bot.client.get("/readyz").json()["content_version"]

    path = set_english_summary(
        content_copy, "unpaid-wages", "Reload marker YAK, keep your payslips."
    )
    bot.send_signal(signal.SIGHUP)
    after = wait_until_version(bot, before)
    assert "Reload marker YAK" in twilio.send(bot, "+14155550100", QUESTION).text

    break_yaml(path)
    bot.send_signal(signal.SIGHUP)
    refused = bot.wait_for_event("content_reload_refused")
    assert any("en/unpaid-wages.yaml:" in p for p in refused["problems"])
    ready = bot.client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["content_version"] == after
    assert "unpaid-wages.yaml:" in ready.json()["warnings"][0]
    assert "Reload marker YAK" in twilio.send(bot, "+14155550101", QUESTION).text
    assert bot.process.poll() is None
    assert bot.stop() == 0


# -- several workers -------------------------------------------------------------------------------


def test_several_workers_serve_and_stop_cleanly(start_bot: StartBot) -> None:
    bot = start_bot(args=["--workers", "2"])
    assert bot.client.get("/readyz").status_code == 200
    assert "with 2 worker(s)" in bot.stdout()
    assert bot.stop() == 0
    assert "Traceback" not in bot.stderr()


def test_a_worker_that_fails_to_start_makes_serve_exit_non_zero(
    start_bot: StartBot, content_copy: Path
) -> None:
    bot = start_bot({"GFMD_CONTENT_DIR": str(content_copy)}, args=["--workers", "2"])
    assert bot.client.get("/readyz").status_code == 200
    bot.wait_for_event("serving", count=2)  # both workers are up
    workers = [
        int(m.group(1))
        for e in bot.log_events()
        if (m := re.match(r"Started server process \[(\d+)\]", str(e.get("msg", ""))))
    ]
    assert len(workers) == 2
    # A worker dies while the content is broken and there is no last good copy to fall back
    # to: its replacement cannot start, and uvicorn stops the whole server.
    break_yaml(content_copy / "en" / "shelter.yaml")
    var = Path(bot.env["GFMD_VAR_DIR"])
    for kept in var.glob("last-good-content*"):
        if kept.is_symlink():
            kept.unlink()
        else:
            shutil.rmtree(kept)
    os.kill(workers[0], signal.SIGKILL)

    assert bot.process.wait(timeout=60) == 1
    assert bot.wait_for_event("startup_refused")["problems"]
    assert bot.wait_for_event("worker_failed_to_start")
    assert "Traceback" not in bot.stderr()


# -- the last good copy of the content ------------------------------------------------------------


def test_broken_content_at_start_serves_the_last_good_copy_and_says_why(
    start_bot: StartBot,
    twilio: TwilioSender,
    twilio_env: dict[str, str],
    content_copy: Path,
    tmp_path: Path,
) -> None:
    var = tmp_path / "var"
    env = {
        **twilio_env,
        "GFMD_CONTENT_DIR": str(content_copy),
        "GFMD_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var}/gfmd-bot.sqlite3",
    }
    first = start_bot(env)
    version = first.client.get("/readyz").json()["content_version"]
    answered = twilio.send(first, "+14155550100", QUESTION).text
    assert SUMMARY_START in answered
    assert first.stop() == 0
    break_yaml(content_copy / "en" / "shelter.yaml")

    bot = start_bot(env)

    ready = bot.client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["content_version"] == version
    assert re.search(r"en/shelter\.yaml:\d+: yaml: ", ready.json()["warnings"][0])
    assert SUMMARY_START in twilio.send(bot, "+14155550101", QUESTION).text
    assert re.search(r"^\S*en/shelter\.yaml:\d+: yaml: ", bot.stderr(), re.M)
    assert "serving the last good copy" in bot.stderr()
    logged = bot.wait_for_event("content_fallback")
    assert logged["version"] == version and any("en/shelter.yaml:" in p for p in logged["problems"])
    assert "Traceback" not in bot.stderr()


def test_several_workers_start_from_the_last_good_copy(
    start_bot: StartBot, content_copy: Path, tmp_path: Path
) -> None:
    env = {"GFMD_CONTENT_DIR": str(content_copy), "GFMD_VAR_DIR": str(tmp_path / "var")}
    first = start_bot(env)
    version = first.client.get("/readyz").json()["content_version"]
    assert first.stop() == 0
    break_yaml(content_copy / "en" / "shelter.yaml")

    bot = start_bot(env, args=["--workers", "2"])

    ready = bot.client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["content_version"] == version
    assert ready.json()["warnings"]
    assert bot.stop() == 0


# -- settings -------------------------------------------------------------------------------------


def test_postgresql_without_a_user_key_secret_refuses_to_start(start_bot: StartBot) -> None:
    bot = start_bot(
        {"DATABASE_URL": "postgresql://gfmd@127.0.0.1:9/gfmd", "GFMD_BOT_SECRET": ""},
        wait=False,
    )
    assert bot.process.wait(timeout=30) == 1
    errors = bot.stderr()
    assert "GFMD_BOT_SECRET must be set when DATABASE_URL is PostgreSQL" in errors
    assert "Traceback" not in errors
    assert not (Path(bot.env["GFMD_VAR_DIR"]) / "user-key-secret").exists()
