"""Trained models kept by the fingerprint of what they learned from, in memory and on disk.

A restart, a second replica or a content edit that leaves the phrases alone reuses the model
instead of training again. The disk copy is written to a temporary name and renamed into place,
so a reader never sees half a file.
"""

from __future__ import annotations

import logging
import os
import pickle
import tempfile
import threading
from pathlib import Path
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
# Bumped whenever the pickled classes change shape, so an old file is never read as new.
FORMAT = 1
MEMORY_SLOTS = 2
# Shared by every cache in the process: tests and reloads that rebuild the same phrases reuse it.
_MEMORY: dict[str, object] = {}
_LOCK = threading.Lock()


class ModelCache(Generic[T]):
    def __init__(self, directory: Path | None) -> None:
        self._directory = directory

    def _path(self, key: str) -> Path | None:
        if self._directory is None:
            return None
        return self._directory / f"matcher-v{FORMAT}-{key}.pickle"

    def get(self, key: str) -> T | None:
        with _LOCK:
            found = _MEMORY.get(key)
        if found is not None:
            return found  # type: ignore[return-value]  # stored by put() under the same key
        path = self._path(key)
        if path is None or not path.exists():
            return None
        try:
            with path.open("rb") as handle:
                loaded: T = pickle.load(handle)  # our own file, in our own state folder
        except Exception as error:  # a damaged cache is retrained, never fatal
            log.warning(
                "model cache unreadable",
                extra={"event": "model_cache_bad", "error": type(error).__name__},
            )
            return None
        self._remember(key, loaded)
        return loaded

    def put(self, key: str, value: T) -> None:
        self._remember(key, value)
        path = self._path(key)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".matcher-")
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except OSError as error:
            log.warning(
                "model cache not written",
                extra={"event": "model_cache_write", "error": type(error).__name__},
            )

    def _remember(self, key: str, value: T) -> None:
        with _LOCK:
            if key not in _MEMORY and len(_MEMORY) >= MEMORY_SLOTS:
                _MEMORY.pop(next(iter(_MEMORY)))
            _MEMORY[key] = value
