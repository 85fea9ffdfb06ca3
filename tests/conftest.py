"""Fixtures shared by every test: the real content and catalogs, loaded once."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from bot.i18n import Catalogs, available_languages
from gfmd_info.knowledge import Knowledge

REPO = Path(__file__).resolve().parents[1]
CONTENT = REPO / "content"
LOCALES = REPO / "locales"
# One trained matcher for the whole run, in-process runtimes and served subprocesses alike: the
# cache is keyed by the phrases' fingerprint, so a stale entry is never read as a new one.
MODEL_CACHE = Path(tempfile.gettempdir()) / f"gfmd-test-model-cache-{os.getuid()}"
os.environ.setdefault("GFMD_MODEL_CACHE_DIR", str(MODEL_CACHE))


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return Knowledge.load(CONTENT, MODEL_CACHE)


@pytest.fixture(scope="session")
def catalogs() -> Catalogs:
    return Catalogs(LOCALES, available_languages(LOCALES))


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A private copy of `content/` for a test to edit."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target
