from __future__ import annotations

import pytest

from gfmd_info.yaml_lines import YamlSyntaxError, load_yaml

TEXT = "title: Wages\nphrases:\n  - no pay\n  - boss kept salary\nreviewed: 2026-11-30\n"


def test_lines_point_at_each_key_and_item() -> None:
    document = load_yaml(TEXT)
    assert document.lines[("phrases", 1)] == 4
    assert document.line_of(("phrases", 7)) == 2


def test_a_text_read_again_gives_equal_data_that_no_earlier_caller_can_change() -> None:
    first = load_yaml(TEXT)
    first.data["phrases"].append("changed by a caller")  # type: ignore[index]
    second = load_yaml(TEXT)
    assert second.data == {
        "title": "Wages",
        "phrases": ["no pay", "boss kept salary"],
        "reviewed": first.data["reviewed"],  # type: ignore[index]
    }
    assert second.data is not first.data


def test_a_broken_text_is_refused_every_time_it_is_read() -> None:
    for _ in range(2):
        with pytest.raises(YamlSyntaxError):
            load_yaml("title: [unclosed\n")
