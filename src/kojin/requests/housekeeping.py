"""Housekeeping: what the requests, the mail and the staff sign-ins leave behind, purged on a
schedule (``kojin requests purge``, e.g. from cron once a day).

- Requests: documents and inquiry data past the policy's holding periods
  (:func:`~kojin.requests.purge.purge_closed`).
- Mail: outbox messages older than :data:`OUTBOX_DAYS`. They hold addresses and, until sent,
  e-mail codes and references; thirty days covers any look the staff need to take at them.
- Staff sessions: those that ended or reached their absolute end.

One audit entry, ``housekeeping.purged``, records the counts when anything went.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy.orm import Session

from kojin.audit.service import append_entry
from kojin.auth.web_sessions import purge_sessions
from kojin.db.base import utcnow
from kojin.mail.service import purge_outbox
from kojin.policy.model import Policy
from kojin.requests.purge import purge_closed

HOUSEKEEPING_ACTOR: Final = "kojin:housekeeping"

#: a further purge a higher layer adds (e.g. the fulfilment jobs' results): given the session,
#: the policy, the moment and the actor, it purges and returns how much went
PurgeStep = Callable[[Session, Policy, datetime, str], int]
#: how long the mail outbox keeps a message
OUTBOX_DAYS: Final = 30


@dataclass(frozen=True, slots=True)
class HousekeepingReport:
    """What one run purged, as of `at`."""

    at: datetime
    #: request documents and requests whose personal data was purged
    requests_purged: int
    #: outbox messages deleted
    outbox_purged: int
    #: staff sessions deleted
    sessions_purged: int
    #: what the further purge steps purged (the fulfilment jobs' working data and results)
    jobs_purged: int = 0

    @property
    def total(self) -> int:
        return self.requests_purged + self.outbox_purged + self.sessions_purged + self.jobs_purged


def run_housekeeping(
    *,
    session: Session,
    policy: Policy,
    now: datetime | None = None,
    actor: str = HOUSEKEEPING_ACTOR,
    more: Sequence[PurgeStep] = (),
) -> HousekeepingReport:
    """Purge what is past its time as of `now` (see the module docstring), then run the `more`
    steps; returns the counts. Runs in the caller's unit of work."""
    now = now or utcnow()
    report = HousekeepingReport(
        at=now,
        requests_purged=purge_closed(session=session, policy=policy, now=now, actor=actor),
        outbox_purged=purge_outbox(session=session, older_than=now - timedelta(days=OUTBOX_DAYS)),
        sessions_purged=purge_sessions(session=session, older_than=now),
        jobs_purged=sum(step(session, policy, now, actor) for step in more),
    )
    if report.total:
        append_entry(
            session=session,
            actor=actor,
            action="housekeeping.purged",
            object_type="housekeeping",
            object_id=now.isoformat(),
            details={
                "requests_purged": report.requests_purged,
                "outbox_purged": report.outbox_purged,
                "sessions_purged": report.sessions_purged,
                "jobs_purged": report.jobs_purged,
                "outbox_days": OUTBOX_DAYS,
            },
        )
    return report
