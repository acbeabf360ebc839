"""Key rotation for an existing pseudonymized table, through the token tables kept apart.

Each tokenized column is mapped token → original value with the run's kept token table, then
tokenized again with a new key; the new key id, and the one it replaces, go into new deletion
information (R-PS-2: pseudonyms are reissued, e.g. after a key or table leaks). Without kept
token tables, run ``kojin pseudonymize --rotate-key`` on the source instead. The file-level run is
:func:`kojin.deid.service.rekey_file`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from kojin.deid.choices import TokenAlgorithm
from kojin.deid.column_codes import column_strings
from kojin.deid.pseudonym_tokens import PseudonymKey, tokenize_array
from kojin.deid.pseudonymize import Pseudonymized
from kojin.deid.results import ItemTreatment, Treatment
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


def kept_token_tables(*, previous: PreviousRun, folder: Path) -> dict[str, pa.Table]:
    """The token table of every tokenized column, from the folder of the deletion information."""
    missing = [column for column in previous.tokenized if column not in previous.mappings]
    if missing:
        raise InputError(
            f"column {missing[0]!r} has no kept token table; re-run kojin pseudonymize on the "
            "source with --rotate-key",
            field=missing[0],
        )
    return {
        column: pq.read_table(folder / previous.mappings[column]) for column in previous.tokenized
    }


def retokenize_table(
    *, table: pa.Table, mappings: dict[str, pa.Table], key: PseudonymKey
) -> Pseudonymized:
    """Replace the tokens of each mapped column by tokens under ``key``; other columns stay."""
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
    items = tuple(
        ItemTreatment(column, Treatment.TOKENIZED if column in mappings else Treatment.KEPT)
        for column in table.column_names
    )
    return Pseudonymized(table=table, items=items, mappings=new_mappings)
