"""Export of a statutory payment record (支払調書) for a year and an affair: the one place an
individual number leaves the vault for a file (MNA Art. 19(2): the filing to the tax office).

Only a designated person in charge whose designation covers the affair (and every payee of it)
exports. Each payee's payments of the year become lines with annual totals
(:mod:`~kojin.mynumber.filing.lines`); a payee whose total does not exceed the record's filing
threshold is left out unless asked for (and counted either way). Names and addresses come from
the registry's encrypted identifiers, numbers from the vault (:func:`open_numbers`).

What is recorded, in the caller's transaction: one ``provide`` decision (exception ``mna_19``,
item 2, the tax office as a government recipient in Japan) decided first, so that a refusal
exports nothing; one ``use`` decision per payee whose number is written (a denied one leaves
that payee's number empty); the ``filing_exports`` row with the file's SHA-256; a
``payment_record`` retention item per record written; and the audit entry ``mynumber.exported``
(year, affair, rows, SHA-256 — no number, no name). The file itself is written last (0600, whole
or not at all, never over another file), so any failure before it leaves no file and records
nothing; a caller whose commit then fails removes the file it was given.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel
from sqlalchemy import select

from kojin.audit.service import append_entry
from kojin.crypto.cipher import FieldCipher
from kojin.db.base import utcnow
from kojin.errors import InputError, PermissionDeniedError
from kojin.law.decision_schemas import DecisionRequest, Recipient
from kojin.law.mynumber_vocabulary import Article19Item
from kojin.law.payment_records import PAYMENT_RECORDS, filing_required
from kojin.law.vocabulary import Action, LegalException
from kojin.mynumber.engine import decide_or_refuse
from kojin.mynumber.filing.affairs import FilingAffair, filing_affair, require_affair
from kojin.mynumber.filing.csv_file import HeaderStyle, render_csv
from kojin.mynumber.filing.export_rows import Payee, default_file_name, record_rows
from kojin.mynumber.filing.exports import export_out
from kojin.mynumber.filing.files import write_private_file
from kojin.mynumber.filing.lines import PayeeLines, payee_lines
from kojin.mynumber.filing.models import FilingExport
from kojin.mynumber.filing.payer import Payer
from kojin.mynumber.filing.payment_fields import line_rule
from kojin.mynumber.filing.payments import payments_of_year
from kojin.mynumber.filing.retention import RetentionRules
from kojin.mynumber.filing.retention_items import EXPORT, NewItem, record_items
from kojin.mynumber.filing.schemas import ExportOut
from kojin.mynumber.handlers import HandlerScope, handler_scope
from kojin.mynumber.models import ACTIVE, NumberRecord
from kojin.mynumber.sealing import open_numbers
from kojin.mynumber.vault import Vault, VaultSessions
from kojin.registry.decisions.service import decide_batch
from kojin.registry.subjects.models import Subject

#: the recipient of every payment record: the tax office with jurisdiction over the payer
TAX_OFFICE: Final = Recipient(
    name="所轄税務署 (the tax office with jurisdiction)", country="JP", government=True
)
#: the Art. 19 item the filing relies on: a related-affairs implementer provides as its affairs
#: need (a payer to the tax office)
PROVISION_ITEM: Final = Article19Item.RELATED_AFFAIRS


@dataclass(frozen=True, slots=True)
class ExportOptions:
    """How the file is made."""

    #: also list payees whose annual total does not exceed the filing threshold
    include_below_threshold: bool = False
    #: start the file with a UTF-8 byte order mark (what Excel in Japan needs)
    bom: bool = True
    header: HeaderStyle = HeaderStyle.JA


class ExportSummary(BaseModel):
    """What an export wrote, in counts (never a name or a number)."""

    export: ExportOut
    #: payees in the file, and those below the threshold (left out, or included on request)
    payees: int
    below_threshold: int
    below_threshold_included: bool
    #: payees in the file whose number is empty (no active record for the affair, or a
    #: denied use)
    without_number: int
    #: the ``provide`` decision and the ``use`` decisions recorded
    provide_decision_id: str
    use_decision_ids: list[str]


@dataclass(frozen=True, slots=True)
class PaymentRecordFile:
    """The file's bytes (which hold numbers: hand them to the person in charge only) and what
    was recorded."""

    content: bytes = field(repr=False)
    summary: ExportSummary


def _scope(sessions: VaultSessions, actor: str, affair: str) -> HandlerScope:
    scope = handler_scope(vault=sessions.vault, actor=actor)
    require_affair(scope, affair)
    assert scope is not None
    return scope


def _identities(
    sessions: VaultSessions, cipher: FieldCipher, subject_ids: list[str]
) -> dict[str, tuple[str, str]]:
    """The name and address of each payee; InputError (naming the payees by id) when one
    lacks either."""
    rows = sessions.registry.execute(
        select(Subject.id, Subject.name_enc, Subject.address_enc).where(Subject.id.in_(subject_ids))
    ).all()
    found: dict[str, tuple[str, str]] = {}
    missing: list[str] = []
    for row in rows:
        if row.name_enc is None or row.address_enc is None:
            missing.append(row.id)
            continue
        name = cipher.decrypt(row.name_enc, context=f"subjects.name:{row.id}")
        address = cipher.decrypt(row.address_enc, context=f"subjects.address:{row.id}")
        found[row.id] = (name, address)
    missing.extend(sorted(set(subject_ids) - set(found) - set(missing)))
    if missing:
        raise InputError(
            "the registry holds no name or no address of payee(s) "
            + ", ".join(sorted(missing))
            + ": complete them before the export",
            field="subject_id",
        )
    return found


def _records(sessions: VaultSessions, subject_ids: list[str], affair: str) -> dict[str, str]:
    """The active record (by subject) whose affairs include `affair`."""
    rows = sessions.vault.execute(
        select(NumberRecord.id, NumberRecord.subject_id, NumberRecord.affairs).where(
            NumberRecord.subject_id.in_(subject_ids), NumberRecord.status == ACTIVE
        )
    ).all()
    return {row.subject_id: row.id for row in rows if affair in row.affairs}


def _chosen(
    found: FilingAffair, payees: list[PayeeLines], options: ExportOptions
) -> tuple[list[PayeeLines], int]:
    below = [p for p in payees if not filing_required(found.kind, p.total_yen)]
    if options.include_below_threshold:
        return payees, len(below)
    return [p for p in payees if filing_required(found.kind, p.total_yen)], len(below)


@dataclass(frozen=True, slots=True)
class _Decided:
    provide_id: str
    use_ids: list[str]
    #: the records whose use was allowed, by subject
    allowed: dict[str, str]


def _decide(
    vault: Vault,
    sessions: VaultSessions,
    actor: str,
    found: FilingAffair,
    records: dict[str, str],
    moment: datetime,
) -> _Decided:
    """The ``provide`` decision (refused: DecisionRefusedError, nothing is exported), then
    one ``use`` decision per payee with a record."""
    provide = decide_or_refuse(
        vault=vault,
        sessions=sessions,
        actor=actor,
        request=DecisionRequest(
            action=Action.PROVIDE,
            category=found.category,
            purpose=found.id,
            recipient=TAX_OFFICE,
            exception=LegalException.MNA_19,
            mna_19_item=PROVISION_ITEM,
        ),
        now=moment,
    )
    subjects = sorted(records)
    uses = decide_batch(
        session=sessions.registry,
        requests=[
            DecisionRequest(
                action=Action.USE, category=found.category, purpose=found.id, subject_id=s
            )
            for s in subjects
        ],
        policy=vault.policy,
        actor=actor,
        now=moment,
    )
    return _Decided(
        provide_id=provide.id,
        use_ids=[use.id for use in uses],
        allowed={
            s: records[s] for s, use in zip(subjects, uses, strict=True) if use.decision.allowed
        },
    )


def export_payment_records(
    *,
    vault: Vault,
    sessions: VaultSessions,
    cipher: FieldCipher,
    rules: RetentionRules,
    actor: str,
    year: int,
    affair: str,
    payer: Payer,
    options: ExportOptions = ExportOptions(),
    out: Path | None = None,
    operator: str | None = None,
    now: datetime | None = None,
) -> PaymentRecordFile:
    """Export `affair`'s payment record of `year` (see the module docstring) for the designated
    handler `actor`; with `out`, the file is written there (ConflictError when a file of that
    name exists). `operator` (the command line's user acting for `actor`) joins the audit
    entry."""
    moment = now or utcnow()
    found = filing_affair(vault.policy, affair)
    scope = _scope(sessions, actor, found.id)
    spec = PAYMENT_RECORDS[found.kind]
    payments = payments_of_year(
        session=sessions.registry, cipher=cipher, affair=found.id, year=year
    )
    payees = payee_lines(
        (
            (
                row.subject_id,
                {**fields, "amount_yen": row.amount_yen, "withheld_yen": row.withheld_yen},
            )
            for row, fields in payments
        ),
        line_rule(found.kind),
    )
    outside = [
        p.subject_id for p in payees if not scope.allows(affair=found.id, subject_id=p.subject_id)
    ]
    if outside:
        raise PermissionDeniedError(
            f"the designation does not cover {len(outside)} payee(s) of this affair (R-MN-9)"
        )
    chosen, below = _chosen(found, payees, options)
    if not chosen:
        raise InputError(
            f"no payee of this affair in {year} to report ({len(payees)} payee(s) paid, "
            f"{below} below the filing threshold)",
            field="year",
        )
    subject_ids = [p.subject_id for p in chosen]
    identities = _identities(sessions, cipher, subject_ids)
    decided = _decide(
        vault, sessions, actor, found, _records(sessions, subject_ids, found.id), moment
    )
    allowed = decided.allowed
    numbers = open_numbers(vault=vault, session=sessions.vault, record_ids=list(allowed.values()))
    by_subject = {s: numbers.get(record_id) for s, record_id in allowed.items()}
    rows = record_rows(
        found.kind,
        chosen,
        {s: Payee(*identities[s], by_subject.get(s)) for s in subject_ids},
        payer,
    )
    content = render_csv(spec.columns, rows, header=options.header, bom=options.bom)
    digest = hashlib.sha256(content).hexdigest()
    written = [s for s in subject_ids if by_subject.get(s)]
    export = FilingExport(
        id=uuid.uuid4().hex,
        year=year,
        affair=found.id,
        kind=found.kind.value,
        rows=len(rows),
        payees=len(chosen),
        below_threshold=below,
        file_name=out.name if out is not None else default_file_name(year, found.kind),
        sha256=digest,
        exported_by=actor,
        exported_at=moment,
    )
    sessions.registry.add(export)
    sessions.registry.flush()
    record_items(
        session=sessions.registry,
        rules=rules,
        actor=actor,
        items=[
            NewItem(allowed[s], s, spec.retention_document.value, found.id, spec.deadline(year))
            for s in written
        ],
        source=EXPORT,
        export_id=export.id,
        now=moment,
    )
    details: dict[str, Any] = {
        "year": year,
        "affair": found.id,
        "kind": found.kind.value,
        "rows": len(rows),
        "payees": len(chosen),
        "below_threshold": below,
        "below_threshold_included": options.include_below_threshold,
        "without_number": len(chosen) - len(written),
        "sha256": digest,
        "provide_decision_id": decided.provide_id,
    }
    if operator is not None:
        details["operator"] = operator
    append_entry(
        session=sessions.registry,
        actor=actor,
        action="mynumber.exported",
        object_type="filing_export",
        object_id=export.id,
        details=details,
        now=moment,
    )
    if out is not None:
        write_private_file(out, content)
    summary = ExportSummary(
        export=export_out(export),
        payees=len(chosen),
        below_threshold=below,
        below_threshold_included=options.include_below_threshold,
        without_number=len(chosen) - len(written),
        provide_decision_id=decided.provide_id,
        use_decision_ids=decided.use_ids,
    )
    return PaymentRecordFile(content=content, summary=summary)
