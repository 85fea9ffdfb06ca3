"""`gfmd-bot content check` as an NGO editor runs it: exit codes, file:line lines, coverage."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "content", "check", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )


def test_the_shipped_content_passes_with_25_complete_topics_in_four_languages() -> None:
    result = check()
    assert result.returncode == 0, result.stdout + result.stderr
    for lang in ("en", "es", "fr", "ar"):
        row = re.search(rf"^{lang}\s+(\d+)", result.stdout, re.M)
        assert row is not None and row.group(1) == "25", lang


def test_a_broken_edit_exits_1_naming_file_line_and_field_without_a_traceback(
    tmp_path: Path,
) -> None:
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    path = content / "es" / "shelter.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("title: ", "title: " + "x" * 40, 1),
        encoding="utf-8",
    )
    result = check("--content", str(content))
    assert result.returncode == 1
    assert re.search(r"content/es/shelter\.yaml:\d+: title: ", result.stdout)
    assert "Traceback" not in result.stdout + result.stderr
