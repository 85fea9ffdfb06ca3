"""The shape of a Twilio message webhook's fields, checked after its signature.

Twilio's signature is an HMAC over the URL and the sorted names and values joined with no
separator, so one signed body can be re-cut without changing the signature: with `NumMedia`
dropped, `MessageSid=<sid>NumMedia0` signs the same as the original, and it is a new
MessageSid that the dedupe has never seen. Twilio's own values have fixed shapes, and any re-cut
moves characters into or out of one of them: so a message is read only when its ids, its
numbers and its account have exactly the shape Twilio gives them. `MessageSid` is then the one
the capture carried, and the dedupe (which keeps seen ids far longer than a capture is useful:
see `bot.state_store`) catches an exact replay.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

MESSAGE_SID = re.compile(r"(?:SM|MM)[0-9a-f]{32}")
ACCOUNT_SID = re.compile(r"AC[0-9a-f]{32}")
# E.164: a "+", a country code that does not start with 0, at most 15 digits in all. ASCII
# digits only: `\d` would also take other scripts' digits, which Twilio never sends.
E164 = re.compile(r"\+[1-9][0-9]{1,14}")
WHATSAPP_PREFIX = "whatsapp:"
# Twilio's aliases of MessageSid: when present they carry the same value.
SID_ALIASES = ("SmsSid", "SmsMessageSid")


def is_twilio_address(value: str) -> bool:
    """An SMS number (E.164) or a WhatsApp one (`whatsapp:` + E.164)."""
    return E164.fullmatch(value.removeprefix(WHATSAPP_PREFIX)) is not None


def form_problem(fields: Mapping[str, str]) -> str | None:
    """Why these fields are not a message webhook as Twilio sends one; None when they are.
    The reason names a field, never its value."""
    message_sid = fields.get("MessageSid")
    if message_sid is None or MESSAGE_SID.fullmatch(message_sid) is None:
        return "MessageSid"
    for alias in SID_ALIASES:
        if alias in fields and fields[alias] != message_sid:
            return alias
    account = fields.get("AccountSid")
    if account is None or ACCOUNT_SID.fullmatch(account) is None:
        return "AccountSid"
    for name in ("From", "To"):
        value = fields.get(name)
        if value is None or not is_twilio_address(value):
            return name
    return None
