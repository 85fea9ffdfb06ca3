"""Edits a content editor might make, applied to a copy of `content/` in a test."""

from __future__ import annotations

import re
from pathlib import Path


def set_english_summary(content: Path, topic: str, summary: str) -> Path:
    """Replace the English summary of `topic`; returns the edited file."""
    path = content / "en" / f"{topic}.yaml"
    text = path.read_text(encoding="utf-8")
    edited = re.sub(
        r"^summary: .*\n(?:  .*\n)*", f"summary: {summary}\n", text, count=1, flags=re.M
    )
    assert edited != text
    path.write_text(edited, encoding="utf-8")
    return path


def break_yaml(path: Path) -> None:
    """An unclosed bracket on the title line: a YAML syntax error an editor could make."""
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^title: ", "title: [", text, count=1, flags=re.M), encoding="utf-8")
