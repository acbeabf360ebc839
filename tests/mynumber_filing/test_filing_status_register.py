"""The status register (R-MN-9): files, purpose, department, deletion status, access holders,
and nothing about any person."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from filing_support import REMUNERATION, USAGE

from kojin.mynumber.filing.status_register import (
    Counts,
    ExportFile,
    FileType,
    StatusRow,
    build_register,
    policy_department,
    register_csv,
)
from kojin.policy import load_policy

TITLES = {REMUNERATION: "報酬、料金、契約金及び賞金の支払調書作成事務", USAGE: "不動産の使用料等"}


@dataclass(frozen=True)
class Designation:
    actor: str
    affairs: list[str]
    department: str
    revoked_at: datetime | None = field(default=None)


DESIGNATIONS = [
    Designation("staff:sato", [REMUNERATION], "経理部"),
    Designation("token:abc", [REMUNERATION, USAGE], "総務部"),
    Designation("staff:gone", [USAGE], "旧部署", datetime(2025, 1, 1, tzinfo=UTC)),
]
FALLBACK = "総務人事部 総務部門"


def _register(today: date = date(2026, 3, 1)) -> list[StatusRow]:
    return build_register(
        titles=TITLES,
        records={REMUNERATION: Counts(active=10, disposed=2, overdue=1)},
        documents=Counts(active=3, disposed=7, overdue=1),
        exports=[
            ExportFile("e1", "remuneration-2024.csv", 2024, REMUNERATION, None, date(2032, 1, 31)),
            ExportFile("e2", "rent-2017.csv", 2017, USAGE, None, date(2025, 1, 31)),
            ExportFile("e3", "old.csv", 2016, REMUNERATION, date(2025, 2, 1), date(2024, 1, 31)),
        ],
        designations=DESIGNATIONS,
        fallback_department=FALLBACK,
        today=today,
    )


def test_rows_per_affair_documents_and_export() -> None:
    rows = {row.file_id: row for row in _register()}
    assert list(rows) == [
        f"records:{REMUNERATION}",
        f"records:{USAGE}",
        "identity_documents",
        "export:e1",
        "export:e2",
        "export:e3",
    ]
    remuneration = rows[f"records:{REMUNERATION}"]
    assert remuneration.file_type is FileType.VAULT_RECORDS
    assert remuneration.purpose == TITLES[REMUNERATION]
    assert remuneration.responsible_department == "経理部; 総務部"
    assert remuneration.access_holders == ["staff:sato", "token:abc"]
    assert (remuneration.active, remuneration.disposed, remuneration.overdue) == (10, 2, 1)
    assert remuneration.deletion_status == "10 held, 2 of 12 disposed of; 1 overdue for disposal"
    usage = rows[f"records:{USAGE}"]
    assert usage.access_holders == ["token:abc"]  # a revoked designation holds no access
    assert usage.deletion_status == "0 held, 0 of 0 disposed of"
    documents = rows["identity_documents"]
    assert documents.access_holders == ["staff:sato", "token:abc"]
    assert documents.deletion_status == "3 held, 7 purged; 1 past their holding period"
    assert rows["export:e1"].deletion_status == "held"
    assert (rows["export:e1"].active, rows["export:e1"].overdue) == (1, 0)
    assert rows["export:e2"].deletion_status == "held past its retention (until 2025-01-31)"
    assert rows["export:e2"].overdue == 1
    assert rows["export:e3"].deletion_status == "deleted 2025-02-01"
    assert (rows["export:e3"].active, rows["export:e3"].disposed) == (0, 1)


def test_department_falls_back_to_the_policy_contact() -> None:
    rows = build_register(
        titles=TITLES,
        records={},
        documents=Counts(),
        exports=[],
        designations=[],
        fallback_department=FALLBACK,
        today=date(2026, 1, 1),
    )
    assert {row.responsible_department for row in rows} == {FALLBACK}
    assert all(row.access_holders == [] for row in rows)
    assert policy_department(load_policy(None)) == (
        "エヌ・ティ・ティ・コムウェア株式会社 総務人事部 総務部門"
    )


def test_as_csv() -> None:
    data = register_csv(_register())
    assert data.startswith("\ufeff".encode())
    table = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(table) == 6
    assert table[0]["file_id"] == f"records:{REMUNERATION}"
    assert table[0]["access_holders"] == "staff:sato; token:abc"
    assert table[0]["overdue"] == "1"
    assert register_csv([], bom=False).decode() == (
        "file_id,file_type,file_name,affairs,purpose,responsible_department,active,disposed,"
        "overdue,deletion_status,access_holders\r\n"
    )
