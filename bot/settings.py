"""Settings from the environment (and an optional `.env`); nothing is read at import time."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, PrivateAttr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Questions the bot could not answer carry no user key, so a person's DELETE cannot reach them:
# they are kept only as long as staff need to read them and improve the content.
UNANSWERED_RETENTION_DAYS = 30
# Daily usage counts hold no key and no text, but on a small service a count of one for a rare
# language and topic could still point at a person: they too expire, after a year and a month.
USAGE_RETENTION_DAYS = 400


class Settings(BaseSettings):
    """Every setting, named as its environment variable (see README)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    telegram_bot_token: str | None = None
    telegram_secret_token: str | None = None
    telegram_api_base_url: str = "https://api.telegram.org"
    twilio_auth_token: str | None = None
    gfmd_bot_public_url: str | None = None
    gfmd_bot_secret: str | None = None
    # A file holding the secret (a Docker or Kubernetes secret), outside the state volume.
    gfmd_bot_secret_file: Path | None = None
    database_url: str = "sqlite:///var/gfmd-bot.sqlite3"
    gfmd_bot_admin_token: str | None = None
    gfmd_content_dir: Path = Path("content")
    gfmd_locales_dir: Path = Path("locales")
    gfmd_var_dir: Path = Path("var")
    # Trained matchers by the fingerprint of their phrases; unset: <GFMD_VAR_DIR>/model-cache.
    gfmd_model_cache_dir: Path | None = None
    gfmd_rate_limit_messages: int = Field(default=20, ge=1)
    gfmd_rate_limit_window_seconds: int = Field(default=600, ge=1)
    gfmd_log_level: str = "INFO"
    gfmd_unanswered_retention_days: int = Field(default=UNANSWERED_RETENTION_DAYS, ge=1, le=3650)
    gfmd_usage_retention_days: int = Field(default=USAGE_RETENTION_DAYS, ge=1, le=3650)
    # Telegram updates being handled at once; past it the webhook answers 429 and Telegram
    # sends the update again later.
    gfmd_telegram_max_in_flight: int = Field(default=256, ge=1)
    # Development only: accept unsigned Twilio calls when no auth token is set. Logged loudly.
    gfmd_allow_unsigned_sms: bool = False

    _secret_file_problem: str | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _read_secret_file(self) -> Settings:
        """GFMD_BOT_SECRET_FILE becomes GFMD_BOT_SECRET; a file that cannot be used is a
        problem `settings_problems` reports (a traceback here would say less)."""
        path = self.gfmd_bot_secret_file
        if path is None:
            return self
        if self.gfmd_bot_secret:
            self._secret_file_problem = (
                "GFMD_BOT_SECRET and GFMD_BOT_SECRET_FILE are both set: set one of them"
            )
            return self
        try:
            secret = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as error:
            self._secret_file_problem = (
                f"GFMD_BOT_SECRET_FILE {path}: cannot be read ({type(error).__name__})"
            )
            return self
        if not secret:
            self._secret_file_problem = f"GFMD_BOT_SECRET_FILE {path}: the file is empty"
            return self
        self.gfmd_bot_secret = secret
        return self


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
    if settings._secret_file_problem:
        problems.append(settings._secret_file_problem)
    elif uses_postgresql(settings) and not settings.gfmd_bot_secret:
        # Each replica would generate its own key under its own GFMD_VAR_DIR, and the same
        # person would be a different user on each: their language and place split at random.
        problems.append(
            "GFMD_BOT_SECRET must be set when DATABASE_URL is PostgreSQL: every replica must "
            "use the same key, or each would generate its own and split people's state "
            '(generate one with: python3 -c "import secrets; print(secrets.token_hex(32))")'
        )
    return problems
