"""Key rotation for an existing pseudonymized table, through the token tables kept apart.

Each tokenized column is mapped token → original value with the run's kept token table, then
tokenized again with a new key; the new key id, and the one it replaces, go into new deletion
information (R-PS-2: pseudonyms are reissued, e.g. after a key or table leaks). Without kept
token tables, run ``kojin pseudonymize --rotate-key`` on the source instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from kojin.deid.column_roles import TokenAlgorithm
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


@dataclass(frozen=True)
class PreviousRun:
    """What a run's deletion information says about its tokens."""

    key_id: str
    key_file: Path
    algorithm: TokenAlgorithm
    tokenized: tuple[str, ...]
    mappings: dict[str, str]


def read_previous(info_path: Path) -> PreviousRun:
    try:
        data = orjson.loads(info_path.read_bytes())
    except FileNotFoundError:
        raise InputError(f"deletion information not found: {info_path}") from None
    except orjson.JSONDecodeError:
        raise InputError(f"{info_path.name} is not deletion information (not JSON)") from None
    try:
        return PreviousRun(
            key_id=str(data["key_id"]),
            key_file=Path(str(data["key_file"])),
            algorithm=TokenAlgorithm(data["algorithm"]),
            tokenized=tuple(str(column) for column in data["tokenized"]),
            mappings={str(k): str(v) for k, v in dict(data.get("mappings") or {}).items()},
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        raise InputError(f"{info_path.name} is not deletion information written by kojin") from None


def retokenize_table(
    *,
    table: pa.Table,
    mappings: dict[str, pa.Table],
    key: PseudonymKey,
) -> tuple[pa.Table, dict[str, pa.Table]]:
    """Replace the tokens of each mapped column by tokens under ``key``."""
    new_mappings: dict[str, pa.Table] = {}
    for column, mapping in mappings.items():
        tokens = column_strings(table, column)
        position = pc.index_in(tokens, value_set=mapping.column("token").combine_chunks())
        if position.null_count:
            row = int(pc.index(pc.is_null(position), True).as_py()) + 1
            raise InputError(
                f"column {column!r}, row {row}: the token is not in the kept token table",
                field=column,
            )
        values = mapping.column("value").combine_chunks().take(position)
        fresh, distinct, distinct_tokens = tokenize_array(values, key=key)
        table = table.set_column(table.column_names.index(column), column, fresh)
        new_mappings[column] = pa.table({"token": distinct_tokens, "value": distinct})
    return table, new_mappings


def retokenize_file(
    *,
    source: TableSource,
    deletion_info: Path,
    output: Path,
    key_file: Path | None = None,
    algorithm: TokenAlgorithm | None = None,
    purposes: Sequence[str] = (),
    now: datetime | None = None,
) -> PseudonymizationResult:
    """Re-tokenize a pseudonymized table with a new key, using the kept token tables."""
    file_format(output)
    previous = read_previous(deletion_info)
    tokenized, kept = previous.tokenized, previous.mappings
    missing = [column for column in tokenized if column not in kept]
    if missing:
        raise InputError(
            f"column {missing[0]!r} has no kept token table; re-run kojin pseudonymize on the "
            "source with --rotate-key",
            field=missing[0],
        )
    key_path = key_file or previous.key_file
    folder = deletion_info.parent
    keep_apart(key_path.parent, output, what="key file")
    keep_apart(folder, output, what="deletion information")
    delimiter = output_delimiter(source, output)
    table = read_table(source)
    mappings = {column: pq.read_table(folder / str(kept[column])) for column in tokenized}
    ring = open_key_ring(path=key_path, algorithm=algorithm or previous.algorithm, rotate=True)
    key = ring.active
    table, new_mappings = retokenize_table(table=table, mappings=mappings, key=key)
    items = tuple(
        ItemTreatment(column, Treatment.TOKENIZED if column in mappings else Treatment.KEPT)
        for column in table.column_names
    )
    created = now or datetime.now(UTC)
    info_path = write_deletion_info(
        folder=folder,
        output=output,
        created=created,
        source=source.label,
        key_file=key_path,
        key=key,
        items=items,
        mappings=new_mappings,
        extra={"rotated_from": previous.key_id},
    )
    write_table(table, output, delimiter=delimiter)
    return PseudonymizationResult(
        source=source.label,
        output=output.name,
        created_at=created,
        items=items,
        records=table.num_rows,
        key_id=key.key_id,
        algorithm=key.algorithm.value,
        deletion_info=str(info_path),
        purposes=tuple(purposes),
    )
