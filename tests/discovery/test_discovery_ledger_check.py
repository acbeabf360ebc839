"""undeclared(): personal data found where the ledger does not declare it (R-PM-1)."""

from __future__ import annotations

import pytest

from kojin.discovery.columns import ColumnClass, KindCount
from kojin.discovery.ledger_check import DeclaredLocation, UndeclaredFinding, undeclared
from kojin.discovery.model import Category, CellLocation, Finding, TextLocation


def _text(path: str, kind: str, *, personal: bool = True) -> Finding:
    return Finding(kind, Category.CONTACT, TextLocation(path, 1, 0, 5), 0.9, "*****", personal)


def _cell(table: str, column: str, kind: str) -> Finding:
    return Finding(kind, Category.CONTACT, CellLocation(table, column, "1"), 0.9, "*****")


def _column(table: str, column: str, kind: str | None, valid: int = 40) -> ColumnClass:
    counts = (KindCount(kind, valid, valid, 10),) if kind else ()
    category = Category.CONTACT if kind else None
    return ColumnClass(table, column, 50, kind, category, valid / 50, kind is not None, counts)


def test_declared_places_and_kinds_are_not_reported() -> None:
    declared = [
        DeclaredLocation(location="shared/hr/*", kinds=frozenset({"email", "phone_number"})),
        DeclaredLocation(location="customers.*"),
    ]
    found: list[Finding | ColumnClass] = [
        _text("shared/hr/list.txt", "email"),
        _text("shared/hr/list.txt", "my_number"),  # kind not declared there
        _text("shared/sales/memo.txt", "email"),
        _text("shared/sales/memo.txt", "email"),
        _text("shared/sales/memo.txt", "corporate_number", personal=False),
        _cell("customers", "email", "email"),
        _cell("orders", "note", "phone_number"),
        _column("customers", "phone", "phone_number"),
        _column("staff", "mobile", "phone_number", valid=37),
        _column("staff", "memo", None),
    ]
    assert undeclared(found, declared) == [
        UndeclaredFinding("orders.note", "phone_number", 1),
        UndeclaredFinding("shared/hr/list.txt", "my_number", 1),
        UndeclaredFinding("shared/sales/memo.txt", "email", 2),
        UndeclaredFinding("staff.mobile", "phone_number", 37),
    ]


def test_nothing_declared_reports_everything_personal() -> None:
    found: list[Finding | ColumnClass] = [
        _text("a.txt", "email"),
        _column("t", "c", "email", valid=3),
    ]
    assert [(u.location, u.count) for u in undeclared(found, [])] == [("a.txt", 1), ("t.c", 3)]


def test_declared_location_is_frozen_and_validated() -> None:
    declared = DeclaredLocation(location="t.c", kinds=frozenset({"email"}))
    with pytest.raises(ValueError, match="frozen"):
        declared.location = "x"  # type: ignore[misc]
    with pytest.raises(ValueError, match="location"):
        DeclaredLocation(location="")


def test_file_pattern_covers_its_columns_and_cells_are_not_counted_twice() -> None:
    found: list[Finding | ColumnClass] = [
        _cell("exports/a.csv", "email", "email"),
        _cell("exports/a.csv", "email", "email"),
        _column("exports/a.csv", "email", "email", valid=2),
        _cell("other/b.csv", "mail", "email"),
        _column("other/b.csv", "mail", "email", valid=2),
    ]
    declared = [DeclaredLocation(location="exports/*.csv", kinds=frozenset({"email"}))]
    assert undeclared(found, declared) == [
        UndeclaredFinding(location="other/b.csv.mail", kind="email", count=2)
    ]
    # the kind still matters: a file pattern declared for phones does not cover e-mail
    phones = [DeclaredLocation(location="exports/*.csv", kinds=frozenset({"phone_number"}))]
    assert [g.location for g in undeclared(found, phones)] == [
        "exports/a.csv.email",
        "other/b.csv.mail",
    ]
