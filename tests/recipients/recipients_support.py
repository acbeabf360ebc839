"""Helpers for the recipient register's tests: a filled-in entrustee and foreign recipient,
and the audit chain read back."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from kojin.audit.models import AuditEntry
from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.registry.recipients.schemas import (
    CheckInput,
    CheckKind,
    CheckResult,
    ContractItem,
    RecipientFields,
    RecipientView,
    Rule16Basis,
    Statement,
)
from kojin.registry.recipients.service import add_recipient, record_check

ACTOR = "officer@example.jp"
#: registration day in most tests
TODAY = date(2027, 4, 7)
#: what staff typed: none of it may reach the audit chain
SECRET_NOTES = "担当者 山田太郎の作業記録を確認"
ENTRUSTEE_NAME = "株式会社 配送サービス"


def entrustee_fields(**overrides: Any) -> RecipientFields:
    values: dict[str, Any] = {
        "name": ENTRUSTEE_NAME,
        "entrustee": True,
        "country": "JP",
        "entrusted": "顧客への商品発送（氏名・住所・電話番号）",
        "categories": ["customer"],
        "contract_reference": "委託契約 2027-01",
        "contract_date": date(2027, 1, 10),
        "contract_items": [ContractItem.CONFIDENTIALITY, ContractItem.RETURN_OR_DELETION],
        "evaluated_on": date(2027, 1, 5),
        "evaluation_result": "suitable",
        "evaluation_notes": SECRET_NOTES,
    }
    values.update(overrides)
    return RecipientFields(**values)


def foreign_fields(**overrides: Any) -> RecipientFields:
    values: dict[str, Any] = {
        "name": "Example Cloud Inc.",
        "foreign_rule16": True,
        "entrustee": True,
        "country": "US",
        "entrusted": "hosting of the customer database",
        "rule16_basis": Rule16Basis.CONTRACT,
        "contract_date": date(2027, 1, 10),
        "statement_en": Statement(
            setup="A data processing agreement with APPI-level clauses",
            measures="Access control, encryption, staff training",
            check_method="A yearly questionnaire and report review",
            foreign_laws="No law found that impedes the measures",
            impediments="None found",
        ),
        "statement_ja": Statement(
            setup="APPI水準の条項を含む契約", measures="アクセス制御、暗号化"
        ),
    }
    values.update(overrides)
    return RecipientFields(**values)


def add(
    db: Database, cipher: FieldCipher, fields: RecipientFields, *, today: date = TODAY
) -> RecipientView:
    with db.uow() as session:
        return add_recipient(
            session=session, cipher=cipher, actor=ACTOR, fields=fields, today=today
        )


def check(
    db: Database,
    cipher: FieldCipher,
    recipient_id: str,
    *,
    on: date,
    result: CheckResult = CheckResult.SATISFACTORY,
    kind: CheckKind = CheckKind.SUPERVISION,
    today: date | None = None,
) -> RecipientView:
    with db.uow() as session:
        return record_check(
            session=session,
            cipher=cipher,
            actor=ACTOR,
            recipient_id=recipient_id,
            check=CheckInput(kind=kind, checked_on=on, result=result, notes=SECRET_NOTES),
            today=today or on,
        )


def chain_entries(db: Database) -> list[AuditEntry]:
    with db.read() as session:
        return list(session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars())
