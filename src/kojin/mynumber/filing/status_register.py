"""The status register of specific personal information files (R-MN-9; GL-MN Annex 1): for
each file, its type and name, its purpose, the responsible department, its deletion status and
who may access it. It holds no specific personal information: no number, no name, no
person's id.

The files are the vault's records of each affair, the images of identity documents, and each
payment-record file handed out. The responsible department of an affair's files is the
department of its designated handlers; where none is designated, the department of the
policy's contact for specific personal information (its Japanese name). Access holders are the
designated, unrevoked handlers of the affair (of any affair, for identity documents).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Final, Protocol

from pydantic import BaseModel
from sqlalchemy import func, select

from kojin.law.mynumber_vocabulary import PaymentRecordKind
from kojin.law.payment_records import PAYMENT_RECORDS
from kojin.law.policy_facts import PolicyFacts
from kojin.mynumber.filing.affairs import specific_affairs
from kojin.mynumber.filing.csv_file import BOM
from kojin.mynumber.filing.disposal_due import active_records, retention_items
from kojin.mynumber.filing.exports import list_exports
from kojin.mynumber.filing.retention import RetentionRules
from kojin.mynumber.filing.schedule import ScheduleStatus, schedule_rows
from kojin.mynumber.handlers import list_handlers
from kojin.mynumber.models import ACTIVE, IdentityDocumentImage, NumberRecord
from kojin.mynumber.records import day_in_japan
from kojin.mynumber.vault import VaultSessions
from kojin.policy.model import Policy

#: how the lists of a row are joined in a CSV cell
LIST_SEPARATOR: Final = "; "


class FileType(StrEnum):
    #: the vault's records of one affair (mynumber_records)
    VAULT_RECORDS = "vault_records"
    #: images of identity documents shown for the numbers (mynumber_documents)
    IDENTITY_DOCUMENTS = "identity_documents"
    #: a payment-record CSV handed out for the tax filing
    PAYMENT_RECORD_FILE = "payment_record_file"


class StatusRow(BaseModel):
    """One file of the register."""

    file_id: str
    file_type: FileType
    file_name: str
    #: the affairs it serves (purpose ids) and their titles
    affairs: list[str]
    purpose: str
    responsible_department: str
    #: records (or documents, or the file) still held, disposed of, and held past their due
    active: int
    disposed: int
    overdue: int
    deletion_status: str
    access_holders: list[str]


#: the CSV columns, in order
CSV_COLUMNS: Final = tuple(StatusRow.model_fields)


class Designation(Protocol):
    """A handler's designation (:class:`kojin.mynumber.schemas.HandlerOut`)."""

    @property
    def actor(self) -> str: ...

    @property
    def affairs(self) -> list[str]: ...

    @property
    def department(self) -> str: ...

    @property
    def revoked_at(self) -> datetime | None: ...


@dataclass(frozen=True, slots=True)
class Counts:
    """How many are held, disposed of, and held past their due."""

    active: int = 0
    disposed: int = 0
    overdue: int = 0


@dataclass(frozen=True, slots=True)
class ExportFile:
    """A payment-record file as the register shows it."""

    id: str
    file_name: str
    year: int
    affair: str
    deleted_on: date | None
    #: the last day the filer's copy is kept (None: no rule known)
    retention_until: date | None


def policy_department(policy: Policy) -> str | None:
    """The Japanese name of the department the policy names as the contact for specific
    personal information (None when it names none)."""
    section = policy.specific_personal
    if section is None:
        return None
    contact = policy.contact(section.inquiries.contact)
    return None if contact is None else contact.department.ja


def _holders(designations: Sequence[Designation], affair: str | None) -> list[Designation]:
    return [
        d for d in designations if d.revoked_at is None and (affair is None or affair in d.affairs)
    ]


def _department(holders: Sequence[Designation], fallback: str) -> str:
    named = list(dict.fromkeys(d.department for d in holders if d.department))
    return LIST_SEPARATOR.join(named) if named else fallback


def _records_status(counts: Counts) -> str:
    total = counts.active + counts.disposed
    text = f"{counts.active} held, {counts.disposed} of {total} disposed of"
    if counts.overdue:
        text += f"; {counts.overdue} overdue for disposal"
    return text


def _export_row(
    export: ExportFile,
    titles: Mapping[str, str],
    designations: Sequence[Designation],
    fallback: str,
    today: date,
) -> StatusRow:
    holders = _holders(designations, export.affair)
    overdue = (
        export.deleted_on is None
        and export.retention_until is not None
        and today > export.retention_until
    )
    if export.deleted_on is not None:
        status = f"deleted {export.deleted_on.isoformat()}"
    elif overdue:
        assert export.retention_until is not None
        status = f"held past its retention (until {export.retention_until.isoformat()})"
    else:
        status = "held"
    return StatusRow(
        file_id=f"export:{export.id}",
        file_type=FileType.PAYMENT_RECORD_FILE,
        file_name=f"{export.file_name} ({export.year})",
        affairs=[export.affair],
        purpose=titles.get(export.affair, export.affair),
        responsible_department=_department(holders, fallback),
        active=int(export.deleted_on is None),
        disposed=int(export.deleted_on is not None),
        overdue=int(overdue),
        deletion_status=status,
        access_holders=[d.actor for d in holders],
    )


def build_register(
    *,
    titles: Mapping[str, str],
    records: Mapping[str, Counts],
    documents: Counts,
    exports: Iterable[ExportFile],
    designations: Sequence[Designation],
    fallback_department: str,
    today: date,
) -> list[StatusRow]:
    """The register's rows: one per affair (`titles`, each affair's purpose text; `records`,
    its records' counts), one for identity documents, one per export."""
    rows: list[StatusRow] = []
    for affair, title in titles.items():
        holders = _holders(designations, affair)
        counts = records.get(affair, Counts())
        rows.append(
            StatusRow(
                file_id=f"records:{affair}",
                file_type=FileType.VAULT_RECORDS,
                file_name=f"mynumber_records ({affair})",
                affairs=[affair],
                purpose=title,
                responsible_department=_department(holders, fallback_department),
                active=counts.active,
                disposed=counts.disposed,
                overdue=counts.overdue,
                deletion_status=_records_status(counts),
                access_holders=[d.actor for d in holders],
            )
        )
    holders = _holders(designations, None)
    status = f"{documents.active} held, {documents.disposed} purged"
    if documents.overdue:
        status += f"; {documents.overdue} past their holding period"
    rows.append(
        StatusRow(
            file_id="identity_documents",
            file_type=FileType.IDENTITY_DOCUMENTS,
            file_name="mynumber_documents",
            affairs=list(titles),
            purpose="identity verification on receipt of a number (MNA Art. 16)",
            responsible_department=_department(holders, fallback_department),
            active=documents.active,
            disposed=documents.disposed,
            overdue=documents.overdue,
            deletion_status=status,
            access_holders=[d.actor for d in holders],
        )
    )
    rows.extend(
        _export_row(export, titles, designations, fallback_department, today) for export in exports
    )
    return rows


def _record_counts(sessions: VaultSessions, overdue: set[str]) -> dict[str, Counts]:
    """Per affair: the records held, disposed of and overdue (a record counts for each of its
    affairs)."""
    counts: dict[str, list[int]] = {}
    rows = sessions.vault.execute(
        select(NumberRecord.id, NumberRecord.affairs, NumberRecord.status)
    )
    for row in rows:
        for affair in row.affairs:
            tally = counts.setdefault(affair, [0, 0, 0])
            tally[0 if row.status == ACTIVE else 1] += 1
            tally[2] += int(row.id in overdue)
    return {affair: Counts(*tally) for affair, tally in counts.items()}


def _document_counts(sessions: VaultSessions, now: datetime) -> Counts:
    image = IdentityDocumentImage
    held, purged, late = sessions.vault.execute(
        select(
            func.count().filter(image.purged_at.is_(None)),
            func.count().filter(image.purged_at.is_not(None)),
            func.count().filter(image.purged_at.is_(None), image.purge_after < now),
        )
    ).one()
    return Counts(int(held or 0), int(purged or 0), int(late or 0))


def status_register(
    *,
    sessions: VaultSessions,
    policy: Policy,
    facts: PolicyFacts,
    rules: RetentionRules,
    today: date,
    now: datetime,
) -> list[StatusRow]:
    """The register as it stands (see the module docstring)."""
    overdue = {
        row.record_id
        for row in schedule_rows(
            active_records(sessions.vault, None),
            retention_items(sessions.registry),
            rules,
            today=today,
        )
        if row.status is ScheduleStatus.OVERDUE
    }
    exports = [
        ExportFile(
            id=e.id,
            file_name=e.file_name,
            year=e.year,
            affair=e.affair,
            deleted_on=None if e.deleted_at is None else day_in_japan(e.deleted_at),
            retention_until=_export_until(rules, PaymentRecordKind(e.kind), e.year),
        )
        for e in list_exports(session=sessions.registry)
    ]
    return build_register(
        titles={affair: title[1] for affair, (_, title) in specific_affairs(facts).items()},
        records=_record_counts(sessions, overdue),
        documents=_document_counts(sessions, now),
        exports=exports,
        designations=list_handlers(vault=sessions.vault),
        fallback_department=policy_department(policy) or "",
        today=today,
    )


def _export_until(rules: RetentionRules, kind: PaymentRecordKind, year: int) -> date | None:
    """The last day the filer's copy of `kind`'s record of `year` is kept under `rules`."""
    spec = PAYMENT_RECORDS[kind]
    rule = rules.rules.get(spec.retention_document.value)
    if rule is None:
        return None
    return rules.until(rule.document, reference=spec.deadline(year))


def register_csv(rows: Iterable[StatusRow], *, bom: bool = True) -> bytes:
    """The register as CSV (UTF-8, a BOM by default for Excel; lists joined by "; ")."""
    buffer = io.StringIO()
    if bom:
        buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        values = row.model_dump(mode="json")
        writer.writerow(
            [
                LIST_SEPARATOR.join(v) if isinstance(v, list) else str(v)
                for v in (values[c] for c in CSV_COLUMNS)
            ]
        )
    return buffer.getvalue().encode("utf-8")
