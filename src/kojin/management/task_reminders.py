"""E-mail reminders of the obligation tasks overdue or coming due, to the privacy office.

Each run gathers the open tasks that are

- ``overdue``: past their due date (reminded every day while they stay open), or
- ``due_soon``: due in 7, 3 or 1 days, or today (within the 7 days, on those days only),

and not yet reminded for that stage on that day (``obligation_task_reminders``), and sends one
digest mail per address of ``KOJIN_OBLIGATION_REMINDER_TO`` through the mail path of the incident
reminders (:func:`kojin.mail.service.deliver`: SMTP, or the encrypted outbox). Running it hourly
thus sends at most one mail a day per address. The mail names each task's duty, citation, due
date, days left and id (with a link when ``KOJIN_PUBLIC_URL`` is set): never an owner's name, a
recipient's name or a text staff typed. Each task reminded gets a ``task.reminder_sent`` step
in its history and the audit chain.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from kojin.audit.service import lock_chain
from kojin.crypto.cipher import FieldCipher
from kojin.db.base import utcnow
from kojin.errors import ConfigurationError
from kojin.mail.message import MailMessage
from kojin.mail.service import deliver
from kojin.policy.model import Policy
from kojin.registry.obligations.figures import tokyo_day
from kojin.registry.obligations.models import ObligationTask, ObligationTaskReminder
from kojin.registry.obligations.schemas import TaskStatus
from kojin.registry.obligations.service import record_step
from kojin.requests.housekeeping import PurgeStep
from kojin.settings import Settings

log = logging.getLogger("kojin.obligations")

#: the actor the history and the audit chain name for reminders
REMINDER_ACTOR: Final = "kojin:task-reminders"
#: the mail's purpose in the outbox
REMINDER_PURPOSE: Final = "obligation.reminder"
#: the days before the due date on which a "due soon" reminder goes out
DUE_SOON_DAYS: Final = (7, 3, 1, 0)
#: the window of "due soon"
WINDOW_DAYS: Final = 7
OVERDUE: Final = "overdue"
DUE_SOON: Final = "due_soon"


def recipients(settings: Settings) -> list[str]:
    """The addresses of ``settings.obligation_reminder_to`` (comma-separated)."""
    raw = settings.obligation_reminder_to or ""
    return list(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))


def stage_of(due_on: date, today: date) -> str | None:
    """``overdue``, ``due_soon`` or None (no reminder today) for an open task."""
    left = (due_on - today).days
    if left < 0:
        return OVERDUE
    if left in DUE_SOON_DAYS:
        return DUE_SOON
    return None


def _line(task: ObligationTask, today: date, base_url: str | None) -> str:
    left = (task.due_on - today).days
    when = (
        f"{-left}日超過 / {-left} day(s) overdue"
        if left < 0
        else f"残り{left}日 / {left} day(s) left"
    )
    link = f" {base_url.rstrip('/')}/admin/obligations/{task.id}" if base_url else ""
    due = task.due_on.isoformat()
    return f"- {task.code} ({task.rule}, {task.citation}) 期限 due {due} {when} [{task.id}]{link}"


def reminder_text(
    overdue: list[ObligationTask], soon: list[ObligationTask], today: date, base_url: str | None
) -> tuple[str, str]:
    """(subject, body) of the digest, in Japanese and English."""
    subject = (
        f"[kojin] 義務タスク: 期限超過 {len(overdue)}件・期限間近 {len(soon)}件 / "
        f"obligation tasks: {len(overdue)} overdue, {len(soon)} due soon"
    )
    lines = [
        "期限を過ぎた、又は7日以内に期限が来る義務タスクがあります。",
        "There are obligation tasks overdue or due within 7 days.",
        "",
    ]
    if overdue:
        lines += ["期限超過 / Overdue:", *(_line(t, today, base_url) for t in overdue), ""]
    if soon:
        lines += ["期限間近 / Due soon:", *(_line(t, today, base_url) for t in soon), ""]
    lines += [
        "証跡を添えて kojin でタスクを完了してください（kojin obligations close）。",
        "Close each task in kojin with its evidence (kojin obligations close).",
        "",
    ]
    return subject, "\n".join(lines)


def send_reminders(
    *,
    session: Session,
    cipher: FieldCipher,
    settings: Settings,
    today: date,
    now: datetime | None = None,
) -> int:
    """Send the digest of the tasks due a reminder `today` to every address of
    ``settings.obligation_reminder_to`` (none configured: nothing); returns the mails sent."""
    addresses = recipients(settings)
    if not addresses:
        return 0
    candidates = session.execute(
        select(ObligationTask)
        .where(
            ObligationTask.status == TaskStatus.OPEN.value,
            ObligationTask.due_on <= today + timedelta(days=WINDOW_DAYS),
        )
        .order_by(ObligationTask.due_on, ObligationTask.id)
    ).scalars()
    plans = [(row, stage) for row in candidates if (stage := stage_of(row.due_on, today))]
    if not plans:
        return 0
    lock_chain(session=session)  # one run at a time decides what was sent already
    done = {
        (str(task_id), str(stage))
        for task_id, stage in session.execute(
            select(ObligationTaskReminder.task_id, ObligationTaskReminder.stage).where(
                ObligationTaskReminder.day == today
            )
        )
    }
    plans = [(row, stage) for row, stage in plans if (row.id, stage) not in done]
    if not plans:
        return 0
    ts = now or utcnow()
    overdue = [row for row, stage in plans if stage == OVERDUE]
    soon = [row for row, stage in plans if stage == DUE_SOON]
    subject, body = reminder_text(overdue, soon, today, settings.public_url or None)
    for address in addresses:
        deliver(
            session=session,
            cipher=cipher,
            settings=settings,
            message=MailMessage(to=address, subject=subject, text=body),
            purpose=REMINDER_PURPOSE,
            now=ts,
        )
    for row, stage in plans:
        session.add(
            ObligationTaskReminder(
                id=uuid.uuid4().hex,
                task_id=row.id,
                stage=stage,
                day=today,
                sent_at=ts,
                recipients=len(addresses),
            )
        )
        record_step(
            session=session,
            cipher=cipher,
            row=row,
            actor=REMINDER_ACTOR,
            action="task.reminder_sent",
            fields=(stage,),
            now=ts,
            details={
                "stage": stage,
                "day": today.isoformat(),
                "due_on": row.due_on.isoformat(),
                "recipients": len(addresses),
            },
        )
    session.flush()
    return len(addresses)


def task_reminder_step(
    settings: Settings, cipher: FieldCipher | Callable[[], FieldCipher]
) -> PurgeStep:
    """A housekeeping step that sends the task reminders due on the run's day (Tokyo date) in
    the housekeeping unit of work; returns the mails sent."""

    def step(session: Session, _policy: Policy, now: datetime, _actor: str) -> int:
        if not recipients(settings):
            return 0
        try:
            field_cipher = cipher if isinstance(cipher, FieldCipher) else cipher()
        except ConfigurationError as exc:
            log.warning("task reminders: no field cipher (%s)", type(exc).__name__)
            return 0
        return send_reminders(
            session=session, cipher=field_cipher, settings=settings, today=tokyo_day(now), now=now
        )

    return step
