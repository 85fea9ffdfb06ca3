"""The content in service: loaded at startup (or its last good copy), reloaded whole or not at
all, and a copy of each good load kept under GFMD_VAR_DIR."""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.i18n import CatalogError
from gfmd_info.knowledge import Knowledge
from gfmd_info.problems import ContentError

log = logging.getLogger(__name__)

# Under GFMD_VAR_DIR: a symlink to the copy of the content that last loaded.
LAST_GOOD_NAME = "last-good-content"
# How many problems `/readyz` lists; the log has them all.
READY_PROBLEMS_SHOWN = 5
# A half-written copy older than this was left by a process that died: it is removed.
STALE_STAGING_SECONDS = 3600


def problem_lines(error: ContentError | CatalogError | OSError) -> tuple[str, ...]:
    """Why content or catalogs cannot be served, one `file:line: field: message` line each."""
    if isinstance(error, ContentError):
        return tuple(str(p) for p in error.problems if p.severity == "error")
    if isinstance(error, OSError):
        where = error.filename or "?"
        return (f"{where}:?: file: cannot be read ({error.strerror or type(error).__name__})",)
    return (str(error),)


def folder_digest(folder: Path) -> str:
    """A digest of every file under `folder` (relative path and bytes), to tell two copies apart.
    Raises OSError when a file cannot be read."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class LastGood:
    """A copy of the last content folder that loaded, kept under GFMD_VAR_DIR, for a start with
    a broken content folder.

    `<var>/last-good-content` is a symlink to `<var>/last-good-content.d/<version>`. A copy is
    written to a hidden folder, checked against the folder as it was before it was loaded,
    renamed into place, and then the symlink is replaced with `os.replace`: a reader sees the
    old copy or the new one, never half of one, and several workers can save at once.
    """

    var_dir: Path
    model_cache_dir: Path | None = None

    @property
    def link(self) -> Path:
        return self.var_dir / LAST_GOOD_NAME

    @property
    def copies(self) -> Path:
        return self.var_dir / f"{LAST_GOOD_NAME}.d"

    def path(self) -> Path | None:
        """The last good copy, if there is one."""
        return self.link if self.link.is_dir() else None

    @property
    def model_cache(self) -> Path:
        """Where trained matchers are kept by the fingerprint of their phrases."""
        return self.model_cache_dir or self.var_dir / "model-cache"

    def save(self, content_dir: Path, version: str, digest: str) -> bool:
        """Keep `content_dir` (loaded as `version`; `digest` of it before it was loaded) as the
        last good copy. Never raises: not being able to keep a copy must not stop a load."""
        target = self.copies / version
        try:
            if target.is_dir() and self.link.resolve() == target.resolve():
                return True  # already kept (another worker, or the same content again)
            self.copies.mkdir(parents=True, exist_ok=True)
            if not target.is_dir() and not self._copy(content_dir, target, digest):
                return False
            staged_link = self.var_dir / f".{LAST_GOOD_NAME}.{os.getpid()}.{secrets.token_hex(4)}"
            os.symlink(Path(self.copies.name) / version, staged_link, target_is_directory=True)
            os.replace(staged_link, self.link)
            self._prune(keep=version)
        except OSError as error:
            log.warning(
                "last_good_not_saved",
                extra={
                    "event": "last_good_not_saved",
                    "where": str(self.link),
                    "error": f"{type(error).__name__}: {error.strerror or error}",
                },
            )
            return False
        log.info(
            "last_good_saved",
            extra={"event": "last_good_saved", "version": version, "where": str(self.link)},
        )
        return True

    def _copy(self, content_dir: Path, target: Path, digest: str) -> bool:
        staging = self.copies / f".staging-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            shutil.copytree(content_dir, staging)
            if folder_digest(staging) != digest:
                # The folder changed between its load and this copy: the copy may not be what
                # was loaded, so it is not kept (the next load tries again).
                log.warning(
                    "last_good_not_saved",
                    extra={
                        "event": "last_good_not_saved",
                        "where": str(self.link),
                        "error": "the content folder changed while it was loaded",
                    },
                )
                return False
            try:
                os.rename(staging, target)
            except OSError:
                if not target.is_dir():
                    raise
                # Another worker kept the same version first: theirs is as good as ours.
            return True
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _prune(self, keep: str) -> None:
        """Remove older copies, and half-written ones left by a process that died."""
        current = self.link.resolve().name
        now = time.time()
        for entry in self.copies.iterdir():
            if entry.name in (keep, current):
                continue
            if entry.name.startswith("."):
                try:
                    if now - entry.stat().st_mtime < STALE_STAGING_SECONDS:
                        continue  # another process may be writing it now
                except OSError:
                    continue
            shutil.rmtree(entry, ignore_errors=True)


@dataclass(frozen=True)
class ReloadResult:
    ok: bool
    version: str
    problems: tuple[str, ...] = ()


@dataclass
class KnowledgeHolder:
    """The content in service. A reload swaps it whole, or not at all.

    `last_error` holds the problems of the last refused load: a reload, or the configured folder
    at startup when the last good copy is served instead (`from_last_good`). With `last_good`,
    every successful load keeps a copy of the folder there.
    """

    content_dir: Path
    _current: Knowledge
    last_error: tuple[str, ...] = ()
    last_good: LastGood | None = None
    from_last_good: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self) -> Knowledge:
        return self._current

    def reload(self) -> ReloadResult:
        with self._lock:
            try:
                fresh = load_and_keep(self.content_dir, self.last_good)
            except (ContentError, OSError) as error:
                self.last_error = problem_lines(error)
                log.error(
                    "content_reload_refused",
                    extra={
                        "event": "content_reload_refused",
                        "version": self._current.content.version,
                        "problems": list(self.last_error),
                    },
                )
                return ReloadResult(False, self._current.content.version, self.last_error)
            self._current = fresh
            self.last_error = ()
            self.from_last_good = False
            log.info(
                "content_reloaded",
                extra={"event": "content_reloaded", "version": fresh.content.version},
            )
            return ReloadResult(True, fresh.content.version)

    def warnings(self) -> list[str]:
        """The content problems of the last refused load, while other content serves."""
        if not self.last_error:
            return []
        version = self._current.content.version
        lead = (
            f"content folder refused at startup, serving the last good copy ({version})"
            if self.from_last_good
            else f"content reload refused, still serving {version}"
        )
        shown = [f"{lead}: {problem}" for problem in self.last_error[:READY_PROBLEMS_SHOWN]]
        hidden = len(self.last_error) - READY_PROBLEMS_SHOWN
        if hidden > 0:
            shown.append(f"{lead}: and {hidden} more problem(s): see the log")
        return shown


def load_and_keep(content_dir: Path, last_good: LastGood | None) -> Knowledge:
    """Load the content folder; once it loads, keep a copy of it as the last good one."""
    if last_good is None:
        return Knowledge.load(content_dir)
    try:
        before: str | None = folder_digest(content_dir)
    except OSError:
        before = None  # the load reports what cannot be read
    knowledge = Knowledge.load(content_dir, last_good.model_cache)
    if before is not None:
        last_good.save(content_dir, knowledge.content.version, before)
    return knowledge


def load_at_startup(content_dir: Path, last_good: LastGood) -> KnowledgeHolder:
    """The configured content; if it is broken, the last good copy, with the problems kept
    for readiness and logged. Raises the configured folder's error when there is no good copy."""
    try:
        knowledge = load_and_keep(content_dir, last_good)
        return KnowledgeHolder(content_dir, knowledge, last_good=last_good)
    except (ContentError, OSError) as error:
        problems = problem_lines(error)
        fallback = last_good.path()
        if fallback is None:
            raise
        try:
            kept = Knowledge.load(fallback, last_good.model_cache)
        except (ContentError, OSError):
            log.error(
                "last_good_unusable",
                extra={"event": "last_good_unusable", "where": str(fallback)},
            )
            raise error from None
    log.error(
        "content_fallback",
        extra={
            "event": "content_fallback",
            "version": kept.content.version,
            "where": str(fallback),
            "problems": list(problems),
        },
    )
    return KnowledgeHolder(
        content_dir, kept, last_error=problems, last_good=last_good, from_last_good=True
    )
