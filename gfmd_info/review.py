"""``content review``: record that a native speaker has read a translation.

The record is what ``content check`` asks of a reviewed file: ``status: reviewed``, who
(``reviewer``), when (``reviewed_on``), what they compared (``review_note``, required for a
translation) and the ``source_hash`` of the English they compared it with, so that a later
change of the English shows the review as stale. Phrases-only files have no text to review.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from gfmd_info.content_writes import MoreHint, check_then_write
from gfmd_info.loader import LANGUAGE_FILE, read_content
from gfmd_info.problems import ContentError, Problem
from gfmd_info.store import (
    ENGLISH,
    ContentStore,
    english_hash,
    language_hash,
    translates_language_text,
)
from gfmd_info.yaml_edit import Value, set_values
from gfmd_info.yaml_lines import Loc


def record_review(
    content_dir: Path,
    lang: str,
    reviewer: str,
    *,
    topic: str | None = None,
    note: str | None = None,
    today: dt.date | None = None,
    more_hint: MoreHint | None = None,
) -> list[str]:
    """Mark ``topic`` (or every file with text) of ``lang`` reviewed; the files written.

    Raises :class:`ContentError` when there is nothing to review or the result would not pass
    ``content check``; nothing is written then.
    """
    folder = lang
    reviewer = reviewer.strip()
    if not reviewer:
        raise ContentError([Problem(folder, None, "reviewer", "is empty: give the name")])
    if lang != ENGLISH and not (note or "").strip():
        raise ContentError(
            [
                Problem(
                    folder,
                    None,
                    "review_note",
                    "is missing: say what the reviewer compared, e.g. --note 'read against en/"
                    " and the report; changed tu to vous'",
                )
            ]
        )
    store = read_content(content_dir).store
    if lang not in store.languages:
        raise ContentError([Problem(folder, None, "language", f"{lang!r} has no content folder")])
    targets = _targets(store, lang, topic)
    day = today or dt.date.today()
    changes: dict[str, str] = {}
    for name, source_hash in targets:
        values: dict[Loc, Value] = {
            ("status",): "reviewed",
            ("reviewer",): reviewer,
            ("reviewed_on",): day,
        }
        if lang != ENGLISH:
            values[("review_note",)] = (note or "").strip()
            values[("source_hash",)] = source_hash
        rel = f"{lang}/{name}"
        original = (content_dir / rel).read_bytes().decode("utf-8")
        updated = set_values(original, values)
        if updated != original:
            changes[rel] = updated
    blocking = check_then_write(content_dir, changes, more_hint, day)
    if blocking:
        raise ContentError(blocking)
    return sorted(changes)


def _targets(store: ContentStore, lang: str, topic: str | None) -> list[tuple[str, str]]:
    """(file name, hash of its English source) for each file to mark."""
    texts = store.texts.get(lang, {})
    english = store.texts.get(ENGLISH, {})
    if topic is not None:
        text = texts.get(topic)
        if text is None or not text.has_text or topic not in english:
            why = "has no file" if text is None else "has no text to review (phrases-only)"
            raise ContentError(
                [Problem(f"{lang}/{topic}.yaml", None, "status", f"{topic!r} {why} in {lang}")]
            )
        return [(f"{topic}.yaml", english_hash(english[topic]))]
    targets = [
        (f"{topic_id}.yaml", english_hash(english[topic_id]))
        for topic_id, text in sorted(texts.items())
        if text.has_text and topic_id in english
    ]
    pack = store.packs.get(lang)
    source = store.packs.get(ENGLISH)
    if pack is not None and source is not None and translates_language_text(pack):
        targets.append((LANGUAGE_FILE, language_hash(source)))
    if not targets:
        raise ContentError([Problem(lang, None, "status", f"{lang} has no text to review")])
    return targets
