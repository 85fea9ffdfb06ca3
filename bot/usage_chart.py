"""The last days' use as a bar chart, drawn here as SVG: one bar a day, stacked by channel.

The SVG stands alone (no script, no style sheet, no font file), so the preview page can put it
inline; every text in it is escaped. Each day's bar carries a `<title>` (its date and count),
which browsers show as a tooltip and screen readers read.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from xml.sax.saxutils import escape

from bot.state_store import UsageRow

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 52, 40
PLOT_WIDTH = WIDTH - LEFT - RIGHT
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM
BASELINE = TOP + PLOT_HEIGHT
# Colours told apart also by people with the common colour blindnesses (Okabe and Ito).
CHANNEL_COLOURS = {
    "sms": "#0072B2",
    "whatsapp": "#009E73",
    "telegram": "#E69F00",
    "terminal": "#CC79A7",
}
OTHER_COLOUR = "#999999"
FONT = 'font-family="sans-serif" font-size="12" fill="#333333"'


def usage_chart_svg(rows: Sequence[UsageRow], end: dt.date, days: int = 30) -> str:
    """The messages of the `days` days up to `end` (rows outside them are left out)."""
    if days < 1:
        raise ValueError(f"a chart of {days} days")
    start = end - dt.timedelta(days=days - 1)
    per_day: dict[dt.date, Counter[str]] = {}
    for row in rows:
        if start <= row.day <= end:
            per_day.setdefault(row.day, Counter())[row.channel] += row.count
    totals = [sum(per_day.get(day, Counter()).values()) for day in _days(start, days)]
    title = f"Messages per day, {start.isoformat()} to {end.isoformat()}"
    total, most = sum(totals), max(totals, default=0)
    if total:
        label = f"{title}: {_messages(total)} in all, at most {most} on one day"
        channels = _channel_order(per_day)
        body = [
            *_axes(start, end, most),
            *(
                _bar(i, day, per_day.get(day, Counter()), most, channels, days)
                for i, day in enumerate(_days(start, days))
            ),
            *_legend(channels),
        ]
    else:
        label = f"No messages in the last {days} days"
        body = [_text(WIDTH / 2, TOP + PLOT_HEIGHT / 2, label, 'text-anchor="middle"')]
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}"'
            f' width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{_attr(label)}">',
            f"<title>{escape(label)}</title>",
            _text(LEFT, 20, title, 'font-weight="bold"'),
            *body,
            "</svg>",
        ]
    )


def _days(start: dt.date, days: int) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range(days)]


def _channel_order(per_day: dict[dt.date, Counter[str]]) -> list[str]:
    """The known channels in a fixed order (so colours keep their place), then any other."""
    present = {channel for counts in per_day.values() for channel in counts}
    known = [channel for channel in CHANNEL_COLOURS if channel in present]
    return known + sorted(present - set(known))


def _bar(
    index: int,
    day: dt.date,
    counts: Counter[str],
    most: int,
    channels: list[str],
    days: int,
) -> str:
    """One day: a `<g>` with its tooltip and a rectangle per channel, stacked from the axis."""
    slot = PLOT_WIDTH / days
    x, width = LEFT + index * slot + slot * 0.1, slot * 0.8
    count = sum(counts.values())
    detail = ", ".join(f"{channel} {counts[channel]}" for channel in channels if counts[channel])
    tooltip = f"{day.isoformat()}: {_messages(count)}" + (f" ({detail})" if detail else "")
    parts = [f'<g class="day"><title>{escape(tooltip)}</title>']
    top = float(BASELINE)
    for channel in channels:
        if counts[channel]:
            height = PLOT_HEIGHT * counts[channel] / most
            top -= height
            parts.append(_rect(x, top, width, height, _colour(channel)))
    if not count:
        parts.append(_rect(x, top, width, 0.0, OTHER_COLOUR))
    parts.append("</g>")
    return "".join(parts)


def _axes(start: dt.date, end: dt.date, most: int) -> list[str]:
    line = 'stroke="#333333" stroke-width="1"'
    return [
        f'<line x1="{LEFT}" y1="{BASELINE}" x2="{WIDTH - RIGHT}" y2="{BASELINE}" {line}/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{BASELINE}" {line}/>',
        _text(LEFT - 6, TOP + 4, str(most), 'text-anchor="end"'),
        _text(LEFT - 6, BASELINE + 4, "0", 'text-anchor="end"'),
        _text(LEFT, BASELINE + 18, start.isoformat(), 'text-anchor="start"'),
        _text(WIDTH - RIGHT, BASELINE + 18, end.isoformat(), 'text-anchor="end"'),
    ]


def _legend(channels: list[str]) -> list[str]:
    parts = []
    for i, channel in enumerate(channels):
        x = LEFT + i * 110
        parts.append(
            f'<rect x="{x}" y="30" width="10" height="10" fill="{_colour(channel)}"/>'
            + _text(x + 14, 39, channel)
        )
    return parts


def _rect(x: float, y: float, width: float, height: float, colour: str) -> str:
    return (
        f'<rect class="bar" x="{x:.2f}" y="{y:.2f}" width="{width:.2f}"'
        f' height="{height:.2f}" fill="{colour}"/>'
    )


def _text(x: float, y: float, text: str, extra: str = "") -> str:
    more = f" {extra}" if extra else ""
    return f'<text x="{x:.0f}" y="{y:.0f}" {FONT}{more}>{escape(text)}</text>'


def _colour(channel: str) -> str:
    return CHANNEL_COLOURS.get(channel, OTHER_COLOUR)


def _attr(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def _messages(count: int) -> str:
    return f"{count} message" if count == 1 else f"{count} messages"
