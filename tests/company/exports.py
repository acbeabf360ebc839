"""The sample company's file exports: a CRM contacts CSV and a Parquet event log."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

CONTACTS_PATH = "crm/contacts.csv"
EVENTS_PATH = "events.parquet"
CONTACTS_COLUMNS = ("customer_number", "email", "name", "phone", "segment")
EVENTS_SCHEMA = pa.schema(
    [
        pa.field("customer_number", pa.string(), nullable=False),
        pa.field("event", pa.string(), nullable=False),
        pa.field("at", pa.timestamp("us"), nullable=False),
    ]
)
_BATCH = 100_000


def write_contacts(folder: Path, rows: Iterable[tuple[object, ...]]) -> Path:
    path = folder / CONTACTS_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(CONTACTS_COLUMNS)
        writer.writerows(rows)
    return path


def write_events(folder: Path, rows: Iterable[tuple[object, ...]]) -> Path:
    """The event log, in row groups of 100,000 rows (so a large log streams)."""
    path = folder / EVENTS_PATH
    with pq.ParquetWriter(path, EVENTS_SCHEMA, compression="zstd") as writer:
        batch: list[tuple[object, ...]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= _BATCH:
                writer.write_table(_table(batch))
                batch = []
        if batch:
            writer.write_table(_table(batch))
    return path


def _table(batch: list[tuple[object, ...]]) -> pa.Table:
    columns = list(zip(*batch, strict=True))
    return pa.Table.from_arrays(
        [pa.array(c, type=f.type) for c, f in zip(columns, EVENTS_SCHEMA, strict=True)],
        schema=EVENTS_SCHEMA,
    )
