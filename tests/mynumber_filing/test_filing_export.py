"""Export of a payment record: a designated person in charge only; payees' annual totals under
the threshold left out; numbers only in the file (0600, whole or nothing); the export, the
decisions and the retention items recorded; the chain without numbers or names."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import stat
from datetime import date
from pathlib import Path

import pytest
from filing_support import (
    CORPORATE_NUMBER,
    HANDLER,
    NUMBERS,
    OTHER_HANDLER,
    POLICY,
    REMUNERATION,
    USAGE,
    USAGE_FIELDS,
    Scope,
    chain,
    designate,
    make_payee,
    register,
    remuneration,
)
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.errors import ConflictError, InputError, PermissionDeniedError
from kojin.mynumber.filing.csv_file import HeaderStyle
from kojin.mynumber.filing.export import ExportOptions, PaymentRecordFile, export_payment_records
from kojin.mynumber.filing.models import FilingExport, FilingRetentionItem
from kojin.mynumber.filing.payer import Payer
from kojin.mynumber.filing.payments import add_payments
from kojin.mynumber.filing.retention import STATUTORY
from kojin.mynumber.filing.schemas import PaymentIn
from kojin.mynumber.vault import DecisionRefusedError, Vault
from kojin.registry.decisions.models import DecisionRecord
from kojin.registry.subjects import FlagsUpdate, set_flags

PAYER = Payer(
    name="株式会社サンプル", address="東京都港区港南1-9-1", corporate_number=CORPORATE_NUMBER
)
NAMES = ("山田 太郎", "佐藤 花子", "鈴木 一郎")
DEFAULTS = ExportOptions()


def _pay(database: Database, cipher: FieldCipher, *payments: PaymentIn) -> None:
    with database.uow() as session:
        add_payments(
            session=session,
            cipher=cipher,
            policy=POLICY,
            actor=HANDLER,
            scope=Scope(),
            payments=list(payments),
        )


def _export(
    vault: Vault,
    cipher: FieldCipher,
    *,
    actor: str = HANDLER,
    year: int = 2025,
    affair: str = REMUNERATION,
    options: ExportOptions = DEFAULTS,
    out: Path | None = None,
) -> PaymentRecordFile:
    with vault.transaction() as sessions:
        return export_payment_records(
            vault=vault,
            sessions=sessions,
            cipher=cipher,
            rules=STATUTORY,
            actor=actor,
            year=year,
            affair=affair,
            payer=PAYER,
            options=options,
            out=out,
        )


@pytest.fixture
def payees(database: Database, cipher: FieldCipher, vault: Vault) -> list[str]:
    """Three payees of 2025: the first (80,000 yen, number registered), the second (40,000
    yen: below the 50,000 yen threshold, number registered), the third (60,000 yen, no
    number); a payment of 2024 and one of 2026 beside them."""
    designate(vault)
    ids = [
        make_payee(database, cipher, name=name, address=f"東京都千代田区{i}-1")
        for i, name in enumerate(NAMES, start=1)
    ]
    register(vault, ids[0], NUMBERS[0])
    register(vault, ids[1], NUMBERS[1])
    _pay(
        database,
        cipher,
        remuneration(ids[0], 50_000, withheld=5105, paid_on=date(2025, 1, 1)),
        remuneration(ids[0], 30_000, withheld=3063, paid_on=date(2025, 12, 31), remarks="秋"),
        remuneration(ids[0], 999_999, paid_on=date(2024, 12, 31)),
        remuneration(ids[0], 999_999, paid_on=date(2026, 1, 1)),
        remuneration(ids[1], 40_000, withheld=4084),
        remuneration(ids[2], 60_000, category="原稿料", details="原稿"),
    )
    return ids


def _exporting_decisions(session: Session) -> list[DecisionRecord]:
    """The decisions an export records (registrations record ``acquire`` ones)."""
    query = select(DecisionRecord).where(DecisionRecord.action.in_(["provide", "use"]))
    return list(session.execute(query).scalars())


def _table(content: bytes) -> list[dict[str, str]]:
    """The file's rows, in the order of the payees' names (the file lists payees by id)."""
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    name = "payee_name" if rows and "payee_name" in rows[0] else "支払を受ける者の氏名"
    return sorted(rows, key=lambda row: NAMES.index(row[name]) if row[name] in NAMES else 9)


def test_the_file_and_what_is_recorded(
    vault: Vault, database: Database, cipher: FieldCipher, payees: list[str], tmp_path: Path
) -> None:
    out = tmp_path / "out" / "remuneration-2025.csv"
    made = _export(vault, cipher, out=out, options=ExportOptions(header=HeaderStyle.KEYS))
    content = out.read_bytes()
    assert content == made.content
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert content.startswith("\ufeff".encode())
    table = _table(content)
    assert [(r["payee_name"], r["payee_individual_number"], r["amount_yen"]) for r in table] == [
        (NAMES[0], NUMBERS[0], "80000"),
        (NAMES[2], "", "60000"),
    ]
    first = table[0]
    assert (first["payee_address"], first["withheld_yen"], first["remarks"]) == (
        "東京都千代田区1-1",
        "8168",
        "秋",
    )
    assert (first["payer_name"], first["payer_corporate_number"]) == (PAYER.name, CORPORATE_NUMBER)
    summary = made.summary
    digest = hashlib.sha256(content).hexdigest()
    assert (summary.payees, summary.below_threshold, summary.without_number) == (2, 1, 1)
    assert summary.export.sha256 == digest
    assert summary.export.file_name == "remuneration-2025.csv"
    with database.read() as session:
        export = session.execute(select(FilingExport)).scalar_one()
        decisions = _exporting_decisions(session)
        items = session.execute(select(FilingRetentionItem)).scalars().all()
    assert (export.year, export.affair, export.rows, export.payees, export.below_threshold) == (
        2025,
        REMUNERATION,
        2,
        2,
        1,
    )
    assert export.sha256 == digest
    provides = [d for d in decisions if d.action == "provide"]
    uses = [d for d in decisions if d.action == "use"]
    assert len(provides) == 1
    provide = provides[0]
    assert provide.allowed
    assert provide.request["exception"] == "mna_19"
    assert provide.request["mna_19_item"] == "2"
    assert provide.request["recipient"]["government"] is True
    assert provide.request["recipient"]["country"] == "JP"
    assert provide.decision["citations"][0] == "MNA Art. 19(2)"
    # one use per payee whose number is written (the third has none in the vault)
    assert [(u.subject_id, u.request["purpose"], u.allowed) for u in uses] == [
        (payees[0], REMUNERATION, True)
    ]
    assert [
        (i.document, i.affair, i.reference_date, i.retention_until, i.source) for i in items
    ] == [("payment_record", REMUNERATION, date(2026, 1, 31), date(2033, 1, 31), "export")]
    assert items[0].export_id == export.id
    entries = chain(database)
    exported = [e for e in entries if e.action == "mynumber.exported"]
    assert len(exported) == 1
    assert exported[0].object_id == export.id
    assert exported[0].details == {
        "year": 2025,
        "affair": REMUNERATION,
        "kind": "remuneration",
        "rows": 2,
        "payees": 2,
        "below_threshold": 1,
        "below_threshold_included": False,
        "without_number": 1,
        "sha256": digest,
        "provide_decision_id": provide.id,
    }
    everything = json.dumps([e.details for e in entries], ensure_ascii=False)
    for secret in (*NUMBERS, *NAMES, "千代田区"):
        assert secret not in everything


def test_below_the_threshold_on_request(
    vault: Vault, cipher: FieldCipher, payees: list[str]
) -> None:
    made = _export(vault, cipher, options=ExportOptions(include_below_threshold=True, bom=False))
    assert not made.content.startswith("\ufeff".encode())
    table = _table(made.content)
    assert table[0]["支払を受ける者の氏名"] == NAMES[0]
    numbers = [r["支払を受ける者の個人番号"] for r in table]
    assert numbers == [NUMBERS[0], NUMBERS[1], ""]
    assert (made.summary.payees, made.summary.below_threshold) == (3, 1)
    assert made.summary.below_threshold_included


def test_a_second_export_adds_no_second_retention_item(
    vault: Vault, database: Database, cipher: FieldCipher, payees: list[str]
) -> None:
    _export(vault, cipher)
    _export(vault, cipher)
    with database.read() as session:
        assert session.execute(select(func.count()).select_from(FilingExport)).scalar_one() == 2
        items = session.execute(select(FilingRetentionItem)).scalars().all()
    assert len(items) == 1


def test_only_a_designated_person_in_charge_of_every_payee(
    vault: Vault, database: Database, cipher: FieldCipher, payees: list[str]
) -> None:
    with pytest.raises(PermissionDeniedError, match="designated"):
        _export(vault, cipher, actor="token:nobody")
    designate(vault, OTHER_HANDLER, affairs=[USAGE])
    with pytest.raises(PermissionDeniedError, match="does not cover the affair"):
        _export(vault, cipher, actor=OTHER_HANDLER)
    designate(vault, "staff:few", affairs=[REMUNERATION], subject_ids=payees[:2])
    with pytest.raises(PermissionDeniedError, match="does not cover 1 payee"):
        _export(vault, cipher, actor="staff:few")
    with database.read() as session:
        assert session.execute(select(FilingExport)).first() is None
        assert not _exporting_decisions(session)


def test_nothing_to_report(vault: Vault, cipher: FieldCipher, payees: list[str]) -> None:
    with pytest.raises(InputError, match="no payee of this affair in 2023"):
        _export(vault, cipher, year=2023)
    with pytest.raises(InputError, match="not an affair that prepares"):
        _export(vault, cipher, affair="marketing")


def test_a_payee_without_an_address_stops_the_export(
    vault: Vault, database: Database, cipher: FieldCipher, payees: list[str]
) -> None:
    lost = make_payee(database, cipher, address=None)
    _pay(database, cipher, remuneration(lost, 100_000))
    with pytest.raises(InputError, match=lost):
        _export(vault, cipher)


def test_a_denied_use_leaves_the_number_out(
    vault: Vault, database: Database, cipher: FieldCipher, payees: list[str]
) -> None:
    with database.uow() as session:
        set_flags(
            session=session,
            subject_id=payees[0],
            flags=FlagsUpdate(stop_use=True),
            actor="t",
        )
    made = _export(vault, cipher)
    assert [r["支払を受ける者の個人番号"] for r in _table(made.content)] == ["", ""]
    assert made.summary.without_number == 2
    with database.read() as session:
        assert session.execute(select(FilingRetentionItem)).first() is None


def test_a_refused_provision_exports_nothing(
    vault: Vault,
    database: Database,
    cipher: FieldCipher,
    payees: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kojin.law.mynumber_vocabulary import Article19Item
    from kojin.mynumber.filing import export as module

    # relied on item 4 (former employer), which needs the person's consent: refused
    monkeypatch.setattr(module, "PROVISION_ITEM", Article19Item.FORMER_EMPLOYER)
    with pytest.raises(DecisionRefusedError):
        _export(vault, cipher)
    with database.read() as session:
        assert session.execute(select(FilingExport)).first() is None
        decided = _exporting_decisions(session)
    assert [(d.action, d.allowed) for d in decided] == [("provide", False)]


def test_no_file_and_no_record_when_the_write_fails(
    vault: Vault,
    database: Database,
    cipher: FieldCipher,
    payees: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    taken = folder / "taken.csv"
    taken.write_bytes(b"kept")
    with pytest.raises(ConflictError, match="exists"):
        _export(vault, cipher, out=taken)
    assert taken.read_bytes() == b"kept"

    def full_disk(_fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space"):
        _export(vault, cipher, out=folder / "new.csv")
    assert sorted(p.name for p in folder.iterdir()) == ["taken.csv"]
    with database.read() as session:
        assert session.execute(select(FilingExport)).first() is None
        assert not _exporting_decisions(session)
        assert session.execute(select(FilingRetentionItem)).first() is None
    assert not [e for e in chain(database) if e.action == "mynumber.exported"]


def test_real_estate_usage(
    vault: Vault, database: Database, cipher: FieldCipher, payees: list[str]
) -> None:
    landlord = make_payee(database, cipher, name="大家 次郎", address="横浜市中区1-1")
    register(vault, landlord, NUMBERS[2], affairs=[USAGE])
    rent = {
        "subject_id": landlord,
        "affair": USAGE,
        "paid_on": date(2025, 1, 31),
        "amount_yen": 100_000,
    }
    _pay(
        database,
        cipher,
        PaymentIn.model_validate({**rent, "fields": USAGE_FIELDS}),
        PaymentIn.model_validate(
            {
                **rent,
                "paid_on": date(2025, 2, 28),
                "fields": {**USAGE_FIELDS, "calculation_basis": "月額120,000円"},
            }
        ),
    )
    made = _export(vault, cipher, affair=USAGE, options=ExportOptions(header=HeaderStyle.KEYS))
    (row,) = _table(made.content)
    assert row["payee_individual_number"] == NUMBERS[2]
    assert row["amount_yen"] == "200000"
    assert row["calculation_basis"] == "月額200,000円; 月額120,000円"
    assert row["property_location"] == USAGE_FIELDS["property_location"]
    assert "withheld_yen" not in row
