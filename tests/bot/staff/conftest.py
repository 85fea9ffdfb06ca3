"""Staff-route fixtures: the app with the staff's routes and no channel, over the content
loaded once per session, a tmp database and var dir, and the settings a test asks for."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.i18n import Catalogs
from bot.staff import preview
from gfmd_info.knowledge import Knowledge
from tests.support.staff_runtime import staff_runtime


@pytest.fixture
def make_client(
    tmp_path: Path, knowledge: Knowledge, catalogs: Catalogs
) -> Callable[..., TestClient]:
    """`make_client(**settings)`: use it in a `with` (the app's lifespan closes the store).
    `client=(host, port)` is the caller's address (default: loopback), `headers` sent always."""

    def factory(
        client: tuple[str, int] = ("testclient", 50000),
        headers: dict[str, str] | None = None,
        **settings: Any,
    ) -> TestClient:
        runtime = staff_runtime(tmp_path, knowledge, catalogs, **settings)
        app = create_app(runtime.settings, runtime, channels=[preview.mount])
        return TestClient(app, client=client, headers=headers)

    return factory
