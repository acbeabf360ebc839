"""Risk assessment services (R-PM-1, R-PM-2): assess a ledger row at a lifecycle stage, review
an assessment, read and list them, what is due, and the figures.

An assessment's next review is a year after the day it was assessed (R-PM-1 "review at least
once a year", with the ledger). It is *stale* when its ledger row changed after it was recorded
(R-PM-2 "re-assess on change"): reviewing it clears that. Repositories flush; the caller's unit
of work commits. The audit chain names ids, the stage, the scores and the fields changed, never
the text staff typed, which is stored encrypted (the risk, the measures, the owner).
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from typing import Final

from sqlalchemy import distinct, func, or_, select
from sqlalchemy.orm import Session

from kojin.audit.schemas import AuditEvent
from kojin.audit.service import append_entries
from kojin.crypto.cipher import FieldCipher
from kojin.db.base import utcnow
from kojin.errors import InputError, NotFoundError
from kojin.law.rule_ids import KNOWN_RULE_IDS
from kojin.management.risks.models import RiskAssessment
from kojin.management.risks.schemas import (
    HIGH_RESIDUAL,
    Evaluation,
    RiskFigures,
    RiskInput,
    RiskOut,
    RisksDue,
    Stage,
    UnassessedRow,
)
from kojin.registry.dates import add_years
from kojin.registry.ledger.models import LedgerEntry
from kojin.registry.subjects.text import is_row_id

#: R-PM-1: reviewed at least once a year
REVIEW_INTERVAL_YEARS: Final = 1
#: the management-system ids of APPI-SPEC.md §12, which a risk's measures may answer too
MANAGEMENT_RULE_IDS: Final = frozenset(f"R-PM-{n}" for n in range(1, 12))
#: the ids an assessment may link
LINKABLE_RULE_IDS: Final = KNOWN_RULE_IDS | MANAGEMENT_RULE_IDS
#: the audit chain's object type
OBJECT_TYPE: Final = "risk_assessment"
RISK_NOT_FOUND: Final = "risk assessment not found"
#: the texts kept in ``details_enc``
TEXT_FIELDS: Final = ("risk", "measures", "owner")


def details_context(risk_id: str) -> str:
    return f"risk_assessments.details:{risk_id}"


def seal_details(cipher: FieldCipher, risk_id: str, key_id: str, details: dict[str, str]) -> str:
    """`details` (the texts) encrypted for the assessment `risk_id` under `key_id`."""
    text = json.dumps(details, ensure_ascii=False, sort_keys=True)
    return cipher.encrypt(text, context=details_context(risk_id), key_id=key_id)


def unseal_details(cipher: FieldCipher, risk_id: str, stored: str) -> dict[str, str]:
    """What :func:`seal_details` encrypted."""
    loaded = json.loads(cipher.decrypt(stored, context=details_context(risk_id)))
    return {name: str(loaded.get(name, "")) for name in TEXT_FIELDS}


def _check_rule_ids(rule_ids: list[str]) -> list[str]:
    unknown = [i for i, rule in enumerate(rule_ids) if rule not in LINKABLE_RULE_IDS]
    if unknown:
        raise InputError(
            f"rule_ids: entry {unknown[0] + 1} is not a requirement id of the specification",
            field="rule_ids",
        )
    return sorted(set(rule_ids))


def _ledger_row(session: Session, ledger_entry_id: str) -> LedgerEntry:
    row = session.get(LedgerEntry, ledger_entry_id) if is_row_id(ledger_entry_id) else None
    if row is None:
        raise NotFoundError("ledger entry not found")
    return row


def _load(session: Session, risk_id: str) -> RiskAssessment:
    row = session.get(RiskAssessment, risk_id) if is_row_id(risk_id) else None
    if row is None:
        raise NotFoundError(RISK_NOT_FOUND)
    return row


def _out(row: RiskAssessment, ledger: LedgerEntry, *, cipher: FieldCipher, today: date) -> RiskOut:
    details = unseal_details(cipher, row.id, row.details_enc)
    return RiskOut(
        id=row.id,
        ledger_entry_id=row.ledger_entry_id,
        ledger_item=ledger.item,
        stage=Stage(row.stage),
        risk=details["risk"],
        likelihood=row.likelihood,
        impact=row.impact,
        score=row.likelihood * row.impact,
        evaluation=Evaluation(row.evaluation),
        measures=details["measures"],
        rule_ids=list(row.rule_ids),
        residual_likelihood=row.residual_likelihood,
        residual_impact=row.residual_impact,
        residual_score=row.residual_score,
        high_residual=row.residual_score >= HIGH_RESIDUAL,
        owner=details["owner"],
        assessed_on=row.assessed_on,
        next_review=row.next_review,
        assessed_at=row.assessed_at,
        assessed_by=row.assessed_by,
        stale=ledger.updated_at > row.assessed_at,
        review_overdue=row.next_review < today,
    )


def _apply(
    row: RiskAssessment, risk_in: RiskInput, rule_ids: list[str], cipher: FieldCipher
) -> list[str]:
    values = {
        "stage": risk_in.stage.value,
        "likelihood": risk_in.likelihood,
        "impact": risk_in.impact,
        "evaluation": risk_in.evaluation.value,
        "rule_ids": rule_ids,
        "residual_likelihood": risk_in.residual_likelihood,
        "residual_impact": risk_in.residual_impact,
        "residual_score": risk_in.residual_likelihood * risk_in.residual_impact,
    }
    texts = {"risk": risk_in.risk, "measures": risk_in.measures, "owner": risk_in.owner}
    before = (
        unseal_details(cipher, row.id, row.details_enc)
        if getattr(row, "details_enc", None)
        else dict.fromkeys(TEXT_FIELDS, "")
    )
    changed = [name for name in TEXT_FIELDS if before[name] != texts[name]]
    if changed or not getattr(row, "details_enc", None):
        row.key_id = cipher.current_key_id
        row.details_enc = seal_details(cipher, row.id, row.key_id, texts)
    for key, value in values.items():
        if getattr(row, key, None) != value:
            setattr(row, key, value)
            if key != "residual_score":  # derived: its inputs are named
                changed.append(key)
    return changed


def _event(row: RiskAssessment, *, actor: str, action: str, fields: list[str]) -> AuditEvent:
    return AuditEvent(
        actor=actor,
        action=action,
        object_type=OBJECT_TYPE,
        object_id=row.id,
        details={
            "ledger_entry_id": row.ledger_entry_id,
            "stage": row.stage,
            "score": row.likelihood * row.impact,
            "residual_score": row.residual_score,
            "evaluation": row.evaluation,
            "next_review": row.next_review.isoformat(),
            "fields": sorted(fields),
        },
    )


def _check_day(today: date, assessed_on: date | None) -> date:
    day = assessed_on or today
    if day > today:
        raise InputError("assessed_on: must not be in the future", field="assessed_on")
    return day


def assess_risk(
    *,
    session: Session,
    cipher: FieldCipher,
    ledger_entry_id: str,
    risk_in: RiskInput,
    actor: str,
    today: date,
    assessed_on: date | None = None,
    now: datetime | None = None,
) -> RiskOut:
    """Record a new assessment of a ledger row at one stage; next review a year later."""
    ledger = _ledger_row(session, ledger_entry_id)
    rule_ids = _check_rule_ids(list(risk_in.rule_ids))
    day = _check_day(today, assessed_on)
    moment = now or utcnow()
    row = RiskAssessment(
        id=uuid.uuid4().hex,
        ledger_entry_id=ledger.id,
        assessed_on=day,
        next_review=add_years(day, REVIEW_INTERVAL_YEARS),
        assessed_at=moment,
        assessed_by=actor,
        created_at=moment,
    )
    _apply(row, risk_in, rule_ids, cipher)
    session.add(row)
    session.flush()
    append_entries(
        session=session, events=[_event(row, actor=actor, action="risk.assessed", fields=[])]
    )
    return _out(row, ledger, cipher=cipher, today=today)


def review_risk(
    *,
    session: Session,
    cipher: FieldCipher,
    risk_id: str,
    risk_in: RiskInput,
    actor: str,
    today: date,
    assessed_on: date | None = None,
    now: datetime | None = None,
) -> RiskOut:
    """Review an assessment: its new values (the same ones confirm it), assessed again today
    (or `assessed_on`), next review a year later; no longer stale."""
    row = _load(session, risk_id)
    ledger = _ledger_row(session, row.ledger_entry_id)
    rule_ids = _check_rule_ids(list(risk_in.rule_ids))
    day = _check_day(today, assessed_on)
    changed = _apply(row, risk_in, rule_ids, cipher)
    row.assessed_on = day
    row.next_review = add_years(day, REVIEW_INTERVAL_YEARS)
    row.assessed_at = now or utcnow()
    row.assessed_by = actor
    session.flush()
    append_entries(
        session=session,
        events=[_event(row, actor=actor, action="risk.reviewed", fields=changed)],
    )
    return _out(row, ledger, cipher=cipher, today=today)


def get_risk(*, session: Session, cipher: FieldCipher, risk_id: str, today: date) -> RiskOut:
    """One assessment by id."""
    row = _load(session, risk_id)
    return _out(row, _ledger_row(session, row.ledger_entry_id), cipher=cipher, today=today)


def list_risks(
    *,
    session: Session,
    cipher: FieldCipher,
    today: date,
    ledger_entry_id: str | None = None,
    stage: Stage | None = None,
    high_only: bool = False,
) -> list[RiskOut]:
    """Assessments, highest residual risk first, then by ledger item and stage."""
    query = (
        select(RiskAssessment, LedgerEntry)
        .join(LedgerEntry, LedgerEntry.id == RiskAssessment.ledger_entry_id)
        .order_by(
            RiskAssessment.residual_score.desc(),
            LedgerEntry.item,
            RiskAssessment.stage,
            RiskAssessment.id,
        )
    )
    if ledger_entry_id is not None:
        query = query.where(RiskAssessment.ledger_entry_id == ledger_entry_id)
    if stage is not None:
        query = query.where(RiskAssessment.stage == stage.value)
    if high_only:
        query = query.where(RiskAssessment.residual_score >= HIGH_RESIDUAL)
    return [_out(row, ledger, cipher=cipher, today=today) for row, ledger in session.execute(query)]


def risks_due(*, session: Session, cipher: FieldCipher, today: date) -> RisksDue:
    """Ledger rows never assessed; assessments stale (the row changed since); assessments past
    their yearly review (oldest first)."""
    unassessed = session.execute(
        select(LedgerEntry)
        .where(~LedgerEntry.id.in_(select(RiskAssessment.ledger_entry_id)))
        .order_by(LedgerEntry.category, LedgerEntry.item, LedgerEntry.id)
    ).scalars()
    query = (
        select(RiskAssessment, LedgerEntry)
        .join(LedgerEntry, LedgerEntry.id == RiskAssessment.ledger_entry_id)
        .where(
            or_(
                RiskAssessment.next_review < today,
                LedgerEntry.updated_at > RiskAssessment.assessed_at,
            )
        )
        .order_by(RiskAssessment.next_review, RiskAssessment.id)
    )
    found = [
        _out(row, ledger, cipher=cipher, today=today) for row, ledger in session.execute(query)
    ]
    return RisksDue(
        unassessed=[
            UnassessedRow(
                ledger_entry_id=r.id,
                item=r.item,
                category=r.category,
                responsible_department=r.responsible_department,
            )
            for r in unassessed
        ],
        stale=[r for r in found if r.stale],
        overdue=[r for r in found if r.review_overdue],
    )


def risk_figures(session: Session, *, since: date, until: date, today: date) -> RiskFigures:
    """The figures for the period `since`..`until` (both included) and the state on `today`."""
    if since > until:
        raise InputError("since: must not be after until", field="since")
    rows = session.execute(select(func.count()).select_from(LedgerEntry)).scalar_one()
    assessed = session.execute(
        select(func.count(distinct(RiskAssessment.ledger_entry_id)))
    ).scalar_one()
    due = session.execute(
        select(func.count())
        .select_from(RiskAssessment)
        .join(LedgerEntry, LedgerEntry.id == RiskAssessment.ledger_entry_id)
        .where(
            or_(
                RiskAssessment.next_review < today,
                LedgerEntry.updated_at > RiskAssessment.assessed_at,
            )
        )
    ).scalar_one()
    high = session.execute(
        select(func.count())
        .select_from(RiskAssessment)
        .where(RiskAssessment.residual_score >= HIGH_RESIDUAL)
    ).scalar_one()
    in_period = session.execute(
        select(func.count())
        .select_from(RiskAssessment)
        .where(RiskAssessment.assessed_on >= since, RiskAssessment.assessed_on <= until)
    ).scalar_one()
    return RiskFigures(
        rows=int(rows),
        rows_assessed=int(assessed),
        reviews_overdue=int(due),
        high_residual=int(high),
        assessed_in_period=int(in_period),
    )
