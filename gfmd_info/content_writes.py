"""Write edited content files only when ``content check`` would pass them.

The edits are first written to a copy of the content folder and checked there whole, exactly as
``gfmd-bot content check`` checks (loader, SMS budgets, overstatements...). A running bot
refuses a broken folder anyway; refusing it here means the editor learns of it at the
spreadsheet row or the command they just ran, not from a reload that failed later.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path

from gfmd_info.content_check import check_content
from gfmd_info.problems import Problem

MoreHint = Callable[[str], str]


def check_then_write(
    content_dir: Path,
    changes: Mapping[str, str],
    more_hint: MoreHint | None = None,
    today: dt.date | None = None,
) -> list[Problem]:
    """Write ``changes`` (path under ``content_dir`` -> new text) unless they bring errors.

    Returns the errors that block the write, with paths relative to ``content_dir`` (empty:
    written). Blocking are errors in a changed file and errors the changes cause elsewhere;
    an error that was already there in an unchanged file is someone else's edit.
    """
    if not changes:
        return []
    before = {
        _identity(problem)
        for problem in _relative(
            check_content(content_dir, more_hint=more_hint, today=today).errors,
            _root(content_dir),
        )
    }
    with tempfile.TemporaryDirectory(prefix="gfmd-content-") as tmp:
        trial = Path(tmp) / content_dir.resolve().name
        shutil.copytree(content_dir, trial)
        for rel, text in changes.items():
            target = trial / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text.encode("utf-8"))
        after = _relative(
            check_content(trial, more_hint=more_hint, today=today).errors, _root(trial)
        )
    blocking = [
        problem for problem in after if problem.path in changes or _identity(problem) not in before
    ]
    if not blocking:
        for rel, text in changes.items():
            (content_dir / rel).write_bytes(text.encode("utf-8"))
    return blocking


def _root(content_dir: Path) -> str:
    """The prefix the loader puts on problem paths for this folder."""
    return content_dir.resolve().name if content_dir.is_absolute() else str(content_dir)


def _relative(problems: list[Problem], root: str) -> list[Problem]:
    prefix = "" if root in ("", ".") else f"{root}/"
    return [replace(problem, path=problem.path.removeprefix(prefix)) for problem in problems]


def _identity(problem: Problem) -> tuple[str, str, str]:
    # Lines move when a file is edited; the file, field and message say which problem it is.
    return (problem.path, problem.field, problem.message)
