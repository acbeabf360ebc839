"""The server's periodic housekeeping: a thread that purges on its interval, and nothing at 0."""

from __future__ import annotations

import time
from datetime import timedelta

from requests_support import Requests
from sqlalchemy import func, select

from kojin.auth.models import WebSession
from kojin.auth.roles import Role
from kojin.auth.staff import create_staff_user
from kojin.auth.web_sessions import sign_in, sign_out
from kojin.requests.periodic import PeriodicHousekeeping

PASSWORD = "correct horse battery"


def _signed_out_session(requests: Requests) -> None:
    with requests.database.uow() as session:
        create_staff_user(
            session=session, username="officer", password=PASSWORD, role=Role.ADMIN, actor="t"
        )
    with requests.database.uow() as session:
        token, _ = sign_in(
            session=session,
            username="officer",
            password=PASSWORD,
            idle=timedelta(minutes=30),
            max_age=timedelta(hours=8),
        )
    with requests.database.uow() as session:
        sign_out(session=session, token=token)


def _sessions(requests: Requests) -> int:
    with requests.database.read() as session:
        return int(session.execute(select(func.count()).select_from(WebSession)).scalar_one())


def test_the_thread_purges_on_its_interval(requests: Requests) -> None:
    _signed_out_session(requests)
    assert _sessions(requests) == 1
    periodic = PeriodicHousekeeping(
        database=requests.database, policy=requests.policy, interval=0.05
    )
    periodic.start()
    try:
        deadline = time.monotonic() + 10
        while _sessions(requests) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        periodic.stop()
    assert _sessions(requests) == 0
    assert periodic.reports[0].sessions_purged == 1


def test_an_interval_of_zero_starts_nothing(requests: Requests) -> None:
    _signed_out_session(requests)
    periodic = PeriodicHousekeeping(database=requests.database, policy=requests.policy, interval=0)
    periodic.start()
    time.sleep(0.2)
    periodic.stop()
    assert _sessions(requests) == 1
    assert periodic.reports == []
