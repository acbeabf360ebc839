"""The obligation pages over a real registry (SQLite): who sees what, the list overdue first
with its filters, a task's page in both languages, assigning, closing with a document or a kojin
record and reopening (errors tied to their fields, never repeating a value), CSRF, no caching,
and the dashboard's card.

The pages' clock is fixed at 10:00 in Tokyo on 3 December 2026.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from httpx import Response
from web_incidents_support import as_role, fix_clock, post_form
from web_support import TestClient

from kojin.auth.roles import Role
from kojin.db.uow import Database
from kojin.law.decision_schemas import DecisionRequest
from kojin.policy import load_policy, to_facts
from kojin.registry.decisions import decide_batch

#: the clock of the pages: 3 December 2026, 10:00 in Tokyo
NOW = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)
OWNER = "山田太郎"


@pytest.fixture
def database(sqlite_url: str) -> Iterator[Database]:
    db = Database.from_url(sqlite_url)
    yield db
    db.dispose()


@pytest.fixture
def app(site: FastAPI) -> FastAPI:
    fix_clock(site, NOW)
    return site


def _entrust(database: Database, name: str, *, at: datetime) -> None:
    request = DecisionRequest.model_validate(
        {
            "action": "provide",
            "category": "customer",
            "purpose": "provide_services",
            "recipient": {"name": name, "country": "JP", "relation": "entrustee"},
        }
    )
    with database.uow() as session:
        decide_batch(
            session=session,
            requests=[request],
            policy=to_facts(load_policy(None)),
            actor="staff:officer",
            now=at,
        )


def _task_ids(page: str) -> list[str]:
    return re.findall(r'href="/admin/obligations/([0-9a-f]{32})"', page)


def _seed(database: Database) -> None:
    _entrust(database, "Late Partner KK", at=datetime(2026, 11, 20, 1, tzinfo=UTC))  # overdue
    _entrust(database, "Fresh Partner KK", at=NOW)  # due today


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.ADMIN, True),
        (Role.PRIVACY_OFFICER, True),
        (Role.AUDITOR, True),
        (Role.HANDLER, False),
        (Role.MYNUMBER_HANDLER, False),
    ],
)
def test_who_sees_the_pages(
    app: FastAPI, web: TestClient, database: Database, role: Role, allowed: bool
) -> None:
    as_role(web, database, role)
    answer = web.get("/admin/obligations")
    assert isinstance(answer, Response)
    assert answer.status_code == (200 if allowed else 403)
    if allowed:
        assert answer.headers["cache-control"] == "no-store"
        home = web.get("/admin/").text
        assert ('href="/admin/obligations"' in home) is True


def test_list_task_page_and_forms(app: FastAPI, web: TestClient, database: Database) -> None:
    _seed(database)
    as_role(web, database, Role.PRIVACY_OFFICER, "officer")
    page = web.get("/admin/obligations").text
    late, fresh = _task_ids(page)
    assert page.index("Late Partner KK") < page.index("Fresh Partner KK")
    assert "13 day(s) overdue" in page
    assert "Due today" in page
    assert "<caption" in page
    assert 'scope="col"' in page
    assert _task_ids(web.get("/admin/obligations?overdue=1").text) == [late]
    assert _task_ids(web.get("/admin/obligations?upcoming=14").text) == [fresh]
    assert _task_ids(web.get("/admin/obligations?status=done").text) == []
    japanese = web.get("/admin/obligations", headers={"accept-language": "ja"}).text
    assert "委託先の監督" in japanese
    assert "13日超過" in japanese

    url = f"/admin/obligations/{late}"
    shown = web.get(url).text
    assert "Select, contract with and supervise the entrustee" in shown
    assert "APPI Art. 25" in shown

    # a new due date without a reason: the form comes back with the error tied to its field
    refused = post_form(
        web,
        url,
        f"{url}/assign",
        {"owner_kind": "person", "owner_name": "", "due_on": "2027-01-31", "reason": ""},
    )
    assert refused.status_code == 422
    assert 'href="#a-reason"' in refused.text or "Give a reason" in refused.text
    bad = post_form(
        web, url, f"{url}/assign", {"owner_kind": "person", "owner_name": "番号123456789018"}
    )
    assert bad.status_code == 422
    assert "123456789018" not in bad.text
    done = post_form(
        web,
        url,
        f"{url}/assign",
        {
            "owner_kind": "person",
            "owner_name": OWNER,
            "due_on": "2027-01-31",
            "reason": "契約更新待ち",
        },
    )
    assert done.status_code == 303
    assigned = web.get(done.headers["location"]).text
    assert "The task was saved." in assigned
    assert OWNER in assigned
    assert "契約更新待ち" in assigned

    # closing: a record that does not exist, then a document
    missing = post_form(
        web,
        url,
        f"{url}/close",
        {"evidence_kind": "record", "record_kind": "decision", "record_id": "f" * 32},
    )
    assert missing.status_code == 422
    assert "No such record exists in kojin." in missing.text
    closed = post_form(
        web,
        url,
        f"{url}/close",
        {"evidence_kind": "document", "description": "委託先評価シート", "reference": "EV-2026-12"},
    )
    assert closed.status_code == 303
    assert "next=1" in closed.headers["location"]
    after = web.get(closed.headers["location"]).text
    assert "The task was closed." in after
    assert "EV-2026-12" in after
    assert "Reopen" in after
    # the next round of the yearly supervision is open
    assert len(_task_ids(web.get("/admin/obligations").text)) == 2
    reopened = post_form(web, url, f"{url}/reopen", {"reason": ""})
    assert reopened.status_code == 303
    # no token, no change
    assert web.post(f"{url}/reopen", data={"reason": "x"}).status_code in (400, 403)


def test_auditors_read_but_do_not_act(app: FastAPI, web: TestClient, database: Database) -> None:
    _seed(database)
    as_role(web, database, Role.AUDITOR)
    page = web.get("/admin/obligations").text
    task = _task_ids(page)[0]
    shown = web.get(f"/admin/obligations/{task}").text
    assert "/assign" not in shown
    assert (
        post_form(
            web,
            f"/admin/obligations/{task}",
            f"/admin/obligations/{task}/close",
            {"evidence_kind": "document", "description": "d", "reference": "r"},
        ).status_code
        == 403
    )
    assert web.get(f"/admin/obligations/{'0' * 32}").status_code == 404


def test_dashboard_card(app: FastAPI, web: TestClient, database: Database) -> None:
    _seed(database)
    as_role(web, database, Role.PRIVACY_OFFICER)
    home = web.get("/admin/").text
    card = home[home.index('id="obligations-card-heading"') :]
    figures = re.findall(r'<span class="figure">(\d+)</span>', card)[:3]
    assert figures == ["1", "1", "2"]  # overdue, due within 14 days, open
    assert 'href="/admin/obligations?overdue=1"' in card
