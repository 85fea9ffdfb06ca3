"""Fixtures shared by every test: the real content and catalogs, loaded once."""

from __future__ import annotations

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
