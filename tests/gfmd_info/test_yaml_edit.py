"""Editing a value in a hand-written YAML file keeps every other byte, comments included."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from gfmd_info.yaml_edit import YamlEditError, set_values

FILE = """\
# A comment the translator wrote.
title: Salario  # short
summary: >-
  Una frase larga que sigue
  en la línea siguiente.
sections:
  - heading: Qué hacer
    text: >-
      Texto.
# The phrases follow.
phrases:
  - uno
services: {all: todas, police: policía}
status: draft
"""


def test_a_folded_paragraph_stays_folded_and_the_rest_stays_byte_for_byte() -> None:
    new = "Otra frase. " * 12
    edited = set_values(FILE, {("summary",): new.strip()})
    assert yaml.safe_load(edited)["summary"] == new.strip()
    head, _, tail = FILE.partition("summary:")
    assert edited.startswith(head + "summary: >-\n  Otra frase.")
    assert edited.endswith(tail[tail.index("sections:") :])
    assert all(len(line) <= 100 for line in edited.splitlines())


def test_a_plain_value_keeps_its_line_comment() -> None:
    edited = set_values(FILE, {("title",): "Sueldo"})
    assert "title: Sueldo  # short\n" in edited
    assert edited.replace("Sueldo", "Salario", 1) == FILE


def test_a_value_that_yaml_would_misread_is_quoted() -> None:
    for value in ("sí: no", "{number} llama", "no", "#1 consejo", "2026-01-01"):
        edited = set_values(FILE, {("sections", 0, "heading"): value})
        assert yaml.safe_load(edited)["sections"][0]["heading"] == value


def test_a_value_inside_braces_is_quoted() -> None:
    edited = set_values(FILE, {("services", "police"): "la policía, ya"})
    assert 'services: {all: todas, police: "la policía, ya"}' in edited


def test_a_missing_key_is_added_before_its_anchor_and_a_date_stays_a_date() -> None:
    edited = set_values(
        FILE,
        {("reviewed_on",): dt.date(2026, 12, 6), ("sections", 1, "heading"): "Ayuda"},
        place_before={"sections": "phrases"},
    )
    data = yaml.safe_load(edited)
    assert data["reviewed_on"] == dt.date(2026, 12, 6)
    assert data["sections"][1] == {"heading": "Ayuda"}
    assert edited.startswith(FILE[: FILE.index("sections:")])
    assert "# The phrases follow.\nphrases:" in edited


def test_a_value_where_the_file_has_a_different_shape_is_an_error() -> None:
    with pytest.raises(YamlEditError):
        set_values(FILE, {("title", "sub"): "x"})


def test_no_values_is_no_change() -> None:
    assert set_values(FILE, {}) is FILE
