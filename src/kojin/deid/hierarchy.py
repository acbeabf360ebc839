"""Generalization hierarchies for full-domain generalization (R-AN-1(4), GL-Anon Table 2).

A hierarchy maps every original value of a quasi-identifier (level 0) to ever coarser values;
the last level is a single value (``*`` by convention). Files are CSV with one row per original
value, level 0 first and coarser levels to the right (the ARX layout).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from kojin.encodings import decode
from kojin.errors import InputError

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Hierarchy:
    """A full-domain hierarchy over one column.

    ``labels[L]`` are the distinct values of level L; ``parents[L]`` maps a level-0 code (the index
    of a value in ``labels[0]``) to its code at level L. Level 0 is the original value.
    """

    column: str
    labels: tuple[tuple[str, ...], ...]
    parents: tuple[IntArray, ...]

    @property
    def height(self) -> int:
        """Number of generalization steps above level 0."""
        return len(self.labels) - 1

    def leaf_index(self) -> dict[str, int]:
        return {value: code for code, value in enumerate(self.labels[0])}

    def leaves_under(self, level: int) -> IntArray:
        """For each level-``level`` code, how many level-0 values it covers."""
        return np.bincount(self.parents[level], minlength=len(self.labels[level])).astype(np.int64)


def hierarchy_from_rows(*, column: str, rows: Sequence[Sequence[str]], source: str) -> Hierarchy:
    """Build a hierarchy from rows (one per original value), checking it is a tree.

    Errors name the source, the row and the level, never a value: level 0 holds the values of
    the data.
    """
    if not rows:
        raise InputError(f"hierarchy for column {column!r} ({source}) is empty", field=column)
    width = len(rows[0])
    if width < 2:
        raise InputError(
            f"hierarchy for column {column!r} ({source}) needs at least two levels "
            "(the value and a coarser one)",
            field=column,
        )
    labels: list[dict[str, int]] = [{} for _ in range(width)]
    parent_of: list[dict[int, int]] = [{} for _ in range(width)]
    parent_row: list[dict[int, int]] = [{} for _ in range(width)]
    leaf_codes: list[list[int]] = [[] for _ in range(width)]
    for number, row in enumerate(rows, start=1):
        if len(row) != width:
            raise InputError(
                f"hierarchy for column {column!r} ({source}), row {number}: {len(row)} levels, "
                f"expected {width} like the first row",
                field=column,
            )
        leaf = row[0]
        if leaf in labels[0]:
            raise InputError(
                f"hierarchy for column {column!r} ({source}), row {number}: its value (level 0) "
                f"appears twice, first at row {labels[0][leaf] + 1}",
                field=column,
            )
        codes = [
            labels[level].setdefault(value, len(labels[level])) for level, value in enumerate(row)
        ]
        for level in range(1, width):
            known = parent_of[level].setdefault(codes[level - 1], codes[level])
            first = parent_row[level].setdefault(codes[level - 1], number)
            if known != codes[level]:
                raise InputError(
                    f"hierarchy for column {column!r} ({source}), row {number}: its value at "
                    f"level {level - 1} has two parents at level {level} (the other at row "
                    f"{first})",
                    field=column,
                )
            leaf_codes[level].append(codes[level])
    if len(labels[-1]) != 1:
        raise InputError(
            f"hierarchy for column {column!r} ({source}): the last level must be a single value, "
            f"found {len(labels[-1])}",
            field=column,
        )
    parents = [np.arange(len(labels[0]), dtype=np.int64)]
    parents.extend(np.asarray(leaf_codes[level], dtype=np.int64) for level in range(1, width))
    return Hierarchy(
        column=column,
        labels=tuple(tuple(level) for level in labels),
        parents=tuple(parents),
    )


def _sniff_delimiter(sample: str) -> str:
    counts = {delimiter: sample.count(delimiter) for delimiter in (";", ",", "\t")}
    return max(counts, key=lambda delimiter: counts[delimiter])


def load_hierarchy_csv(*, column: str, path: Path, encoding: str | None = None) -> Hierarchy:
    """Read a hierarchy CSV (``;``, ``,`` or tab separated, no header).

    The file may be UTF-8 (with or without a BOM) or Shift_JIS/CP932, detected unless `encoding`
    names it.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(
            f"hierarchy file for column {column!r} not found: {path}", field=column
        ) from None
    except OSError as exc:
        raise InputError(
            f"hierarchy file for column {column!r} is unreadable: {path} "
            f"({exc.__class__.__name__})",
            field=column,
        ) from None
    source = f"hierarchy file for column {column!r} ({path.name})"
    text = decode(data, source=source, encoding=encoding)
    delimiter = _sniff_delimiter(text[:4096])
    rows = [row for row in csv.reader(text.splitlines(), delimiter=delimiter) if row]
    return hierarchy_from_rows(column=column, rows=rows, source=path.name)
