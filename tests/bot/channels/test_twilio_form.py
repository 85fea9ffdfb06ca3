"""A captured, signed Twilio message cannot be replayed as a new one: the fields must have
Twilio's exact shapes, so a re-cut body is refused, and seen ids are kept long enough that the
exact body stays a duplicate."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from twilio.request_validator import RequestValidator

from bot.channels.twilio_form import form_problem, is_twilio_address
from bot.state_store import open_store

TWILIO_AUTH_TOKEN = "0123456789abcdef0123456789abcdef"  # as in conftest
URL = "https://bot.example.org/sms/twilio"
SID = "SM4d2f0c0e8a0b4c6f9e1d2a3b4c5d6e7f"
SPAIN = "+34612345678"
SPAIN_BOT = "+34910000000"
# What the dedupe must remember for: Twilio's signature has no timestamp.
REPLAY_WINDOW = dt.timedelta(days=400)


def captured(body: str, sid: str = SID, sender: str = SPAIN) -> dict[str, str]:
    """A message webhook in the fields Twilio posts (values made up)."""
    return {
        "ToCountry": "ES",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "SmsSid": sid,
        "SmsStatus": "received",
        "Body": body,
        "To": SPAIN_BOT,
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": "AC00112233445566778899aabbccddeeff",
        "From": sender,
        "ApiVersion": "2010-04-01",
    }


def sign(fields: dict[str, str]) -> str:
    return str(RequestValidator(TWILIO_AUTH_TOKEN).compute_signature(URL, fields))


def shifted(fields: dict[str, str]) -> dict[str, str]:
    """The re-cut the outside test used: `NumMedia` absorbed into `MessageSid`."""
    recut = {k: v for k, v in fields.items() if k != "NumMedia"}
    recut["MessageSid"] = fields["MessageSid"] + "NumMedia" + fields["NumMedia"]
    return recut


# -- the shapes ---------------------------------------------------------------------------------


def test_a_message_as_twilio_sends_it_has_no_problem() -> None:
    assert form_problem(captured("hola")) is None
    whatsapp = captured("hola", sid="MM" + "0a" * 16, sender="whatsapp:" + SPAIN)
    assert form_problem({**whatsapp, "To": "whatsapp:+14155238886"}) is None


def test_a_recut_message_sid_signs_the_same_and_is_refused() -> None:
    original = captured("PARAR")
    replay = shifted(original)
    assert sign(replay) == sign(original)  # the flaw: the signature cannot tell them apart
    assert form_problem(replay) == "MessageSid"


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"MessageSid": "SM" + "0" * 31}, "MessageSid"),
        ({"MessageSid": "SM" + "0" * 33}, "MessageSid"),
        ({"MessageSid": "SM" + "A" * 32}, "MessageSid"),
        ({"MessageSid": "XX" + "0" * 32}, "MessageSid"),
        ({"MessageSid": SID + "\n"}, "MessageSid"),
        ({"MessageSid": ""}, "MessageSid"),
        ({"SmsSid": "SM" + "1" * 32}, "SmsSid"),
        ({"SmsMessageSid": "SM" + "1" * 32}, "SmsMessageSid"),
        ({"AccountSid": "AC" + "0" * 31}, "AccountSid"),
        ({"From": "+34612345678NumMedia0"}, "From"),
        ({"From": "messenger:1234567890"}, "From"),
        ({"From": "+0612345678"}, "From"),
        ({"From": "+١٢٣٤٥٦٧"}, "From"),
        ({"To": "whatsapp:34910000000"}, "To"),
        ({"To": "+3491000000012345678"}, "To"),
    ],
)
def test_fields_off_twilio_shape_are_named(changes: dict[str, str], problem: str) -> None:
    assert form_problem({**captured("hola"), **changes}) == problem


@pytest.mark.parametrize("missing", ["MessageSid", "AccountSid", "From", "To"])
def test_a_missing_field_is_named(missing: str) -> None:
    fields = {k: v for k, v in captured("hola").items() if k != missing}
    assert form_problem(fields) == missing


def test_addresses_are_e164_or_whatsapp_e164() -> None:
    assert is_twilio_address("+971501234567")
    assert is_twilio_address("whatsapp:+447700900123")
    assert not is_twilio_address("whatsapp:whatsapp:+447700900123")
    assert not is_twilio_address("GFMDINFO")


# -- over the webhook (enabled once `bot/channels/sms.py` calls `form_problem`) -----------------


class Twilio:
    def __init__(self, client: TestClient) -> None:
        self.client = client

    def post(self, fields: dict[str, str]) -> list[str]:
        response = self.client.post(
            "/sms/twilio",
            content=urlencode(list(fields.items())),
            headers={
                "content-type": "application/x-www-form-urlencoded",
                "x-twilio-signature": sign(fields),
            },
        )
        assert response.status_code in (200, 403), response.text
        if response.status_code == 403:
            return []
        return [m.text or "" for m in ET.fromstring(response.content).iter("Message")]

    def processed(self) -> float:
        registry = self.client.app.state.runtime.metrics.registry  # type: ignore[attr-defined]
        return sum(
            float(sample.value)
            for metric in registry.collect()
            if metric.name == "gfmd_messages"
            for sample in metric.samples
            if sample.name == "gfmd_messages_total" and sample.labels["decision"] != "ignored"
        )


@pytest.fixture
def twilio(make_client: Callable[..., TestClient]) -> Twilio:
    return Twilio(make_client(gfmd_rate_limit_messages=100))


def test_a_recut_replay_of_a_stop_does_not_opt_the_person_out(twilio: Twilio) -> None:
    stop = captured("PARAR", sid="SM" + "1" * 32)
    assert twilio.post(stop)  # the person's own STOP, answered
    assert twilio.post(captured("INICIAR", sid="SM" + "2" * 32))  # and back in
    before = twilio.processed()

    assert twilio.post(shifted(stop)) == []
    assert twilio.processed() == before
    assert twilio.post(captured("no me pagan el sueldo", sid="SM" + "3" * 32)), "opted out"


@pytest.mark.parametrize(
    "malformed",
    ["SM" + "1" * 31 + "X", "SM" + "1" * 40, "sm" + "1" * 32],
    ids=["bad-char", "too-long", "lower-prefix"],
)
def test_a_signed_message_with_a_malformed_sid_is_not_processed(
    twilio: Twilio, malformed: str
) -> None:
    assert twilio.post(captured("no me pagan el sueldo", sid=malformed)) == []
    assert twilio.processed() == 0


# -- the exact replay (enabled once the store keeps seen ids for REPLAY_WINDOW) ----------------


def test_an_exact_replay_long_after_is_still_a_duplicate(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path}/state.sqlite3")
    try:
        first = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        assert store.first_delivery(f"twilio:{SID}", first)
        later = first + REPLAY_WINDOW - dt.timedelta(days=1)
        store.purge(later)
        assert not store.first_delivery(f"twilio:{SID}", later)
    finally:
        store.close()
