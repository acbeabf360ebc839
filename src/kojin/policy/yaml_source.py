"""YAML with positions: plain Python data plus the line and column of every key and value.

PyYAML's composer gives nodes with marks; this module constructs the data itself so that each
path (``("categories", 1, "id")``) keeps where its key and its value were written, and so that a
key written twice in one mapping is an error rather than silently overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from kojin.policy.references import Path, printable


@dataclass(frozen=True, slots=True)
class Position:
    """1-based line and column."""

    line: int
    column: int


@dataclass(slots=True)
class PositionIndex:
    """Where each path's key and value are in the file."""

    keys: dict[Path, Position] = field(default_factory=dict)
    values: dict[Path, Position] = field(default_factory=dict)

    def of_value(self, path: Path) -> Position:
        return self._nearest(path, self.values)

    def of_key(self, path: Path) -> Position:
        return self._nearest(path, self.keys) if path in self.keys else self.of_value(path)

    def _nearest(self, path: Path, table: dict[Path, Position]) -> Position:
        for end in range(len(path), -1, -1):
            found = table.get(path[:end]) or self.values.get(path[:end])
            if found is not None:
                return found
        return Position(1, 1)


@dataclass(frozen=True, slots=True)
class YamlIssue:
    path: Path
    position: Position
    message: str


class YamlSyntaxError(Exception):
    """The text is not YAML; `position` is where the parser stopped."""

    def __init__(self, message: str, position: Position) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


#: libyaml's parser when PyYAML was built with it (same nodes and marks, several times faster)
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _position(node: yaml.Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


#: Upper bound on nodes visited, so that nested aliases ("billion laughs") cannot exhaust memory.
MAX_NODES = 50_000


class _Builder:
    def __init__(self, loader: yaml.SafeLoader) -> None:
        self.loader = loader
        self.index = PositionIndex()
        self.issues: list[YamlIssue] = []
        self._active: set[int] = set()
        self._visited = 0

    def build(self, node: yaml.Node, path: Path) -> Any:
        self._visited += 1
        if self._visited > MAX_NODES:
            raise YamlSyntaxError(
                f"the document expands to more than {MAX_NODES} values (nested aliases?)",
                _position(node),
            )
        self.index.values.setdefault(path, _position(node))
        if id(node) in self._active:
            self.issues.append(YamlIssue(path, _position(node), "recursive alias"))
            return None
        self._active.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            if isinstance(node, yaml.SequenceNode):
                return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
            return self.loader.construct_object(node, deep=True)
        finally:
            self._active.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any]:
        self.loader.flatten_mapping(node)  # resolves YAML merge keys (<<)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self.loader.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                self.issues.append(
                    YamlIssue(
                        path, _position(key_node), f"mapping keys must be strings, not {key!r}"
                    )
                )
                continue
            child = (*path, key)
            if key in result:
                first = self.index.keys[child]
                self.issues.append(
                    YamlIssue(
                        child,
                        _position(key_node),
                        f"duplicate key '{printable(key)}' (first defined at line {first.line})",
                    )
                )
                continue
            self.index.keys[child] = _position(key_node)
            result[key] = self.build(value_node, child)
        return result


def parse_yaml(text: str) -> tuple[Any, PositionIndex, list[YamlIssue]]:
    """Parse one YAML document: its data, positions and structural issues (duplicate keys)."""
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, PositionIndex(), []
        builder = _Builder(loader)
        data = builder.build(node, ())
        return data, builder.index, builder.issues
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        position = Position(mark.line + 1, mark.column + 1) if mark else Position(1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        message = f"YAML syntax error: {problem}"
        if exc.context and exc.problem:
            message += f" ({exc.context})"
        raise YamlSyntaxError(message, position) from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(f"YAML error: {exc}", Position(1, 1)) from exc
    finally:
        loader.dispose()
