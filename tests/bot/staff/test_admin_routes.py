"""`GET /admin/unanswered` lists what the bot could not answer, and says so when there is none."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from fastapi.testclient import TestClient

from bot.runtime import Runtime


def test_unanswered_says_in_words_that_none_are_stored_then_lists_them(
    make_client: Callable[..., TestClient],
) -> None:
    with make_client() as staff:
        empty = staff.get("/admin/unanswered")
        assert (empty.status_code, empty.text) == (
            200,
            "No unanswered questions are stored. Questions are kept 30 days without any user key.",
        )
        runtime: Runtime = staff.app.state.runtime  # type: ignore[attr-defined]
        with runtime.store.person("someone") as session:
            session.record_unanswered("en", "where is the embassy", dt.date.today())
        assert staff.get("/admin/unanswered").text == "1\ten\twhere is the embassy"
