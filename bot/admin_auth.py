"""Who may use the staff routes (`/admin/*`, `/preview`).

Once `GFMD_BOT_ADMIN_TOKEN` is set, every call needs `Authorization: Bearer <token>`, loopback
included: a proxy on the same host makes outside calls look like loopback. Without a token,
only a loopback call that shows no sign of a proxy is let in (local development), and with a
public URL (the server is exposed) nobody is. The token is compared in constant time; a bare
token or a wrong one is refused, never ignored.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping

from bot.settings import Settings

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost", "testclient"})
# Any of these, even empty, means a proxy passed the call on: its real origin is unknown.
PROXY_HEADERS = (
    "x-forwarded-for",
    "x-real-ip",
    "forwarded",
    "x-forwarded-host",
    "x-forwarded-proto",
    "x-forwarded-port",
    "x-forwarded-prefix",
    "x-forwarded-server",
    "x-original-forwarded-for",
    "x-client-ip",
    "x-cluster-client-ip",
    "true-client-ip",
    "cf-connecting-ip",
    "fastly-client-ip",
    "via",
)
ADMIN_CLOSED = (
    "GFMD_BOT_PUBLIC_URL is set and GFMD_BOT_ADMIN_TOKEN is not: /admin/* and /preview answer 403"
)
TOKEN_REQUIRED = "admin token required (Authorization: Bearer <GFMD_BOT_ADMIN_TOKEN>)"


def bearer_token(authorization: str | None) -> str | None:
    """The credentials of an `Authorization: Bearer <token>` header; None for anything else."""
    if not authorization:
        return None
    scheme, _, credentials = authorization.strip().partition(" ")
    credentials = credentials.strip()
    if scheme.lower() != "bearer" or not credentials:
        return None
    return credentials


def came_through_a_proxy(headers: Mapping[str, str]) -> bool:
    return any(name in headers for name in PROXY_HEADERS)


def admin_refusal(
    settings: Settings, headers: Mapping[str, str], client_host: str | None
) -> str | None:
    """Why this call may not use the staff routes; None when it may. `headers` must look
    names up case-insensitively (Starlette's `Headers` does)."""
    token = settings.gfmd_bot_admin_token
    if token:
        given = bearer_token(headers.get("authorization"))
        if given is not None and hmac.compare_digest(given.encode(), token.encode()):
            return None
        return TOKEN_REQUIRED
    if settings.gfmd_bot_public_url:
        return ADMIN_CLOSED
    if client_host in LOOPBACK and not came_through_a_proxy(headers):
        return None
    return TOKEN_REQUIRED


def admin_access(settings: Settings) -> tuple[bool, str]:
    """Whether the staff routes can be used at all, and how: for the startup log."""
    if settings.gfmd_bot_admin_token:
        return True, "/admin/* and /preview need the admin token on every call"
    if settings.gfmd_bot_public_url:
        return False, ADMIN_CLOSED
    return True, (
        "/admin/* and /preview: loopback only, never through a proxy "
        "(GFMD_BOT_ADMIN_TOKEN is not set)"
    )
