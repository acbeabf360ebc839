"""What the internal-audit tests share: a plan, the period, and real registry records made
through kojin's own services (decisions with provision records, incidents) or stored as the
portal stores them (data requests)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import select

from kojin.audit.models import AuditEntry
from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.incidents.schemas import IncidentFields, IncidentStep, KnowledgeInput
from kojin.incidents.service import incident_id_for, record_incident, record_step
from kojin.law.breach_vocabulary import Certainty, IncidentKind
from kojin.law.decision_schemas import ConsentStatement, DecisionRequest, Recipient
from kojin.law.policy_facts import PolicyFacts
from kojin.law.vocabulary import Action
from kojin.management.audits.schemas import AuditPlan
from kojin.registry.decisions import decide_and_record
from kojin.requests.clock import TOKYO
from kojin.requests.kinds import RequestKind
from kojin.requests.models import DataRequest
from kojin.requests.states import RequestState

ACTOR = "staff:auditor"
SINCE = date(2027, 4, 1)
UNTIL = date(2027, 6, 30)
TODAY = date(2027, 7, 1)
#: what auditors typed: none of it may reach the audit chain
SECRET_AUDITOR = "監査 花子"
SECRET_FINDING = "委託先の山田太郎様の契約書が未締結"
SECRET_OWNER = "佐藤 一郎"


def plan(**overrides: Any) -> AuditPlan:
    values: dict[str, Any] = {
        "title": "2027年度 内部監査",
        "period_from": SINCE,
        "period_to": UNTIL,
        "scope_departments": ["営業部", "人事部"],
        "lead_auditor": SECRET_AUDITOR,
        "lead_auditor_department": "内部監査室",
        "planned_on": date(2027, 7, 1),
    }
    values.update(overrides)
    return AuditPlan(**values)


def at(day: date, hour: int = 12) -> datetime:
    """Noon (by default) in Tokyo on `day`, in UTC."""
    return datetime.combine(day, time(hour), TOKYO).astimezone(UTC)


def provide(database: Database, facts: PolicyFacts, *, consent: bool, on: date) -> list[str]:
    """A provision to a Japanese partner decided on `on`; its provision record ids."""
    request = DecisionRequest(
        action=Action.PROVIDE,
        category="customer",
        purpose="provide_services",
        recipient=Recipient(name="Partner KK", country="JP"),
        consent=ConsentStatement(given=consent),
    )
    with database.uow() as session:
        recorded = decide_and_record(
            session=session, request=request, policy=facts, actor="t", now=at(on)
        )
    return recorded.provision_ids


def use(database: Database, facts: PolicyFacts, *, on: date) -> None:
    """An allowed use within the purposes (no provision record)."""
    request = DecisionRequest(action=Action.USE, category="customer", purpose="provide_services")
    with database.uow() as session:
        decide_and_record(session=session, request=request, policy=facts, actor="t", now=at(on))


def add_request(
    database: Database,
    *,
    kind: RequestKind,
    submitted: date,
    due: date,
    closed: date | None = None,
) -> str:
    """A data request row as the portal stores one, due on `due`, closed on `closed`."""
    request_id = uuid.uuid4().hex
    with database.uow() as session:
        session.add(
            DataRequest(
                id=request_id,
                reference_bidx=uuid.uuid4().hex,
                kind=kind.value,
                state=(RequestState.RECEIVED if closed is None else RequestState.COMPLETED).value,
                lang="ja",
                submission_key_hash=uuid.uuid4().hex,
                submitted_at=at(submitted),
                received_at=at(submitted),
                due_on=due,
                closed_at=None if closed is None else at(closed),
                key_id="k",
            )
        )
    return request_id


def add_incident(
    database: Database,
    cipher: FieldCipher,
    *,
    known_on: date,
    persons: int,
    steps: tuple[tuple[IncidentStep, date], ...] = (),
    today: date = TODAY,
) -> str:
    """An incident first known on `known_on`, with its reports filed on the given days."""
    fields = IncidentFields(
        title="顧客名簿のメール誤送信",
        kind=IncidentKind.LEAKAGE,
        certainty=Certainty.CONFIRMED,
        occurred_on=known_on,
        knowledge=[KnowledgeInput(department="営業部", known_on=known_on)],
        persons=persons,
    )
    with database.uow() as session:
        reference = record_incident(
            session=session, cipher=cipher, actor=ACTOR, fields=fields, today=known_on
        ).reference
        incident_id = incident_id_for(session=session, reference=reference)
        assert incident_id is not None
        for step, on in steps:
            record_step(
                session=session,
                cipher=cipher,
                actor=ACTOR,
                incident_id=incident_id,
                step=step,
                on=on,
                today=today,
            )
    return incident_id


@dataclass(frozen=True)
class Entry:
    actor: str
    action: str
    object_id: str
    details: dict[str, Any]


def audit_entries(database: Database, prefix: str = "audit.") -> list[Entry]:
    with database.read() as session:
        rows = session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars()
        return [
            Entry(r.actor, r.action, r.object_id, dict(r.details))
            for r in rows
            if r.action.startswith(prefix)
        ]
