from __future__ import annotations

from pathlib import Path

import gfmd_info.model_cache as model_cache
from gfmd_info.model_cache import ModelCache


def _forget_memory() -> None:
    model_cache._MEMORY.clear()


def test_a_model_written_to_disk_is_read_back_by_a_new_process(tmp_path: Path) -> None:
    ModelCache[dict[str, int]](tmp_path).put("abc", {"weights": 3})
    _forget_memory()
    assert ModelCache[dict[str, int]](tmp_path).get("abc") == {"weights": 3}


def test_another_fingerprint_is_a_miss(tmp_path: Path) -> None:
    ModelCache[dict[str, int]](tmp_path).put("abc", {"weights": 3})
    _forget_memory()
    assert ModelCache[dict[str, int]](tmp_path).get("other") is None


def test_a_damaged_file_is_a_miss_not_a_crash(tmp_path: Path) -> None:
    cache = ModelCache[dict[str, int]](tmp_path)
    cache.put("abc", {"weights": 3})
    _forget_memory()
    for path in tmp_path.iterdir():
        path.write_bytes(b"not a pickle")
    assert cache.get("abc") is None


def test_without_a_folder_the_cache_lives_in_memory_only(tmp_path: Path) -> None:
    cache = ModelCache[int](None)
    cache.put("k", 7)
    assert cache.get("k") == 7
    assert list(tmp_path.iterdir()) == []
