"""Settings from the environment (and an optional `.env`); nothing is read at import time."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting, named as its environment variable (see README)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    telegram_bot_token: str | None = None
    telegram_secret_token: str | None = None
    telegram_api_base_url: str = "https://api.telegram.org"
    twilio_auth_token: str | None = None
    gfmd_bot_public_url: str | None = None
    gfmd_bot_secret: str | None = None
    database_url: str = "sqlite:///var/gfmd-bot.sqlite3"
    gfmd_bot_admin_token: str | None = None
    gfmd_content_dir: Path = Path("content")
    gfmd_locales_dir: Path = Path("locales")
    gfmd_var_dir: Path = Path("var")
    gfmd_rate_limit_messages: int = Field(default=20, ge=1)
    gfmd_rate_limit_window_seconds: int = Field(default=600, ge=1)
    gfmd_log_level: str = "INFO"
    # Development only: accept unsigned Twilio calls when no auth token is set. Logged loudly.
    gfmd_allow_unsigned_sms: bool = False


class SettingsError(Exception):
    """Settings that must not be served with; `problems` says why, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)


def uses_postgresql(settings: Settings) -> bool:
    return settings.database_url.split(":", 1)[0].lower() in ("postgresql", "postgres")


def settings_problems(settings: Settings) -> list[str]:
    """What makes these settings unsafe to serve with, in words an operator can act on."""
    problems = []
    if uses_postgresql(settings) and not settings.gfmd_bot_secret:
        # Each replica would generate its own key under its own GFMD_VAR_DIR, and the same
        # person would be a different user on each: their language and place split at random.
        problems.append(
            "GFMD_BOT_SECRET must be set when DATABASE_URL is PostgreSQL: every replica must "
            "use the same key, or each would generate its own and split people's state "
            '(generate one with: python3 -c "import secrets; print(secrets.token_hex(32))")'
        )
    return problems
