"""The staff's commands as they are typed: `content export|import|review`, `report gaps|usage`."""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from typing import cast

import pytest

from bot.cli import main
from bot.cli_staff import cmd_unanswered
from bot.conversation import Conversation
from bot.i18n import Catalogs
from bot.messages import Channel, Inbound
from bot.state_store import open_store
from gfmd_info.knowledge import Knowledge
from gfmd_info.matcher import EMERGENCY, Decision, Matcher, MatchResult

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path}/state.sqlite3"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("GFMD_VAR_DIR", str(tmp_path / "var"))
    return url


@pytest.fixture
def content(content_copy: Path) -> Path:
    return content_copy


def test_unanswered_says_so_when_nothing_is_stored(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cmd_unanswered(argparse.Namespace(limit=50)) == 0
    assert capsys.readouterr().out == (
        "No unanswered questions are stored. Questions are kept 30 days without any user key.\n"
    )


def test_report_gaps_groups_the_stored_questions_and_states_retention(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    store = open_store(database)
    for text in ("my visa expired what do i do", "visa expired what to do", "sim card price"):
        store.record_unanswered("en", text, dt.date(2026, 12, 1))
    store.close()

    assert main(["report", "gaps", "--lang", "en"]) == 0

    out = capsys.readouterr().out
    assert "3 unanswered or ambiguous question(s) in en, in 2 group(s)" in out
    assert "     2  en    2026-12-01  my visa expired what do i do" in out
    assert "Questions are kept 30 days without any user key" in out


def test_report_gaps_on_an_empty_store_says_so_in_words(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "gaps", "--since", "2026-11-01"]) == 0
    assert capsys.readouterr().out.startswith("No unanswered questions since 2026-11-01.\n")


class AmbiguousFor:
    """The real matcher, except that one text gets a choice of three topics."""

    def __init__(self, matcher: Matcher, text: str, topics: tuple[str, ...]) -> None:
        self._matcher, self._text, self._topics = matcher, text, topics

    def match(self, text: str, lang: str | None = None) -> MatchResult:
        found = self._matcher.match(text, lang)
        if text != self._text:
            return found
        return replace(
            found,
            topic=None,
            decision=Decision.AMBIGUOUS,
            alternatives=self._topics,
            emergency=False,
            danger_possible=False,
        )

    def __getattr__(self, name: str) -> object:
        return getattr(self._matcher, name)


def test_an_ambiguous_question_reaches_the_gap_report_masked_and_without_a_user_key(
    database: str, knowledge: Knowledge, catalogs: Catalogs, capsys: pytest.CaptureFixture[str]
) -> None:
    asked = "visa or wages, call me on 050 123 4567"
    topics = tuple(topic for topic in knowledge.content.topics if topic != EMERGENCY)[:3]
    matcher = cast(Matcher, AmbiguousFor(knowledge.matcher, asked, topics))
    choosing = replace(knowledge, matcher=matcher)
    store = open_store(database)
    try:
        conversation = Conversation(lambda: choosing, catalogs, store)
        reply = conversation.handle(Inbound(Channel.SMS, "key-of-the-asker", asked))
        assert reply is not None and reply.decision == "ambiguous"
        [row] = store.unanswered_rows()
    finally:
        store.close()
    assert (row.kind, row.hits) == ("ambiguous", 1)
    assert "123" not in row.text and "#" in row.text
    with closing(sqlite3.connect(database.removeprefix("sqlite:///"))) as db:
        stored = db.execute("SELECT * FROM unanswered").fetchall()
    assert not [value for value in stored[0] if "key-of-the-asker" in str(value)]

    assert main(["report", "gaps"]) == 0
    assert f"     1  en    {row.day.isoformat()}  {row.text}  (1 ambiguous)" in (
        capsys.readouterr().out
    )


def count_usage(database: str, *rows: tuple[dt.date, str, str, str, str, str]) -> None:
    store = open_store(database)
    try:
        with store.person("") as session:
            for row in rows:
                session.count_usage(*row)
    finally:
        store.close()


def test_report_usage_prints_each_days_total_and_what_the_messages_were(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Days near today: counts older than GFMD_USAGE_RETENTION_DAYS go when a store opens.
    since = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=10)
    first, second = since + dt.timedelta(days=1), since + dt.timedelta(days=2)
    count_usage(
        database,
        (first, "sms", "es", "es", "unpaid-wages", "answer"),
        (first, "sms", "es", "es", "unpaid-wages", "answer"),
        (first, "telegram", "-", "en", "-", "control"),
        (second, "sms", "ar", "ar", "-", "ambiguous"),
        (since - dt.timedelta(days=2), "sms", "en", "en", "-", "none"),
    )

    assert main(["report", "usage", "--since", since.isoformat()]) == 0

    assert capsys.readouterr().out == (
        f"Messages answered since {since}, per day (counts only: no user key, no text):\n"
        "day          total  by channel\n"
        f"{first}       3  sms 2, telegram 1\n"
        f"{second}       1  sms 1\n"
        "all days         4\n"
        "\n"
        "by channel:           sms 3, telegram 1\n"
        "by language written:  es 2, - 1, ar 1\n"
        "by language answered: es 2, ar 1, en 1\n"
        "by topic:             - 2, unpaid-wages 2\n"
        "by decision:          answer 2, ambiguous 1, control 1\n"
        '"-": not told (a button or a number is in no language; a menu is no topic).\n'
    )


def test_usage_counts_older_than_their_retention_are_forgotten(
    database: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    today = dt.datetime.now(dt.UTC).date()
    monkeypatch.setenv("GFMD_USAGE_RETENTION_DAYS", "30")
    count_usage(
        database,
        (today - dt.timedelta(days=29), "sms", "es", "es", "-", "control"),
        (today - dt.timedelta(days=31), "telegram", "es", "es", "-", "control"),
    )
    assert main(["report", "usage"]) == 0  # opening the store forgets what is too old
    out = capsys.readouterr().out
    assert "sms 1" in out and "telegram" not in out


def test_report_usage_of_the_last_days_leaves_out_older_ones(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    today = dt.datetime.now(dt.UTC).date()
    count_usage(
        database,
        (today, "sms", "es", "es", "-", "control"),
        (today - dt.timedelta(days=7), "sms", "es", "es", "-", "control"),
    )
    assert main(["report", "usage", "--days", "7"]) == 0
    out = capsys.readouterr().out
    since = (today - dt.timedelta(days=6)).isoformat()
    assert out.startswith(f"Messages answered since {since}, per day")
    assert "all days         1\n" in out


def test_report_usage_on_an_empty_store_says_so_in_words(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "usage", "--since", "2026-11-01"]) == 0
    assert capsys.readouterr().out == "No messages counted since 2026-11-01.\n"
    assert main(["report", "usage"]) == 0
    assert capsys.readouterr().out == "No messages counted yet.\n"


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (["--since", "last week"], "'last week' is not a date like 2026-11-30"),
        (["--since", "2026-02-30"], "'2026-02-30' is not a date like 2026-11-30"),
        (["--days", "0"], "'0' is not a number of days like 30"),
        (["--days", "7", "--since", "2026-11-01"], "not allowed with argument --days"),
    ],
)
def test_report_usage_refuses_a_period_it_cannot_read(
    database: str, arguments: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["report", "usage", *arguments])
    assert exit_.value.code == 2
    assert said in capsys.readouterr().err


def test_export_then_import_of_an_untouched_excel_file_writes_nothing(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "fr.xlsx"
    assert (
        main(["content", "export", "--lang", "fr", "--out", str(sheet), "--content", str(content)])
        == 0
    )
    assert main(["content", "import", str(sheet), "--content", str(content)]) == 0
    assert "No translation changed: nothing was written." in capsys.readouterr().out


def test_export_of_english_is_refused(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["content", "export", "--lang", "en", "--content", str(content)]) == 2
    assert "'en' is English, the source" in capsys.readouterr().err


def test_review_prints_each_file_it_marked(
    content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    review = ["content", "review", "es", "shelter", "--by", "Ana", "--note", "read against en/"]
    code = main([*review, "--content", str(content)])
    assert code == 0
    today = dt.date.today().isoformat()
    assert capsys.readouterr().out == f"reviewed by Ana on {today}: es/shelter.yaml\n"
    assert "reviewer: Ana\n" in (content / "es" / "shelter.yaml").read_text(encoding="utf-8")
