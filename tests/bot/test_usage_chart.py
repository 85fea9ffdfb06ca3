"""The usage chart is an SVG drawn on the server: read back here as XML, bar by bar."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from bot.state_store import UsageRow
from bot.usage_chart import usage_chart_svg

SVG = "{http://www.w3.org/2000/svg}"
END = dt.date(2026, 11, 30)


def row(days_before_end: int, count: int, channel: str = "sms") -> UsageRow:
    day = END - dt.timedelta(days=days_before_end)
    return UsageRow(day, channel, "es", "es", "-", "answer", count)


def chart(rows: list[UsageRow], days: int = 30) -> ET.Element:
    return ET.fromstring(usage_chart_svg(rows, end=END, days=days))


def day_bars(svg: ET.Element) -> list[ET.Element]:
    return [g for g in svg.iter(f"{SVG}g") if g.get("class") == "day"]


def height(bar: ET.Element) -> float:
    return sum(float(rect.get("height", "0")) for rect in bar.iter(f"{SVG}rect"))


def tooltip(bar: ET.Element) -> str:
    return bar.findtext(f"{SVG}title") or ""


def test_one_bar_a_day_for_the_last_30_days_up_to_the_end() -> None:
    bars = day_bars(chart([row(0, 4), row(29, 1)]))
    assert len(bars) == 30
    assert tooltip(bars[0]).startswith("2026-11-01: ")
    assert tooltip(bars[-1]).startswith("2026-11-30: ")


def test_bar_heights_are_proportional_to_the_counts() -> None:
    counts = {0: 12, 3: 6, 10: 3, 20: 1}
    bars = day_bars(chart([row(before, n) for before, n in counts.items()]))
    per_message = height(bars[-1]) / 12
    assert per_message > 0
    for before, n in counts.items():
        assert height(bars[29 - before]) == pytest.approx(n * per_message, abs=0.02)
    assert height(bars[28]) == 0  # a day without messages


def test_each_bar_tells_its_date_and_count_and_each_channels_share() -> None:
    bars = day_bars(chart([row(0, 7), row(0, 5, "telegram"), row(1, 1)]))
    assert tooltip(bars[-1]) == "2026-11-30: 12 messages (sms 7, telegram 5)"
    assert tooltip(bars[-2]) == "2026-11-29: 1 message (sms 1)"
    assert tooltip(bars[-3]) == "2026-11-28: 0 messages"


def test_a_days_bar_is_stacked_by_channel_each_in_its_colour() -> None:
    [*_, last] = day_bars(chart([row(0, 3), row(0, 1, "telegram")]))
    rects = list(last.iter(f"{SVG}rect"))
    assert len({rect.get("fill") for rect in rects}) == 2
    heights = [float(rect.get("height", "0")) for rect in rects]
    assert heights[0] == pytest.approx(3 * heights[1], abs=0.02)
    # The second sits on top of the first.
    assert float(rects[1].get("y", "0")) + heights[1] == pytest.approx(
        float(rects[0].get("y", "0")), abs=0.02
    )


def test_the_axes_name_the_first_and_last_day_and_the_most_in_one_day() -> None:
    texts = [text.text for text in chart([row(2, 9), row(4, 5)]).iter(f"{SVG}text")]
    assert {"2026-11-01", "2026-11-30", "9", "0"} <= set(texts)


def test_rows_outside_the_days_drawn_are_left_out() -> None:
    svg = chart([row(0, 2), row(30, 100), row(-1, 100)])
    assert sum(height(bar) > 0 for bar in day_bars(svg)) == 1
    assert "at most 2 on one day" in (svg.get("aria-label") or "")


def test_the_chart_is_an_image_with_a_title_for_screen_readers() -> None:
    svg = chart([row(0, 3)])
    assert svg.get("role") == "img"
    assert svg.get("aria-label") == (
        "Messages per day, 2026-11-01 to 2026-11-30: 3 messages in all, at most 3 on one day"
    )
    assert svg.findtext(f"{SVG}title") == svg.get("aria-label")


def test_an_empty_range_draws_a_chart_that_says_so() -> None:
    svg = chart([row(45, 3)])
    assert day_bars(svg) == []
    assert "No messages in the last 30 days" in [text.text for text in svg.iter(f"{SVG}text")]
    assert svg.get("aria-label") == "No messages in the last 30 days"


def test_text_from_the_store_is_escaped() -> None:
    odd = '<script>alert("x")</script>&'
    svg = chart([row(0, 1, odd)])  # parses: nothing in it broke out of its text
    assert any(odd in (text.text or "") for text in svg.iter(f"{SVG}text"))
    assert not list(svg.iter(f"{SVG}script")) and not list(svg.iter("script"))


def test_the_number_of_days_is_a_choice() -> None:
    assert len(day_bars(chart([row(0, 1)], days=7))) == 7
    with pytest.raises(ValueError):
        usage_chart_svg([], end=END, days=0)
