"""Creating pseudonymized information (APPI Art. 41; R-PS-1, R-PS-2).

- direct identifiers become keyed tokens (R-PS-1(1): a replacement that cannot be restored
  without the key, which is kept apart);
- individual identification codes (My Number, passport, licence, pension numbers, ...) are
  deleted (R-PS-1(2)), and so are items whose misuse may cause property damage such as card
  numbers (R-PS-1(3));
- idiosyncratic values can be coded down (top/bottom coding, rare categories merged);
- the deletion information (key id, what was removed, token tables if kept) is written to a
  folder apart from the output with owner-only permissions (R-PS-2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from stdnum import luhn
from stdnum.jp import in_ as my_number

from kojin.deid.auto_hierarchy import OutlierCoding, apply_outlier_coding
from kojin.deid.column_roles import Coding, ColumnRole, RolesSpec, TokenAlgorithm
from kojin.deid.deletion_info import keep_apart, write_deletion_info
from kojin.deid.encoding import column_strings
from kojin.deid.results import ItemTreatment, PseudonymizationResult, Treatment
from kojin.deid.table_io import (
    TableSource,
    file_format,
    output_delimiter,
    read_table,
    write_table,
)
from kojin.deid.tokens import PseudonymKey, open_key_ring, tokenize_array
from kojin.errors import InputError

_SAMPLE = 1000
_SHARE = 0.8


@dataclass(frozen=True)
class Pseudonymized:
    table: pa.Table
    items: tuple[ItemTreatment, ...]
    mappings: dict[str, pa.Table]


def _looks_like(values: list[str], check: str) -> int | None:
    """Row (1-based) of the first matching value when most sampled values match, else None."""
    sample = [v.replace(" ", "").replace("-", "") for v in values[:_SAMPLE] if v.strip()]
    if len(sample) < 5:
        return None
    if check == "my_number":
        hits = [len(v) == 12 and v.isdigit() and my_number.is_valid(v) for v in sample]
    else:
        hits = [13 <= len(v) <= 19 and v.isdigit() and luhn.is_valid(v) for v in sample]
    if sum(hits) < _SHARE * len(sample):
        return None
    return hits.index(True) + 1


def guard_undeclared_codes(*, table: pa.Table, roles: RolesSpec) -> None:
    """Refuse to keep a column that holds My Numbers or card numbers under a kept role.

    The message names the column and a row, never the value (R-PS-1(2), R-PS-1(3)).
    """
    kept = (ColumnRole.QUASI_IDENTIFIER, ColumnRole.SENSITIVE, ColumnRole.OTHER)
    for column, role in roles.columns.items():
        if role not in kept:
            continue
        values = column_strings(table, column).slice(0, _SAMPLE).to_pylist()
        row = _looks_like(values, "my_number")
        if row is not None:
            raise InputError(
                f"column {column!r} (role {role.value}) holds individual numbers (e.g. row {row}); "
                "give it the role identification_code so that it is deleted",
                field=column,
            )
        row = _looks_like(values, "card")
        if row is not None:
            raise InputError(
                f"column {column!r} (role {role.value}) holds card numbers (e.g. row {row}); "
                "give it the role unauthorized_use_risk so that it is deleted",
                field=column,
            )


def code_down(*, column: str, values: pa.Array, coding: Coding) -> pa.Array:
    """Top/bottom coding of numbers, or merging categories rarer than ``min_count``."""
    if coding.min_count is not None:
        counts = pc.value_counts(values)
        rare = [
            item["values"].as_py() for item in counts if item["counts"].as_py() < coding.min_count
        ]
        if not rare:
            return values
        mask = pc.is_in(values, value_set=pa.array(rare, type=pa.string()))
        return pc.if_else(mask, pa.scalar(coding.other, pa.string()), values)
    outlier = OutlierCoding(top=coding.top, bottom=coding.bottom)
    coded = apply_outlier_coding(column=column, values=values.to_pylist(), coding=outlier)
    return pa.array(coded, type=pa.string())


def check_roles(*, table: pa.Table, roles: RolesSpec) -> None:
    """Every column has exactly one known role; no undeclared identification codes."""
    for column in roles.columns:
        if column not in table.column_names:
            known = ", ".join(table.column_names)
            raise InputError(
                f"the roles file names column {column!r}, which the input lacks (it has: {known})",
                field=column,
            )
    for column in table.column_names:
        if column not in roles.columns:
            raise InputError(
                f"column {column!r} has no role; give every column a role in the roles file",
                field=column,
            )
    guard_undeclared_codes(table=table, roles=roles)


def pseudonymize_table(
    *, table: pa.Table, roles: RolesSpec, key: PseudonymKey, keep_mapping: bool = False
) -> Pseudonymized:
    """Apply the roles to every column; every input column needs a role."""
    check_roles(table=table, roles=roles)
    out: dict[str, pa.Array] = {}
    items: list[ItemTreatment] = []
    mappings: dict[str, pa.Table] = {}
    for column in table.column_names:
        role = roles.columns[column]
        if role in (ColumnRole.IDENTIFICATION_CODE, ColumnRole.UNAUTHORIZED_USE_RISK):
            items.append(ItemTreatment(column, Treatment.DELETED, detail=role.value))
            continue
        values = column_strings(table, column)
        if role is ColumnRole.DIRECT_IDENTIFIER:
            tokens, distinct, distinct_tokens = tokenize_array(values, key=key)
            out[column] = tokens
            items.append(ItemTreatment(column, Treatment.TOKENIZED))
            if keep_mapping:
                mappings[column] = pa.table({"token": distinct_tokens, "value": distinct})
            continue
        coding = roles.coding.get(column)
        if coding is not None:
            out[column] = code_down(column=column, values=values, coding=coding)
            detail = (
                f"categories under {coding.min_count} records merged"
                if coding.min_count is not None
                else "top/bottom coded"
            )
            items.append(ItemTreatment(column, Treatment.CODED, detail=detail))
            continue
        out[column] = values
        treatment = Treatment.SENSITIVE if role is ColumnRole.SENSITIVE else Treatment.KEPT
        items.append(ItemTreatment(column, treatment))
    if not out:
        raise InputError("every column would be deleted; nothing is left to pseudonymize")
    return Pseudonymized(table=pa.table(out), items=tuple(items), mappings=mappings)


def default_key_file() -> Path:
    from kojin.settings import get_settings

    return get_settings().home / "keys" / "pseudonym-keys.json"


def pseudonymize_file(
    *,
    source: TableSource,
    output: Path,
    spec: RolesSpec,
    key_file: Path | None = None,
    deletion_dir: Path | None = None,
    rotate: bool = False,
    keep_mapping: bool = False,
    algorithm: TokenAlgorithm | None = None,
    purposes: Sequence[str] = (),
    now: datetime | None = None,
) -> PseudonymizationResult:
    """Pseudonymize a table into ``output``; deletion info goes to ``deletion_dir``.

    The key file defaults to the roles file's ``key_file``, then ``$KOJIN_HOME/keys``; the
    deletion info folder defaults to ``deletion-info`` beside the key file.
    """
    file_format(output)
    key_path = key_file or spec.key_file or default_key_file()
    info_dir = deletion_dir or key_path.parent / "deletion-info"
    keep_apart(key_path.parent, output, what="key file")
    keep_apart(info_dir, output, what="deletion information")
    delimiter = output_delimiter(source, output)
    table = read_table(source)
    check_roles(table=table, roles=spec)  # before a key is created or rotated
    ring = open_key_ring(path=key_path, algorithm=algorithm or spec.algorithm, rotate=rotate)
    key = ring.active
    done = pseudonymize_table(table=table, roles=spec, key=key, keep_mapping=keep_mapping)
    created = now or datetime.now(UTC)
    info_path = write_deletion_info(
        folder=info_dir,
        output=output,
        created=created,
        source=source.label,
        key_file=key_path,
        key=key,
        items=done.items,
        mappings=done.mappings,
    )
    write_table(done.table, output, delimiter=delimiter)
    return PseudonymizationResult(
        source=source.label,
        output=output.name,
        created_at=created,
        items=done.items,
        records=done.table.num_rows,
        key_id=key.key_id,
        algorithm=key.algorithm.value,
        deletion_info=str(info_path),
        purposes=tuple(purposes),
    )


__all__ = [
    "Pseudonymized",
    "check_roles",
    "code_down",
    "guard_undeclared_codes",
    "pseudonymize_file",
    "pseudonymize_table",
]
