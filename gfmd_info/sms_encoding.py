"""SMS character sets: GSM-7 or UCS-2, and how many segments a text costs.

An SMS is GSM-7 only if every character is in the GSM 03.38 basic alphabet or its extension
table; one other character (a curly quote, an emoji, an Arabic letter) turns the whole message
into UCS-2, which costs more than twice as many segments. `to_gsm7` swaps Latin look-alikes for
GSM-7 characters, but only when that makes the whole text GSM-7: a text that needs UCS-2 anyway
is returned exactly as it was.

Counting (3GPP TS 23.038, Twilio): GSM-7 counts septets, and the extension characters
``^ { } \\ [ ~ ] | €`` and form feed take two (an escape and the character). UCS-2 counts UTF-16
code units, so an emoji takes two. One segment holds 160 septets or 70 UCS-2 units; a longer
message is split into parts of 153 septets or 67 units, and a part never ends between an
escape and its character or between the two halves of a surrogate pair.

The empty text measures as 1 segment of 0 units: sending it still costs one message.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

SINGLE_SEGMENT_GSM7 = 160
MULTI_SEGMENT_GSM7 = 153
SINGLE_SEGMENT_UCS2 = 70
MULTI_SEGMENT_UCS2 = 67


class Encoding(StrEnum):
    GSM7 = "gsm7"
    UCS2 = "ucs2"


@dataclass(frozen=True)
class Measure:
    encoding: Encoding
    units: int
    segments: int


# GSM 03.38 basic alphabet, in table order 0x00..0x7F without 0x1B (the escape to the extension).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension table: each is sent as escape + character, two septets.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

# Look-alikes that Unicode decomposition does not turn into GSM-7.
_LOOKALIKES: dict[str, str] = {
    **dict.fromkeys("‘’‚‛′‵`´ʼʻ‹›", "'"),
    **dict.fromkeys("“”„‟″‶«»", '"'),
    **dict.fromkeys("‐‑‒–—―−⁃•", "-"),
    **dict.fromkeys(
        "\t\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
        "\u2009\u200a\u202f\u205f\u3000",
        " ",
    ),
    **dict.fromkeys("\u000b\u0085\u2028\u2029", "\n"),
    "…": "...",
    "⁄": "/",
    "·": ".",
    "œ": "oe",
    "Œ": "OE",
    "ẞ": "SS",
    "ł": "l",
    "Ł": "L",
    "đ": "d",
    "Đ": "D",
    "ð": "d",
    "Ð": "D",
    "þ": "th",
    "Þ": "Th",
    "ı": "i",
    "ŀ": "l",
    "Ŀ": "L",
    "ħ": "h",
    "Ħ": "H",
    "ŧ": "t",
    "Ŧ": "T",
    "ŋ": "n",
    "Ŋ": "N",
    "ƒ": "f",
    "©": "(c)",
    "®": "(R)",
}


# French guillemets carry a space inside (« oui »); straight quotes do not ("oui").
_GUILLEMET_OPEN = re.compile(r"«\s*")
_GUILLEMET_CLOSE = re.compile(r"\s*»")


def is_gsm7(text: str) -> bool:
    """True if every character of `text`, as it is, can be sent as GSM-7."""
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def _dropped(ch: str) -> bool:
    """Invisible characters a GSM-7 message can do without: combining marks left after a Latin
    letter, format characters (zero-width spaces, direction marks, soft hyphens) and control
    characters other than line breaks and form feed."""
    if unicodedata.combining(ch):
        return True
    category = unicodedata.category(ch)
    return category == "Cf" or (category == "Cc" and ch not in "\n\r\f")


def _char_to_gsm7(ch: str) -> str | None:
    if ch in GSM7_BASIC or ch in GSM7_EXTENSION:
        return ch
    if ch in _LOOKALIKES:
        return _LOOKALIKES[ch]
    if _dropped(ch):
        return ""
    # General fallback: á -> a + accent, ﬁ -> fi, full-width Ａ -> A; keep it only if every
    # remaining character is GSM-7 (so Cyrillic or Greek small letters still fail).
    out: list[str] = []
    for part in unicodedata.normalize("NFKD", ch):
        if part in GSM7_BASIC or part in GSM7_EXTENSION:
            out.append(part)
        elif part in _LOOKALIKES:
            out.append(_LOOKALIKES[part])
        elif not _dropped(part):
            return None
    return "".join(out)


def to_gsm7(text: str) -> str:
    """`text` with Latin look-alikes replaced so that it is GSM-7, or `text` unchanged if any
    character (Arabic, Cyrillic, Devanagari, emoji...) would still need UCS-2.

    GSM-7 letters stay as they are (é, è, à, ñ, ü, Ç, ß...); others lose their accent (á -> a,
    ç -> c, ê -> e, ã -> a); curly quotes, « » (with the space inside them) and dashes become
    ASCII; other spaces become a space; invisible format and control characters are dropped.
    """
    if is_gsm7(text):
        return text
    normalized = unicodedata.normalize("NFC", text)
    normalized = _GUILLEMET_CLOSE.sub("»", _GUILLEMET_OPEN.sub("«", normalized))
    out: list[str] = []
    for ch in normalized:
        converted = _char_to_gsm7(ch)
        if converted is None:
            return text
        out.append(converted)
    return "".join(out)


def _unit_costs(text: str, encoding: Encoding) -> list[int]:
    """The cost of each unsplittable piece of `text`, in the order they are sent."""
    if encoding is Encoding.GSM7:
        return [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    costs: list[int] = []
    i = 0
    while i < len(text):
        code = ord(text[i])
        paired = (
            0xD800 <= code <= 0xDBFF and i + 1 < len(text) and 0xDC00 <= ord(text[i + 1]) <= 0xDFFF
        )
        if code > 0xFFFF or paired:
            costs.append(2)
            i += 2 if paired else 1
        else:
            costs.append(1)
            i += 1
    return costs


def measure(text: str) -> Measure:
    """Encoding, units and segments of `text` exactly as it would be sent (no transliteration)."""
    encoding = Encoding.GSM7 if is_gsm7(text) else Encoding.UCS2
    costs = _unit_costs(text, encoding)
    units = sum(costs)
    if encoding is Encoding.GSM7:
        single, per_part = SINGLE_SEGMENT_GSM7, MULTI_SEGMENT_GSM7
    else:
        single, per_part = SINGLE_SEGMENT_UCS2, MULTI_SEGMENT_UCS2
    if units <= single:
        return Measure(encoding, units, 1)
    segments, used = 1, 0
    for cost in costs:
        if used + cost > per_part:
            segments += 1
            used = 0
        used += cost
    return Measure(encoding, units, segments)
