"""DuckDB engine: the group-bys run as SQL in an embedded, in-process DuckDB database.

The base table holds level-0 codes; each quasi-identifier has a small table mapping a level-0
code to its code at every level, joined in for the levels a node asks for.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import numpy as np
import pyarrow as pa

from kojin.deid.choices import EngineName
from kojin.deid.engines.base import Grouped, IntArray, as_int64


class DuckDBEngine:
    """Runs aggregation and node group-bys in DuckDB (threads: DuckDB's default)."""

    def __init__(self, *, threads: int | None = None) -> None:
        self._con = duckdb.connect(":memory:")
        self._con.execute("SET enable_progress_bar = false")
        if threads is not None:
            self._con.execute(f"SET threads = {int(threads)}")
        self._rows = 0

    @property
    def name(self) -> EngineName:
        return EngineName.DUCKDB

    def _table(self, name: str, table: pa.Table) -> None:
        self._con.register(f"{name}_view", table)
        try:
            self._con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM {name}_view")
        finally:
            self._con.unregister(f"{name}_view")

    def aggregate(self, *, codes: Sequence[IntArray], sensitive: IntArray | None) -> None:
        arrays = {f"c{i}": pa.array(column.astype(np.int32)) for i, column in enumerate(codes)}
        if sensitive is not None:
            arrays["s"] = pa.array(sensitive.astype(np.int32))
        self._con.register("encoded", pa.table(arrays))
        try:
            names = ", ".join(arrays)
            self._con.execute(
                f"CREATE OR REPLACE TABLE base AS "
                f"SELECT {names}, count(*)::BIGINT AS n FROM encoded GROUP BY ALL"
            )
        finally:
            self._con.unregister("encoded")
        self._rows = int(self._con.execute("SELECT count(*) FROM base").fetchall()[0][0])

    def set_levels(self, *, parents: Sequence[Sequence[IntArray]]) -> None:
        for i, levels in enumerate(parents):
            columns = {"code": pa.array(np.arange(len(levels[0]), dtype=np.int32))}
            for level in range(1, len(levels)):
                columns[f"l{level}"] = pa.array(levels[level].astype(np.int32))
            self._table(f"m{i}", pa.table(columns))

    @property
    def base_rows(self) -> int:
        return self._rows

    def group(self, *, node: Sequence[int], with_sensitive: bool) -> Grouped:
        keys, joins = [], []
        for i, level in enumerate(node):
            if level:
                joins.append(f"JOIN m{i} ON base.c{i} = m{i}.code")
                keys.append(f"m{i}.l{level} AS k{i}")
            else:
                keys.append(f"base.c{i} AS k{i}")
        if with_sensitive:
            keys.append("base.s AS s")
        select = ", ".join([*keys, "sum(base.n)::BIGINT AS n"])
        group_by = "GROUP BY ALL" if keys else ""
        sql = f"SELECT {select} FROM base {' '.join(joins)} {group_by}"
        result = self._con.execute(sql).fetchnumpy()
        return Grouped(
            keys=tuple(as_int64(result[f"k{i}"]) for i in range(len(node))),
            sensitive=as_int64(result["s"]) if with_sensitive else None,
            counts=as_int64(result["n"]),
        )

    def close(self) -> None:
        self._con.close()
