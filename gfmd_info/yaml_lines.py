"""Safe-load YAML and remember where every mapping key and sequence item starts.

Content is edited by hand, so an error must say ``file:line: field``. PyYAML's safe loader gives
plain data; this module walks the composed node tree beside it and records, for each location
(a tuple of keys and list indexes, as pydantic reports ``loc``), the 1-based line it starts on.
It also notes duplicate keys, which PyYAML would otherwise silently resolve to the last one.

Booleans follow YAML 1.2: only ``true`` and ``false``. YAML 1.1 also reads ``yes``, ``no``,
``on`` and ``off`` as booleans, which would turn the stopword ``no`` or the country code ``NO``
into ``False`` behind an editor's back.
"""

from __future__ import annotations

import pickle
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Loc = tuple[str | int, ...]

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BOOL_TAG = "tag:yaml.org,2002:bool"


class _ContentLoader(_Base):  # type: ignore[misc, valid-type]
    """The safe loader with YAML 1.2 booleans."""


_ContentLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL_TAG]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}
_ContentLoader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@dataclass(frozen=True)
class YamlDocument:
    """Plain data (``None`` for an empty file) with the line of each key and item."""

    data: object
    lines: Mapping[Loc, int]
    # (location of the repeated key, its line): the earlier value was silently lost.
    duplicate_keys: tuple[tuple[Loc, int], ...] = ()

    def line_of(self, loc: Sequence[str | int]) -> int | None:
        """Line of ``loc``, or of its nearest enclosing key or item when it is not in the file.

        A missing field is reported at the mapping that should hold it.
        """
        path = tuple(loc)
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None


@dataclass(frozen=True)
class YamlSyntaxError(Exception):
    """The text is not valid YAML; ``line`` is 1-based when the parser knows it."""

    line: int | None
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass
class _Walk:
    loader: yaml.SafeLoader
    lines: dict[Loc, int] = field(default_factory=dict)
    duplicates: list[tuple[Loc, int]] = field(default_factory=list)

    def visit(self, node: Node, loc: Loc, ancestors: frozenset[int]) -> None:
        if id(node) in ancestors:  # a recursive alias: the data already says what it is
            return
        inside = ancestors | {id(node)}
        if isinstance(node, MappingNode):
            seen: set[object] = set()
            for key_node, value_node in node.value:
                key = self.loader.construct_object(key_node, deep=True)
                if not isinstance(key, str | int):
                    key = str(key)
                here = (*loc, key)
                line = key_node.start_mark.line + 1
                if key in seen:
                    self.duplicates.append((here, line))
                seen.add(key)
                self.lines[here] = line
                self.visit(value_node, here, inside)
        elif isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                here = (*loc, index)
                self.lines[here] = item.start_mark.line + 1
                self.visit(item, here, inside)


def _describe(error: yaml.YAMLError) -> YamlSyntaxError:
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        parts = [part for part in (error.context, error.problem) if part]
        what = "; ".join(parts) if parts else "not valid YAML"
        return YamlSyntaxError(
            line, f"YAML syntax: {what} (check the indentation, colons and quotes)"
        )
    return YamlSyntaxError(None, f"YAML syntax: {error}")


def _unreadable_scalar_line(node: Node) -> int | None:
    """Line of the first scalar the constructor rejects (a date like 2026-13-45)."""
    loader = _ContentLoader("")  # a fresh constructor: the failed one keeps half-built state
    stack = [node]
    seen: set[int] = set()
    try:
        while stack:
            current = stack.pop()
            if id(current) in seen:
                continue
            seen.add(id(current))
            if isinstance(current, ScalarNode):
                try:
                    loader.construct_object(current)
                except (ValueError, OverflowError, yaml.YAMLError):
                    return current.start_mark.line + 1
            elif isinstance(current, MappingNode):
                stack.extend(reversed([part for pair in current.value for part in pair]))
            elif isinstance(current, SequenceNode):
                stack.extend(reversed(current.value))
        return None
    finally:
        loader.dispose()


# Content is read again at every reload, and most files have not changed: a file's parse is
# kept by its text (the data pickled, so that no caller can change what the next one gets).
_PARSED_LIMIT = 4096
_parsed: OrderedDict[str, tuple[bytes, YamlDocument]] = OrderedDict()
_parsed_lock = threading.Lock()


def load_yaml(text: str) -> YamlDocument:
    """Parse one YAML document safely; raise :class:`YamlSyntaxError` instead of a traceback."""
    with _parsed_lock:
        kept = _parsed.get(text)
        if kept is not None:
            _parsed.move_to_end(text)
    if kept is not None:
        data, document = kept
        return replace(document, data=pickle.loads(data))
    document = _parse(text)
    # The data is kept once, pickled: the entry's document holds only the lines.
    entry = (pickle.dumps(document.data, pickle.HIGHEST_PROTOCOL), replace(document, data=None))
    with _parsed_lock:
        _parsed[text] = entry
        while len(_parsed) > _PARSED_LIMIT:
            _parsed.popitem(last=False)
    return document


def _parse(text: str) -> YamlDocument:
    loader = _ContentLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(data=None, lines={})
        data = loader.construct_document(node)
        walk = _Walk(loader)
        walk.lines[()] = node.start_mark.line + 1
        walk.visit(node, (), frozenset())
    except yaml.YAMLError as error:
        raise _describe(error) from error
    except (ValueError, OverflowError) as error:
        line = _unreadable_scalar_line(node) if node is not None else None
        raise YamlSyntaxError(line, f"YAML value cannot be read: {error}") from error
    except RecursionError as error:
        raise YamlSyntaxError(None, "YAML nesting is too deep") from error
    finally:
        loader.dispose()
    return YamlDocument(data=data, lines=walk.lines, duplicate_keys=tuple(walk.duplicates))
