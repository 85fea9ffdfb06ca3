"""Pseudonymous user keys: an HMAC of the channel and platform id, never the id itself.

Phone numbers are few enough to enumerate: whoever holds both the database and the secret can
recompute every key and so find each person's row. In production the secret therefore lives
outside the state volume (`GFMD_BOT_SECRET`, or a mounted `GFMD_BOT_SECRET_FILE`); the one
generated under `GFMD_VAR_DIR` is for development, and `serve` warns when it sits beside the
SQLite database.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from pathlib import Path

from bot.settings import Settings
from bot.store_connections import sqlite_path

SECRET_FILE_NAME = "user-key-secret"

log = logging.getLogger(__name__)


def user_key(secret: bytes, channel: str, platform_id: str) -> str:
    digest = hmac.new(secret, f"{channel}:{platform_id}".encode(), hashlib.sha256)
    return digest.hexdigest()


def load_secret(configured: str | None, var_dir: Path) -> bytes:
    """The configured secret, or one generated once and kept under `var_dir`."""
    if configured:
        return configured.encode()
    path = var_dir / SECRET_FILE_NAME
    if path.exists():
        return path.read_bytes().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_hex(32).encode()
    path.write_bytes(secret)
    path.chmod(0o600)
    log.warning("secret_generated", extra={"event": "secret_generated", "where": str(path)})
    return secret


def secret_beside_database(settings: Settings) -> str | None:
    """A warning when the generated secret is kept in the same folder as the SQLite file (a
    copy of that folder, or of the volume, then holds all that is needed to undo the keys)."""
    if settings.gfmd_bot_secret or not settings.database_url.startswith("sqlite:///"):
        return None
    secret_dir = settings.gfmd_var_dir.resolve()
    database_dir = sqlite_path(settings.database_url).parent.resolve()
    if secret_dir != database_dir:
        return None
    return (
        f"the user-key secret was generated in {secret_dir / SECRET_FILE_NAME}, beside the "
        "database: whoever copies that folder can recompute every user key from a phone "
        "number. In production set GFMD_BOT_SECRET or GFMD_BOT_SECRET_FILE (kept outside "
        "this folder) before the first message"
    )
