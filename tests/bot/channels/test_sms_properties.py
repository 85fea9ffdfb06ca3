"""Whatever a correctly signed Twilio body holds, the webhook answers without a server error,
with well-formed TwiML, and without reaching its catch-all error branch."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from urllib.parse import urlencode

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.datastructures import ImmutableMultiDict
from twilio.request_validator import RequestValidator

from bot.channels.sms import twilio_signature
from bot.runtime import Runtime

WORDS = [
    "my boss did not pay me", "mi jefe no me paga", "mon patron ne me paie pas", "لم يدفع لي",
    "help", "HELP", "STOP", "stop", "PARAR", "START", "INICIAR", "MORE", "MAS", "menu", "1",
    "0", "99", "yes", "DELETE", "privacy", "language", "back", "hola", "I am in danger", "?",
]  # fmt: skip
SENDERS = [
    "+34612345678", "+971501234567", "+12125550142", "+33612345678", "+9999", "GFMDINFO",
    "whatsapp:+34612345678", "whatsapp:+447700900123", "whatsapp:", "messenger:123", "", "+",
    "whatsapp:whatsapp:+1", "+١٢٣", "\x00",
]  # fmt: skip
TWILIO_FIELDS = [
    "ToCountry", "ToState", "SmsMessageSid", "NumMedia", "ToCity", "FromZip", "SmsSid",
    "FromState", "SmsStatus", "FromCity", "FromCountry", "To", "MessagingServiceSid", "ToZip",
    "NumSegments", "AccountSid", "ApiVersion", "MediaUrl0", "MediaContentType0", "ProfileName",
    "WaId", "MessageType", "MessageStatus", "ButtonText", "Latitude", "Longitude",
]  # fmt: skip

bodies = st.one_of(
    st.sampled_from(WORDS),
    st.text(max_size=40),
    st.text(min_size=1500, max_size=2500),
    st.text(alphabet=st.characters(max_codepoint=0x9F), max_size=60),  # control characters
    st.builds(lambda w, t: w + t, st.sampled_from(WORDS), st.text(max_size=20)),
)
sids = st.one_of(
    st.integers(0, 2**40).map(lambda n: f"SM{n:032x}"),
    st.sampled_from(["SM" + "0" * 32, "SM" + "1" * 32]),  # repeats: Twilio retrying
    st.text(max_size=40),
)
extra = st.lists(
    st.tuples(
        st.one_of(st.sampled_from(TWILIO_FIELDS), st.text(max_size=12)),
        st.one_of(st.text(max_size=30), st.integers(-5, 12).map(str)),
    ),
    max_size=8,
)

# Enough to reach every branch; the whole suite has a time budget.
EXAMPLES = 250


@st.composite
def signed_bodies(draw: st.DrawFn) -> list[tuple[str, str]]:
    pairs = [
        ("MessageSid", draw(sids)),
        ("From", draw(st.one_of(st.sampled_from(SENDERS), st.text(max_size=20)))),
        ("Body", draw(bodies)),
        ("NumMedia", draw(st.sampled_from(["0", "1", "3", "", "-1", "x"]))),
        # Mostly Twilio's own shapes, so that most bodies get past the form check to the
        # conversation (`bot.channels.twilio_form`).
        ("AccountSid", draw(st.one_of(st.just("AC" + "0" * 32), st.text(max_size=34)))),
        (
            "To",
            draw(
                st.one_of(
                    st.sampled_from(["+34910000000", "whatsapp:+14155238886"]), st.text(max_size=16)
                )
            ),
        ),
        *draw(extra),
    ]
    drop = draw(st.sets(st.sampled_from(["MessageSid", "From", "Body", "NumMedia"]), max_size=2))
    return [(k, v) for k, v in pairs if k not in drop]


def test_generated_signed_bodies_never_get_a_server_error(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(gfmd_rate_limit_messages=100_000)
    runtime: Runtime = client.app.state.runtime
    assert runtime.settings.twilio_auth_token and runtime.settings.gfmd_bot_public_url
    validator = RequestValidator(runtime.settings.twilio_auth_token)
    url = runtime.settings.gfmd_bot_public_url + "/sms/twilio"
    seen: dict[int, int] = {}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(pairs=signed_bodies())
    def post(pairs: list[tuple[str, str]]) -> None:
        signature = validator.compute_signature(url, ImmutableMultiDict(pairs))
        response = client.post(
            "/sms/twilio",
            content=urlencode(pairs),
            headers={
                "content-type": "application/x-www-form-urlencoded",
                "x-twilio-signature": signature,
            },
        )
        seen[response.status_code] = seen.get(response.status_code, 0) + 1
        assert response.status_code == 200, response.text
        root = ET.fromstring(response.content)
        assert root.tag == "Response"
        assert len(list(root.iter("Message"))) <= 3

    post()
    errors = runtime.metrics.registry.collect()
    error_count = sum(
        sample.value
        for metric in errors
        if metric.name == "gfmd_messages"
        for sample in metric.samples
        if sample.name == "gfmd_messages_total" and sample.labels.get("decision") == "error"
    )
    assert error_count == 0, "the webhook's catch-all error branch was reached"
    assert sum(seen.values()) >= EXAMPLES


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    st.lists(st.tuples(st.text(max_size=6), st.text(max_size=8)), max_size=10),
    st.sampled_from(["HMAC_SHA1", "HMAC_SHA256", "hmac_sha256"]),
)
def test_the_webhooks_own_signature_is_the_sdks(pairs: list[tuple[str, str]], algo: str) -> None:
    # Repeated names and repeated pairs included: the SDK signs each distinct value once.
    fields = ImmutableMultiDict(pairs + pairs[:2])
    url = "https://bot.example.org/sms/twilio?x=é"
    expected = RequestValidator("token").compute_signature(url, fields, algo)
    assert twilio_signature("token", url, fields, algo) == expected.encode()


def test_an_unknown_algorithm_has_no_signature_of_its_own() -> None:
    assert twilio_signature("token", "https://x/sms/twilio", ImmutableMultiDict(), "MD5") is None
