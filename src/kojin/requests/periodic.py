"""Housekeeping run by a server at intervals, so purges happen even where no cron job was set.

Start one :class:`PeriodicHousekeeping` per process in the server's lifespan. Several workers may
each run one on the same registry: every purge selects what is past its time and removes it in
one unit of work, so a second worker finds nothing left to do.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from kojin.db.uow import Database
from kojin.periodic import PeriodicThread
from kojin.policy.model import Policy
from kojin.requests.housekeeping import HousekeepingReport, PurgeStep, run_housekeeping
from kojin.settings import Settings

log = logging.getLogger("kojin.requests")


class PeriodicHousekeeping(PeriodicThread):
    """A daemon thread that runs :func:`run_housekeeping` every `interval` seconds (the first
    run one interval after :meth:`start`; nothing when the interval is 0). A failure is logged
    by its class or kojin's message (never values) and tried again at the next interval."""

    def __init__(
        self,
        *,
        database: Database,
        policy: Policy,
        interval: float,
        more: Sequence[PurgeStep] = (),
    ) -> None:
        super().__init__(interval=interval, name="housekeeping", log=log)
        self._database = database
        self._policy = policy
        self._more = tuple(more)
        #: reports of the runs that purged something, newest last (tests and diagnostics)
        self.reports: list[HousekeepingReport] = []

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        database: Database,
        policy: Policy,
        more: Sequence[PurgeStep] = (),
    ) -> PeriodicHousekeeping:
        return cls(
            database=database,
            policy=policy,
            interval=settings.housekeeping_interval,
            more=more,
        )

    def run_now(self) -> HousekeepingReport:
        """One housekeeping run in its own unit of work."""
        with self._database.uow() as session:
            report = run_housekeeping(session=session, policy=self._policy, more=self._more)
        if report.total:
            self.reports.append(report)
            log.info(
                "housekeeping purged %d request(s), %d mail(s), %d session(s)",
                report.requests_purged,
                report.outbox_purged,
                report.sessions_purged,
            )
        return report
