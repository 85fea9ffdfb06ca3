"""What the preview page shows staff beside the chat: the last 30 days' use, as a chart, and
the questions the bot could not answer, grouped as `gfmd-bot report gaps` prints them."""

from __future__ import annotations

import datetime as dt
import html

from bot.settings import Settings
from bot.state_store import SqlStore
from bot.usage_chart import usage_chart_svg
from gfmd_info.gap_report import format_gaps, group_gaps

DAYS = 30


def usage_panel_html(store: SqlStore, settings: Settings, today: dt.date) -> str:
    """The panel as HTML; each part says so in words when it has nothing to show. Blocking
    (store reads): call it off the event loop."""
    since = today - dt.timedelta(days=DAYS - 1)
    chart = usage_chart_svg(store.usage_rows(since), end=today, days=DAYS)
    report = format_gaps(
        group_gaps(store.unanswered_rows(since), since=since),
        retention_days=settings.gfmd_unanswered_retention_days,
        since=since,
        lang=None,
    )
    return (
        f'<section id="usage"><h2>The last {DAYS} days</h2>{chart}</section>\n'
        '<section id="gaps"><h2>What the bot could not answer</h2>'
        f"<pre>{html.escape(report)}</pre></section>"
    )
