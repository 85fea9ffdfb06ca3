"""Unanswered questions carry no user key, so DELETE cannot reach them: they expire after 30
days by default, and staff can erase them sooner with `gfmd-bot unanswered --purge`.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import cli_unanswered
from bot.settings import Settings
from bot.state_store import SqlStore, open_store

NOW = dt.datetime.now(dt.UTC)
TODAY = NOW.date()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/state.sqlite3"


@pytest.fixture
def store(database_url: str) -> Iterator[SqlStore]:
    opened = open_store(database_url)
    yield opened
    opened.close()


def kept(store: SqlStore) -> set[str]:
    return {question.text for question in store.unanswered(500)}


def asked(store: SqlStore, text: str, days_ago: int) -> None:
    store.record_unanswered("es", text, TODAY - dt.timedelta(days=days_ago))


def test_by_default_a_question_is_kept_30_days(store: SqlStore) -> None:
    asked(store, "vivo en calle mayor #", days_ago=31)
    asked(store, "no me pagan", days_ago=29)
    store.purge(NOW)
    assert kept(store) == {"no me pagan"}


def test_ambiguous_questions_are_kept_no_longer(store: SqlStore) -> None:
    for days_ago in (31, 29):
        store.record_unanswered(
            "es", f"visa o salario {days_ago}", TODAY - dt.timedelta(days_ago), "ambiguous"
        )
    store.purge(NOW)
    assert [row.text for row in store.unanswered_rows()] == ["visa o salario 29"]
    assert store.purge_unanswered(None) == 1


def test_the_retention_is_a_setting(database_url: str) -> None:
    settings = Settings(_env_file=None, gfmd_unanswered_retention_days=7)  # type: ignore[call-arg]
    retention = dt.timedelta(days=settings.gfmd_unanswered_retention_days)
    kwargs: dict[str, Any] = {"unanswered_retention": retention}
    store = open_store(database_url, **kwargs)
    try:
        asked(store, "old", days_ago=8)
        asked(store, "recent", days_ago=6)
        store.purge(NOW)
        assert kept(store) == {"recent"}
    finally:
        store.close()


def test_staff_purge_all_or_before_a_day(store: SqlStore) -> None:
    asked(store, "old", days_ago=10)
    asked(store, "recent", days_ago=1)
    assert store.purge_unanswered(TODAY - dt.timedelta(days=5)) == 1
    assert kept(store) == {"recent"}
    assert store.purge_unanswered(None) == 1
    assert kept(store) == set()


def test_the_retention_setting_defaults_to_30_days() -> None:
    assert Settings(_env_file=None).gfmd_unanswered_retention_days == 30  # type: ignore[call-arg]


# -- the command ---------------------------------------------------------------------------------


def parser_with_unanswered() -> argparse.ArgumentParser:
    """The `unanswered` command as `bot/cli.py` builds it, with `register` applied."""
    parser = argparse.ArgumentParser(prog="gfmd-bot")
    sub = parser.add_subparsers(dest="command", required=True)
    unanswered = sub.add_parser("unanswered")
    unanswered.add_argument("--limit", type=int, default=50)
    unanswered.set_defaults(func=lambda args: 7)  # the listing
    cli_unanswered.register(unanswered)
    return parser


def test_without_purge_the_command_still_lists() -> None:
    args = parser_with_unanswered().parse_args(["unanswered", "--limit", "5"])
    assert args.func(args) == 7


def test_before_without_purge_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    args = parser_with_unanswered().parse_args(["unanswered", "--before", "2026-01-01"])
    assert args.func(args) == 2
    assert "--purge" in capsys.readouterr().err


def test_a_day_that_is_not_a_date_is_refused() -> None:
    with pytest.raises(SystemExit):
        parser_with_unanswered().parse_args(["unanswered", "--purge", "--before", "yesterday"])


def test_purge_before_a_day_erases_only_older_questions(
    database_url: str, store: SqlStore, capsys: pytest.CaptureFixture[str]
) -> None:
    asked(store, "old", days_ago=10)
    asked(store, "recent", days_ago=1)
    before = (TODAY - dt.timedelta(days=5)).isoformat()
    args = parser_with_unanswered().parse_args(["unanswered", "--purge", "--before", before])
    settings = Settings(_env_file=None, database_url=database_url)  # type: ignore[call-arg]
    assert cli_unanswered.cmd_purge(args, settings) == 0
    assert "erased 1" in capsys.readouterr().out
    assert kept(store) == {"recent"}


def test_gfmd_bot_unanswered_has_purge() -> None:
    from bot.cli import build_parser

    args = build_parser().parse_args(["unanswered", "--purge", "--before", "2026-01-01"])
    assert args.purge and args.before == dt.date(2026, 1, 1)


def test_a_staff_command_purges_by_the_retention_the_operator_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.cli import main

    url = f"sqlite:///{tmp_path}/state.sqlite3"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("GFMD_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("GFMD_UNANSWERED_RETENTION_DAYS", "90")
    asked = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=45)
    store = open_store(url, unanswered_retention=dt.timedelta(days=3650))
    try:
        store.record_unanswered("en", "where is the labour office", asked)
    finally:
        store.close()
    assert main(["report", "gaps"]) == 0  # 45 days: kept under 90, gone under the default 30
    store = open_store(url, unanswered_retention=dt.timedelta(days=3650))
    try:
        assert [row.text for row in store.unanswered_rows()] == ["where is the labour office"]
    finally:
        store.close()
