"""Fixtures shared by every test: the real content and catalogs, loaded once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.i18n import Catalogs, available_languages
from gfmd_info.knowledge import Knowledge

REPO = Path(__file__).resolve().parents[1]
CONTENT = REPO / "content"
LOCALES = REPO / "locales"


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return Knowledge.load(CONTENT)


@pytest.fixture(scope="session")
def catalogs() -> Catalogs:
    return Catalogs(LOCALES, available_languages(LOCALES))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    yield f"sqlite:///{tmp_path}/state.sqlite3"
