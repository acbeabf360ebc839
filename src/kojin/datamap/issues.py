"""Problems in a data map, each with the file, line, column and path where it was written.

A :class:`Site` is a place in a parsed YAML file: the file's name, its position index and a
path inside it. Every part of a map keeps its site while it is checked, so that a problem found
late (a reference that does not resolve, a key used twice in another file) still points at the
line that has to change.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from pydantic import ValidationError

from kojin.errors import DataMapError
from kojin.policy.yaml_source import PositionIndex

PathPart = str | int
Path = tuple[PathPart, ...]

_PLAIN = re.compile(r"[A-Za-z0-9_\-]+")


def dotted(path: Sequence[PathPart]) -> str:
    """``("systems", 0, "datasets", 1, "key")`` -> ``systems.0.datasets.1.key``; the empty path
    is ``<document>``. Keys that are not plain names are quoted, so a path stays on one line."""
    parts = [
        str(part) if isinstance(part, int) or _PLAIN.fullmatch(part) else repr(part)
        for part in path
    ]
    return ".".join(parts) or "<document>"


@dataclass(frozen=True, slots=True)
class DataMapIssue:
    """One problem, printed as ``FILE:LINE:COLUMN: field.path: message``."""

    file: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.path}: {self.message}"


@dataclass(frozen=True, slots=True)
class Site:
    """A place in a parsed file: `path` inside the file named `file`."""

    file: str
    index: PositionIndex
    path: Path = ()

    def at(self, *parts: PathPart) -> Site:
        return replace(self, path=(*self.path, *parts))

    def into(self, *parts: PathPart) -> Site:
        """The site of `parts` below this one when they were written, else this one (a field's
        ``erasure: hmac`` has no ``strategy`` key to point at)."""
        return self.at(*parts) if self.written(*parts) else self

    def written(self, *parts: PathPart) -> bool:
        """Whether `parts` below this site were written in the file."""
        return (*self.path, *parts) in self.index.values

    def issue(self, message: str, *, key: bool = False) -> DataMapIssue:
        """A problem here, positioned at the key (`key`) or at the value (the default)."""
        where = self.index.of_key(self.path) if key else self.index.of_value(self.path)
        return DataMapIssue(self.file, where.line, where.column, dotted(self.path), message)


def document_issue(file: str, message: str, *, line: int = 1, column: int = 1) -> DataMapIssue:
    """A problem with a file as a whole (missing, unreadable, not YAML)."""
    return DataMapIssue(file, line, column, "<document>", message)


def raise_issues(source: str, issues: Sequence[DataMapIssue]) -> None:
    """Raise :class:`DataMapError` carrying `issues` (ordered by file, then position), if any."""
    if not issues:
        return
    files = list(dict.fromkeys(i.file for i in issues))
    ordered = sorted(issues, key=lambda i: (files.index(i.file), i.line, i.column, i.path))
    unique = list(dict.fromkeys(ordered))
    noun = "problem" if len(unique) == 1 else "problems"
    raise DataMapError(f"{source}: {len(unique)} {noun} in the data map", issues=list(unique))


#: a validator's own words that would repeat the value it refused (which may be personal)
_VALUE_SUFFIX = re.compile(r"\.?\s*Value provided: .*$", re.DOTALL)


def schema_issues(exc: ValidationError, site: Site) -> list[DataMapIssue]:
    """pydantic's errors for data validated at `site`, positioned; errors of one place (a
    value that fits no member of a union) are joined into one issue."""
    grouped: dict[Path, tuple[bool, list[str]]] = {}
    for error in exc.errors(include_url=False, include_input=False):
        loc: Path = tuple(p for p in error["loc"] if isinstance(p, (str, int)))
        kind = error["type"]
        if kind in ("extra_forbidden", "missing"):
            path, key = loc, True
            message = (
                f"unknown key '{loc[-1]}'"
                if kind == "extra_forbidden" and loc
                else "required field is missing"
            )
        else:
            path, key = _written_prefix(site, loc), False
            message = _message(error)
        _, messages = grouped.setdefault(path, (key, []))
        if message not in messages:
            messages.append(message)
    return [
        site.at(*path).issue("; ".join(messages), key=key)
        for path, (key, messages) in grouped.items()
    ]


def _written_prefix(site: Site, loc: Path) -> Path:
    """The longest start of `loc` that was written (a union's member names are not)."""
    for end in range(len(loc), 0, -1):
        if site.written(*loc[:end]):
            return loc[:end]
    return loc


def _message(error: Any) -> str:
    message = str(error["msg"]).removeprefix("Value error, ")
    return _VALUE_SUFFIX.sub("", message)
