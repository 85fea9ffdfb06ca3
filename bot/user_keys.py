"""Pseudonymous user keys: an HMAC of the channel and platform id, never the id itself."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from pathlib import Path

log = logging.getLogger(__name__)


def user_key(secret: bytes, channel: str, platform_id: str) -> str:
    digest = hmac.new(secret, f"{channel}:{platform_id}".encode(), hashlib.sha256)
    return digest.hexdigest()


def load_secret(configured: str | None, var_dir: Path) -> bytes:
    """The configured secret, or one generated once and kept under `var_dir`."""
    if configured:
        return configured.encode()
    path = var_dir / "user-key-secret"
    if path.exists():
        return path.read_bytes().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_hex(32).encode()
    path.write_bytes(secret)
    path.chmod(0o600)
    log.warning("secret_generated", extra={"event": "secret_generated", "where": str(path)})
    return secret
