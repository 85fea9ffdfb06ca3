"""Numbers people type, in any script: `٣`, `३`, `৩` and `3` are the same choice.

Only decimal digits (Unicode category Nd: every script's 0-9) count; look-alikes such as `²`
or `①` are digits to `str.isdigit` but not decimal, and read as text, never as a crash.
"""

from __future__ import annotations

import re
import unicodedata

# A choice from a list: one to three digits, optionally followed by "." or ")".
_CHOICE = re.compile(r"^\s*(\w{1,3})\s*[.)]?\s*$")


def ascii_digits(text: str) -> str | None:
    """`text` in ASCII digits when every character is a decimal digit of some script."""
    if not text or not text.isdecimal():
        return None
    return "".join(str(unicodedata.decimal(ch)) for ch in text)


def typed_choice(text: str) -> int | None:
    """The number of a list item typed alone ("3", "٣.", "৩)"), else None."""
    found = _CHOICE.match(text)
    if not found:
        return None
    digits = ascii_digits(found.group(1))
    return int(digits) if digits is not None else None


def typed_number(text: str) -> str | None:
    """A whole message that is one number ("٩٩٩"), in ASCII digits, else None."""
    return ascii_digits(text.strip())
