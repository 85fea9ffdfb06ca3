"""`gfmd-bot report usage` as text: messages answered per day, and what they were, from the
store's daily aggregates (no user key, no text)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from operator import attrgetter

from bot.state_store import UsageRow

Dimension = Callable[[UsageRow], str]
CHANNEL: Dimension = attrgetter("channel")
BREAKDOWNS: tuple[tuple[str, Dimension], ...] = (
    ("channel", CHANNEL),
    ("language written", attrgetter("lang_written")),
    ("language answered", attrgetter("lang_answered")),
    ("topic", attrgetter("topic")),
    ("decision", attrgetter("decision")),
)


def format_usage(rows: Sequence[UsageRow], since: dt.date | None) -> str:
    when = f" since {since.isoformat()}" if since is not None else ""
    if not rows:
        return f"No messages counted{when or ' yet'}."
    days: dict[dt.date, list[UsageRow]] = {}
    for row in rows:
        days.setdefault(row.day, []).append(row)
    lines = [
        f"Messages answered{when}, per day (counts only: no user key, no text):",
        f"{'day':<10}  {'total':>6}  by channel",
    ]
    for day, of_day in sorted(days.items()):
        lines.append(f"{day.isoformat():<10}  {_total(of_day):>6}  {_counts(of_day, CHANNEL)}")
    lines.append(f"{'all days':<10}  {_total(rows):>6}")
    lines.append("")
    width = max(len(name) for name, _ in BREAKDOWNS) + len("by :")
    for name, dimension in BREAKDOWNS:
        lines.append(f"{'by ' + name + ':':<{width}} {_counts(rows, dimension)}")
    lines.append('"-": not told (a button or a number is in no language; a menu is no topic).')
    return "\n".join(lines)


def _total(rows: Sequence[UsageRow]) -> int:
    return sum(row.count for row in rows)


def _counts(rows: Sequence[UsageRow], dimension: Dimension) -> str:
    """The counts as "en 5, es 3": most first, then by name."""
    counts: Counter[str] = Counter()
    for row in rows:
        counts[dimension(row)] += row.count
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{value} {n}" for value, n in ordered)
