"""A reload that retrains the matcher happens beside serving, and swaps the model in at once."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

from bot.runtime import LastGood, load_at_startup

REPO = Path(__file__).resolve().parents[2]


def test_a_reload_while_serving_answers_every_request_then_swaps_the_model(
    tmp_path: Path,
) -> None:
    # English alone: a real content folder that trains in a second, not thirteen languages.
    content = tmp_path / "content"
    content.mkdir()
    for shared in (REPO / "content").glob("*.yaml"):
        shutil.copy(shared, content)
    shutil.copytree(REPO / "content" / "en", content / "en")
    holder = load_at_startup(content, LastGood(tmp_path / "var"))
    before = holder().matcher.fingerprint
    shelter = content / "en" / "shelter.yaml"
    shelter.write_text(
        shelter.read_text(encoding="utf-8").replace(
            "phrases:\n", "phrases:\n  - the caravan we rented was towed away with our things\n"
        ),
        encoding="utf-8",
    )

    answered: list[str | None] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                answered.append(holder().matcher.match("my salary was not paid", "en").topic)
            except BaseException as error:
                errors.append(error)

    server = threading.Thread(target=serve)
    server.start()
    try:
        result = holder.reload()
    finally:
        stop.set()
        server.join()
    assert result.ok, result.problems
    assert errors == []
    assert len(answered) > 10
    assert set(answered) == {"unpaid-wages"}
    assert holder().matcher.fingerprint != before
