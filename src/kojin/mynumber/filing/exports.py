"""The payment-record files handed out: listed (what, when, by whom, SHA-256; never the
content), and marked deleted once the copy is gone, so that the status register (R-MN-9) shows
which files holding numbers still exist."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from kojin.audit.service import append_entry
from kojin.db.base import utcnow
from kojin.errors import ConflictError, NotFoundError
from kojin.mynumber.filing.affairs import AffairScope, require_affair
from kojin.mynumber.filing.models import FilingExport
from kojin.mynumber.filing.schemas import ExportOut
from kojin.registry.subjects.text import is_row_id

EXPORT_NOT_FOUND: Final = "export not found"


def export_out(row: FilingExport) -> ExportOut:
    return ExportOut(
        id=row.id,
        year=row.year,
        affair=row.affair,
        kind=row.kind,
        rows=row.rows,
        payees=row.payees,
        below_threshold=row.below_threshold,
        file_name=row.file_name,
        sha256=row.sha256,
        exported_by=row.exported_by,
        exported_at=row.exported_at,
        deleted_at=row.deleted_at,
        deleted_by=row.deleted_by,
    )


def list_exports(
    *,
    session: Session,
    affair: str | None = None,
    year: int | None = None,
    held_only: bool = False,
) -> list[ExportOut]:
    """The exports, oldest first; `held_only`: those not marked deleted."""
    query = select(FilingExport).order_by(FilingExport.exported_at, FilingExport.id)
    if affair is not None:
        query = query.where(FilingExport.affair == affair)
    if year is not None:
        query = query.where(FilingExport.year == year)
    if held_only:
        query = query.where(FilingExport.deleted_at.is_(None))
    return [export_out(row) for row in session.execute(query).scalars()]


def get_export(*, session: Session, export_id: str) -> FilingExport:
    """The export `export_id`; NotFoundError otherwise."""
    row = session.get(FilingExport, export_id) if is_row_id(export_id) else None
    if row is None:
        raise NotFoundError(EXPORT_NOT_FOUND)
    return row


def mark_export_deleted(
    *,
    session: Session,
    actor: str,
    scope: AffairScope | None,
    export_id: str,
    now: datetime | None = None,
) -> ExportOut:
    """Record that every copy of an export's file is deleted (R-MN-7): by a person in charge
    of its affair; ConflictError when it is already marked. Chained as
    ``mynumber.export_deleted`` with the file's SHA-256."""
    row = get_export(session=session, export_id=export_id)
    require_affair(scope, row.affair)
    if row.deleted_at is not None:
        raise ConflictError("this export is already marked deleted")
    row.deleted_at = now or utcnow()
    row.deleted_by = actor
    append_entry(
        session=session,
        actor=actor,
        action="mynumber.export_deleted",
        object_type="filing_export",
        object_id=row.id,
        details={"year": row.year, "affair": row.affair, "sha256": row.sha256},
        now=row.deleted_at,
    )
    return export_out(row)
