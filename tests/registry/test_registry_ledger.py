"""The personal-information ledger (R-PM-1): rows, yearly review list, CSV in and out."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from kojin.audit.models import AuditEntry
from kojin.db.uow import Database
from kojin.policy import load_policy, to_facts
from kojin.registry.bootstrap import sample_ledger_text
from kojin.registry.ledger import (
    LEDGER_COLUMNS,
    LedgerAcquisition,
    LedgerEntryCreate,
    LedgerEntryUpdate,
    LedgerImportError,
    Medium,
    create_entry,
    entries_due_for_review,
    export_csv,
    import_csv,
    list_entries,
    update_entry,
)
from kojin.registry.ledger.models import LedgerEntry

POLICY = to_facts(load_policy(None))


def _entry(item: str, last_reviewed: date | None) -> LedgerEntryCreate:
    return LedgerEntryCreate(
        item=item,
        category="customer",
        purposes=["provide_services"],
        acquisition_method=LedgerAcquisition.WRITTEN_DIRECT,
        storage_location="CRM",
        storage_country="us",
        medium=Medium.ELECTRONIC,
        access="Sales",
        retention_period="5 years",
        disposal_method="Deletion",
        record_count=10,
        responsible_department="Sales",
        last_reviewed=last_reviewed,
    )


def test_due_for_review_lists_rows_older_than_a_year(database: Database) -> None:
    today = date(2026, 11, 29)
    with database.uow() as session:
        never = create_entry(
            session=session, policy=POLICY, entry_in=_entry("never", None), actor="t"
        )
        old = create_entry(
            session=session, policy=POLICY, entry_in=_entry("old", date(2025, 11, 28)), actor="t"
        )
        exact = create_entry(
            session=session, policy=POLICY, entry_in=_entry("exact", date(2025, 11, 29)), actor="t"
        )
        create_entry(
            session=session, policy=POLICY, entry_in=_entry("fresh", date(2025, 11, 30)), actor="t"
        )
    with database.read() as session:
        due = entries_due_for_review(session=session, today=today)
    assert [e.id for e in due] == [never.id, old.id, exact.id]
    assert never.storage_country == "US"


def test_update_records_changed_fields(database: Database) -> None:
    with database.uow() as session:
        entry = create_entry(session=session, policy=POLICY, entry_in=_entry("x", None), actor="t")
        updated = update_entry(
            session=session,
            policy=POLICY,
            entry_id=entry.id,
            entry_in=LedgerEntryUpdate(last_reviewed=date(2026, 11, 1), record_count=10),
            actor="officer",
        )
    assert updated.last_reviewed == date(2026, 11, 1)
    with database.read() as session:
        last = session.execute(select(AuditEntry).order_by(AuditEntry.seq.desc())).scalars().first()
    assert last is not None
    assert last.action == "ledger.updated"
    assert last.details["fields"] == ["last_reviewed"]


def test_csv_roundtrip_updates_by_id(database: Database) -> None:
    with database.uow() as session:
        result = import_csv(session=session, source=io.StringIO(sample_ledger_text()), actor="t")
    assert result.created == 8
    out = io.StringIO()
    with database.read() as session:
        assert export_csv(session=session, out=out) == 8
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert tuple(rows[0]) == LEDGER_COLUMNS
    rows[0]["record_count"] = "77"
    edited = io.StringIO()
    writer = csv.DictWriter(edited, fieldnames=LEDGER_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    with database.uow() as session:
        again = import_csv(session=session, source=io.StringIO(edited.getvalue()), actor="t")
    assert (again.created, again.updated) == (0, 1)
    with database.read() as session:
        entries = {e.id: e for e in list_entries(session=session)}
    assert len(entries) == 8
    assert entries[rows[0]["id"]].record_count == 77


BAD_ROWS = [
    ("record_count", "many", "line 3, column record_count"),
    ("storage_country", "USA", "line 3, column storage_country"),
    ("medium", "tape", "line 3, column medium"),
    ("purposes", " ; ", "line 3, column purposes"),
    ("special_care", "maybe", "line 3, column special_care"),
    ("last_reviewed", "2025-13-01", "line 3, column last_reviewed"),
    ("id", "0" * 32, "line 3, column id"),
    ("item", "", "line 3, column item"),
]


@pytest.mark.parametrize(("column", "value", "message"), BAD_ROWS)
def test_bad_row_rejects_the_whole_file(
    database: Database, column: str, value: str, message: str
) -> None:
    rows = list(csv.DictReader(io.StringIO(sample_ledger_text())))
    rows[1][column] = value
    buffer = io.StringIO()
    fieldnames = list(LEDGER_COLUMNS) if column == "id" else list(rows[0])
    writer = csv.DictWriter(buffer, fieldnames=fieldnames, restval="")
    writer.writeheader()
    writer.writerows(rows)
    with pytest.raises(LedgerImportError) as caught, database.uow() as session:
        import_csv(session=session, source=io.StringIO(buffer.getvalue()), actor="t")
    assert any(p.startswith(message) for p in caught.value.problems), caught.value.problems
    assert len(caught.value.problems) == 1
    with database.read() as session:
        assert session.execute(select(func.count()).select_from(LedgerEntry)).scalar_one() == 0
        assert session.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("item,category\nx,y\n", "missing column(s)"),
        (
            sample_ledger_text().replace("item,", "item,colour,", 1),
            "line 1: unknown column(s) at position 2; the ledger columns are id, item,",
        ),
        (sample_ledger_text().splitlines()[0] + "\n", "no data rows"),
    ],
)
def test_bad_header(database: Database, text: str, message: str) -> None:
    with pytest.raises(LedgerImportError, match=re.escape(message)), database.uow() as session:
        import_csv(session=session, source=io.StringIO(text), actor="t")


def test_sample_ledger_matches_the_default_policy() -> None:
    facts = to_facts(load_policy(None))
    rows = list(csv.DictReader(io.StringIO(sample_ledger_text())))
    categories = {row["category"] for row in rows}
    assert categories == set(facts.categories)
    for row in rows:
        declared = facts.categories[row["category"]].purposes
        assert set(row["purposes"].split(";")) <= declared, row["item"]
    us_hosted = {row["category"] for row in rows if row["storage_country"] == "US"}
    for category in us_hosted:
        assert "US" in facts.categories[category].foreign_storage_countries
    my_number = [row for row in rows if row["category"] == "specific_personal"]
    assert my_number
    assert not any(ch.isdigit() for row in my_number for ch in row["item"])


def test_data_locations_and_kinds_round_trip_through_csv(database: Database) -> None:
    with database.uow() as session:
        entry = create_entry(
            session=session,
            policy=POLICY,
            entry_in=_entry("crm", None).model_copy(
                update={"data_locations": ["customers.*", "exports/*.csv"], "pi_kinds": ["email"]}
            ),
            actor="t",
        )
        out = io.StringIO()
        export_csv(session=session, out=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert rows[0]["data_locations"] == "customers.*;exports/*.csv"
    assert rows[0]["pi_kinds"] == "email"
    # an update from a CSV without those columns keeps what is stored
    header = [c for c in LEDGER_COLUMNS if c not in ("data_locations", "pi_kinds")]
    source = io.StringIO()
    writer = csv.DictWriter(source, fieldnames=header, extrasaction="ignore")
    writer.writeheader()
    writer.writerow({**rows[0], "record_count": "11"})
    with database.uow() as session:
        import_csv(session=session, source=io.StringIO(source.getvalue()), actor="t")
    with database.read() as session:
        (stored,) = [e for e in list_entries(session=session) if e.id == entry.id]
    assert stored.record_count == 11
    assert stored.data_locations == ["customers.*", "exports/*.csv"]
    assert stored.pi_kinds == ["email"]


def test_declared_locations_lists_every_pattern_with_its_kinds(database: Database) -> None:
    from kojin.registry.ledger.service import declared_locations

    with database.uow() as session:
        create_entry(
            session=session,
            policy=POLICY,
            entry_in=_entry("a", None).model_copy(
                update={
                    "data_locations": ["t1.*", "f/*.txt"],
                    "pi_kinds": ["email", "phone_number"],
                }
            ),
            actor="t",
        )
        create_entry(session=session, policy=POLICY, entry_in=_entry("b", None), actor="t")
    with database.read() as session:
        declared = declared_locations(session=session)
    assert sorted(declared) == [
        ("f/*.txt", frozenset({"email", "phone_number"})),
        ("t1.*", frozenset({"email", "phone_number"})),
    ]
