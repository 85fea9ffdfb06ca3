"""What each part the app mounts (a channel, the preview) tells the app: live or not, and why.

A module of its own so that nothing the app mounts imports `bot.app` back.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from fastapi import FastAPI

from bot.runtime import Runtime


@dataclass(frozen=True)
class ChannelStatus:
    name: str
    live: bool
    reason: str
    lifespan: Callable[[], AbstractAsyncContextManager[None]] | None = None


ChannelMount = Callable[[FastAPI, Runtime], ChannelStatus]
