"""``kojin audit verify`` on a database someone wrote to directly: whatever the audit tables hold,
the answer is one line naming the entry and exit 1, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from audit_attacks import fill, kojin, run_sql

from kojin.audit import verify_chain
from kojin.db.migrate import upgrade
from kojin.db.uow import Database
from number_guard import guard_completed

#: the columns of audit_entries, for rebuilding the table on SQLite
_COLUMNS = "seq, ts, actor, action, object_type, object_id, details, prev_hash, hash"


def _broken(expected: str) -> None:
    done = kojin("audit", "verify")
    assert done.exit_code == 1, done.output
    assert expected in done.stderr
    assert done.stderr.count("\n") == 1, done.stderr


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        (
            "UPDATE audit_entries SET details = '[1, 2]' WHERE seq = 3",
            "entry 3 is corrupt: its details are not a JSON object",
        ),
        (
            "UPDATE audit_entries SET details = 'null' WHERE seq = 3",
            "entry 3 is corrupt: its details are not a JSON object",
        ),
        (
            "UPDATE audit_entries SET details = '\"text\"' WHERE seq = 3",
            "entry 3 is corrupt: its details are not a JSON object",
        ),
        (
            "UPDATE audit_entries SET details = '{\"n\": 1e400}' WHERE seq = 3",
            "audit chain broken at entry 3",
        ),
        ("DELETE FROM audit_head", "chain head row is missing"),
        ("UPDATE audit_head SET seq = -7", "chain head names entry -7 but the last entry is 4"),
    ],
    ids=["details-array", "details-null", "details-string", "details-huge", "no-head", "head-neg"],
)
def test_corrupt_cells_on_any_database(
    home: Path, database: Database, db_url: str, statement: str, expected: str
) -> None:
    fill(database, 4)
    run_sql(db_url, [statement])
    _broken(expected)


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        (
            "UPDATE audit_entries SET details = '{not json' WHERE seq = 3",
            "entry 3 is corrupt: its details are not valid JSON",
        ),
        (
            "UPDATE audit_entries SET details = x'ff00' WHERE seq = 3",
            "entry 3 is corrupt: its details are not valid JSON",
        ),
        (
            "UPDATE audit_entries SET ts = 'yesterday' WHERE seq = 2",
            "entry 2 is corrupt: its ts cannot be decoded",
        ),
        ("UPDATE audit_entries SET ts = 12 WHERE seq = 2", "entry 2 is corrupt: its ts"),
        (
            "UPDATE audit_entries SET actor = x'41' WHERE seq = 4",
            "entry 4 is corrupt: its actor is not text",
        ),
        ("UPDATE audit_entries SET actor = 5 WHERE seq = 4", "entry 4 was altered"),
        (
            "UPDATE audit_entries SET hash = x'00' WHERE seq = 4",
            "entry 4 is corrupt: its hash is not text",
        ),
        ("UPDATE audit_head SET seq = 'abc'", "chain head is corrupt: its seq is not an integer"),
        ("UPDATE audit_head SET seq = 2.5", "chain head is corrupt: its seq is not an integer"),
        ("UPDATE audit_head SET hash = x'07'", "chain head is corrupt: its hash is not text"),
        ("DROP TABLE audit_entries", "the audit entries cannot be read"),
        ("DROP TABLE audit_head", "the chain head row cannot be read"),
    ],
    ids=[
        "details-not-json",
        "details-blob",
        "ts-text",
        "ts-integer",
        "actor-blob",
        "actor-integer",
        "hash-blob",
        "head-seq-text",
        "head-seq-real",
        "head-hash-blob",
        "no-entries-table",
        "no-head-table",
    ],
)
def test_corrupt_cells_on_sqlite(
    bare_home: Path, sqlite_url: str, statement: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOJIN_DATABASE_URL", sqlite_url)
    database = Database.from_url(sqlite_url)
    try:
        fill(database, 4)
    finally:
        database.dispose()
    run_sql(sqlite_url, [statement])
    _broken(expected)


def _rebuild_without_constraints(sqlite_url: str, seq_type: str) -> None:
    """Recreate audit_entries on SQLite with no NOT NULL and the given type for seq, as someone
    with the file can."""
    run_sql(
        sqlite_url,
        [
            "ALTER TABLE audit_entries RENAME TO old_entries",
            f"CREATE TABLE audit_entries (seq {seq_type} PRIMARY KEY, ts DATETIME, actor VARCHAR,"
            " action VARCHAR, object_type VARCHAR, object_id VARCHAR, details JSON,"
            " prev_hash VARCHAR, hash VARCHAR)",
            f"INSERT INTO audit_entries ({_COLUMNS}) SELECT {_COLUMNS} FROM old_entries",
            "DROP TABLE old_entries",
        ],
    )


@pytest.fixture
def loose_sqlite(bare_home: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("KOJIN_DATABASE_URL", sqlite_url)
    database = Database.from_url(sqlite_url)
    try:
        fill(database, 4)
    finally:
        database.dispose()
    return sqlite_url


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        ("actor", "entry 3 is corrupt: its actor is NULL"),
        ("hash", "entry 3 is corrupt: its hash is NULL"),
        ("details", "entry 3 is corrupt: its details are not a JSON object"),
        ("ts", "entry 3 is corrupt: its ts is NULL"),
    ],
)
def test_null_cells(loose_sqlite: str, column: str, expected: str) -> None:
    _rebuild_without_constraints(loose_sqlite, "INTEGER")
    run_sql(loose_sqlite, [f"UPDATE audit_entries SET {column} = NULL WHERE seq = 3"])
    _broken(expected)


@pytest.mark.parametrize(
    ("value", "seq", "expected"),
    [
        ("'x'", 4, "the entry after entry 3 has a seq that is not an integer"),
        ("'x'", 3, "entry 3 is missing (next entry is 4)"),
        ("2.5", 3, "the entry after entry 2 has a seq that is not an integer"),
        ("x'03'", 4, "the entry after entry 3 has a seq that is not an integer"),
        ("NULL", 3, "1 audit entry(ies) have no seq (NULL)"),
    ],
)
def test_seq_that_is_not_an_integer(loose_sqlite: str, value: str, seq: int, expected: str) -> None:
    _rebuild_without_constraints(loose_sqlite, "")
    run_sql(loose_sqlite, [f"UPDATE audit_entries SET seq = {value} WHERE seq = {seq}"])
    _broken(expected)


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("UPDATE audit_entries SET ts = 'infinity' WHERE seq = 2", "entry 2 is corrupt: its ts"),
        (
            "UPDATE audit_entries SET ts = '9999-12-31T23:59:59-10:00' WHERE seq = 2",
            "entry 2 is corrupt: its ts",
        ),
        ('UPDATE audit_entries SET details = \'{"a": "\\u0000"}\' WHERE seq = 2', "entry 2"),
    ],
    ids=["ts-infinity", "ts-year-10000", "details-nul"],
)
def test_corrupt_cells_on_postgresql(
    bare_home: Path, pg_url: str, statement: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOJIN_DATABASE_URL", pg_url)
    database = Database.from_url(pg_url)
    try:
        fill(database, 4)
    finally:
        database.dispose()
    run_sql(pg_url, [statement])
    _broken(expected)


@pytest.mark.postgres
def test_null_cells_on_postgresql(
    bare_home: Path, pg_empty_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a schema of its own, since the NOT NULL constraints are dropped."""
    upgrade(pg_empty_url)
    monkeypatch.setenv("KOJIN_DATABASE_URL", pg_empty_url)
    database = Database.from_url(pg_empty_url)
    try:
        fill(database, 4)
    finally:
        database.dispose()
    run_sql(
        pg_empty_url,
        [
            "ALTER TABLE audit_entries ALTER COLUMN object_id DROP NOT NULL",
            "ALTER TABLE audit_entries ALTER COLUMN details DROP NOT NULL",
            "ALTER TABLE audit_head ALTER COLUMN hash DROP NOT NULL",
            "UPDATE audit_entries SET object_id = NULL WHERE seq = 2",
        ],
    )
    _broken("entry 2 is corrupt: its object_id is NULL")
    run_sql(
        pg_empty_url,
        [
            "UPDATE audit_entries SET object_id = 'id-1' WHERE seq = 2",
            "UPDATE audit_entries SET details = NULL WHERE seq = 3",
        ],
    )
    _broken("entry 3 is corrupt: its details are not a JSON object")
    run_sql(
        pg_empty_url,
        [
            "UPDATE audit_entries SET details = '{\"n\": 2}' WHERE seq = 3",
            "UPDATE audit_head SET hash = NULL",
        ],
    )
    _broken("chain head is corrupt: its hash is not text")


def test_an_intact_chain_after_repairs_still_verifies(home: Path, database: Database) -> None:
    """The robust walk accepts what the plain one accepted (a control for the tests above)."""
    fill(database, 5)
    done = kojin("audit", "verify")
    assert done.exit_code == 0, done.output
    assert "audit chain intact: 5 entries" in done.stdout


def test_appends_during_a_walk_are_not_mistaken_for_corruption(database: Database) -> None:
    """The walk reads one snapshot: an entry committed after it started (here, after its first
    page) is neither read nor reported as a head naming a missing entry."""
    fill(database, 2_001)
    appended: list[int] = []

    def append_once(_done: int) -> None:
        if not appended:
            fill(database, 1, start=9_000)
            appended.append(1)

    with database.read() as session:
        result = verify_chain(session=session, on_progress=append_once)
    assert appended
    assert result.ok, result.reason
    assert result.checked == 2_001
    with database.read() as session:
        assert verify_chain(session=session).checked == 2_002


def test_the_first_problem_is_named_when_a_later_cell_cannot_be_read(
    bare_home: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOJIN_DATABASE_URL", sqlite_url)
    database = Database.from_url(sqlite_url)
    try:
        fill(database, 5)
    finally:
        database.dispose()
    run_sql(
        sqlite_url,
        [
            "UPDATE audit_entries SET actor = 'mallory' WHERE seq = 2",
            "UPDATE audit_entries SET details = '{not json' WHERE seq = 4",
        ],
    )
    _broken("audit chain broken at entry 2: entry 2 was altered")


def test_a_seq_that_is_not_an_integer_on_an_unreadable_row(loose_sqlite: str) -> None:
    _rebuild_without_constraints(loose_sqlite, "")
    run_sql(loose_sqlite, ["UPDATE audit_entries SET seq = 'x', details = '{' WHERE seq = 4"])
    _broken("the entry after entry 3 has a seq that is not an integer")


def test_the_console_script_prints_one_line(
    bare_home: Path, sqlite_url: str, tmp_path: Path
) -> None:
    """The same through the real entry point, as an operator runs it."""
    database = Database.from_url(sqlite_url)
    try:
        fill(database, 3)
    finally:
        database.dispose()
    run_sql(sqlite_url, ["UPDATE audit_entries SET details = '{not json' WHERE seq = 2"])
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOJIN_")}
    env.update(KOJIN_HOME=str(bare_home), KOJIN_DATABASE_URL=sqlite_url)
    done = subprocess.run(
        [sys.executable, "-m", "kojin.cli", "audit", "verify"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    guard_completed(done, command="kojin audit verify")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout
    assert done.stderr == (
        "kojin: error: audit chain broken at entry 2: entry 2 is corrupt: its details are "
        "not valid JSON (JSONDecodeError)\n"
    )
