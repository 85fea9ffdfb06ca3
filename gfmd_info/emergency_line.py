"""The call line: what a person in danger reads first, with the local numbers when known."""

from __future__ import annotations

from gfmd_info.store import ContentStore


def urgent_text(content: ContentStore, lang: str, country: str | None) -> str:
    """The urgent text in `lang` for a person whose country is `country` (None: unknown)."""
    pack = content.language_pack(lang)
    if pack.urgent is None:
        return ""
    number = content.emergency_number(country or "")
    if number is not None:
        return pack.urgent.with_number.replace("{number}", number.number)
    return pack.urgent.without_number
