"""The chain holds the digest of each decision row and provision record exactly as stored, so
that a row changed behind kojin's back can be told (see :mod:`kojin.registry.integrity`).

The digests are computed from the dicts inserted; read back from SQLite or PostgreSQL (JSON
columns, timestamps in UTC with microseconds, booleans) the same rows give the same digests.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Table, select

from kojin.audit.models import AuditEntry
from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.law.decision_schemas import DecisionRequest, Recipient
from kojin.law.policy_facts import PolicyFacts
from kojin.law.vocabulary import Action
from kojin.policy import load_policy, to_facts
from kojin.registry.consents import ConsentCreate, ConsentMethod, record_consent
from kojin.registry.decisions import decide_batch
from kojin.registry.decisions.models import DecisionRecord
from kojin.registry.decisions.service import DECISION_DIGEST_COLUMNS, PROVISION_DIGEST_COLUMNS
from kojin.registry.provisions import ProvisionDetails, RecordForm
from kojin.registry.provisions.models import ProvisionRecord
from kojin.registry.row_digest import row_digest, table_columns
from kojin.registry.subjects import SubjectCreate, create_subject

_decisions = cast(Table, DecisionRecord.__table__)
_provisions = cast(Table, ProvisionRecord.__table__)


@pytest.fixture(scope="module")
def policy() -> PolicyFacts:
    return to_facts(load_policy(None))


POLICY: PolicyFacts = to_facts(load_policy(None))


def _consenting_subject(database: Database, cipher: FieldCipher) -> str:
    with database.uow() as session:
        subject_id = create_subject(
            session=session,
            cipher=cipher,
            subject_in=SubjectCreate(category="customer"),
            actor="t",
            policy=POLICY,
        ).id
        record_consent(
            session=session,
            consent_in=ConsentCreate(
                subject_id=subject_id,
                category="customer",
                notice_version="2026-01",
                method=ConsentMethod.CHECKBOX,
            ),
            actor="t",
            policy=POLICY,
        )
    return subject_id


def _requests(subject_id: str) -> list[DecisionRequest]:
    provide: dict[str, Any] = {
        "action": Action.PROVIDE,
        "category": "customer",
        "purpose": "provide_services",
        "recipient": Recipient(name="Partner KK 株式会社", country="JP"),
    }
    return [
        DecisionRequest.model_validate({**provide, "subject_id": subject_id}),
        DecisionRequest.model_validate({**provide, "consent": {"given": True}}),
        DecisionRequest(action=Action.USE, category="customer", purpose="provide_services"),
        DecisionRequest.model_validate(provide),  # denied: no consent, no record
    ]


def _stored(database: Database) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """The decision chain entries' details, and the rows as a fresh engine reads them back."""
    again = Database.from_url(database.engine.url.render_as_string(hide_password=False))
    try:
        with again.read() as session:
            details = list(
                session.execute(
                    select(AuditEntry.details)
                    .where(AuditEntry.action == "decision.recorded")
                    .order_by(AuditEntry.seq)
                ).scalars()
            )
            rows = {
                row.id: dict(row._mapping)
                for table in (_decisions, _provisions)
                for row in session.execute(select(table))
            }
    finally:
        again.dispose()
    return details, rows


@pytest.mark.parametrize(
    "now",
    [
        None,  # the clock, with its microseconds
        datetime(2026, 11, 30, 1, 2, 3, 456789, tzinfo=ZoneInfo("Asia/Tokyo")),
        datetime(2028, 2, 29, 23, 59, 59, 999999, tzinfo=UTC),  # purge_after on 28 February
    ],
    ids=["clock", "tokyo", "leap-day"],
)
def test_rows_read_back_match_the_chained_digests(
    database: Database, cipher: FieldCipher, policy: PolicyFacts, now: datetime | None
) -> None:
    subject_id = _consenting_subject(database, cipher)
    details = [
        ProvisionDetails(items=["氏名", "email"]),
        ProvisionDetails(
            items=["name"],
            record_form=RecordForm.CONTRACT_SUBSTITUTE,
            contract_reference="契約 c-9",
        ),
        None,
        None,
    ]
    with database.uow() as session:
        recorded = decide_batch(
            session=session,
            requests=_requests(subject_id),
            policy=policy,
            actor="t",
            provisions=details,
            now=now,
        )
    assert [len(r.provision_ids) for r in recorded] == [1, 1, 0, 0]
    chained, rows = _stored(database)
    assert len(chained) == 4
    for decision, entry in zip(recorded, chained, strict=True):
        assert entry["row_sha256"] == row_digest(rows[decision.id], DECISION_DIGEST_COLUMNS)
        assert entry["provision_sha256"] == {
            pid: row_digest(rows[pid], PROVISION_DIGEST_COLUMNS) for pid in decision.provision_ids
        }
        assert entry["provision_ids"] == decision.provision_ids
        assert "request_sha256" in entry
        assert "decision_sha256" in entry


def test_the_digest_covers_every_column_but_the_entrys_own_seq() -> None:
    assert table_columns(_decisions, exclude=("audit_seq",)) == DECISION_DIGEST_COLUMNS
    assert "allowed" in DECISION_DIGEST_COLUMNS
    assert "audit_seq" not in DECISION_DIGEST_COLUMNS
    assert table_columns(_provisions) == PROVISION_DIGEST_COLUMNS
    assert "recipient_name" in PROVISION_DIGEST_COLUMNS


def test_a_changed_row_no_longer_matches(
    database: Database, cipher: FieldCipher, policy: PolicyFacts
) -> None:
    subject_id = _consenting_subject(database, cipher)
    with database.uow() as session:
        (recorded,) = decide_batch(
            session=session,
            requests=_requests(subject_id)[:1],
            policy=policy,
            actor="t",
        )
    chained, rows = _stored(database)
    row = rows[recorded.id]
    assert chained[0]["row_sha256"] == row_digest(row, DECISION_DIGEST_COLUMNS)
    assert chained[0]["row_sha256"] != row_digest(
        {**row, "allowed": not row["allowed"]}, DECISION_DIGEST_COLUMNS
    )
    (provision_id,) = recorded.provision_ids
    record = rows[provision_id]
    assert chained[0]["provision_sha256"][provision_id] != row_digest(
        {**record, "recipient_name": "Other KK"}, PROVISION_DIGEST_COLUMNS
    )
