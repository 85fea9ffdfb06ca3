"""Change values in a hand-edited YAML file and leave every other byte where it was.

Translators' comments, the order of keys and the folding of long paragraphs are part of the
file's meaning to the people who keep it, so a tool that writes content must not re-dump it.
:func:`set_values` replaces a scalar in place, in a style that fits where it stands (a folded
``>-`` paragraph stays one, a value inside ``{...}`` is quoted). A value whose key or list item
does not exist yet is written by re-dumping only the top-level entry that holds it (or adding
that entry); comments inside that one entry are lost, everywhere else they stay.

Every result is parsed again and compared with what was asked for: a rendering mistake is an
error here, never a silent change to what the bot says.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from gfmd_info.yaml_lines import Loc, YamlSyntaxError, load_yaml

Value = str | dt.date
WIDTH = 100


class YamlEditError(ValueError):
    """The edit could not be written so that the file reads back as asked."""


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    text: str


def set_values(
    text: str, values: Mapping[Loc, Value], place_before: Mapping[str, str] | None = None
) -> str:
    """``text`` with each location set to its value.

    A new top-level key goes before the key ``place_before`` names for it, when the file has
    that key (so ``title`` lands above ``phrases``), otherwise at the end.
    """
    if not values:
        return text
    root = yaml.compose(text, Loader=yaml.SafeLoader) if text.strip() else None
    if root is not None and not isinstance(root, MappingNode):
        raise YamlEditError("the file is not a mapping of `field: value`")
    found = {loc: _scalar_at(root, loc) for loc in values}
    # An entry that must be re-dumped takes all its edits along: spans must not overlap.
    rebuilt = {str(loc[0]) for loc, node in found.items() if node is None}
    spans: list[_Span] = []
    rebuild: dict[str, list[tuple[Loc, Value]]] = {}
    for loc, value in values.items():
        place = found[loc]
        if place is None or str(loc[0]) in rebuilt:
            rebuild.setdefault(str(loc[0]), []).append((loc, value))
        else:
            node, key_column, in_flow = place
            spans.append(_Span(*_render_in_place(text, node, value, key_column, in_flow)))
    data = load_yaml(text).data if text.strip() else {}
    if not isinstance(data, dict):
        raise YamlEditError("the file is not a mapping of `field: value`")
    for top, edits in rebuild.items():
        entry = _edited_entry(data.get(top), edits)
        anchor = (place_before or {}).get(top)
        spans.append(_entry_span(text, root, top, entry, anchor))
    edited = _apply(text, spans)
    _verify(edited, values)
    return edited


# Finding nodes


def _scalar_at(root: Node | None, loc: Loc) -> tuple[ScalarNode, int, bool] | None:
    """The scalar at ``loc``, the column its value is indented from, and whether it sits in a
    flow collection."""
    node: Node | None = root
    column = 0
    in_flow = False
    for part in loc:
        if isinstance(node, MappingNode) and isinstance(part, str):
            pair = next((p for p in node.value if _key(p[0]) == part), None)
            if pair is None:
                return None
            in_flow = in_flow or bool(node.flow_style)
            column = pair[0].start_mark.column
            node = pair[1]
        elif isinstance(node, SequenceNode) and isinstance(part, int):
            if not 0 <= part < len(node.value):
                return None
            in_flow = in_flow or bool(node.flow_style)
            node = node.value[part]
            column = node.start_mark.column
        else:
            return None
    return (node, column, in_flow) if isinstance(node, ScalarNode) else None


def _key(node: Node) -> str | None:
    return str(node.value) if isinstance(node, ScalarNode) else None


# Rendering one scalar in place


def _render_in_place(
    text: str, node: ScalarNode, value: Value, key_column: int, in_flow: bool
) -> tuple[int, int, str]:
    start, end = node.start_mark.index, node.end_mark.index
    if isinstance(value, dt.date):
        return start, end, value.isoformat()
    if in_flow:
        return start, end, _double_quoted(value)
    if node.style in (">", "|"):
        original = text[start:end]
        trailing = original[len(original.rstrip()) :]
        indent = _block_indent(original) or key_column + 2
        return start, end, _block_or_quoted(value, indent) + trailing
    line_start = text.rfind("\n", 0, start) + 1
    if _simple(value) and start - line_start + len(value) > WIDTH:
        return start, end, _folded(value, key_column + 2)
    if node.style == '"' or not _plain_is_safe(value):
        return start, end, _double_quoted(value)
    if node.style == "'":
        return start, end, "'" + value.replace("'", "''") + "'"
    return start, end, value


def _block_indent(original: str) -> int | None:
    for line in original.splitlines()[1:]:
        if line.strip():
            return len(line) - len(line.lstrip(" "))
    return None


def _simple(value: str) -> bool:
    """Text a folded paragraph holds exactly: one line, single spaces, no edge spaces."""
    return (
        bool(value)
        and value == value.strip()
        and "  " not in value
        and not any(char in value for char in "\n\r\t")
        and value.isprintable()
    )


def _block_or_quoted(value: str, indent: int) -> str:
    return _folded(value, indent) if _simple(value) else _double_quoted(value)


def _folded(value: str, indent: int) -> str:
    room = max(WIDTH - indent, 40)
    lines: list[str] = []
    current = ""
    for word in value.split(" "):
        if current and len(current) + 1 + len(word) > room:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    lines.append(current)
    pad = " " * indent
    return ">-\n" + "\n".join(pad + line for line in lines)


def _double_quoted(value: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar.
    return json.dumps(value, ensure_ascii=False)


def _plain_is_safe(value: str) -> bool:
    if not _simple(value) or value[0] in "!&*[]{}|>'\"%@`#,?:-" or value.endswith(":"):
        return False
    if ": " in value or " #" in value:
        return False
    try:
        return bool(yaml.safe_load(f"key: {value}") == {"key": value})
    except yaml.YAMLError:
        return False


# Re-dumping one top-level entry


def _edited_entry(current: object, edits: Sequence[tuple[Loc, Value]]) -> object:
    """A copy of ``current`` (the value of one top-level key) with ``edits`` applied."""
    entry: Any = json.loads(json.dumps(current, default=str)) if current is not None else None
    for loc, value in edits:
        if len(loc) == 1:
            entry = value
            continue
        if entry is None:
            entry = [] if isinstance(loc[1], int) else {}
        holder = entry
        for part, following in itertools.pairwise(loc[1:]):
            holder = _child(holder, part, [] if isinstance(following, int) else {})
        _assign(holder, loc[-1], value)
    return entry


def _child(holder: Any, part: str | int, empty: object) -> Any:
    if isinstance(holder, dict) and isinstance(part, str):
        return holder.setdefault(part, empty)
    if isinstance(holder, list) and isinstance(part, int) and part <= len(holder):
        if part == len(holder):
            holder.append(empty)
        return holder[part]
    raise YamlEditError(f"cannot place a value at {part!r}: the file has a different shape")


def _assign(holder: Any, part: str | int, value: Value) -> None:
    if isinstance(holder, dict) and isinstance(part, str):
        holder[part] = value
    elif isinstance(holder, list) and isinstance(part, int) and part <= len(holder):
        if part == len(holder):
            holder.append(value)
        else:
            holder[part] = value
    else:
        raise YamlEditError(f"cannot place a value at {part!r}: the file has a different shape")


class _Dumper(yaml.SafeDumper):
    """Lists indented under their key, as the content files write them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = ">" if len(value) > 60 and _simple(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def _dump_entry(top: str, entry: object) -> str:
    dumped: str = yaml.dump(
        {top: entry},
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=WIDTH - 8,
    )
    return dumped


def _entry_span(
    text: str, root: MappingNode | None, top: str, entry: object, anchor: str | None
) -> _Span:
    dumped = _dump_entry(top, entry)
    pairs = [] if root is None else root.value
    pair = next((p for p in pairs if _key(p[0]) == top), None)
    if pair is not None:
        start = pair[0].start_mark.index
        end = _line_end(text, _last_index(pair[1]))
        return _Span(start, end, dumped)
    before = next((p for p in pairs if anchor is not None and _key(p[0]) == anchor), None)
    if before is not None:
        at = before[0].start_mark.index
        return _Span(at, at, dumped)
    if text and not text.endswith("\n"):
        return _Span(len(text), len(text), "\n" + dumped)
    return _Span(len(text), len(text), dumped)


def _last_index(node: Node) -> int:
    """Where the last scalar inside ``node`` ends: a block collection's own end mark lies past
    the comments that introduce the next key."""
    while isinstance(node, MappingNode | SequenceNode) and node.value and not node.flow_style:
        last = node.value[-1]
        node = last[1] if isinstance(node, MappingNode) else last
    return int(node.end_mark.index)


def _line_end(text: str, index: int) -> int:
    if index > 0 and text[index - 1] == "\n":
        return index
    newline = text.find("\n", index)
    return len(text) if newline < 0 else newline + 1


# Applying and checking


def _apply(text: str, spans: list[_Span]) -> str:
    ordered = sorted(spans, key=lambda span: (span.start, span.end))
    for earlier, later in itertools.pairwise(ordered):
        if later.start < earlier.end:
            raise YamlEditError("two edits overlap in one place of the file")
    for span in reversed(ordered):
        text = text[: span.start] + span.text + text[span.end :]
    return text


def _verify(edited: str, values: Mapping[Loc, Value]) -> None:
    try:
        data = load_yaml(edited).data
    except YamlSyntaxError as error:
        raise YamlEditError(f"the edit would break the file: {error.message}") from error
    for loc, value in values.items():
        found = data
        for part in loc:
            if isinstance(found, dict):
                found = found.get(part)
            elif isinstance(found, list) and isinstance(part, int) and 0 <= part < len(found):
                found = found[part]
            else:
                found = None
        if found != value:
            where = ".".join(map(str, loc))
            raise YamlEditError(f"{where}: the edit would not read back as written")
