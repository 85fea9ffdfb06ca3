"""The gap report groups what went unanswered, without anything that points to a person."""

from __future__ import annotations

import dataclasses
import datetime as dt

from gfmd_info.gap_report import AskedRow, format_gaps, group_gaps, mask

DEC = dt.date(2026, 12, 1)


def day(n: int) -> dt.date:
    return DEC + dt.timedelta(days=n)


def test_a_row_holds_a_day_a_language_a_text_and_a_count_and_nothing_else() -> None:
    names = {f.name for f in dataclasses.fields(AskedRow)}
    assert names == {"day", "lang", "text", "hits", "kind"}


def test_paraphrases_form_one_group_counted_with_their_hits() -> None:
    rows = [
        AskedRow(day(0), "en", "my visa expired what do i do", 3),
        AskedRow(day(1), "en", "visa expired what to do"),
        AskedRow(day(2), "en", "what do i do my visa is expired"),
        AskedRow(day(2), "en", "where can i buy a sim card"),
    ]
    gaps = group_gaps(rows)
    assert [(g.asked, g.example, g.newest) for g in gaps] == [
        (5, "my visa expired what do i do", day(2)),
        (1, "where can i buy a sim card", day(2)),
    ]


def test_one_shared_word_does_not_merge_two_questions() -> None:
    gaps = group_gaps([AskedRow(day(0), "en", "help"), AskedRow(day(0), "en", "help with taxes")])
    assert len(gaps) == 2


def test_languages_are_never_merged_and_lang_filters() -> None:
    rows = [AskedRow(day(0), "en", "visa expired"), AskedRow(day(0), "es", "visa expired")]
    assert len(group_gaps(rows)) == 2
    assert [g.lang for g in group_gaps(rows, lang="es")] == ["es"]


def test_equal_counts_show_the_most_recently_asked_first() -> None:
    rows = [
        AskedRow(day(0), "en", "bus ticket price"),
        AskedRow(day(5), "en", "wifi password at the shelter"),
        AskedRow(day(3), "en", "how to open a bank account"),
    ]
    assert [g.newest for g in group_gaps(rows)] == [day(5), day(3), day(0)]


def test_since_leaves_out_older_days() -> None:
    rows = [AskedRow(day(0), "en", "old question here"), AskedRow(day(4), "en", "new one here")]
    assert [g.example for g in group_gaps(rows, since=day(2))] == ["new one here"]


def test_the_example_is_masked_even_if_the_stored_text_was_not() -> None:
    assert mask("call me on +971 50 123 4567 or ana@example.org") == "call me on # or #"
    gaps = group_gaps([AskedRow(day(0), "en", "my number is 050-123-4567 call me")])
    assert gaps[0].example == "my number is # call me"


def test_ambiguous_questions_are_counted_as_such() -> None:
    rows = [
        AskedRow(day(0), "en", "visa and salary problem", 2, "ambiguous"),
        AskedRow(day(0), "en", "visa and salary problems"),
    ]
    report = format_gaps(group_gaps(rows), retention_days=180, since=None, lang=None)
    assert "3  en    2026-12-01  visa and salary problem  (2 ambiguous)" in report


def test_the_report_states_retention_and_says_so_in_words_when_empty() -> None:
    report = format_gaps([], retention_days=180, since=day(0), lang="ar")
    assert report.splitlines() == [
        "No unanswered questions in ar since 2026-12-01.",
        "Questions are kept 180 days without any user key; numbers and e-mail addresses are"
        " masked.",
    ]
