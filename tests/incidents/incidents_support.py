"""Helpers for the incident tests: a filled-in incident, the outbox and the audit chain read
back, and a data request made about an incident."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from kojin.audit.models import AuditEntry
from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.incidents.schemas import IncidentFields, KnowledgeInput
from kojin.law.breach_vocabulary import Certainty, IncidentKind, StopGround
from kojin.law.check_digits import my_number_check_digit
from kojin.mail.service import list_outbox
from kojin.requests.kinds import RequestKind
from kojin.requests.models import DataRequest
from kojin.requests.states import RequestState

#: a Wednesday; day 1 of the clocks in most tests
KNOWN_ON = date(2027, 4, 7)
ACTOR = "officer@example.jp"

#: what staff typed: none of it may reach the audit chain
SECRET_SUMMARY = "誤送信により山田太郎様の顧客名簿が流出"
SECRET_CAUSE = "宛先の入力誤り（担当 佐藤花子）"


def valid_my_number() -> str:
    base = "12345678901"
    return base + str(my_number_check_digit(base))


def fields(**overrides: Any) -> IncidentFields:
    """A leakage of customers' names and e-mail addresses known on :data:`KNOWN_ON`."""
    values: dict[str, Any] = {
        "title": "顧客名簿のメール誤送信",
        "kind": IncidentKind.LEAKAGE,
        "certainty": Certainty.CONFIRMED,
        "occurred_on": date(2027, 4, 6),
        "knowledge": [
            KnowledgeInput(department="営業部", known_on=KNOWN_ON),
            KnowledgeInput(department="情報システム部", known_on=date(2027, 4, 8)),
        ],
        "persons": 1000,
        "data_items": ["氏名", "メールアドレス"],
        "data_medium": "電子メール",
        "subjects_kind": "顧客",
        "discoverer": "営業部員",
        "summary": SECRET_SUMMARY,
        "cause": SECRET_CAUSE,
        "secondary_damage": "現時点で二次被害は確認されていない",
        "other": "不審なメールにご注意ください",
    }
    values.update(overrides)
    return IncidentFields(**values)


@dataclass(frozen=True)
class Entry:
    actor: str
    action: str
    object_id: str
    details: dict[str, Any]


def audit_entries(database: Database, prefix: str = "incident.") -> list[Entry]:
    with database.read() as session:
        rows = session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars()
        return [
            Entry(r.actor, r.action, r.object_id, dict(r.details))
            for r in rows
            if r.action.startswith(prefix)
        ]


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    purpose: str


def outbox(database: Database, cipher: FieldCipher, purpose: str) -> list[Mail]:
    with database.read() as session:
        items = list_outbox(session=session, cipher=cipher, limit=1000)
    return [
        Mail(i.to, i.subject, i.text or "", i.purpose)
        for i in sorted(items, key=lambda i: i.created_at)
        if i.purpose == purpose
    ]


def add_request(
    database: Database,
    *,
    reference: str,
    kind: RequestKind = RequestKind.ERASURE,
    ground: StopGround | None = StopGround.REPORTABLE_BREACH,
    at: datetime | None = None,
) -> str:
    """A data request row naming the incident, as the portal stores one."""
    request_id = uuid.uuid4().hex
    with database.uow() as session:
        session.add(
            DataRequest(
                id=request_id,
                reference_bidx=uuid.uuid4().hex,
                kind=kind.value,
                state=RequestState.RECEIVED.value,
                lang="ja",
                submission_key_hash=uuid.uuid4().hex,
                submitted_at=at or datetime(2027, 4, 10, tzinfo=UTC),
                stop_ground=None if ground is None else ground.value,
                incident_reference=reference,
                key_id="k",
            )
        )
    return request_id
