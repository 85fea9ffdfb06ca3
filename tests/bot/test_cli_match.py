"""`gfmd-bot match --jsonl`: one JSON line per input, in order, with the contract's fields."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIELDS = {"topic", "score", "decision", "alternatives", "lang"}


def _gfmd_bot(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
        timeout=120,
    )


def test_jsonl_answers_every_line_in_order_with_the_contract_fields() -> None:
    lines = [
        {"text": "my boss did not pay me", "lang": "en"},
        {"text": "qwzx vbnm plokij"},
        {"text": "mi patron no me paga"},
        {"text": "", "lang": "fr"},
        {"text": "auxilio me esta pegando", "lang": "es"},
    ]
    stdin = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\nnot json\n"
    out = [
        json.loads(line) for line in _gfmd_bot("match", "--jsonl", stdin=stdin).stdout.splitlines()
    ]
    assert len(out) == len(lines) + 1
    for row in out:
        assert set(row) >= FIELDS
        assert isinstance(row["alternatives"], list)
    assert [row["topic"] for row in out] == [
        "unpaid-wages",
        None,
        "unpaid-wages",
        None,
        "emergency",
        None,
    ]
    assert out[2]["lang"] == "es"


def test_single_message_json_output() -> None:
    row = json.loads(_gfmd_bot("match", "iqama expired", "--json").stdout)
    assert row["topic"] == "documents"
    assert row["decision"] in {"answer", "ambiguous"}


def test_eval_prints_the_figures_the_issue_asks_for(tmp_path: Path) -> None:
    labelled = tmp_path / "tiny.jsonl"
    labelled.write_text(
        '{"id": "a", "lang": "en", "text": "salary not paid", "expected": ["unpaid-wages"]}\n'
        '{"id": "b", "lang": "en", "text": "who won the match", "expected": ["none"]}\n'
        '{"id": "c", "lang": "es", "text": "socorro me van a matar", "expected": ["emergency"]}\n',
        encoding="utf-8",
    )
    report = _gfmd_bot("eval", str(labelled)).stdout
    for label in ("top-1:", "top-3:", "emergency recall:", "false emergency:", "none recall:"):
        assert label in report
    assert "top-1: 100.0%" in report
