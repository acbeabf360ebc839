"""FileConnector on CSV and Parquet: set-based reads, guarded atomic rewrites, path safety."""

from __future__ import annotations

import csv
import os
import stat
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from connector_support import file_location, pk, plain

from kojin.connectors.base import RowChange
from kojin.connectors.files import FileConnector
from kojin.datamap.model import FileFormat, Location, MapField
from kojin.errors import InputError

CONTACTS = [
    ("C001", "Hanako.Yamada@Example.JP", "0312345678", "premium"),
    ("C002", "taro@example.jp", "0312345678", "regular"),
    ("C003", "jiro@example.jp", "0698765432", "regular"),
]
CONTACT_FIELDS: list[MapField] = [pk("customer_number"), plain("email"), plain("phone")]
SCHEMA = pa.schema(
    [
        pa.field("customer_number", pa.large_string(), nullable=False),
        pa.field("event", pa.string()),
        pa.field("at", pa.timestamp("ns")),
        pa.field("count", pa.int32()),
        pa.field("day", pa.date32()),
        pa.field("score", pa.float64()),
    ],
    metadata={b"source": b"crm"},
)


def _write_csv(
    path: Path,
    rows: Sequence[tuple[str, ...]],
    *,
    delimiter: str = ",",
    newline: str = "\n",
    bom: bool = False,
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator=newline)
        writer.writerow(("customer_number", "email", "phone", "segment"))
        writer.writerows(rows)


def _events(path: Path, rows: Sequence[tuple[object, ...]]) -> None:
    columns = list(zip(*rows, strict=True))
    table = pa.Table.from_arrays(
        [pa.array(c, type=f.type) for c, f in zip(columns, SCHEMA, strict=True)], schema=SCHEMA
    )
    pq.write_table(table, path, compression="zstd")


EVENTS = [
    ("C001", "login", datetime(2025, 1, 2, 10, 0, 0), 1, date(2025, 1, 2), 0.5),
    ("C001", "purchase", datetime(2025, 1, 3, 11, 0, 0), 2, date(2025, 1, 3), 1.5),
    ("C002", "login", datetime(2025, 1, 4, 12, 0, 0), 3, None, 2.5),
]
EVENT_FIELDS = [pk("customer_number"), pk("event"), pk("at"), plain("count"), plain("day")]


@pytest.fixture
def connector(tmp_path: Path) -> Iterator[FileConnector]:
    made = FileConnector(tmp_path / "files")
    (tmp_path / "files").mkdir()
    yield made
    made.close()


def _contacts(connector: FileConnector, path: str = "crm/contacts.csv") -> Location:
    _write_csv(connector.base_dir / path, CONTACTS)
    return file_location("contacts", path, FileFormat.CSV, CONTACT_FIELDS)


def _parquet(connector: FileConnector, path: str = "events.parquet") -> Location:
    _events(connector.base_dir / path, EVENTS)
    return file_location("events", path, FileFormat.PARQUET, EVENT_FIELDS)


def test_csv_fetch_or_across_columns_and_casefold_keeps_text(connector: FileConnector) -> None:
    location = _contacts(connector)
    rows = connector.fetch(
        location,
        {"email": {"hanako.yamada@example.jp"}, "customer_number": {"C003"}},
        casefold={"email"},
    )
    assert sorted(str(r["customer_number"]) for r in rows) == ["C001", "C003"]
    assert rows[0]["phone"] in ("0312345678", "0698765432")  # leading zero kept: text
    assert connector.fetch(location, {"email": {"hanako.yamada@example.jp"}}) == []
    assert list(rows[0]) == ["customer_number", "email", "phone", "segment"]


def test_parquet_fetch_compares_in_the_column_type(connector: FileConnector) -> None:
    location = _parquet(connector)
    rows = connector.fetch(location, {"at": {"2025-01-03T11:00:00"}, "count": {3, "not a number"}})
    assert sorted((str(r["customer_number"]), str(r["event"])) for r in rows) == [
        ("C001", "purchase"),
        ("C002", "login"),
    ]
    first = next(r for r in rows if r["event"] == "purchase")
    assert first == {
        "customer_number": "C001",
        "event": "purchase",
        "at": "2025-01-03T11:00:00",
        "count": 2,
        "day": "2025-01-03",
        "score": 1.5,
    }


def test_fetch_reads_every_file_of_a_glob_in_one_query(connector: FileConnector) -> None:
    _write_csv(connector.base_dir / "crm" / "a.csv", CONTACTS[:1])
    _write_csv(connector.base_dir / "crm" / "b.csv", CONTACTS[1:], delimiter=";")
    location = file_location("contacts", "crm/*.csv", FileFormat.CSV, CONTACT_FIELDS)
    rows = connector.fetch(location, {"phone": {"0312345678"}})
    assert sorted(str(r["customer_number"]) for r in rows) == ["C001", "C002"]


def test_update_rewrites_only_the_file_holding_the_row(connector: FileConnector) -> None:
    a, b = connector.base_dir / "crm" / "a.csv", connector.base_dir / "crm" / "b.csv"
    _write_csv(a, CONTACTS[:1])
    _write_csv(b, CONTACTS[1:], delimiter=";", newline="\r\n", bom=True)
    os.chmod(b, 0o644)
    before_a = (a.stat().st_ino, a.stat().st_mtime_ns, a.read_bytes())
    location = file_location("contacts", "crm/*.csv", FileFormat.CSV, CONTACT_FIELDS)
    change = [RowChange(("C002",), {"email": None, "phone": "0000"})]
    assert connector.update(location, change) == 1
    assert (a.stat().st_ino, a.stat().st_mtime_ns, a.read_bytes()) == before_a
    assert stat.S_IMODE(b.stat().st_mode) == 0o600
    raw = b.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM, delimiter and line ends kept
    assert raw.decode("utf-8-sig").splitlines(keepends=True) == [
        "customer_number;email;phone;segment\r\n",
        "C002;;0000;regular\r\n",
        "C003;jiro@example.jp;0698765432;regular\r\n",
    ]
    rewritten = (b.stat().st_ino, b.stat().st_mtime_ns)
    assert connector.update(location, change) == 0  # guarded: nothing differs
    assert (b.stat().st_ino, b.stat().st_mtime_ns) == rewritten
    assert [p.name for p in sorted(b.parent.iterdir())] == ["a.csv", "b.csv"]  # no temp files


def test_parquet_update_keeps_types_metadata_and_compression(connector: FileConnector) -> None:
    location = _parquet(connector)
    path = connector.base_dir / "events.parquet"
    changes = [
        RowChange(("C001", "login", "2025-01-02T10:00:00"), {"count": "0", "day": None}),
        RowChange(("C002", "login", "2025-01-04T12:00:00"), {"count": 7}),
    ]
    assert connector.update(location, changes) == 2
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    table = pq.read_table(path)
    assert table.schema.equals(SCHEMA, check_metadata=True)
    with pq.ParquetFile(path) as parquet:
        assert parquet.metadata.row_group(0).column(0).compression == "ZSTD"
    assert table.column("count").to_pylist() == [0, 2, 7]
    assert table.column("day").to_pylist() == [None, date(2025, 1, 3), None]
    assert connector.update(location, changes) == 0


def test_a_value_not_fitting_a_parquet_column_is_refused_unwritten(
    connector: FileConnector,
) -> None:
    location = _parquet(connector)
    path = connector.base_dir / "events.parquet"
    before = path.read_bytes()
    change = [RowChange(("C001", "login", "2025-01-02T10:00:00"), {"count": "secret-text-9"})]
    with pytest.raises(InputError) as refused:
        connector.update(location, change)
    assert "files.events.count" in refused.value.message
    assert "secret-text-9" not in str(refused.value)
    assert path.read_bytes() == before


def test_delete_by_composite_keys_is_guarded(connector: FileConnector) -> None:
    location = _parquet(connector)
    path = connector.base_dir / "events.parquet"
    keys = [
        ("C001", "login", "2025-01-02T10:00:00"),
        ("C001", "purchase", "2025-01-03T11:00:00"),
        ("C001", "login", "2031-01-01T00:00:00"),  # no such row
    ]
    assert connector.delete(location, keys) == 2
    table = pq.read_table(path)
    assert table.schema.equals(SCHEMA, check_metadata=True)
    assert table.column("customer_number").to_pylist() == ["C002"]
    mtime = path.stat().st_mtime_ns
    assert connector.delete(location, keys) == 0
    assert path.stat().st_mtime_ns == mtime


def test_csv_delete_keeps_the_column_order(connector: FileConnector) -> None:
    location = _contacts(connector)
    assert connector.delete(location, [("C001",), ("C003",)]) == 2
    path = connector.base_dir / "crm" / "contacts.csv"
    assert path.read_text(encoding="utf-8").splitlines() == [
        "customer_number,email,phone,segment",
        "C002,taro@example.jp,0312345678,regular",
    ]


@pytest.mark.parametrize("pattern", ["../outside.csv", "/etc/passwd", "crm/../../outside.csv"])
def test_paths_outside_the_folder_are_refused(connector: FileConnector, pattern: str) -> None:
    _write_csv(connector.base_dir.parent / "outside.csv", CONTACTS)
    location = file_location("contacts", pattern, FileFormat.CSV, CONTACT_FIELDS)
    with pytest.raises(InputError, match="relative"):
        connector.fetch(location, {"customer_number": {"C001"}})


@pytest.mark.parametrize("pattern", ["linked.csv", "*.csv"])
def test_symlinks_leading_outside_are_refused(connector: FileConnector, pattern: str) -> None:
    outside = connector.base_dir.parent / "outside.csv"
    _write_csv(outside, CONTACTS)
    (connector.base_dir / "linked.csv").symlink_to(outside)
    location = file_location("contacts", pattern, FileFormat.CSV, CONTACT_FIELDS)
    with pytest.raises(InputError, match="outside"):
        connector.delete(location, [("C001",)])
    assert len(outside.read_text(encoding="utf-8").splitlines()) == 4


def test_a_missing_column_is_named(connector: FileConnector) -> None:
    location = _contacts(connector)
    with pytest.raises(InputError, match="no column nickname"):
        connector.fetch(location, {"nickname": {"x"}})


def test_a_missing_file_is_named(connector: FileConnector) -> None:
    location = file_location("contacts", "gone.csv", FileFormat.CSV, CONTACT_FIELDS)
    with pytest.raises(InputError, match=r"no file at gone\.csv"):
        connector.fetch(location, {"customer_number": {"C001"}})
    glob = file_location("contacts", "none-*.csv", FileFormat.CSV, CONTACT_FIELDS)
    assert connector.fetch(glob, {"customer_number": {"C001"}}) == []
    assert connector.delete(glob, [("C001",)]) == 0


def test_a_rewrite_waits_for_another_process_holding_the_store(
    connector: FileConnector, tmp_path: Path
) -> None:
    """Two workers on one files store never rewrite a file from the same old copy: a rewrite
    waits while another process holds the store's write lock, then sees that process's change."""
    import subprocess
    import sys
    import textwrap
    import time

    location = _contacts(connector)
    path = connector.base_dir / "crm" / "contacts.csv"
    script = textwrap.dedent(
        f"""
        import time
        from pathlib import Path
        from kojin.connectors.file_io import store_write_lock
        with store_write_lock(Path({str(connector.base_dir)!r})):
            Path({str(tmp_path / "held")!r}).write_text("held")
            time.sleep(1.5)
            # another writer's change, made while it holds the lock
            path = Path({str(path)!r})
            path.write_text(path.read_text().replace("0698765432", "1111"))
        """
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([*sys.path, str(Path(__file__).parent)]))
    holder = subprocess.Popen([sys.executable, "-c", script], env=env)
    try:
        deadline = time.monotonic() + 30
        while not (tmp_path / "held").exists():
            assert time.monotonic() < deadline, "the other process never took the lock"
            time.sleep(0.02)
        started = time.monotonic()
        assert connector.update(location, [RowChange(("C001",), {"phone": "2222"})]) == 1
        waited = time.monotonic() - started
    finally:
        assert holder.wait(30) == 0
    assert waited > 0.5  # it waited for the other process
    rows = {
        r["customer_number"]: r["phone"]
        for r in connector.fetch(location, {"customer_number": {"C001", "C003"}})
    }
    assert rows == {"C001": "2222", "C003": "1111"}  # neither change was lost
    assert stat.S_IMODE((connector.base_dir / ".kojin-write.lock").stat().st_mode) == 0o600
