"""The incident register's service functions (signatures first; bodies follow module by
module)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from kojin.crypto.cipher import FieldCipher
from kojin.incidents.schemas import (
    IncidentFields,
    IncidentFigures,
    IncidentStatus,
    IncidentStep,
    IncidentSummary,
    IncidentView,
    NoticeReport,
    PersonInput,
    PersonView,
    ReportStage,
)
from kojin.policy.model import Policy
from kojin.policy.model_base import Lang
from kojin.settings import Settings


def record_incident(
    *, session: Session, cipher: FieldCipher, actor: str, fields: IncidentFields, today: date
) -> IncidentView:
    raise NotImplementedError


def update_incident(
    *,
    session: Session,
    cipher: FieldCipher,
    actor: str,
    incident_id: str,
    fields: IncidentFields,
    today: date,
) -> IncidentView:
    raise NotImplementedError


def get_incident(
    *, session: Session, cipher: FieldCipher, incident_id: str, today: date
) -> IncidentView:
    raise NotImplementedError


def incident_id_for(*, session: Session, reference: str) -> str | None:
    raise NotImplementedError


def list_incidents(
    *, session: Session, cipher: FieldCipher, today: date, status: IncidentStatus | None = None
) -> list[IncidentSummary]:
    raise NotImplementedError


def record_step(
    *,
    session: Session,
    cipher: FieldCipher,
    actor: str,
    incident_id: str,
    step: IncidentStep,
    on: date,
    today: date,
) -> IncidentView:
    raise NotImplementedError


def add_person(
    *, session: Session, cipher: FieldCipher, actor: str, incident_id: str, person: PersonInput
) -> PersonView:
    raise NotImplementedError


def import_people(
    *, session: Session, cipher: FieldCipher, actor: str, incident_id: str, data: bytes
) -> int:
    raise NotImplementedError


def list_people(*, session: Session, cipher: FieldCipher, incident_id: str) -> list[PersonView]:
    raise NotImplementedError


def send_notices(
    *,
    session: Session,
    cipher: FieldCipher,
    settings: Settings,
    policy: Policy,
    actor: str,
    incident_id: str,
    today: date,
) -> NoticeReport:
    raise NotImplementedError


def ppc_report_html(*, view: IncidentView, policy: Policy, stage: ReportStage, today: date) -> str:
    raise NotImplementedError


def ppc_report_pdf(*, view: IncidentView, policy: Policy, stage: ReportStage, today: date) -> bytes:
    raise NotImplementedError


def notice_text(
    *, view: IncidentView, person: PersonView, policy: Policy, settings: Settings
) -> tuple[str, str]:
    raise NotImplementedError


def publication_html(*, view: IncidentView, policy: Policy, settings: Settings, lang: Lang) -> str:
    raise NotImplementedError


def record_draft(*, session: Session, actor: str, incident_id: str, what: str) -> None:
    raise NotImplementedError


def incident_figures(*, session: Session, cipher: FieldCipher, today: date) -> IncidentFigures:
    raise NotImplementedError


def send_reminders(
    *, session: Session, cipher: FieldCipher, settings: Settings, today: date
) -> int:
    raise NotImplementedError


def open_for_requests(*, session: Session, reference: str) -> bool:
    raise NotImplementedError
