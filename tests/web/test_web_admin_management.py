"""The risk and training pages (``/admin/risks``, ``/admin/training``) over the real registry:
who sees what, assessing and reviewing in both languages, form errors tied to their fields
(never repeating a value), stale and overdue marked in words, the roster and records from CSV
(all or nothing, line and column named), CSRF on every form, no caching, the actor in the
audit chain.

The pages' clock is fixed at 10:00 in Tokyo on 3 December 2026.
"""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from httpx import Response
from sqlalchemy import select
from web_incidents_support import as_role, error_summary, fix_clock, ledger_row, post_form
from web_mynumber_support import chain_text, valid_number
from web_support import TestClient, csrf_of

from kojin.api.state import state_of
from kojin.audit.models import AuditEntry
from kojin.auth.roles import Role
from kojin.db.uow import Database
from kojin.registry.ledger.schemas import LedgerEntryUpdate
from kojin.registry.ledger.service import update_entry

SECRET_NAME = "山田太郎"
RISK_TEXT = "委託先での持ち出しによる漏えい"


def chain_entries(database: Database) -> list[AuditEntry]:
    with database.read() as session:
        return list(session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars())


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    """The pages do not depend on the database: SQLite only."""
    return sqlite_url


@pytest.fixture
def app(site_on_db: FastAPI) -> FastAPI:
    fix_clock(site_on_db)
    return site_on_db


@pytest.fixture
def officer(app: FastAPI, web_on_db: TestClient, database: Database) -> TestClient:
    as_role(web_on_db, database, Role.PRIVACY_OFFICER, "officer")
    return web_on_db


def _risk_form(ledger: str, **changes: str) -> dict[str, object]:
    values: dict[str, object] = {
        "ledger": ledger,
        "stage": "provision",
        "risk": RISK_TEXT,
        "likelihood": "2",
        "impact": "3",
        "evaluation": "treat",
        "measures": "委託契約と年次点検",
        "rule_ids": "R-SEC-4 R-PM-11",
        "residual_likelihood": "2",
        "residual_impact": "3",
        "owner": "総務部",
    }
    values.update(changes)
    return values


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.AUDITOR, 200), (Role.HANDLER, 403), (Role.MYNUMBER_HANDLER, 403)],
)
def test_who_sees_the_pages(
    app: FastAPI, web_on_db: TestClient, database: Database, role: Role, status: int
) -> None:
    as_role(web_on_db, database, role)
    for path in ("/admin/risks", "/admin/training"):
        answer = web_on_db.get(path)
        assert answer.status_code == status, path
        if status == 200:
            assert answer.headers["cache-control"] == "no-store"
            assert 'action="/admin/training/courses"' not in answer.text  # no forms to read-only
    assert web_on_db.get("/admin/risks/new").status_code == 403


def test_assess_and_review(app: FastAPI, officer: TestClient, database: Database) -> None:
    row = ledger_row(app)
    listed = officer.get("/admin/risks?lang=en").text
    assert "Ledger rows never assessed" in listed
    assert f"/admin/risks/new?ledger={row}" in listed
    # the form's errors name the fields, never the values typed
    number = valid_number("12345678901")
    bad = post_form(
        officer,
        "/admin/risks/new?lang=en",
        "/admin/risks",
        _risk_form(row, risk=f"番号 {number}", likelihood="7", rule_ids="R-NOPE-1"),
    )
    assert bad.status_code == 422
    summary = error_summary(bad.text)
    assert "Choose the likelihood (1 to 3)" in summary
    assert number not in summary
    bad = post_form(
        officer, "/admin/risks/new?lang=en", "/admin/risks", _risk_form(row, rule_ids="R-NOPE-1")
    )
    assert bad.status_code == 422
    assert "Enter requirement ids of the specification" in error_summary(bad.text)
    made = post_form(officer, "/admin/risks/new", "/admin/risks", _risk_form(row))
    assert made.status_code == 303, made.text
    found = re.fullmatch(r"/admin/risks/([0-9a-f]{32})\?done=assessed", made.headers["location"])
    assert found is not None
    page = officer.get(f"{found.group(0)}&lang=en").text
    assert "The assessment was recorded." in page
    assert "2 × 3 = 6" in page
    assert "R-PM-11, R-SEC-4" in page
    japanese = officer.get(f"/admin/risks/{found.group(1)}?lang=ja").text
    assert '<html lang="ja"' in japanese
    assert "提供・委託" in japanese
    assert "高" in japanese
    # the ledger row changes: the list marks the assessment stale, in words
    state = state_of(app)
    with state.unit_of_work() as session:
        update_entry(
            session=session,
            entry_id=row,
            entry_in=LedgerEntryUpdate(record_count=99999),
            policy=state.facts,
            actor="t",
        )
    assert "Stale: its ledger row changed" in officer.get("/admin/risks?lang=en").text
    reviewed = post_form(
        officer,
        f"/admin/risks/{found.group(1)}",
        f"/admin/risks/{found.group(1)}/review",
        _risk_form(row, residual_likelihood="1"),
    )
    assert reviewed.status_code == 303
    after = officer.get(f"/admin/risks/{found.group(1)}?lang=en").text
    assert "Stale" not in after
    assert "1 × 3 = 3" in after
    assert officer.get(f"/admin/risks/{'0' * 32}").status_code == 404
    assert officer.get("/admin/risks/nope").status_code == 404
    # CSRF: a form without its token is refused
    refused = officer.post("/admin/risks", data=_risk_form(row))
    assert refused.status_code == 403
    entries = [(e.action, e.actor) for e in chain_entries(database) if e.action.startswith("risk.")]
    assert entries == [("risk.assessed", "staff:officer"), ("risk.reviewed", "staff:officer")]
    assert RISK_TEXT not in chain_text(database)


def _upload(client: TestClient, action: str, field: str, body: bytes) -> Response:
    token = csrf_of(client.get("/admin/training").text)
    answer = client.post(
        action,
        data={"csrf_token": token},
        files={field: ("file.csv", body, "text/csv")},
    )
    assert isinstance(answer, Response)
    return answer


def test_training(app: FastAPI, officer: TestClient, database: Database) -> None:
    page = "/admin/training?lang=en"
    made = post_form(
        officer,
        page,
        "/admin/training/courses",
        {"code": "PI-2026", "title": "個人情報保護研修", "yearly": "1"},
    )
    assert made.status_code == 303
    taken = post_form(
        officer, page, "/admin/training/courses", {"code": "PI-2026", "title": "x", "yearly": "1"}
    )
    assert taken.status_code == 422
    assert "A course with this code exists" in error_summary(taken.text)
    roster = (
        "employee_number,name,department,joined_on,kind\n"
        f"E1,{SECRET_NAME},営業部,2020-04-01,employee\n"
        "E2,佐藤花子,人事部,2026-11-20,chief\n"
    )
    bad = _upload(officer, "/admin/training/workers/import?lang=en", "roster_csv", roster.encode())
    assert bad.status_code == 422
    assert "line 3, column kind" in error_summary(bad.text)
    assert "chief" not in bad.text
    assert SECRET_NAME not in bad.text  # nothing was imported, nothing echoed
    fixed = roster.replace("chief", "temporary").encode("cp932")
    done = _upload(officer, "/admin/training/workers/import", "roster_csv", fixed)
    assert done.status_code == 303
    listed = officer.get(page).text
    assert (
        "The roster was imported (2 worker(s) added or changed)."
        in officer.get(done.headers["location"] + "&lang=en").text
    )
    # E1 joined in 2020 and never took the yearly course; E2 joined within the 90-day grace
    overdue = listed[listed.index('id="overdue-caption"') : listed.index('id="roster-heading"')]
    assert "E1" in overdue
    assert "E2" not in overdue
    assert SECRET_NAME in overdue
    unknown = post_form(
        officer, page, "/admin/training/records", {"employee_number": "E9", "course": "PI-2026"}
    )
    assert unknown.status_code == 422
    assert "No worker on the roster has this employee number" in error_summary(unknown.text)
    recorded = post_form(
        officer,
        page,
        "/admin/training/records",
        {"employee_number": "E1", "course": "PI-2026", "completed_on": "2026-12-01"},
    )
    assert recorded.status_code == 303
    listed = officer.get(page).text
    assert "No worker is overdue." in listed
    records = "employee_number,course,completed_on\nE2,PI-2026,2027-01-01\n"
    future = _upload(
        officer, "/admin/training/records/import?lang=en", "records_csv", records.encode()
    )
    assert future.status_code == 422
    assert "line 2, column completed_on" in error_summary(future.text)
    japanese = officer.get("/admin/training?lang=ja").text
    assert "年次研修の期限超過" in japanese
    assert "派遣・臨時" in japanese
    actions = [e.action for e in chain_entries(database) if e.action.startswith("training.")]
    assert actions.count("training.worker_added") == 2
    assert actions.count("training.recorded") == 1
    assert SECRET_NAME not in chain_text(database)
