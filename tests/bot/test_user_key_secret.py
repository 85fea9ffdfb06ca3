"""The HMAC secret behind user keys can live outside the state volume (a mounted secret file),
and `serve` warns when the generated one sits beside the SQLite database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.settings import Settings, settings_problems
from bot.user_keys import load_secret, secret_beside_database


def settings(tmp_path: Path, **values: Any) -> Settings:
    return Settings(_env_file=None, gfmd_var_dir=tmp_path / "var", **values)  # type: ignore[call-arg]


def test_a_mounted_secret_file_is_the_secret(tmp_path: Path) -> None:
    secret_file = tmp_path / "run-secrets" / "gfmd_bot_secret"
    secret_file.parent.mkdir()
    secret_file.write_text("from-the-secret-file\n")
    loaded = settings(tmp_path, gfmd_bot_secret_file=secret_file)
    assert settings_problems(loaded) == []
    assert load_secret(loaded.gfmd_bot_secret, loaded.gfmd_var_dir) == b"from-the-secret-file"
    assert not (tmp_path / "var").exists(), "nothing generated in the state folder"


def test_a_secret_file_that_cannot_be_used_stops_the_start(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.write_text("\n")
    for path, why in ((tmp_path / "missing", "cannot be read"), (empty, "empty")):
        [problem] = settings_problems(settings(tmp_path, gfmd_bot_secret_file=path))
        assert "GFMD_BOT_SECRET_FILE" in problem and why in problem


def test_a_secret_and_a_secret_file_together_are_refused(tmp_path: Path) -> None:
    secret_file = tmp_path / "secret"
    secret_file.write_text("one")
    both = settings(tmp_path, gfmd_bot_secret="two", gfmd_bot_secret_file=secret_file)
    [problem] = settings_problems(both)
    assert "both set" in problem


def test_the_generated_secret_beside_the_sqlite_file_is_warned_about(tmp_path: Path) -> None:
    default_layout = settings(tmp_path, database_url=f"sqlite:///{tmp_path}/var/bot.sqlite3")
    warning = secret_beside_database(default_layout)
    assert warning is not None and "GFMD_BOT_SECRET_FILE" in warning


def test_a_secret_kept_elsewhere_or_a_database_elsewhere_is_not_warned_about(
    tmp_path: Path,
) -> None:
    beside = f"sqlite:///{tmp_path}/var/bot.sqlite3"
    elsewhere = f"sqlite:///{tmp_path}/db/bot.sqlite3"
    assert (
        secret_beside_database(settings(tmp_path, database_url=beside, gfmd_bot_secret="s")) is None
    )
    assert secret_beside_database(settings(tmp_path, database_url=elsewhere)) is None
