"""The Twilio webhook through the real app: recorded Twilio bodies, signed by the twilio
library's own code, posted over the real HTTP stack (TestClient)."""

from __future__ import annotations

import datetime as dt
import logging
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from fastapi.testclient import TestClient
from twilio.request_validator import RequestValidator

from bot.channels.sms import (
    EMPTY_TWIML,
    clean_text,
    country_of,
    local_country,
    sender,
    signed_url,
)
from bot.intake import RateLimit
from bot.messages import Channel
from bot.runtime import Runtime
from gfmd_info.emergency_line import call_line
from gfmd_info.sms_encoding import measure

TWILIO_AUTH_TOKEN = "0123456789abcdef0123456789abcdef"  # as in conftest
PUBLIC_URL = "https://bot.example.org"
REPO = Path(__file__).resolve().parents[3]

# Bodies in the fields and order Twilio posts (its inbound-message webhook documentation);
# the sids, numbers and places are made up.
RECORDED_SMS = (
    "ToCountry=US&ToState=NY&SmsMessageSid=SM4d2f0c0e8a0b4c6f9e1d2a3b4c5d6e7f&NumMedia=0"
    "&ToCity=NEW+YORK&FromZip=&SmsSid=SM4d2f0c0e8a0b4c6f9e1d2a3b4c5d6e7f&FromState="
    "&SmsStatus=received&FromCity=&Body=unpaid+wages&FromCountry=US&To=%2B12125550142"
    "&MessagingServiceSid=MG0f1e2d3c4b5a69788796a5b4c3d2e1f0&ToZip=10001&NumSegments=1"
    "&MessageSid=SM4d2f0c0e8a0b4c6f9e1d2a3b4c5d6e7f&AccountSid=AC00112233445566778899aabbccddeeff"
    "&From=%2B12125550143&ApiVersion=2010-04-01"
)
RECORDED_WHATSAPP = (
    "SmsMessageSid=SM9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d&NumMedia=0&ProfileName=Ana"
    "&MessageType=text&SmsSid=SM9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d&WaId=34612345678"
    "&SmsStatus=received&Body=my+boss+did+not+pay+me&To=whatsapp%3A%2B14155238886"
    "&NumSegments=1&ReferralNumMedia=0&MessageSid=SM9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d"
    "&AccountSid=AC00112233445566778899aabbccddeeff&From=whatsapp%3A%2B34612345678"
    "&ApiVersion=2010-04-01"
)
RECORDED_MMS = (
    "ToCountry=US&MediaContentType0=image%2Fjpeg&ToState=NY"
    "&SmsMessageSid=MM1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f&NumMedia=1&ToCity=NEW+YORK&FromZip="
    "&SmsSid=MM1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f&FromState=&SmsStatus=received&FromCity=&Body="
    "&FromCountry=US&To=%2B12125550142&ToZip=10001&NumSegments=1"
    "&MessageSid=MM1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f&AccountSid=AC00112233445566778899aabbccddeeff"
    "&From=%2B12125550143"
    "&MediaUrl0=https%3A%2F%2Fapi.twilio.com%2F2010-04-01%2FAccounts%2FAC00112233445566778899aabbccddeeff"
    "%2FMessages%2FMM1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f%2FMedia%2FME0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d"
    "&ApiVersion=2010-04-01"
)
RECORDED_STATUS_CALLBACK = (
    "SmsSid=SM7e6d5c4b3a2918f7e6d5c4b3a2918f7e&SmsStatus=delivered&MessageStatus=delivered"
    "&To=%2B34612345678&MessageSid=SM7e6d5c4b3a2918f7e6d5c4b3a2918f7e"
    "&AccountSid=AC00112233445566778899aabbccddeeff&From=%2B12125550142&ApiVersion=2010-04-01"
)


def recorded(body: str, **changes: str) -> dict[str, str]:
    """A recorded body as fields, with some replaced (`MessageSid` also sets the aliases)."""
    fields = dict(parse_qsl(body, keep_blank_values=True))
    if "MessageSid" in changes:
        for alias in ("SmsSid", "SmsMessageSid"):
            if alias in fields:
                fields[alias] = changes["MessageSid"]
    fields.update(changes)
    return fields


def sign(
    fields: Mapping[str, str],
    url: str = f"{PUBLIC_URL}/sms/twilio",
    token: str = TWILIO_AUTH_TOKEN,
) -> str:
    return str(RequestValidator(token).compute_signature(url, dict(fields)))


@dataclass
class Twilio:
    """Posts to the webhook as Twilio does: urlencoded fields, signed over the public URL."""

    client: TestClient
    sids: int = 0

    @property
    def runtime(self) -> Runtime:
        runtime: Runtime = self.client.app.state.runtime
        return runtime

    def next_sid(self) -> str:
        self.sids += 1
        return f"SM{self.sids:032x}"

    def post(
        self,
        fields: Mapping[str, str],
        *,
        signature: str | None = "sign",
        query: str = "",
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        path = "/sms/twilio" + (f"?{query}" if query else "")
        all_headers = {"content-type": "application/x-www-form-urlencoded", **(headers or {})}
        if signature == "sign":
            all_headers["x-twilio-signature"] = sign(fields, PUBLIC_URL + path)
        elif signature is not None:
            all_headers["x-twilio-signature"] = signature
        return self.client.post(path, content=urlencode(list(fields.items())), headers=all_headers)

    def say(self, text: str, sender: str = "+12125550143", **extra: str) -> Any:
        """One new message (a fresh MessageSid) from `sender`; `whatsapp:` senders use the
        WhatsApp recording."""
        base = RECORDED_WHATSAPP if sender.startswith("whatsapp:") else RECORDED_SMS
        return self.post(
            recorded(base, MessageSid=self.next_sid(), From=sender, Body=text, **extra)
        )


@pytest.fixture
def make_twilio(make_client: Callable[..., TestClient]) -> Callable[..., Twilio]:
    def factory(**overrides: Any) -> Twilio:
        twilio = Twilio(make_client(**overrides))
        if "twilio_auth_token" not in overrides:
            assert twilio.runtime.settings.twilio_auth_token == TWILIO_AUTH_TOKEN
        return twilio

    return factory


@pytest.fixture
def twilio(make_twilio: Callable[..., Twilio]) -> Twilio:
    return make_twilio()


SPAIN = "+34612345678"
US = "+12125550143"
FRANCE = "+33612345678"
UAE = "+971501234567"
INDIA = "+919812345678"
# The bot's own numbers (`To`) in some countries; the recordings' `To` is a US number.
UAE_BOT = "+97145550100"
SPAIN_BOT = "+34910000000"


def texts(response: Any) -> list[str]:
    """The <Message> texts of a TwiML answer (an empty list for an empty <Response/>)."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "Response"
    return [message.text or "" for message in root.iter("Message")]


def counter(twilio: Twilio, name: str, **labels: str) -> float:
    value = twilio.runtime.metrics.registry.get_sample_value(name, labels)
    return value or 0.0


# -- genuine or not -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureCase:
    name: str
    # Builds (fields, signature header or None, query) from a valid recorded body.
    request: Callable[[dict[str, str]], tuple[dict[str, str], str | None, str]]
    status: int


def _valid(f: dict[str, str]) -> tuple[dict[str, str], str | None, str]:
    return f, sign(f), ""


def _tampered(f: dict[str, str]) -> tuple[dict[str, str], str | None, str]:
    return {**f, "Body": "send me money"}, sign(f), ""


def _wrong_url(f: dict[str, str]) -> tuple[dict[str, str], str | None, str]:
    # What a server behind a TLS-terminating proxy sees: its own http URL, not the public one.
    return f, sign(f, url="http://testserver/sms/twilio"), ""


def _missing(f: dict[str, str]) -> tuple[dict[str, str], str | None, str]:
    return f, None, ""


def _wrong_token(f: dict[str, str]) -> tuple[dict[str, str], str | None, str]:
    return f, sign(f, token="f" * 32), ""


def _with_query(f: dict[str, str]) -> tuple[dict[str, str], str | None, str]:
    return f, sign(f, url=f"{PUBLIC_URL}/sms/twilio?lang=es"), "lang=es"


def _query_dropped(f: dict[str, str]) -> tuple[dict[str, str], str | None, str]:
    return f, sign(f, url=f"{PUBLIC_URL}/sms/twilio"), "lang=es"


def _whatsapp(f: dict[str, str]) -> tuple[dict[str, str], str | None, str]:
    w = recorded(RECORDED_WHATSAPP, MessageSid=f["MessageSid"])
    return w, sign(w), ""


def _extra_fields(f: dict[str, str]) -> tuple[dict[str, str], str | None, str]:
    g = {**f, "AddOns": '{"status":"successful"}', "FutureField": "x", "Latitude": ""}
    return g, sign(g), ""


def _empty_signature(f: dict[str, str]) -> tuple[dict[str, str], str | None, str]:
    return f, "", ""


SIGNATURE_CASES = [
    SignatureCase("valid sms", _valid, 200),
    SignatureCase("valid whatsapp", _whatsapp, 200),
    SignatureCase("unknown extra fields, signed", _extra_fields, 200),
    SignatureCase("signed with its query string", _with_query, 200),
    SignatureCase("tampered body", _tampered, 403),
    SignatureCase("wrong url (proxy's http url)", _wrong_url, 403),
    SignatureCase("query string not signed", _query_dropped, 403),
    SignatureCase("missing header", _missing, 403),
    SignatureCase("empty header", _empty_signature, 403),
    SignatureCase("wrong token", _wrong_token, 403),
]


@pytest.mark.parametrize("case", SIGNATURE_CASES, ids=lambda c: c.name)
def test_only_requests_signed_over_the_public_url_are_answered(
    twilio: Twilio, case: SignatureCase
) -> None:
    sid = "SM" + "a" * 32
    fields, signature, query = case.request(recorded(RECORDED_SMS, MessageSid=sid))
    response = twilio.post(fields, signature=signature, query=query)
    assert response.status_code == case.status
    number = fields["From"].removeprefix("whatsapp:")
    channel = Channel.WHATSAPP if fields["From"].startswith("whatsapp:") else Channel.SMS
    stored = twilio.runtime.store.load(twilio.runtime.user_key(channel, number))
    seen_before = not twilio.runtime.store.first_delivery(f"twilio:{sid}", dt.datetime.now(dt.UTC))
    if case.status == 200:
        assert texts(response), "a genuine question gets an answer"
        assert stored is not None and seen_before
    else:
        assert response.content == b"", "a refused call is answered with nothing"
        assert stored is None, "nothing is stored for a refused call"
        assert not seen_before, "its MessageSid is not recorded either"
        assert counter(twilio, "gfmd_rejected_signatures_total", channel="sms") == 1


def test_a_body_that_is_not_a_form_is_refused(twilio: Twilio) -> None:
    fields = recorded(RECORDED_SMS)
    response = twilio.client.post(
        "/sms/twilio",
        json=fields,
        headers={"x-twilio-signature": sign(fields)},
    )
    assert response.status_code == 403


def test_an_oversized_body_is_refused_before_anything_else(twilio: Twilio) -> None:
    fields = recorded(RECORDED_SMS, Body="x" * 70_000)
    assert twilio.post(fields).status_code == 413
    assert twilio.runtime.store.first_delivery(
        "twilio:" + fields["MessageSid"], dt.datetime.now(dt.UTC)
    )


def test_without_an_auth_token_the_webhook_answers_503_and_says_why_once(
    make_twilio: Callable[..., Twilio], caplog: pytest.LogCaptureFixture
) -> None:
    twilio = make_twilio(twilio_auth_token=None)
    caplog.set_level(logging.INFO, logger="bot.channels.sms")
    first = twilio.say("hello")
    second = twilio.say("hello")
    assert (first.status_code, second.status_code) == (503, 503)
    said = [r for r in caplog.records if getattr(r, "event", "") == "sms_not_configured"]
    assert len(said) == 1
    assert "TWILIO_AUTH_TOKEN" in said[0].reason
    statuses = {s.name: s for s in twilio.client.app.state.channels}
    assert statuses["sms"].live is False


def test_without_a_public_url_the_webhook_answers_503(make_twilio: Callable[..., Twilio]) -> None:
    twilio = make_twilio(gfmd_bot_public_url=None)
    assert twilio.say("hello").status_code == 503


def test_the_development_setting_accepts_unsigned_calls_and_says_so_loudly(
    make_twilio: Callable[..., Twilio], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.channels.sms")
    twilio = make_twilio(twilio_auth_token=None, gfmd_allow_unsigned_sms=True)
    fields = recorded(RECORDED_SMS, MessageSid=twilio.next_sid())
    assert texts(twilio.post(fields, signature=None))
    events = [getattr(r, "event", "") for r in caplog.records if r.levelno >= logging.WARNING]
    assert "sms_unsigned_allowed" in events and "sms_unsigned_accepted" in events


def test_the_channel_is_live_only_with_token_and_public_url(twilio: Twilio) -> None:
    statuses = {s.name: s for s in twilio.client.app.state.channels}
    assert statuses["sms"].live is True
    assert "https://bot.example.org/sms/twilio" in statuses["sms"].reason


# -- conversations --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Turn:
    sender: str
    text: str
    # Substrings every one of which must appear in the answer; () means an empty <Response/>.
    expect: tuple[str, ...]
    messages: int | None = None
    to: str | None = None  # the bot's number, when not the recording's (US)


@dataclass(frozen=True)
class ConversationCase:
    name: str
    turns: tuple[Turn, ...]
    settings: dict[str, Any] | None = None


WA = "whatsapp:" + SPAIN
WA_US = "whatsapp:+12125550143"
CONVERSATION_CASES = [
    ConversationCase(
        "a Spanish question gets a Spanish answer in one GSM-7 page with MORE",
        (
            Turn(SPAIN, "no me pagan el sueldo", ("no es tu culpa", "Responde MAS"), messages=1),
            Turn(SPAIN, "MAS", ("Qué puedes hacer", "Responde MAS"), messages=1),
        ),
    ),
    ConversationCase(
        "whatsapp gets whatsapp formatting and numbered options, no SMS hint",
        (
            Turn(
                WA, "I am in danger, my employer locked me in", ("*If you are in danger", "1. More")
            ),
            Turn(WA, "1", ("What you can do", "2. Main menu")),
        ),
    ),
    ConversationCase(
        "an urgent answer uses the country from the number and may take two pages",
        (Turn(UAE, "I am in danger, my employer locked me in", ("999",), to=UAE_BOT),),
    ),
    ConversationCase(
        "English STOP and START are recorded but Twilio answers them",
        (
            Turn(US, "unpaid wages", ("not your fault",)),
            Turn(US, "STOP", ()),
            Turn(US, "unpaid wages", ()),
            Turn(US, " start ", ()),
            Turn(US, "unpaid wages", ("not your fault",)),
        ),
    ),
    ConversationCase(
        "English HELP is left to Twilio on SMS",
        (Turn(US, "HELP", ()),),
    ),
    ConversationCase(
        "Spanish PARAR and INICIAR are answered by the bot",
        (
            Turn(SPAIN, "no me pagan el sueldo", ("no es tu culpa",)),
            Turn(SPAIN, "PARAR", ("No recibiras mas mensajes", "INICIAR")),
            Turn(SPAIN, "no me pagan el sueldo", ()),
            Turn(SPAIN, "iniciar", ("Hola de nuevo",)),
        ),
    ),
    ConversationCase(
        "French ARRET and REPRENDRE are answered by the bot",
        (
            Turn(FRANCE, "salaire impayé", ("pas de votre faute",)),
            Turn(FRANCE, "ARRÊT", ("Tu ne recevras plus de messages",)),
            Turn(FRANCE, "bonjour", ()),
            Turn(FRANCE, "Reprendre", ("Bon retour",)),
        ),
    ),
    ConversationCase(
        "Arabic STOP is answered by the bot in Arabic",
        (Turn(UAE, "قف", ("لن تصلك رسائل",), to=UAE_BOT),),
    ),
    ConversationCase(
        "on WhatsApp the bot answers STOP itself: Twilio does not",
        (
            Turn(WA_US, "STOP", ("You will get no more messages",)),
            Turn(WA_US, "hello", ()),
        ),
    ),
    ConversationCase(
        "an empty body gets an empty response",
        (Turn(SPAIN, "", ()), Turn(SPAIN, "   \n ", ())),
    ),
    ConversationCase(
        "a 5,000-character body gets an answer, not an error",
        (Turn(US, "unpaid wages " * 420, ("",)),),
    ),
    ConversationCase(
        "control characters and odd text are answered",
        (
            Turn(US, "unpaid\x00 wages\x07\x1b\r\n", ("not your fault",)),
            Turn(US, "\ufeff\u202e\U0001f600 ??? %00 &amp; <Response/>", ("",)),
        ),
    ),
    ConversationCase(
        "beyond the limit: one 'please wait' in the person's language, then silence",
        (
            Turn(SPAIN, "no me pagan el sueldo", ("no es tu culpa",)),
            Turn(SPAIN, "MAS", ("",)),
            Turn(SPAIN, "MAS", ("",)),
            Turn(SPAIN, "MAS", ("Demasiados mensajes", "Espera")),
            Turn(SPAIN, "MAS", ()),
            Turn(SPAIN, "hola", ()),
            Turn(FRANCE, "bonjour", ("",)),
            Turn(SPAIN, "PARAR", ("No recibiras mas mensajes",)),
            Turn(SPAIN, "STOP", ()),
        ),
        settings={"gfmd_rate_limit_messages": 3, "gfmd_rate_limit_window_seconds": 10**9},
    ),
]


@pytest.mark.parametrize("case", CONVERSATION_CASES, ids=lambda c: c.name)
def test_conversations_over_the_webhook(
    make_twilio: Callable[..., Twilio], case: ConversationCase
) -> None:
    twilio = make_twilio(**(case.settings or {}))
    for number, turn in enumerate(case.turns, 1):
        to = {"To": turn.to} if turn.to else {}
        answer = texts(twilio.say(turn.text, sender=turn.sender, **to))
        where = f"turn {number} ({turn.text[:20]!r}): {answer}"
        if not turn.expect:
            assert answer == [], where
            continue
        assert answer, where
        joined = "\n".join(answer)
        for expected in turn.expect:
            assert expected in joined, where
        if turn.messages is not None:
            assert len(answer) == turn.messages, where
        if not turn.sender.startswith("whatsapp:"):
            assert all(measure(text).segments <= 3 for text in answer), where
            assert len(answer) <= 2, where


def test_the_same_message_sid_is_answered_once(twilio: Twilio) -> None:
    fields = recorded(RECORDED_SMS, MessageSid=twilio.next_sid())
    first = twilio.post(fields)
    again = twilio.post(fields)
    assert "not your fault" in texts(first)[0]
    assert again.status_code == 200
    assert again.text == EMPTY_TWIML
    assert counter(twilio, "gfmd_duplicates_total", channel="sms") == 1


def test_seen_message_sids_survive_a_restart(make_twilio: Callable[..., Twilio]) -> None:
    fields = recorded(RECORDED_SMS, MessageSid="SM" + "b" * 32)
    before = make_twilio()
    assert texts(before.post(fields))
    before.client.close()
    before.runtime.close()
    after = make_twilio()  # a new app and store over the same database file
    assert after.post(fields).text == EMPTY_TWIML


def test_a_picture_without_text_gets_a_short_text_only_reply(twilio: Twilio) -> None:
    fields = recorded(RECORDED_MMS, MessageSid=twilio.next_sid())
    answer = texts(twilio.post(fields))
    assert len(answer) == 1
    assert "only read text" in answer[0] or "Solo puedo leer texto" in answer[0]
    assert measure(answer[0]).segments == 1


def test_a_person_who_opted_out_gets_nothing_for_a_picture_or_over_the_limit(
    make_twilio: Callable[..., Twilio],
) -> None:
    twilio = make_twilio(gfmd_rate_limit_messages=2, gfmd_rate_limit_window_seconds=10**9)
    assert "No recibiras" in texts(twilio.say("PARAR", sender=SPAIN, To=SPAIN_BOT))[0]
    picture = recorded(RECORDED_MMS, MessageSid=twilio.next_sid(), From=SPAIN)
    assert texts(twilio.post(picture)) == []
    assert texts(twilio.say("hola", sender=SPAIN)) == []  # over the limit of 2: no "please wait"


DANGER = "help me now he has a knife"


@pytest.mark.parametrize("sender", [SPAIN, "whatsapp:" + SPAIN])
def test_danger_gets_through_the_rate_limit(
    make_twilio: Callable[..., Twilio], sender: str
) -> None:
    twilio = make_twilio(gfmd_rate_limit_messages=2, gfmd_rate_limit_window_seconds=10**9)
    assert texts(twilio.say("menu", sender=sender))
    assert texts(twilio.say("menu", sender=sender))
    assert "Too many messages" in texts(twilio.say("menu", sender=sender))[0]
    assert texts(twilio.say("menu", sender=sender)) == []

    urgent = "\n".join(texts(twilio.say(DANGER, sender=sender)))

    assert "If you are in danger now" in urgent
    assert texts(twilio.say("menu", sender=sender)) == []  # the limit holds for the rest


def test_a_picture_with_text_is_answered_as_text(twilio: Twilio) -> None:
    fields = recorded(RECORDED_MMS, MessageSid=twilio.next_sid(), Body="unpaid wages")
    assert "not your fault" in texts(twilio.post(fields))[0]


def test_a_status_callback_posted_here_is_ignored(twilio: Twilio) -> None:
    fields = recorded(RECORDED_STATUS_CALLBACK)
    assert twilio.post(fields).text == EMPTY_TWIML
    assert (
        counter(twilio, "gfmd_ignored_updates_total", channel="sms", reason="status_callback") == 1
    )


def test_other_channels_and_missing_senders_are_ignored(twilio: Twilio) -> None:
    for sender_field in ("messenger:1234567890", ""):
        fields = recorded(RECORDED_SMS, MessageSid=twilio.next_sid(), From=sender_field)
        assert twilio.post(fields).text == EMPTY_TWIML


def test_metrics_count_answers_by_channel_language_and_topic(twilio: Twilio) -> None:
    texts(twilio.say("no me pagan el sueldo"))
    samples = {
        tuple(sorted(s.labels.items())): s.value
        for metric in twilio.runtime.metrics.registry.collect()
        if metric.name == "gfmd_messages"
        for s in metric.samples
        if s.name == "gfmd_messages_total"
    }
    [(labels, value)] = samples.items()
    found = dict(labels)
    assert found["channel"] == "sms" and found["lang"] == "es"
    assert found["decision"] == "answer" and found["topic"] == "unpaid-wages"
    assert value == 1
    assert (
        twilio.runtime.metrics.registry.get_sample_value(
            "gfmd_request_seconds_count", {"route": "/sms/twilio"}
        )
        == 1
    )


def test_logs_carry_decisions_never_numbers_text_or_ids(
    twilio: Twilio, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sid = twilio.next_sid()
    twilio.post(recorded(RECORDED_SMS, MessageSid=sid, Body="no me pagan el sueldo"))
    twilio.post(recorded(RECORDED_SMS, MessageSid=sid, Body="no me pagan el sueldo"))
    twilio.post(recorded(RECORDED_SMS, Body="no me pagan el sueldo"), signature="bad")
    logged = " ".join(repr(r.__dict__) for r in caplog.records)
    assert "sms_webhook" in logged
    for secret in (US, US.removeprefix("+"), "5550143", "pagan", sid, TWILIO_AUTH_TOKEN):
        assert secret not in logged


def test_the_core_never_imports_a_channel() -> None:
    code = (
        "import sys, bot.conversation, bot.runtime, bot.rendering, gfmd_info.knowledge\n"
        "bad = [m for m in sys.modules if m.startswith(('bot.channels', 'twilio', 'telegram'))]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


# -- the pieces -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("public", "query", "url"),
    [
        ("https://bot.example.org", "", "https://bot.example.org/sms/twilio"),
        ("https://bot.example.org/", "a=1&b=2", "https://bot.example.org/sms/twilio?a=1&b=2"),
        ("https://ngo.example/bot/", "", "https://ngo.example/bot/sms/twilio"),
    ],
)
def test_the_signed_url_is_the_public_one(public: str, query: str, url: str) -> None:
    assert signed_url(public, query) == url


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("+34612345678", (Channel.SMS, "+34612345678")),
        ("whatsapp:+971501234567", (Channel.WHATSAPP, "+971501234567")),
        ("whatsapp:", None),
        ("messenger:123", None),
        ("", None),
        ("GFMDINFO", (Channel.SMS, "GFMDINFO")),
    ],
)
def test_the_sender_field_gives_channel_and_number(
    field: str, expected: tuple[Channel, str] | None
) -> None:
    assert sender(field) == expected


@pytest.mark.parametrize(
    ("number", "country"),
    [
        ("+34612345678", "ES"),
        ("+971501234567", "AE"),
        ("+12125550142", "US"),
        ("+9999", None),
        ("GFMDINFO", None),
        ("", None),
    ],
)
def test_the_country_comes_from_the_number(number: str, country: str | None) -> None:
    assert country_of(number) == country


def test_minutes_left_counts_to_the_end_of_the_fixed_window() -> None:
    at = dt.datetime(2026, 1, 1, 10, 3, 30, tzinfo=dt.UTC)
    limit = RateLimit(messages=20, window_seconds=600)
    assert limit.minutes_left(at) == 7
    assert limit.minutes_left(at.replace(minute=9, second=59)) == 1


def test_clean_text_drops_control_characters_and_cuts_at_1600() -> None:
    assert clean_text("a\x00b\tc\nd\x7f") == "a b\tc\nd"
    assert len(clean_text("x" * 5000)) == 1600


def test_a_question_the_bot_cannot_place_is_counted_and_listed_without_its_sender(
    twilio: Twilio,
) -> None:
    texts(twilio.say("qwzx vbnm plokij", sender="+12125550188"))
    registry = twilio.runtime.metrics.registry
    assert registry.get_sample_value("gfmd_unanswered_total", {"channel": "sms", "lang": "en"}) == 1
    listed = twilio.runtime.store.unanswered()
    assert [(q.text, q.hits) for q in listed] == [("qwzx vbnm plokij", 1)]
    assert "2125550188" not in repr(listed)


# -- the emergency number is never guessed from a home SIM abroad --------------------------------


@pytest.mark.parametrize(
    ("sender", "bot_number", "expected", "not_expected"),
    [
        (UAE, UAE_BOT, "In the UAE: 999", "ask a neighbour"),
        ("whatsapp:" + UAE, "whatsapp:" + UAE_BOT, "In the UAE: 999", "ask a neighbour"),
        # An Indian SIM roaming in the UAE: India's 112 would not work there; 999 is a guess.
        (INDIA, UAE_BOT, "ask a neighbour", "112"),
        ("whatsapp:" + INDIA, "whatsapp:" + UAE_BOT, "ask a neighbour", "112"),
        (UAE, US, "ask a neighbour", "999"),
    ],
)
def test_the_emergency_number_comes_only_from_a_sender_in_the_bots_country(
    twilio: Twilio, sender: str, bot_number: str, expected: str, not_expected: str
) -> None:
    urgent = "\n".join(texts(twilio.say(DANGER, sender=sender, To=bot_number)))
    assert "If you are in danger now" in urgent
    assert expected in urgent
    assert not_expected not in urgent


@pytest.mark.parametrize(
    ("sender", "to", "country"),
    [
        (UAE, UAE_BOT, "AE"),
        (UAE, "whatsapp:" + UAE_BOT, "AE"),
        (SPAIN, SPAIN_BOT, "ES"),
        (INDIA, UAE_BOT, None),
        (SPAIN, US, None),
        (UAE, "", None),
        (UAE, "GFMDINFO", None),
        ("GFMDINFO", UAE_BOT, None),
    ],
)
def test_the_country_is_the_senders_only_when_the_bots_number_agrees(
    sender: str, to: str, country: str | None
) -> None:
    assert local_country(sender, to) == country


# -- a failure is never silence ---------------------------------------------------------------


def _failing_conversation(twilio: Twilio, monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """The conversation raises, as a bug would; the returned call mends it."""
    conversation = twilio.runtime.conversation
    real = conversation.respond

    def broken(*args: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(conversation, "respond", broken)
    return lambda: monkeypatch.setattr(conversation, "respond", real)


def test_a_failing_conversation_still_answers_danger_with_the_call_line_and_the_retry_too(
    twilio: Twilio, monkeypatch: pytest.MonkeyPatch
) -> None:
    mend = _failing_conversation(twilio, monkeypatch)
    fields = recorded(RECORDED_SMS, MessageSid=twilio.next_sid(), From=UAE, To=UAE_BOT, Body=DANGER)
    fallback = texts(twilio.post(fields))
    line = call_line(twilio.runtime.knowledge().content, "en", "AE")
    assert len(fallback) == 1 and fallback[0].startswith(line)
    assert "999" in fallback[0]
    mend()
    retry = texts(twilio.post(fields))  # Twilio delivers the same MessageSid again
    assert retry and "If you are in danger now" in "\n".join(retry)


def test_a_failing_conversation_answers_a_question_with_a_short_apology(
    twilio: Twilio, monkeypatch: pytest.MonkeyPatch
) -> None:
    _failing_conversation(twilio, monkeypatch)
    [apology] = texts(twilio.say("unpaid wages"))
    assert "went wrong" in apology and measure(apology).segments == 1


def test_a_store_outage_answers_with_the_fallback_rather_than_silence(twilio: Twilio) -> None:
    twilio.runtime.store.close()  # every query now raises, as with the database down
    answer = texts(twilio.say(DANGER, sender=UAE, To=UAE_BOT))
    assert answer and "999" in answer[0]
    assert "went wrong" in texts(twilio.say("unpaid wages"))[0]


def test_metrics_count_the_language_written_apart_from_the_language_answered(
    twilio: Twilio,
) -> None:
    twilio.say("english", sender=US)  # English chosen by name
    twilio.say("मेरो मालिकले तीन महिनादेखि तलब दिएको छैन", sender=US)
    assert counter(twilio, "gfmd_messages_total", channel="sms", lang="en", lang_written="ne",
                   topic="unpaid-wages", decision="answer") == 1  # fmt: skip
