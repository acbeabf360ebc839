"""The management review pages over a real registry: who sees and who acts, preparing a review
for a fiscal year, its figures and month charts in both languages, the office's entries, the
decisions, gathering again (refused once decided), the report as HTML and PDF, errors tied to
their fields without repeating a value, CSRF and no caching, and the audit chain's actor.

The pages' clock is fixed at 10:00 in Tokyo on 10 April 2027.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from httpx import Response
from sqlalchemy import select
from web_support import TestClient, csrf_of, make_staff, sign_in

from kojin.api.state import state_of
from kojin.audit.models import AuditEntry
from kojin.auth.roles import Role
from kojin.db.uow import Database
from kojin.management.review.schemas import (
    LawChange,
    ReviewDecision,
    ReviewOutcome,
    ReviewUpdate,
)
from kojin.management.review.service import get_review, record_outcome, update_review
from kojin.requests.models import DataRequest
from kojin.settings import Settings
from kojin.web.site import site_of

NOW = datetime(2027, 4, 10, 1, 0, tzinfo=UTC)
TOKYO = ZoneInfo("Asia/Tokyo")
MANAGER = "代表取締役 山田太郎"
NUMBER = "123456789018"


@pytest.fixture
def database(web_settings: Settings) -> Iterator[Database]:
    """The site's SQLite registry (the pages' tests need no other engine)."""
    db = Database.from_url(web_settings.resolved_database_url())
    yield db
    db.dispose()


@pytest.fixture
def client(site: FastAPI, web: TestClient) -> TestClient:
    site_of(site).now = lambda: NOW
    return web


def _as(client: TestClient, database: Database, role: Role) -> None:
    name = make_staff(database, role, f"{role.value.replace('_', '-')}-{uuid.uuid4().hex[:6]}")
    answer = sign_in(client, name)
    assert isinstance(answer, Response)
    assert answer.status_code == 303


def _post(client: TestClient, page: str, action: str, data: dict[str, str]) -> Response:
    token = csrf_of(client.get(page).text)
    answer = client.post(action, data={"csrf_token": token, **data})
    assert isinstance(answer, Response)
    return answer


def _request(database: Database, day: date, due: date, closed: date | None) -> None:
    def moment(d: date) -> datetime:
        return datetime.combine(d, time(10), tzinfo=TOKYO).astimezone(UTC)

    with database.uow() as session:
        session.add(
            DataRequest(
                id=uuid.uuid4().hex,
                reference_bidx=uuid.uuid4().hex,
                kind="disclosure",
                state="completed" if closed else "in_review",
                lang="ja",
                submission_key_hash=uuid.uuid4().hex,
                submitted_at=moment(day),
                received_at=moment(day),
                due_on=due,
                closed_at=None if closed is None else moment(closed),
                key_id="k",
            )
        )


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def _prepare(client: TestClient) -> str:
    answer = _post(
        client,
        "/admin/reviews",
        "/admin/reviews",
        {"title": "2026年度レビュー", "period": "fiscal", "year": "2026"},
    )
    assert answer.status_code == 303, answer.text
    found = re.fullmatch(r"/admin/reviews/([0-9a-f]{32})\?done=created", answer.headers["location"])
    assert found is not None
    return found.group(1)


def test_a_review_from_preparation_to_decisions_in_both_languages(
    client: TestClient, database: Database
) -> None:
    _request(database, date(2026, 5, 10), date(2026, 5, 24), date(2026, 5, 20))
    _request(database, date(2026, 6, 1), date(2026, 6, 15), date(2026, 6, 20))  # late
    _as(client, database, Role.PRIVACY_OFFICER)
    review_id = _prepare(client)
    page = f"/admin/reviews/{review_id}"
    shown = client.get(f"{page}?done=created&lang=en")
    assert shown.headers["cache-control"] == "no-store"
    text = _text(shown.text)
    assert "MR-2027-01: 2026年度レビュー" in text
    assert "The review is prepared with its inputs." in text
    assert "Disclosure 2 2 1 1 0 0 0" in text  # received, closed, on time, late ...
    assert shown.text.count("<svg") == 2
    assert "May: Received 1, Closed 1" in text
    assert "Requests answered late: 1" in text
    japanese = _text(client.get(f"{page}?lang=ja").text)
    assert "開示 2 2 1 1 0 0 0" in japanese
    assert "期限後に回答した請求: 1" in japanese
    assert "5月: 受付 1, 完了 1" in japanese

    entered = _post(
        client,
        page,
        f"{page}/entries",
        {
            "title": "2026年度レビュー",
            "law_changes": "ガイドラインの改正\n",
            "improvements": "委託先管理の見直し",
            "notes": "",
        },
    )
    assert entered.status_code == 303
    decided = _post(
        client,
        page,
        f"{page}/decide",
        {
            "held_on": "2027-04-09",
            "top_manager": MANAGER,
            "decisions_improvement": "回答期限の管理を強化する",
            "decisions_system_change": "",
            "decisions_resources": "担当者を1名増員する",
        },
    )
    assert decided.status_code == 303
    text = _text(client.get(f"{page}?lang=en").text)
    assert MANAGER in text
    assert "Resource needs 担当者を1名増員する" in text
    assert "ガイドラインの改正" in text
    again = _post(client, page, f"{page}/refresh", {})
    assert again.status_code == 409
    assert "the inputs are kept" in _text(again.text)

    report = client.get(f"{page}/report-en.html")
    assert report.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in report.headers["content-security-policy"]
    assert "Management review report" in report.text
    pdf = client.get(f"{page}/report-ja.pdf")
    assert pdf.content.startswith(b"%PDF")
    assert pdf.headers["cache-control"] == "no-store"
    listed = _text(client.get("/admin/reviews?lang=ja").text)
    assert "MR-2027-01" in listed
    assert "実施済み" in listed

    with database.read() as session:
        chain = [
            (e.actor, e.action, e.details)
            for e in session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars()
            if e.action.startswith("review.")
        ]
    assert [a for _, a, _ in chain] == [
        "review.created",
        "review.updated",
        "review.decided",
        "review.reported",
        "review.reported",
    ]
    assert all(actor.startswith("staff:privacy-officer") for actor, _, _ in chain)
    assert MANAGER not in repr(chain)


def test_errors_are_tied_to_their_fields_without_values(
    client: TestClient, database: Database
) -> None:
    _as(client, database, Role.PRIVACY_OFFICER)
    bad = _post(
        client,
        "/admin/reviews",
        "/admin/reviews",
        {"title": "", "period": "custom", "since": "2026-05-01", "until": "2026-04-01"},
    )
    assert bad.status_code == 422
    assert 'href="#f-until"' in bad.text
    review_id = _prepare(client)
    page = f"/admin/reviews/{review_id}"
    refused = _post(
        client,
        page,
        f"{page}/entries",
        {"title": "t", "law_changes": "", "improvements": f"番号 {NUMBER}", "notes": ""},
    )
    assert refused.status_code == 422
    assert 'href="#e-improvements"' in refused.text
    assert NUMBER not in refused.text  # the field is emptied
    assert "individual number (My Number)" in refused.text
    empty = _post(
        client,
        page,
        f"{page}/decide",
        {"held_on": "2027-04-09", "top_manager": MANAGER, "decisions_improvement": ""},
    )
    assert empty.status_code == 422
    assert 'href="#d-decisions-improvement"' in empty.text
    future = _post(
        client,
        page,
        f"{page}/decide",
        {"held_on": "2027-05-01", "top_manager": MANAGER, "decisions_improvement": "x"},
    )
    assert future.status_code == 422
    assert 'href="#d-held-on"' in future.text
    no_csrf = client.post("/admin/reviews", data={"period": "last12"})
    assert no_csrf.status_code == 403


def test_roles(client: TestClient, database: Database) -> None:
    _as(client, database, Role.PRIVACY_OFFICER)
    review_id = _prepare(client)
    client.cookies.clear()
    _as(client, database, Role.AUDITOR)
    page = client.get(f"/admin/reviews/{review_id}")
    assert page.status_code == 200
    assert f'action="/admin/reviews/{review_id}/decide"' not in page.text
    assert 'href="/admin/reviews"' in client.get("/admin/").text
    token = csrf_of(page.text)
    refused = client.post(f"/admin/reviews/{review_id}/refresh", data={"csrf_token": token})
    assert refused.status_code == 403
    client.cookies.clear()
    _as(client, database, Role.HANDLER)
    assert client.get("/admin/reviews").status_code == 403
    assert 'href="/admin/reviews"' not in client.get("/admin/").text
    assert client.get("/admin/reviews/" + "0" * 32).status_code == 403


def test_the_forms_keep_what_the_api_recorded_on_a_line_they_show(
    site: FastAPI, client: TestClient, database: Database
) -> None:
    """A change in law with its day and response, and a decision with its owner and due date
    (recorded through the API or the command line), survive the page's forms when their line
    is sent back unchanged."""
    _as(client, database, Role.PRIVACY_OFFICER)
    review_id = _prepare(client)
    state = state_of(site)
    law = LawChange(title="ガイドライン改正", effective_on=date(2027, 4, 1), response="様式改訂")
    kept = ReviewDecision(text="監査を強化する", owner="内部監査室", due_on=date(2027, 9, 30))
    with state.unit_of_work() as session:
        update_review(
            session=session,
            cipher=state.cipher(),
            actor="token:t",
            review_id=review_id,
            changes=ReviewUpdate(law_changes=[law]),
        )
        record_outcome(
            session=session,
            cipher=state.cipher(),
            actor="token:t",
            review_id=review_id,
            outcome=ReviewOutcome(held_on=date(2027, 4, 9), top_manager=MANAGER, decisions=[kept]),
            today=date(2027, 4, 10),
        )
    page = f"/admin/reviews/{review_id}"
    shown = _text(client.get(f"{page}?lang=en").text)
    assert "ガイドライン改正 (in force from 1 April 2027): 様式改訂" in shown
    assert "監査を強化する 内部監査室 30 September 2027" in shown
    entries = {"title": "t", "law_changes": "ガイドライン改正\n新しい告示", "improvements": ""}
    assert _post(client, page, f"{page}/entries", {**entries, "notes": ""}).status_code == 303
    decided = {
        "held_on": "2027-04-09",
        "top_manager": MANAGER,
        "decisions_improvement": "監査を強化する\n研修を増やす",
    }
    assert _post(client, page, f"{page}/decide", decided).status_code == 303
    with state.read() as session:
        view = get_review(session=session, cipher=state.cipher(), review_id=review_id)
    assert view.law_changes == [law, LawChange(title="新しい告示")]
    assert view.decisions == [kept, ReviewDecision(text="研修を増やす")]
