"""The information core never imports the bot; the conversation never imports a channel."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_gfmd_info_imports_nothing_from_the_bot() -> None:
    for path in (REPO / "gfmd_info").rglob("*.py"):
        offending = {m for m in _imports(path) if m == "bot" or m.startswith("bot.")}
        assert not offending, f"{path.name} imports {offending}"


def test_only_the_app_factory_and_cli_import_a_channel() -> None:
    allowed = {"app.py", "cli.py"}
    for path in (REPO / "bot").rglob("*.py"):
        if "channels" in path.parts or path.name in allowed:
            continue
        offending = {m for m in _imports(path) if m.startswith("bot.channels")}
        assert not offending, f"{path.name} imports {offending}"


def test_the_conversation_never_sees_a_provider_sdk() -> None:
    for name in ("conversation.py", "state.py", "state_store.py", "messages.py", "flow.py"):
        sdks = {
            m
            for m in _imports(REPO / "bot" / name)
            if m.split(".")[0] in {"telegram", "twilio", "fastapi", "starlette"}
        }
        assert not sdks, f"{name} imports {sdks}"
