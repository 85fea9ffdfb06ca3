"""The README's commands work as written. Its shell blocks marked `<!-- test: runs -->` (those
that need no credential, no server and no minutes of training) run from a folder laid out like
a fresh clone; every `gfmd-bot` command and option it names exists; its links to its own
sections lead to a heading, in the direction the text says."""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import build_parser

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
RUNS = "<!-- test: runs -->"
SHELLS = {"sh", "bash", "console"}
FENCE = re.compile(r"^[ \t]*```(\w*)\n(.*?)^[ \t]*```", re.M | re.S)
# What a fresh clone has that the commands read by relative path.
CLONE_PARTS = ("content", "locales", "eval", "bench", "babel.cfg")
BLOCK_TIMEOUT = 60


@dataclass(frozen=True)
class Block:
    line: int
    language: str
    text: str
    runs: bool

    def script(self) -> str:
        """The commands; a console block's are its `$ ` lines."""
        if self.language != "console":
            return self.text
        return "\n".join(line[2:] for line in self.text.splitlines() if line.startswith("$ "))


def readme_blocks(text: str) -> list[Block]:
    return [
        Block(
            line=text.count("\n", 0, match.start()) + 1,
            language=match[1],
            text=match[2],
            runs=text[: match.start()].rstrip().endswith(RUNS),
        )
        for match in FENCE.finditer(text)
    ]


def fresh_clone(folder: Path) -> Path:
    folder.mkdir()
    for part in CLONE_PARTS:
        (folder / part).symlink_to(REPO / part)
    return folder


def clean_environment() -> dict[str, str]:
    """The venv's commands first on PATH, none of the developer's settings; the trained
    matcher shared by the test run (see tests/conftest.py)."""
    kept = {n: os.environ[n] for n in ("HOME", "LANG", "TMPDIR", "SYSTEMROOT") if n in os.environ}
    bin_dir = str(Path(sys.executable).parent)
    return {
        **kept,
        "PATH": os.pathsep.join([bin_dir, os.environ.get("PATH", "")]),
        "GFMD_MODEL_CACHE_DIR": os.environ["GFMD_MODEL_CACHE_DIR"],
    }


def test_the_readme_blocks_marked_to_run_exit_0_from_a_fresh_clone(tmp_path: Path) -> None:
    marked = [b for b in readme_blocks(README.read_text(encoding="utf-8")) if b.runs]
    assert marked, f"no block in README.md is marked {RUNS}"
    assert {b.language for b in marked} <= SHELLS
    env = clean_environment()
    # The blocks run side by side: each loads the content and the matcher for seconds.
    running = []
    for block in marked:
        folder = fresh_clone(tmp_path / f"clone-{block.line}")
        running.append(
            (
                block,
                subprocess.Popen(
                    ["bash", "-euo", "pipefail", "-c", block.script()],
                    cwd=folder,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                ),
            )
        )
    for block, process in running:
        output, _ = process.communicate(timeout=BLOCK_TIMEOUT)
        assert process.returncode == 0, (
            f"README.md:{block.line}: exit {process.returncode}\n{output}"
        )


# -- every command and option named --------------------------------------------------------------


def named_commands(text: str) -> list[list[str]]:
    """Each `gfmd-bot ...` in a shell block or an inline code span, as its words after
    `gfmd-bot` (optional parts' brackets dropped)."""
    scripts = [b.script().replace("\\\n", " ") for b in readme_blocks(text) if b.language in SHELLS]
    pieces = [line for script in scripts for line in script.splitlines()]
    pieces += re.findall(r"`([^`]+)`", FENCE.sub("", text))
    found = []
    for piece in pieces:
        if "gfmd-bot " not in piece:
            continue
        lexer = shlex.shlex(" ".join(piece.split()), posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        command: list[str] = []
        for token in [*lexer, ";"]:
            if token and set(token) <= set("();<>|&"):
                if command and Path(command[0]).name == "gfmd-bot":
                    found.append([w for w in (t.strip("[]") for t in command[1:]) if w])
                command = []
            else:
                command.append(token)
    return found


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def unknown_words(words: list[str], parser: argparse.ArgumentParser) -> list[str]:
    """The command words and options in `words` that `gfmd-bot` does not have."""
    rest = list(words)
    while rest and (choices := _subcommands(parser)) and not rest[0].startswith("-"):
        if rest[0] not in choices:
            return [rest[0]]
        parser = choices[rest.pop(0)]
    options = {o for action in parser._actions for o in action.option_strings}
    return [w for w in rest if w.startswith("-") and w.split("=")[0] not in options]


def test_every_gfmd_bot_command_and_option_the_readme_names_exists() -> None:
    named = named_commands(README.read_text(encoding="utf-8"))
    assert len(named) > 20 and ["serve"] in named
    parser = build_parser()
    wrong = {" ".join(words): unknown_words(words, parser) for words in named}
    assert not {command: bad for command, bad in wrong.items() if bad}


def test_a_misspelt_command_or_option_is_caught() -> None:
    parser = build_parser()
    assert unknown_words(["report", "gap"], parser) == ["gap"]
    assert unknown_words(["eval", "x.jsonl", "--no-langs"], parser) == ["--no-langs"]
    assert named_commands("run `gfmd-bot serve --port 1 && gfmd-bot chat` now") == [
        ["serve", "--port", "1"],
        ["chat"],
    ]


# -- links to its own sections -------------------------------------------------------------------


def _slug(heading: str) -> str:
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_link_to_a_section_leads_to_a_heading_in_the_direction_the_text_says() -> None:
    text = FENCE.sub(lambda m: "\n" * m[0].count("\n"), README.read_text(encoding="utf-8"))
    headings = {
        _slug(m[1]): text.count("\n", 0, m.start())
        for m in re.finditer(r"^#{1,6} (.+)$", text, re.M)
    }
    links = list(re.finditer(r"\]\(#([\w-]+)\)\s*(above|below)?", text))
    assert links
    for link in links:
        line = text.count("\n", 0, link.start()) + 1
        assert link[1] in headings, f"README.md:{line}: no heading for #{link[1]}"
        if link[2] == "above":
            assert headings[link[1]] < line - 1, f"README.md:{line}: #{link[1]} is below"
        elif link[2] == "below":
            assert headings[link[1]] > line - 1, f"README.md:{line}: #{link[1]} is above"


@pytest.mark.parametrize(
    ("source", "runs"),
    [("<!-- test: runs -->\n```sh\ngfmd-bot unanswered\n```\n", True), ("```sh\nx\n```\n", False)],
)
def test_only_a_block_right_after_the_mark_runs(source: str, runs: bool) -> None:
    [block] = readme_blocks(source)
    assert block.runs is runs
