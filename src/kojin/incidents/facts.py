"""An incident row and the facts the law layer classifies on (:class:`BreachFacts`).

The register keeps the facts in two places: plain columns for what the law layer reads (kind,
certainty, role, dates, flags, counts) and one encrypted JSON object for everything staff typed
(:data:`DETAIL_FIELDS`). This module reads a row back into a complete
:class:`~kojin.incidents.schemas.IncidentFields`, writes one into a row, and derives the
:class:`BreachFacts` (the clock starts on the earliest day any department knew: R-BR-IMPL).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from kojin.crypto.cipher import FieldCipher
from kojin.incidents.models import Incident, IncidentLedgerRow
from kojin.incidents.records import seal, unseal
from kojin.incidents.schemas import IncidentFields, KnowledgeInput
from kojin.law.breach import BreachAssessment, BreachFacts, assess_breach
from kojin.law.breach_vocabulary import BreachRole, Certainty, IncidentKind

#: the facts kept as plain columns of ``incidents`` (the law layer's input)
DATE_COLUMNS: Final = ("occurred_on", "entruster_notified_on", "entrustee_notice_received_on")
FLAG_COLUMNS: Final = (
    "special_care",
    "property_damage_risk",
    "wrongful_purpose",
    "acquisition_stage",
    "my_number",
    "number_systems",
    "unspecified_exposure",
    "encrypted",
    "retrieved_unseen",
    "intact_copy_exists",
)
#: the lists and texts kept in the encrypted ``details_enc`` object
LIST_FIELDS: Final = ("entrustees", "data_items", "systems", "people_in_charge")
TEXT_FIELDS: Final = (
    "counterpart",
    "data_medium",
    "subjects_kind",
    "discoverer",
    "summary",
    "cause",
    "caused_by",
    "actions_taken",
    "secondary_damage",
    "response_to_persons",
    "publication",
    "recurrence_prevention",
    "other",
    "encryption_justification",
)
DETAIL_FIELDS: Final = ("knowledge", *LIST_FIELDS, *TEXT_FIELDS)


def earliest_knowledge(knowledge: list[KnowledgeInput]) -> date | None:
    """The first day any department learned of the incident (day 1 of the clocks)."""
    return min((k.known_on for k in knowledge), default=None)


def read_fields(session: Session, cipher: FieldCipher, row: Incident) -> IncidentFields:
    """Every field of the incident, decrypted (all of them set)."""
    details: dict[str, Any] = json.loads(
        unseal(cipher, "incidents", "details", row.id, row.details_enc)
    )
    ledger = session.execute(
        select(IncidentLedgerRow.ledger_entry_id)
        .where(IncidentLedgerRow.incident_id == row.id)
        .order_by(IncidentLedgerRow.ledger_entry_id)
    ).scalars()
    values: dict[str, Any] = {
        "title": unseal(cipher, "incidents", "title", row.id, row.title_enc),
        "kind": row.kind,
        "certainty": row.certainty,
        "role": row.role,
        "persons": row.persons,
        "persons_upper": row.persons_upper,
        "ledger_rows": list(ledger),
        "knowledge": details.get("knowledge", []),
    }
    for name in DATE_COLUMNS + FLAG_COLUMNS:
        values[name] = getattr(row, name)
    for name in LIST_FIELDS:
        values[name] = details.get(name, [])
    for name in TEXT_FIELDS:
        values[name] = details.get(name)
    return IncidentFields.model_validate(values)


def write_fields(
    session: Session, cipher: FieldCipher, row: Incident, fields: IncidentFields
) -> None:
    """Store complete `fields` into `row` (and its ledger links), encrypted where typed."""
    if fields.title is None or fields.kind is None:  # pragma: no cover - checked by callers
        raise ValueError("title and kind are required")
    row.title_enc = seal(cipher, "incidents", "title", row.id, row.key_id, fields.title)
    row.kind = fields.kind.value
    row.certainty = (fields.certainty or Certainty.SUSPECTED).value
    row.role = (fields.role or BreachRole.OPERATOR).value
    row.persons = fields.persons or 0
    row.persons_upper = fields.persons_upper
    for name in DATE_COLUMNS:
        setattr(row, name, getattr(fields, name))
    for name in FLAG_COLUMNS:
        setattr(row, name, bool(getattr(fields, name)))
    knowledge = fields.knowledge or []
    row.known_on = earliest_knowledge(knowledge)
    details: dict[str, Any] = {
        "knowledge": [k.model_dump(mode="json") for k in knowledge],
    }
    for name in LIST_FIELDS:
        details[name] = list(getattr(fields, name) or [])
    for name in TEXT_FIELDS:
        details[name] = getattr(fields, name)
    row.details_enc = seal(
        cipher,
        "incidents",
        "details",
        row.id,
        row.key_id,
        json.dumps(details, ensure_ascii=False, sort_keys=True),
    )
    wanted = list(dict.fromkeys(fields.ledger_rows or []))
    stored = session.execute(
        select(IncidentLedgerRow).where(IncidentLedgerRow.incident_id == row.id)
    ).scalars()
    for link in stored:
        if link.ledger_entry_id not in wanted:
            session.delete(link)
        else:
            wanted.remove(link.ledger_entry_id)
    for entry_id in wanted:
        session.add(IncidentLedgerRow(incident_id=row.id, ledger_entry_id=entry_id))


def breach_facts(fields: IncidentFields) -> BreachFacts:
    """The law layer's input on complete `fields` (consistency checked by the caller)."""
    return BreachFacts(
        kind=fields.kind or IncidentKind.LEAKAGE,
        certainty=fields.certainty or Certainty.SUSPECTED,
        occurred_on=fields.occurred_on,
        known_on=earliest_knowledge(fields.knowledge or []),
        role=fields.role or BreachRole.OPERATOR,
        entruster_notified_on=fields.entruster_notified_on,
        entrustee_notice_received_on=fields.entrustee_notice_received_on,
        special_care=bool(fields.special_care),
        property_damage_risk=bool(fields.property_damage_risk),
        wrongful_purpose=bool(fields.wrongful_purpose),
        acquisition_stage=bool(fields.acquisition_stage),
        persons=fields.persons or 0,
        persons_upper=fields.persons_upper,
        my_number=bool(fields.my_number),
        number_systems=bool(fields.number_systems),
        unspecified_exposure=bool(fields.unspecified_exposure),
        encrypted=bool(fields.encrypted),
        encryption_justification=fields.encryption_justification,
        retrieved_unseen=bool(fields.retrieved_unseen),
        intact_copy_exists=bool(fields.intact_copy_exists),
    )


def store_assessment(row: Incident, assessment: BreachAssessment) -> None:
    """Keep the assessment's outcome and clocks on the row (the register and the reminders
    read them)."""
    row.must_report = assessment.must_report
    row.reportable_appi = assessment.reportable_appi
    row.reportable_mn = assessment.reportable_mn
    row.opens_article_35_5 = assessment.opens_article_35_5
    row.preliminary_by = assessment.preliminary_by
    row.final_due = assessment.final_due


def assess(fields: IncidentFields) -> BreachAssessment:
    return assess_breach(breach_facts(fields))
