"""What people asked that the bot could not answer, or only with a choice of topics
(ambiguous), grouped so that editors see the gaps.

The rows carry no user key: a day, a language, the masked text, how often it was asked and
which of the two it was.
Similar questions ("my visa expired", "visa expired what do i do") form one group, compared by
rapidfuzz's ``token_set_ratio`` (word order and repeated words do not matter). A group shows
how often it was asked, the day it was last asked and one example, masked again here so that
no phone number or address reaches an editor's screen even from rows stored before masking.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from rapidfuzz import fuzz, utils

Kind = Literal["unanswered", "ambiguous"]
# Scores at or above this join a group: a paraphrase with a word or two changed joins; two
# questions that share only their topic word do not (tests/gfmd_info/test_gap_report.py).
SIMILAR = 75.0
_EMAIL = re.compile(r"\S+@\S+")
# Three or more digits, written with spaces, dots or dashes between them: a number to reach.
_NUMBER = re.compile(r"\+?\d(?:[\s.\-/]*\d){2,}")


@dataclass(frozen=True)
class AskedRow:
    """One stored question: no user key, no time beyond the day (``None``: not listed)."""

    day: dt.date | None
    lang: str
    text: str
    hits: int = 1
    kind: Kind = "unanswered"


@dataclass
class Gap:
    """Similar questions in one language."""

    lang: str
    example: str
    asked: int
    newest: dt.date | None
    kinds: dict[str, int] = field(default_factory=dict)


def mask(text: str) -> str:
    return _NUMBER.sub("#", _EMAIL.sub("#", text))


def group_gaps(
    rows: Iterable[AskedRow],
    since: dt.date | None = None,
    lang: str | None = None,
    similar: float = SIMILAR,
) -> list[Gap]:
    """Groups of similar questions, most asked first, the most recently asked first among
    equals. Rows before ``since`` or in another language than ``lang`` are left out."""
    kept = [
        row
        for row in rows
        if (lang is None or row.lang == lang)
        and (since is None or row.day is None or row.day >= since)
        and row.text.strip()
    ]
    # Most asked wordings first: each group's example is then its most asked wording.
    kept.sort(key=lambda row: (-row.hits, _newest_first(row.day), row.text))
    groups: list[Gap] = []
    for row in kept:
        text = mask(row.text.strip())
        gap = _closest(groups, row.lang, text, similar)
        if gap is None:
            gap = Gap(row.lang, text, 0, row.day)
            groups.append(gap)
        gap.asked += row.hits
        gap.kinds[row.kind] = gap.kinds.get(row.kind, 0) + row.hits
        if row.day is not None and (gap.newest is None or row.day > gap.newest):
            gap.newest = row.day
    groups.sort(key=lambda gap: (-gap.asked, _newest_first(gap.newest), gap.lang, gap.example))
    return groups


def _newest_first(day: dt.date | None) -> int:
    return -(day.toordinal() if day is not None else 0)


def _closest(groups: list[Gap], lang: str, text: str, similar: float) -> Gap | None:
    best: tuple[float, Gap] | None = None
    for gap in groups:
        if gap.lang != lang:
            continue
        score = _similarity(text, gap.example)
        if score >= similar and (best is None or score > best[0]):
            best = (score, gap)
    return None if best is None else best[1]


def _similarity(one: str, other: str) -> float:
    a, b = utils.default_process(one), utils.default_process(other)
    # token_set_ratio gives 100 whenever one text's words are all in the other: one shared
    # word ("help") must not merge two different questions.
    if min(len(a.split()), len(b.split())) < 2:
        return float(fuzz.ratio(a, b))
    return float(fuzz.token_set_ratio(a, b))


def format_gaps(
    gaps: list[Gap],
    *,
    retention_days: int,
    since: dt.date | None,
    lang: str | None,
    days_listed: bool = True,
) -> str:
    scope = "" if lang is None else f" in {lang}"
    when = f" since {since.isoformat()}" if since is not None else ""
    kept = (
        f"Questions are kept {retention_days} days without any user key; numbers and e-mail"
        " addresses are masked."
    )
    lines = []
    if not gaps:
        stored = when or " are stored"
        lines.append(f"No unanswered questions{scope}{stored}.")
    else:
        total = sum(gap.asked for gap in gaps)
        lines.append(
            f"{total} unanswered or ambiguous question(s){scope}{when}, in {len(gaps)} group(s)"
            " of similar questions, most asked first:"
        )
        lines.append(f"{'asked':>6}  {'lang':<5} {'last asked':<10}  example")
        for gap in gaps:
            newest = gap.newest.isoformat() if gap.newest is not None else "-"
            ambiguous = gap.kinds.get("ambiguous", 0)
            note = f"  ({ambiguous} ambiguous)" if ambiguous else ""
            lines.append(f"{gap.asked:>6}  {gap.lang:<5} {newest:<10}  {gap.example}{note}")
    if since is not None and not days_listed:
        lines.append(
            "The store lists no days yet, so --since could not be applied: all kept questions"
            " are shown."
        )
    lines.append(kept)
    return "\n".join(lines)
