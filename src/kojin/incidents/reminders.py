"""E-mail reminders of the report deadlines (Rule 8; R-BR-4, R-BR-5) to the privacy office.

For each open incident the company must report and whose report is not recorded yet:

- preliminary report: on days 3 and 5 of the guide (day 1 = the first day any department knew),
  then every day after the guide has passed;
- final report: 7, 3 and 1 days before the due date and on the day itself, then every day
  while it is overdue.

Each (incident, stage, day) is reminded at most once (``incident_reminders``), so running this
hourly sends one mail a day per address. A reminder names the reference, the stage, the due
date and the days left: never a personal detail, nor the incident's title.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from kojin.audit.service import lock_chain
from kojin.crypto.cipher import FieldCipher
from kojin.db.base import utcnow
from kojin.errors import ConfigurationError
from kojin.incidents.models import Incident, IncidentReminder
from kojin.incidents.records import new_id, record_event
from kojin.incidents.schemas import IncidentStatus, ReportStage
from kojin.law.breach_clock import days_left, nth_day
from kojin.mail.message import MailMessage
from kojin.mail.service import deliver
from kojin.policy.model import Policy
from kojin.requests.housekeeping import PurgeStep
from kojin.requests.print_templates import TOKYO, format_date
from kojin.settings import Settings

log = logging.getLogger("kojin.incidents")

#: the actor the history and the audit chain name for reminders
REMINDER_ACTOR: Final = "kojin:incident-reminders"
#: the mail's purpose in the outbox
REMINDER_PURPOSE: Final = "incident.reminder"
#: the days of the preliminary guide on which a reminder goes out (then daily after day 5)
PRELIMINARY_DAYS: Final = (3, 5)
#: the days before the final due date on which a reminder goes out (then daily when overdue)
FINAL_DAYS_BEFORE: Final = (7, 3, 1, 0)

_STAGE_JA: Final = {ReportStage.PRELIMINARY: "速報", ReportStage.FINAL: "確報"}
_STAGE_EN: Final = {
    ReportStage.PRELIMINARY: "preliminary report",
    ReportStage.FINAL: "final report",
}


def recipients(settings: Settings) -> list[str]:
    """The addresses of ``settings.incident_reminder_to`` (comma-separated)."""
    raw = settings.incident_reminder_to or ""
    return list(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))


def due_reminders(row: Incident, today: date) -> list[tuple[ReportStage, date, int]]:
    """The reminders due today for `row`: (stage, due date, days left)."""
    if row.status != IncidentStatus.OPEN.value or not row.must_report or row.known_on is None:
        return []
    due: list[tuple[ReportStage, date, int]] = []
    reported = row.final_reported_on is not None
    if row.preliminary_by is not None and row.preliminary_reported_on is None and not reported:
        guide_days = {nth_day(row.known_on, n) for n in PRELIMINARY_DAYS}
        if today in guide_days or today > row.preliminary_by:
            due.append(
                (
                    ReportStage.PRELIMINARY,
                    row.preliminary_by,
                    days_left(row.preliminary_by, today=today),
                )
            )
    if row.final_due is not None and not reported:
        left = days_left(row.final_due, today=today)
        if left in FINAL_DAYS_BEFORE or left < 0:
            due.append((ReportStage.FINAL, row.final_due, left))
    return due


def reminder_text(reference: str, stage: ReportStage, due: date, left: int) -> tuple[str, str]:
    """(subject, body) of a reminder, in Japanese and English."""
    if left < 0:
        ja_left, en_left = f"期限を{-left}日過ぎています", f"{-left} day(s) overdue"
    elif left == 0:
        ja_left, en_left = "本日が期限です", "due today"
    else:
        ja_left, en_left = f"残り{left}日", f"{left} day(s) left"
    subject = f"[kojin] {reference} {_STAGE_JA[stage]}: {ja_left} / {_STAGE_EN[stage]}: {en_left}"
    what_ja = "速報の目安" if stage is ReportStage.PRELIMINARY else "確報の期限"
    what_en = (
        "The guide for the preliminary report"
        if stage is ReportStage.PRELIMINARY
        else "The final report is due"
    )
    body = "\n".join(
        [
            f"事案 {reference} の個人情報保護委員会への{_STAGE_JA[stage]}が未了です。",
            f"{what_ja}: {format_date(due, 'ja')}（{ja_left}）",
            "報告を行ったら、kojin に報告日を記録してください。",
            "",
            f"The {_STAGE_EN[stage]} on incident {reference} to the Personal Information "
            "Protection Commission is not recorded yet.",
            f"{what_en}: {format_date(due, 'en')} ({en_left}).",
            "Once it is filed, record the date in kojin.",
            "",
        ]
    )
    return subject, body


def send_reminders(
    *, session: Session, cipher: FieldCipher, settings: Settings, today: date
) -> int:
    """Send the reminders due `today` to every address of ``settings.incident_reminder_to``
    (none configured: nothing); returns the mails sent. ``incident.reminder_sent`` for each."""
    addresses = recipients(settings)
    if not addresses:
        return 0
    candidates = session.execute(
        select(Incident).where(
            Incident.status == IncidentStatus.OPEN.value, Incident.must_report.is_(True)
        )
    ).scalars()
    plans = [
        (row, stage, due, left)
        for row in candidates
        for stage, due, left in due_reminders(row, today)
    ]
    if not plans:
        return 0
    lock_chain(session=session)  # one run at a time decides what was sent already
    sent = 0
    now = utcnow()
    for row, stage, due, left in plans:
        done = session.execute(
            select(IncidentReminder.id).where(
                IncidentReminder.incident_id == row.id,
                IncidentReminder.stage == stage.value,
                IncidentReminder.day == today,
            )
        ).first()
        if done is not None:
            continue
        subject, body = reminder_text(row.reference, stage, due, left)
        for address in addresses:
            deliver(
                session=session,
                cipher=cipher,
                settings=settings,
                message=MailMessage(to=address, subject=subject, text=body),
                purpose=REMINDER_PURPOSE,
                now=now,
            )
            sent += 1
        session.add(
            IncidentReminder(
                id=new_id(),
                incident_id=row.id,
                stage=stage.value,
                day=today,
                sent_at=now,
                recipients=len(addresses),
            )
        )
        record_event(
            session=session,
            row=row,
            actor=REMINDER_ACTOR,
            action="incident.reminder_sent",
            fields=(stage.value,),
            now=now,
            details={
                "stage": stage.value,
                "day": today.isoformat(),
                "due": due.isoformat(),
                "days_left": left,
                "recipients": len(addresses),
            },
        )
    return sent


def reminder_step(settings: Settings, cipher: FieldCipher | Callable[[], FieldCipher]) -> PurgeStep:
    """A housekeeping step (:data:`kojin.requests.housekeeping.PurgeStep`) that sends the
    reminders due on the run's day (Tokyo date) in the housekeeping unit of work; returns the
    mails sent. `cipher` may be a function that builds it (called at each run)."""

    def step(session: Session, _policy: Policy, now: datetime, _actor: str) -> int:
        if not recipients(settings):
            return 0
        try:
            field_cipher = cipher if isinstance(cipher, FieldCipher) else cipher()
        except ConfigurationError as exc:
            log.warning("incident reminders: no field cipher (%s)", type(exc).__name__)
            return 0
        return send_reminders(
            session=session,
            cipher=field_cipher,
            settings=settings,
            today=now.astimezone(TOKYO).date(),
        )

    return step
