"""Findings in bulk: one value per block of text or table column, not one object per finding.

A dense file holds a finding every hundred bytes or so; building a named tuple, a dictionary and a
JSON document for each costs more than finding them. A batch keeps its findings as parallel lists
(kind, line, column, length, score, masked value) and renders them in bulk: JSON lines in one string
join, table rows in one comprehension. Iterating a batch still gives :class:`Finding` values for
callers that want them (the ledger comparison, the Python API).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Protocol

import orjson

from kojin.discovery.model import Category, CellLocation, Finding, TextLocation

#: A findings table row: type (with "(not personal)"), location, score, masked value.
TableRow = tuple[str, str, str, str]


@dataclass(frozen=True, slots=True)
class KindInfo:
    """What every finding of one detector kind shares."""

    category: Category
    personal: bool


class FindingBatch(Protocol):
    """Findings of one place (a block of a text file, or table cells), rendered in bulk."""

    @property
    def kinds(self) -> list[str]: ...

    def __iter__(self) -> Iterator[Finding]: ...

    def __len__(self) -> int: ...

    def places(self) -> Iterator[tuple[str, str]]:
        """(kind, file path or ``table.column``) of every finding, repeats allowed."""
        ...

    def json_lines(self) -> str:
        """One JSON document per finding (``record`` is ``finding``), each ending in a newline."""
        ...

    def table_rows(self) -> list[TableRow]: ...


def _kind_label(kind: str, personal: bool) -> str:
    return kind if personal else f"{kind} (not personal)"


@dataclass(frozen=True, slots=True)
class TextFindings:
    """Findings in one block of a text file, as parallel lists in order of position."""

    path: str
    info: Mapping[str, KindInfo]
    kinds: list[str]
    lines: list[int]
    columns: list[int]
    lengths: list[int]
    scores: list[float]  # rounded to 4 places by the matcher
    masked: list[str]
    #: :meth:`json_lines`, when rendered ahead (by a worker process, beside the scan)
    rendered: str | None = None

    def __len__(self) -> int:
        return len(self.kinds)

    def __iter__(self) -> Iterator[Finding]:
        info, path = self.info, self.path
        for kind, line, column, length, score, masked in zip(
            self.kinds,
            self.lines,
            self.columns,
            self.lengths,
            self.scores,
            self.masked,
            strict=True,
        ):
            shared = info[kind]
            location = TextLocation(path, line, column, length)
            yield Finding(kind, shared.category, location, score, masked, shared.personal)

    def places(self) -> Iterator[tuple[str, str]]:
        path = self.path
        return ((kind, path) for kind in dict.fromkeys(self.kinds))

    def json_lines(self) -> str:
        """The JSON documents :meth:`Finding.as_dict` gives, written by string joins: the kind,
        category and path are escaped once per batch, the masked values in one orjson call."""
        if self.rendered is not None:
            return self.rendered
        if not self.kinds:
            return ""
        path = orjson.dumps(self.path).decode()
        heads = {
            kind: (
                f'{{"record":"finding","type":{orjson.dumps(kind).decode()},'
                f'"category":{orjson.dumps(shared.category.value).decode()},'
                f'"personal":{"true" if shared.personal else "false"},'
                f'"location":{{"file":{path},"line":'
            )
            for kind, shared in self.info.items()
        }
        score_text = {s: orjson.dumps(round(s, 3)).decode() for s in set(self.scores)}
        masked = _json_strings(self.masked)
        return "".join(
            [
                f'{heads[kind]}{line},"column":{column},"start":{column},'
                f'"end":{column + length}}},"score":{score_text[score]},"masked":"{value}"}}\n'
                for kind, line, column, length, score, value in zip(
                    self.kinds,
                    self.lines,
                    self.columns,
                    self.lengths,
                    self.scores,
                    masked,
                    strict=True,
                )
            ]
        )

    def with_json(self) -> TextFindings:
        """The same findings with :meth:`json_lines` rendered ahead."""
        return replace(self, rendered=self.json_lines())

    def table_rows(self) -> list[TableRow]:
        labels = {kind: _kind_label(kind, shared.personal) for kind, shared in self.info.items()}
        score_text = {score: f"{score:.2f}" for score in set(self.scores)}  # a few distinct scores
        path = self.path
        return [
            (labels[kind], f"{path}:{line}:{column}", score_text[score], value)
            for kind, line, column, score, value in zip(
                self.kinds, self.lines, self.columns, self.scores, self.masked, strict=True
            )
        ]


@dataclass(frozen=True, slots=True)
class CellFindings:
    """Findings in table cells (a sampled table: few enough to keep one value each)."""

    findings: list[Finding]

    @property
    def kinds(self) -> list[str]:
        return [f.kind for f in self.findings]

    def __len__(self) -> int:
        return len(self.findings)

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    def places(self) -> Iterator[tuple[str, str]]:
        for f in self.findings:
            loc = f.location
            assert isinstance(loc, CellLocation)
            yield f.kind, f"{loc.table}.{loc.column}"

    def json_lines(self) -> str:
        return "".join(
            orjson.dumps({"record": "finding", **f.as_dict()}).decode() + "\n"
            for f in self.findings
        )

    def table_rows(self) -> list[TableRow]:
        return [
            (_kind_label(f.kind, f.personal), f.location.render(), f"{f.score:.2f}", f.masked)
            for f in self.findings
        ]


def _json_strings(values: list[str]) -> list[str]:
    """Each value as the body of a JSON string (without its quotes), from one orjson call: inside
    a JSON string every quote is escaped, so ``","`` occurs in the array only between elements."""
    if not values:
        return []
    return orjson.dumps(values).decode()[2:-2].split('","')
