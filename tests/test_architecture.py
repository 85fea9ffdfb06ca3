"""The information core never imports the bot; the conversation never imports a channel; what
the app mounts never imports the app back."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    """Every module `path` names in an import, at any depth (lazy imports in functions too);
    `from a import b` names both `a` and `a.b`, which may be a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _source(module: str) -> Path | None:
    """The file of a `bot` or `gfmd_info` module; None for anything else."""
    base = REPO.joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if module.split(".")[0] in {"bot", "gfmd_info"} and path.is_file():
            return path
    return None


def _module_imports(module: str) -> set[str]:
    path = _source(module)
    return _imports(path) if path else set()


def _reachable(module: str) -> set[str]:
    """The project's modules `module` imports, directly or through others."""
    seen: set[str] = set()
    pending = [module]
    while pending:
        for name in _module_imports(pending.pop()):
            if name not in seen and _source(name) is not None:
                seen.add(name)
                pending.append(name)
    return seen


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


def test_nothing_the_app_imports_imports_the_app_back() -> None:
    # A circle through bot.app ends in a module that bot.app reaches and that imports it.
    closing = {m for m in _reachable("bot.app") if "bot.app" in _module_imports(m)}
    assert not closing, f"import circle through bot.app, closed by {sorted(closing)}"


def test_no_channel_and_no_staff_route_imports_the_app() -> None:
    for folder in ("channels", "staff"):
        for path in (REPO / "bot" / folder).rglob("*.py"):
            offending = {m for m in _imports(path) if m == "bot.app" or m.startswith("bot.app.")}
            assert not offending, f"{path.relative_to(REPO)} imports {offending}"


def test_the_preview_is_a_staff_route_not_a_channel() -> None:
    in_channels = [p.name for p in (REPO / "bot" / "channels").rglob("*.py") if "preview" in p.stem]
    assert not in_channels
    assert (REPO / "bot" / "staff" / "preview.py").is_file()
