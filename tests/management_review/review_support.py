"""Records for the management review's tests: requests and incidents of a fiscal year whose
figures the tests know, and the audit chain read back."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy import select

from kojin.audit.models import AuditEntry
from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.incidents.schemas import IncidentFields, IncidentStep, KnowledgeInput
from kojin.incidents.service import record_incident, record_step
from kojin.law.breach_vocabulary import Certainty, IncidentKind
from kojin.requests.kinds import RequestKind
from kojin.requests.models import DataRequest
from kojin.requests.states import RequestState

TOKYO: Final = ZoneInfo("Asia/Tokyo")
#: fiscal year 2026 (April 2026 to March 2027), reviewed on TODAY
SINCE: Final = date(2026, 4, 1)
UNTIL: Final = date(2027, 3, 31)
TODAY: Final = date(2027, 4, 10)
ACTOR: Final = "staff:officer"
#: what the office types: none of it may reach the audit chain
SECRET_MANAGER = "代表取締役 山田太郎"
SECRET_DECISION = "委託先の監査を年2回に増やす（担当 佐藤花子）"


def tokyo(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TOKYO).astimezone(UTC)


def add_request(
    database: Database,
    *,
    kind: RequestKind,
    state: RequestState,
    received: datetime | None,
    due: date | None,
    closed: datetime | None = None,
) -> str:
    """A data request row as the portal and the workflow leave it."""
    request_id = uuid.uuid4().hex
    with database.uow() as session:
        session.add(
            DataRequest(
                id=request_id,
                reference_bidx=uuid.uuid4().hex,
                kind=kind.value,
                state=state.value,
                lang="ja",
                submission_key_hash=uuid.uuid4().hex,
                submitted_at=received or tokyo(TODAY),
                received_at=received,
                due_on=due,
                closed_at=closed,
                key_id="k",
            )
        )
    return request_id


def seed_requests(database: Database) -> None:
    """Requests whose figures over SINCE..UNTIL (as of TODAY) are:

    received 6 (Apr, May, Jun, Jul, Aug, Mar one each), closed 6 (two in April), on time 4,
    late 1 (June), withdrawn 1 (August), open at the end 1, overdue today 1.
    """
    k, s = RequestKind, RequestState
    # arrived 00:30 on 1 April in Japan (still 31 March in UTC): in the period, on time
    add_request(
        database,
        kind=k.PURPOSE_NOTIFICATION,
        state=s.COMPLETED,
        received=tokyo(date(2026, 4, 1), 0, 30),
        due=date(2026, 4, 15),
        closed=tokyo(date(2026, 4, 10)),
    )
    # arrived 23:00 on 31 March in Japan: before the period; closed in April on time
    add_request(
        database,
        kind=k.DISCLOSURE,
        state=s.COMPLETED,
        received=tokyo(date(2026, 3, 31), 23, 0),
        due=date(2026, 4, 14),
        closed=tokyo(date(2026, 4, 5)),
    )
    add_request(
        database,
        kind=k.DISCLOSURE,
        state=s.COMPLETED,
        received=tokyo(date(2026, 5, 10)),
        due=date(2026, 5, 24),
        closed=tokyo(date(2026, 5, 20)),
    )
    add_request(  # answered after its due date
        database,
        kind=k.DISCLOSURE,
        state=s.REFUSED,
        received=tokyo(date(2026, 6, 1)),
        due=date(2026, 6, 15),
        closed=tokyo(date(2026, 6, 20)),
    )
    add_request(
        database,
        kind=k.COMPLAINT,
        state=s.COMPLETED,
        received=tokyo(date(2026, 7, 5)),
        due=date(2026, 7, 19),
        closed=tokyo(date(2026, 7, 6)),
    )
    add_request(
        database,
        kind=k.ERASURE,
        state=s.WITHDRAWN,
        received=tokyo(date(2026, 8, 1)),
        due=date(2026, 8, 15),
        closed=tokyo(date(2026, 8, 3)),
    )
    add_request(  # open at the end of the period, overdue today
        database,
        kind=k.ERASURE,
        state=s.IN_REVIEW,
        received=tokyo(date(2027, 3, 20)),
        due=date(2027, 4, 3),
    )
    add_request(  # after the period
        database,
        kind=k.CORRECTION,
        state=s.RECEIVED,
        received=tokyo(date(2027, 4, 2)),
        due=date(2027, 4, 16),
    )
    add_request(  # never arrived (e-mail not proved)
        database, kind=k.DISCLOSURE, state=s.EMAIL_UNVERIFIED, received=None, due=None
    )


def _incident(
    database: Database, cipher: FieldCipher, known_on: date, persons: int, title: str
) -> str:
    fields = IncidentFields(
        title=title,
        kind=IncidentKind.LEAKAGE,
        certainty=Certainty.CONFIRMED,
        knowledge=[KnowledgeInput(department="営業部", known_on=known_on)],
        persons=persons,
    )
    with database.uow() as session:
        view = record_incident(
            session=session, cipher=cipher, actor=ACTOR, fields=fields, today=TODAY
        )
    return view.id


def _step(
    database: Database, cipher: FieldCipher, incident_id: str, step: IncidentStep, on: date
) -> None:
    with database.uow() as session:
        record_step(
            session=session,
            cipher=cipher,
            actor=ACTOR,
            incident_id=incident_id,
            step=step,
            on=on,
            today=TODAY,
        )


def seed_incidents(database: Database, cipher: FieldCipher) -> None:
    """Incidents whose figures over SINCE..UNTIL (as of TODAY) are: known 3 (May, September,
    February), reportable 2 (May, February), preliminary on time 1, final on time 1, final
    overdue 1; open today 4, of which 2 must be reported and 1 is overdue."""
    first = _incident(database, cipher, date(2026, 5, 12), 1500, "名簿の誤送信")
    _step(database, cipher, first, IncidentStep.PRELIMINARY_REPORTED, date(2026, 5, 14))
    _step(database, cipher, first, IncidentStep.FINAL_REPORTED, date(2026, 6, 1))
    _incident(database, cipher, date(2026, 9, 1), 10, "USBメモリの紛失")
    _incident(database, cipher, date(2027, 2, 1), 2000, "不正アクセス")
    _incident(database, cipher, date(2026, 3, 1), 10, "前年度の事案")


@dataclass(frozen=True)
class Entry:
    actor: str
    action: str
    object_id: str
    details: dict[str, Any]


def audit_entries(database: Database, prefix: str = "review.") -> list[Entry]:
    with database.read() as session:
        rows = session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars()
        return [
            Entry(r.actor, r.action, r.object_id, dict(r.details))
            for r in rows
            if r.action.startswith(prefix)
        ]
