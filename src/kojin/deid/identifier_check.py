"""Keeping identifiers out of anonymized information (APPI Art. 43(1), Rule 34; R-AN-1(1)-(3)).

Anonymized information may hold no description that identifies a person (a name, an e-mail
address, a telephone number, a street address), no individual identification code (My Number,
passport, driver's licence, basic pension and health-insurance numbers: the codes of Cabinet
Order Art. 1) and no code linking it to the source (card and account numbers, device addresses,
the company's own customer numbers).

kojin.deid does not recognise such values itself: kojin.discovery does, and the two packages do
not import each other. The interface that runs a job builds an :class:`IdentifierCheck` from
discovery's detectors and passes it in; :func:`kojin.deid.service.anonymize_file` runs it on the
columns released as recorded (``--keep``, ``--sensitive``) before the search, and on every column
of the release before anything is written. Which findings make a column identifying is decided
here (:func:`is_identifying`). A check sees each column's distinct values once; refusals name the
column, the kind found and a row, never a value.

Standard library only: importing this module loads no data library.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from kojin.errors import InputError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pyarrow as pa


@dataclass(frozen=True)
class Detection:
    """Personal data a check found in one value."""

    #: the value's position among the values the check was given
    index: int
    #: what was found: ``my_number``, ``email``, ``passport_number``, ...
    kind: str
    #: its category: ``specific_personal``, ``identifier``, ``name``, ``contact``, ...
    category: str


class IdentifierCheck(Protocol):
    """Finds personal data in the distinct values of a column. The column's name is context: a
    column named ``passport`` of bare numbers holds passport numbers."""

    def __call__(self, *, column: str, values: Sequence[str]) -> Iterable[Detection]: ...


#: categories of personal data that identify a person or link to the source (R-AN-1(1)-(3)):
#: My Number, the identification codes, names, contact details, card and account numbers,
#: device addresses and the company's own identifiers (custom detectors)
IDENTIFYING_CATEGORIES = frozenset(
    {"specific_personal", "identifier", "name", "contact", "financial", "online", "custom"}
)

#: kinds of those categories that are quasi-identifiers: generalized (``--qi``), not refused
QUASI_IDENTIFYING_KINDS = frozenset({"postal_code"})

#: what marks an address below the municipality: a block, lot or house number
_STREET_MARKS = ("丁目", "番", "号")


def is_identifying(detection: Detection, value: str) -> bool:
    """Whether a detection in `value` identifies a person or links to the source.

    Dates of birth and postal codes are quasi-identifiers, to be generalized; corporate numbers
    are not personal data. An address identifies down to the street (a block or lot number);
    generalized to its municipality (東京都千代田区) it is what R-AN-1 allows.
    """
    if detection.category not in IDENTIFYING_CATEGORIES:
        return False
    if detection.kind in QUASI_IDENTIFYING_KINDS:
        return False
    if detection.kind == "address":
        return any(char.isdigit() for char in value) or any(m in value for m in _STREET_MARKS)
    return True


@dataclass(frozen=True)
class IdentifyingColumn:
    """A column that holds identifying information: the kind found and the first input row
    (1-based) where it was found."""

    column: str
    kind: str
    row: int


def identifying_kinds(
    *, column: str, values: Sequence[str], check: IdentifierCheck
) -> dict[int, str]:
    """For each of `values` (by position) holding identifying information, the kind found there
    (the first the check reports for it)."""
    kinds: dict[int, str] = {}
    for detection in check(column=column, values=values):
        index = detection.index
        if index not in kinds and is_identifying(detection, values[index]):
            kinds[index] = detection.kind
    return kinds


def first_identifying(
    *, column: str, values: Sequence[str], check: IdentifierCheck
) -> tuple[int, str] | None:
    """The position among `values` of the first one holding identifying information, and the
    kind found there, or None."""
    kinds = identifying_kinds(column=column, values=values, check=check)
    if not kinds:
        return None
    index = min(kinds)
    return index, kinds[index]


def find_identifying(
    *,
    table: pa.Table,
    columns: Iterable[str],
    check: IdentifierCheck,
    source_rows: npt.NDArray[np.int64] | None = None,
) -> list[IdentifyingColumn]:
    """The `columns` of `table` holding identifying information, in the order given.

    `source_rows` maps a row of `table` to its input row, so that rows are named as the user
    knows them (a release lacks suppressed records).
    """
    found: list[IdentifyingColumn] = []
    for column in columns:
        values = [
            v if isinstance(v, str) else "" if v is None else str(v)
            for v in table.column(column).to_pylist()
        ]
        distinct = list(dict.fromkeys(values))  # in order of first appearance
        first = first_identifying(column=column, values=distinct, check=check)
        if first is None:
            continue
        row = values.index(distinct[first[0]])
        if source_rows is not None:
            row = int(source_rows[row])
        found.append(IdentifyingColumn(column=column, kind=first[1], row=row + 1))
    return found


_RULE = (
    "anonymized information may hold no identifying description, identification code or code "
    "linking it to the source (APPI Art. 43(1), R-AN-1)"
)


def _listed(found: Sequence[IdentifyingColumn], options: Mapping[str, str]) -> str:
    parts = [f"{f.column!r} (--{options[f.column]}: {f.kind}, row {f.row})" for f in found]
    return ("column " if len(parts) == 1 else "columns ") + ", ".join(parts)


def refuse_identifying_input(
    *, table: pa.Table, options: Mapping[str, str], check: IdentifierCheck
) -> None:
    """Refuse columns released as recorded that hold identifying information.

    `options` maps each such column to the option that releases it (``keep``, ``sensitive``);
    the error's field is the option of the first column found.
    """
    present = [column for column in options if column in table.column_names]
    refuse_input_columns(find_identifying(table=table, columns=present, check=check), options)


def refuse_input_columns(found: Sequence[IdentifyingColumn], options: Mapping[str, str]) -> None:
    """The refusal of :func:`refuse_identifying_input` for columns found (none: no refusal)."""
    if not found:
        return
    holds = "holds" if len(found) == 1 else "hold"
    raise InputError(
        f"{_listed(found, options)} {holds} identifying information; {_RULE}: delete the "
        "column (leave it out of --keep and --sensitive) or generalize it with --qi",
        field=options[found[0].column],
    )


def refuse_identifying_release(
    *,
    table: pa.Table,
    options: Mapping[str, str],
    check: IdentifierCheck,
    source_rows: npt.NDArray[np.int64] | None = None,
) -> None:
    """Refuse a release (before it is written) with identifying information in any column.

    `options` maps every column of the release to the option that put it there (``qi``,
    ``sensitive``, ``keep``); rows are input rows through `source_rows`.
    """
    found = find_identifying(
        table=table, columns=table.column_names, check=check, source_rows=source_rows
    )
    refuse_release_columns(found, options)


def refuse_release_columns(found: Sequence[IdentifyingColumn], options: Mapping[str, str]) -> None:
    """The refusal of :func:`refuse_identifying_release` for columns found (none: no refusal)."""
    if not found:
        return
    raise InputError(
        f"the anonymized table would hold identifying information in {_listed(found, options)}; "
        f"nothing was written: {_RULE}; delete the column or coarsen its values first",
        field=options[found[0].column],
    )
