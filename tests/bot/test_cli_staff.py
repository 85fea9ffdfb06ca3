"""The staff's commands as they are typed: `content export|import|review`, `report gaps`."""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
from pathlib import Path

import pytest

from bot.cli import main
from bot.cli_staff import cmd_unanswered
from bot.state_store import open_store

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path}/state.sqlite3"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("GFMD_VAR_DIR", str(tmp_path / "var"))
    return url


@pytest.fixture
def content(tmp_path: Path) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(REPO / "content", copy)
    return copy


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
