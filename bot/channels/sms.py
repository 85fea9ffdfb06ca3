"""Twilio SMS and WhatsApp: one signed webhook, answered once, in TwiML that fits a basic phone.

`POST /sms/twilio` takes Twilio's form-encoded message webhook. In order: refuse when Twilio is
not configured (503), check `X-Twilio-Signature` against the configured public URL (403), then
hand one `Delivery` to the intake (`bot.intake`: dedupe by MessageSid, the per-sender limit, the
opt-out gate, the conversation and, on any failure, a short fallback reply, all in one store
transaction) and render its `Reply` as TwiML. A failed message is not recorded as handled, so
Twilio's retry is answered. The country hint (which emergency number to give) is the sender's
number's country only when the bot's own number (`To`) is from the same country: never guessed
from a home SIM abroad.
"Ignored" is a normal outcome: 200 and an empty `<Response/>`. Logs carry the channel and the
decision only: never numbers, text or ids.
"""

from __future__ import annotations

import base64
import functools
import hmac
import logging
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import phonenumbers
from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.datastructures import ImmutableMultiDict
from twilio.request_validator import (
    HMAC_SHA1,
    HMAC_SHA256,
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)
from twilio.twiml.messaging_response import MessagingResponse

from bot.channel_status import ChannelStatus
from bot.channels.twilio_form import form_problem
from bot.intake import Delivery
from bot.messages import Channel, Inbound, Reply
from bot.rendering import render_sms_pages, render_whatsapp_text
from bot.runtime import Runtime
from bot.settings import Settings

log = logging.getLogger(__name__)

ROUTE = "/sms/twilio"
WHATSAPP_PREFIX = "whatsapp:"
# Twilio's own requests are a few hundred bytes (a few KB with ten media URLs).
MAX_BODY_BYTES = 64 * 1024
MAX_FIELDS = 200
# Twilio's limit for one message body; anything longer is cut before the conversation sees it.
MAX_TEXT_CHARS = 1600
# At most this many <Message> elements per answer, whatever the renderer produced.
MAX_MESSAGES = 3
# Keywords Twilio itself answers on SMS long codes and toll-free numbers ("SMS STOP filtering"):
# a single-word body, any case. The bot records them but sends no second, conflicting reply.
# Twilio does not handle keywords on WhatsApp, so there the bot answers them itself.
TWILIO_KEYWORDS = frozenset(
    {
        "STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT",
        "START", "UNSTOP", "YES",
        "HELP", "INFO",
    }
)  # fmt: skip
EMPTY_TWIML = str(MessagingResponse())
# "+" and up to 7 digits: country code and area or carrier prefix.
COUNTRY_PREFIX_CHARS = 8
MIN_NUMBER_DIGITS = 11
TWIML_TYPE = "text/xml"
# C0 and C1 control characters except tab and newline: never useful, and NUL breaks PostgreSQL.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


# -- reading the request ------------------------------------------------------------------------


Fields = ImmutableMultiDict[str, str]


@dataclass(frozen=True)
class TwilioForm:
    """The posted fields, or why they could not be read (then nothing else is looked at)."""

    fields: Fields = field(default_factory=ImmutableMultiDict)
    refused: int | None = None


async def read_twilio_form(request: Request) -> TwilioForm:
    """The urlencoded body, bounded in size. Any other content type reads as no fields, so
    its signature check fails."""
    content_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return TwilioForm()
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return TwilioForm(refused=413)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            return TwilioForm(refused=413)
    try:
        pairs = parse_qsl(body.decode("latin-1"), keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except ValueError:
        return TwilioForm(refused=400)
    return TwilioForm(ImmutableMultiDict(pairs))


def signed_url(public_url: str, query: str) -> str:
    """The URL Twilio signed: the configured public base (TLS may end at a proxy, which makes
    the URL this process sees `http`), this route, and the query exactly as sent."""
    return public_url.rstrip("/") + ROUTE + (f"?{query}" if query else "")


def sender(from_field: str) -> tuple[Channel, str] | None:
    """The channel and the sender's number; None for senders this webhook does not serve."""
    if from_field.startswith(WHATSAPP_PREFIX):
        number = from_field.removeprefix(WHATSAPP_PREFIX).strip()
        return (Channel.WHATSAPP, number) if number else None
    if ":" in from_field or not from_field.strip():
        return None  # messenger:, rcs: and other channels are not served here
    return Channel.SMS, from_field.strip()


def country_of(number: str) -> str | None:
    """ISO country of an E.164 number, from its prefix; None when it cannot be told."""
    # The country and area code decide the region; parsing is slow, so regions are cached
    # by that prefix only (a prefix names no one).
    return _country_of_prefix(number.strip()[:COUNTRY_PREFIX_CHARS])


@functools.lru_cache(maxsize=4096)
def _country_of_prefix(prefix: str) -> str | None:
    number = prefix + "0" * (MIN_NUMBER_DIGITS - sum(ch.isdigit() for ch in prefix))
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return None
    region = phonenumbers.region_code_for_number(parsed)
    if not region and parsed.country_code:
        region = phonenumbers.region_code_for_country_code(parsed.country_code)
    return str(region) if region and region not in ("ZZ", "001") else None


def local_country(from_number: str, to_field: str) -> str | None:
    """The country the sender is in, as far as the numbers tell: the sender's number's country
    when the bot's number (`To`) is from the same one. A home SIM abroad (roaming) writing to a
    local number gives two countries, and a local emergency number must never be guessed from
    the home one: then None, and the conversation says how to find the local number."""
    home = country_of(from_number)
    here = country_of(to_field.removeprefix(WHATSAPP_PREFIX))
    return home if home is not None and home == here else None


def clean_text(body: str) -> str:
    # Cut first: no pattern ever sees more than a message can hold.
    return _CONTROL_CHARS.sub(" ", body[:MAX_TEXT_CHARS]).strip()


def media_count(value: str | None) -> int:
    try:
        return max(0, int(value or "0"))
    except ValueError:
        return 0


def is_twilio_keyword(channel: Channel, text: str) -> bool:
    return channel is Channel.SMS and text.strip().upper() in TWILIO_KEYWORDS


_DIGESTS = {HMAC_SHA1: "sha1", HMAC_SHA256: "sha256"}


def twilio_signature(token: str, url: str, fields: Fields, algorithm: str) -> bytes | None:
    """`X-Twilio-Signature` as the SDK's `RequestValidator.compute_signature` makes it (the
    URL, then each distinct name and value pair in sorted order, joined with nothing, under
    HMAC, in base64), in one pass; None for an algorithm it does not know."""
    digest = _DIGESTS.get(algorithm.upper())
    if digest is None:
        return None
    # Sorting distinct (name, value) pairs is the SDK's sorted names, each with its sorted
    # distinct values.
    signed = url + "".join(name + value for name, value in sorted(set(fields.multi_items())))
    return base64.b64encode(hmac.digest(token.encode(), signed.encode(), digest))


# -- answering ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    decision: str
    twiml: str = EMPTY_TWIML
    status: int = 200
    channel: str = Channel.SMS
    lang: str = "-"
    lang_written: str = "-"
    topic: str = "-"

    def response(self) -> Response:
        if self.status != 200:
            return Response(status_code=self.status)
        return Response(self.twiml, media_type=TWIML_TYPE)


def render_twiml(reply: Reply, channel: Channel) -> str:
    """SMS: the first page (two when urgent); the conversation keeps the rest for MORE.
    WhatsApp: its own formatting, pages of up to 1600 characters. Never more than three."""
    if channel is Channel.WHATSAPP:
        texts = render_whatsapp_text(reply)
        expected = MAX_MESSAGES
    else:
        texts = [page.text for page in render_sms_pages(reply)]
        expected = 2 if reply.urgent else 1
    if len(texts) > expected:
        log.warning(
            "reply_over_budget",
            extra={"event": "reply_over_budget", "channel": str(channel), "pages": len(texts)},
        )
    return _twiml(tuple(texts[:MAX_MESSAGES]))


@functools.lru_cache(maxsize=4096)
def _twiml(texts: tuple[str, ...]) -> str:
    """The same pages (menus, prompts) are sent again and again: build their TwiML once."""
    response = MessagingResponse()
    for text in texts:
        response.message(text)
    return str(response)


class TwilioWebhook:
    """The route's logic, with the little state it keeps (whether it already said it is off)."""

    def __init__(self) -> None:
        self._said_not_configured = False

    def receive(self, runtime: Runtime, request: Request, form: TwilioForm) -> Response:
        """The answer to one call. The app times every channel route (`WebhookTiming`)."""
        try:
            outcome = self._outcome(runtime, request, form)
        except Exception:  # a bug must not leak a traceback holding someone's text
            log.exception("sms_failed", extra={"event": "sms_failed"})
            outcome = Outcome("error")
        metrics = runtime.metrics
        if outcome.status == 200:
            metrics.count_message(
                outcome.channel, outcome.lang, outcome.topic, outcome.decision, outcome.lang_written
            )
        log.info(
            "sms_webhook",
            extra={
                "event": "sms_webhook",
                "channel": outcome.channel,
                "decision": outcome.decision,
            },
        )
        return outcome.response()

    # -- the steps, in order ---------------------------------------------------------------------

    def _outcome(self, runtime: Runtime, request: Request, form: TwilioForm) -> Outcome:
        settings = runtime.settings
        refused = self._refuse_unconfigured(settings)
        if refused is not None:
            return refused
        if form.refused is not None:
            return Outcome("unreadable", status=form.refused)
        if settings.twilio_auth_token and not self._genuine(settings, request, form.fields):
            runtime.metrics.rejected.labels(channel=Channel.SMS).inc()
            return Outcome("rejected", status=403)
        if not settings.twilio_auth_token:
            log.warning(
                "sms_unsigned_accepted",
                extra={"event": "sms_unsigned_accepted", "setting": "GFMD_ALLOW_UNSIGNED_SMS"},
            )
        return self._message(runtime, form.fields)

    def _refuse_unconfigured(self, settings: Settings) -> Outcome | None:
        if settings.twilio_auth_token and settings.gfmd_bot_public_url:
            return None
        if not settings.twilio_auth_token and settings.gfmd_allow_unsigned_sms:
            return None
        if not self._said_not_configured:
            self._said_not_configured = True
            log.error(
                "sms_not_configured",
                extra={"event": "sms_not_configured", "reason": not_configured_reason(settings)},
            )
        return Outcome("not_configured", status=503)

    def _genuine(self, settings: Settings, request: Request, fields: Fields) -> bool:
        signature = request.headers.get(SIGNATURE_HEADER)
        if not signature:
            log.warning("sms_rejected", extra={"event": "sms_rejected", "reason": "no signature"})
            return False
        if not settings.twilio_auth_token or not settings.gfmd_bot_public_url:
            return False
        # Starlette's URL object costs more than the rest of the check: read the usual empty
        # query from the scope, and let Starlette decode any other.
        query = request.url.query if request.scope.get("query_string") else ""
        url = signed_url(settings.gfmd_bot_public_url, query)
        algorithm = get_signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER))
        # One HMAC for the usual case; the SDK's `validate` (which also tries the URL with and
        # without :443/:80, and refuses an algorithm it does not know) for everything else.
        exact = twilio_signature(settings.twilio_auth_token, url, fields, algorithm)
        if exact is not None and hmac.compare_digest(exact, signature.encode()):
            return True
        validator = RequestValidator(settings.twilio_auth_token)
        if validator.validate(url, fields, signature, algorithm):
            return True
        log.warning("sms_rejected", extra={"event": "sms_rejected", "reason": "bad signature"})
        return False

    def _message(self, runtime: Runtime, fields: Fields) -> Outcome:
        status = fields.get("MessageStatus") or fields.get("SmsStatus") or "received"
        if status.lower() != "received":
            return self._ignored(runtime, "status_callback")
        # A signed body can be re-cut into other fields (see `bot.channels.twilio_form`).
        if form_problem(fields) is not None:
            return self._ignored(runtime, "malformed")
        message_sid = fields["MessageSid"]
        found = sender(fields["From"])
        if found is None:
            return self._ignored(runtime, "not_a_message")
        channel, number = found
        text = clean_text(fields.get("Body", ""))
        inbound = Inbound(
            channel,
            runtime.user_key(channel, number),
            text,
            country_hint=local_country(number, fields.get("To", "")),
        )
        delivery = Delivery(
            inbound,
            delivery_id=f"twilio:{message_sid}",
            media_only=not text and media_count(fields.get("NumMedia")) > 0,
            provider_answers=is_twilio_keyword(channel, text),
        )
        result = runtime.intake.receive(delivery)
        if result.decision == "duplicate":
            runtime.metrics.duplicates.labels(channel=channel).inc()
        elif result.decision.startswith("rate_limited"):
            runtime.metrics.rate_limited.labels(channel=channel).inc()
        if result.reply is None:
            return Outcome(result.decision, channel=channel)
        try:
            return self._answer(result.reply, channel, result.decision, result.reply.topic or "-")
        except Exception as error:  # a reply that cannot be rendered: the fallback, not silence
            log.error(
                "sms_render_failed", extra={"event": "sms_render_failed", "error": _kind(error)}
            )
            fallback = runtime.intake.fallback_reply(inbound)
            return self._answer(fallback, channel, "error")

    def _answer(self, reply: Reply, channel: Channel, decision: str, topic: str = "-") -> Outcome:
        return Outcome(
            decision,
            render_twiml(reply, channel),
            channel=channel,
            lang=reply.language or "-",
            lang_written=reply.lang_written,
            topic=topic,
        )

    def _ignored(self, runtime: Runtime, reason: str) -> Outcome:
        runtime.metrics.ignored.labels(channel=Channel.SMS, reason=reason).inc()
        return Outcome("ignored")


def not_configured_reason(settings: Settings) -> str:
    missing = [
        name
        for name, value in (
            ("TWILIO_AUTH_TOKEN", settings.twilio_auth_token),
            ("GFMD_BOT_PUBLIC_URL", settings.gfmd_bot_public_url),
        )
        if not value
    ]
    return f"{' and '.join(missing)} unset: {ROUTE} answers 503"


def mount(app: FastAPI, runtime: Runtime) -> ChannelStatus:
    """Mount `POST /sms/twilio` (always: unconfigured, it answers 503); say whether it is live."""
    webhook = TwilioWebhook()

    @app.post(ROUTE, include_in_schema=False)
    async def receive_twilio_sms(request: Request) -> Response:
        # No dependencies: resolving them per request cost more than the rest of the route.
        runtime: Runtime = request.app.state.runtime
        form = await read_twilio_form(request)
        return await runtime.call(webhook.receive, runtime, request, form)

    settings = runtime.settings
    if settings.twilio_auth_token and settings.gfmd_bot_public_url:
        url = signed_url(settings.gfmd_bot_public_url, "")
        return ChannelStatus("sms", True, f"signed Twilio webhook at {url}")
    if not settings.twilio_auth_token and settings.gfmd_allow_unsigned_sms:
        log.warning(
            "sms_unsigned_allowed",
            extra={
                "event": "sms_unsigned_allowed",
                "warning": "GFMD_ALLOW_UNSIGNED_SMS is on: anyone can post to /sms/twilio. "
                "Development only; never in production.",
            },
        )
        return ChannelStatus("sms", False, "UNSIGNED development mode (GFMD_ALLOW_UNSIGNED_SMS)")
    return ChannelStatus("sms", False, not_configured_reason(settings))


def _kind(error: BaseException) -> str:
    return type(error).__name__
