"""The ground of a stop request on the staff pages: shown on the request and in the queue, the
queue filtered by incident, the "set the ground" action (history and audit chain), and the
special circumstances a refusal under Art. 35(5) must explain."""

from __future__ import annotations

import html
import re

import pytest
from fastapi import FastAPI
from httpx import Response
from sqlalchemy import select
from web_support import TestClient, csrf_of, make_staff, sign_in, submit_verified

from kojin.audit.models import AuditEntry
from kojin.auth.roles import Role
from kojin.db.uow import Database
from kojin.requests.models import DataRequest
from kojin.web.i18n import catalog


def _signed_in(client: TestClient, database: Database, role: Role = Role.PRIVACY_OFFICER) -> None:
    answer = sign_in(client, make_staff(database, role))
    assert isinstance(answer, Response)
    assert answer.status_code == 303


def _act(client: TestClient, request_id: str, action: str, **fields: str) -> Response:
    page = client.get(f"/admin/requests/{request_id}")
    assert page.status_code == 200
    answer = client.post(
        f"/admin/requests/{request_id}/actions",
        data={"csrf_token": csrf_of(page.text), "action": action, **fields},
    )
    assert isinstance(answer, Response)
    return answer


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def _message(key: str, lang: str = "en") -> str:
    return catalog().messages[lang][key]  # type: ignore[index]


def _error(page: str, field_id: str) -> str:
    found = re.search(rf'<p class="error-message" id="{field_id}-error">(.*?)</p>', page, re.S)
    assert found is not None, f"no error on {field_id}"
    return _text(found[1]).strip()


def _row(database: Database, request_id: str) -> DataRequest:
    with database.read() as session:
        row = session.get(DataRequest, request_id)
        assert row is not None
        session.expunge(row)
        return row


def test_a_stop_request_shows_its_ground_incident_and_the_limit_of_article_35_5(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    request_id = submit_verified(
        site_on_db, kind="erasure", details="", incident_reference="INC-2026-0001"
    )
    _signed_in(web_on_db, database)
    page = web_on_db.get(f"/admin/requests/{request_id}?lang=en").text
    text = _text(page)
    assert f"Ground (Art. 35) {_message('admin.ground.reportable_breach')}" in text
    assert 'href="/admin/requests?incident=INC-2026-0001&amp;closed=1"' in page
    assert _message("admin.request.limit_35_5.title") in text
    assert _message("admin.request.limit_35_5.alternative") in text
    # the refusal form asks for the special circumstances (a procedural refusal needs none)
    refuse = page[page.index('id="action-refuse"') :]
    refuse = refuse[: refuse.index("</section>")]
    assert 'id="a-refuse-special-circumstances"' in refuse
    assert '<label for="a-refuse-special-circumstances">' in refuse
    assert _message("admin.action.hint.special_circumstances") in _text(refuse)
    # the ground can be changed: the erasure's grounds, the current one chosen
    ground = page[page.index('id="action-set-stop-ground"') :]
    ground = ground[: ground.index("</section>")]
    values = re.findall(r'name="stop_ground" type="radio" value="([a-z_]+)"( checked)?', ground)
    assert [value for value, _ in values] == [
        "unlawful_handling",
        "no_longer_needed",
        "reportable_breach",
        "harm_to_interests",
    ]
    assert dict(values)["reportable_breach"] == " checked"
    assert 'value="INC-2026-0001"' in ground


def test_other_requests_carry_no_ground(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    disclosure = submit_verified(site_on_db)
    stop_use = submit_verified(site_on_db, kind="stop_use", email="jiro@example.jp")
    _signed_in(web_on_db, database)
    page = web_on_db.get(f"/admin/requests/{disclosure}").text
    assert "set_stop_ground" not in page
    assert "Ground (Art. 35)" not in page
    page = web_on_db.get(f"/admin/requests/{stop_use}").text
    assert f"Ground (Art. 35) {_message('admin.ground.not_stated')}" in _text(page)
    assert "limit-35-5" not in page  # no ground of Art. 35(5): no note, no extra field
    assert "a-refuse-special-circumstances" not in page


def test_staff_set_the_ground_of_a_request_made_by_telephone(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    request_id = submit_verified(site_on_db, kind="stop_provision", details="")
    _signed_in(web_on_db, database)
    answer = _act(
        web_on_db,
        request_id,
        "set_stop_ground",
        stop_ground="unlawful_provision",
        note="お電話で理由を伺った。",
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/admin/requests/{request_id}?done=set_stop_ground"
    page = web_on_db.get(answer.headers["location"] + "&lang=en").text
    text = _text(page)
    assert "Done: Set the ground." in text
    assert f"Ground (Art. 35) {_message('admin.ground.unlawful_provision')}" in text
    assert "Ground set" in text  # the history's step
    row = _row(database, request_id)
    assert (row.state, row.stop_ground, row.incident_reference) == (
        "received",
        "unlawful_provision",
        None,
    )
    with database.read() as session:
        [entry] = session.execute(
            select(AuditEntry).where(AuditEntry.action == "request.set_stop_ground")
        ).scalars()
        details = dict(entry.details)
    assert entry.object_id == request_id
    assert details["stop_ground"] == "unlawful_provision"
    assert details["previous_stop_ground"] is None
    assert "お電話" not in str(details)


@pytest.mark.parametrize(
    ("fields", "field_id", "key"),
    [
        (
            {"stop_ground": "harm_to_interests", "incident_reference": "INC-2026-0001"},
            "a-set-stop-ground-incident-reference",
            "admin.action.error.mismatch.incident_reference",
        ),
        (
            {"stop_ground": "reportable_breach", "incident_reference": "INC 1"},
            "a-set-stop-ground-incident-reference",
            "admin.action.error.incident_reference",
        ),
        (
            {"stop_ground": "unlawful_handling"},
            "a-set-stop-ground-stop-ground",
            "admin.action.error.mismatch.stop_ground",
        ),
        ({}, "a-set-stop-ground-stop-ground", "admin.action.error.stop_ground"),
    ],
)
def test_a_ground_that_does_not_fit_is_refused_on_its_field(
    site_on_db: FastAPI,
    web_on_db: TestClient,
    database: Database,
    fields: dict[str, str],
    field_id: str,
    key: str,
) -> None:
    request_id = submit_verified(site_on_db, kind="stop_provision", details="")
    _signed_in(web_on_db, database)
    answer = _act(web_on_db, request_id, "set_stop_ground", **fields)
    assert answer.status_code == 422
    assert _error(answer.text, field_id).endswith(_message(key))
    assert _row(database, request_id).stop_ground is None


def test_a_refusal_under_article_35_5_needs_the_special_circumstances(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    request_id = submit_verified(
        site_on_db, kind="stop_use", lang="en", details="", stop_ground="no_longer_needed"
    )
    _signed_in(web_on_db, database)
    reasons = {"refusal_ground": "violates_law", "explanation": "We must keep the records."}
    answer = _act(web_on_db, request_id, "refuse", **reasons)
    assert answer.status_code == 422
    assert _error(answer.text, "a-refuse-special-circumstances").endswith(
        _message("admin.action.error.special_circumstances")
    )
    assert _row(database, request_id).state == "received"
    answer = _act(
        web_on_db,
        request_id,
        "refuse",
        **reasons,
        special_circumstances="The Tax Act requires us to keep them for seven years.",
    )
    assert answer.status_code == 303
    assert _row(database, request_id).state == "refused"
    notice = web_on_db.get(f"/admin/requests/{request_id}/refusal-notice.html")
    assert notice.status_code == 200
    letter = _text(notice.text)
    assert "Ground of your request: Art. 35(5) (the data is no longer needed)" in letter
    assert "Special circumstances (Art. 35(5) proviso): The Tax Act requires us" in letter


def test_a_procedural_refusal_under_article_35_5_takes_no_special_circumstances(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    request_id = submit_verified(
        site_on_db, kind="erasure", lang="en", details="", stop_ground="harm_to_interests"
    )
    _signed_in(web_on_db, database)
    reasons = {"refusal_ground": "deficient_procedure", "explanation": "The copy is unreadable."}
    answer = _act(web_on_db, request_id, "refuse", **reasons, special_circumstances="none")
    assert answer.status_code == 422
    assert _error(answer.text, "a-refuse-special-circumstances").endswith(
        _message("admin.action.error.mismatch.special_circumstances")
    )
    answer = _act(web_on_db, request_id, "refuse", **reasons)
    assert answer.status_code == 303
    assert _row(database, request_id).state == "refused"


def test_the_queue_shows_grounds_and_filters_by_incident(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    first = submit_verified(
        site_on_db, kind="erasure", details="", incident_reference="INC-2026-0001"
    )
    second = submit_verified(
        site_on_db,
        kind="stop_provision",
        email="jiro@example.jp",
        details="",
        incident_reference="INC-2026-0001",
    )
    other = submit_verified(
        site_on_db,
        kind="stop_use",
        email="saburo@example.jp",
        details="",
        stop_ground="harm_to_interests",
    )
    _signed_in(web_on_db, database)
    page = web_on_db.get("/admin/requests?lang=en").text
    assert "Ground (Art. 35)" in page
    for request_id in (first, second, other):
        assert f'href="/admin/requests/{request_id}"' in page
    assert _message("admin.ground.short.harm_to_interests") in page
    assert page.count('href="/admin/requests?incident=INC-2026-0001&amp;closed=1"') == 2

    page = web_on_db.get("/admin/requests?incident=inc-2026-0001&lang=en").text
    assert f'href="/admin/requests/{first}"' in page
    assert f'href="/admin/requests/{second}"' in page
    assert f'href="/admin/requests/{other}"' not in page
    assert "Requests about incident INC-2026-0001" in page
    assert 'name="incident" type="text" value="INC-2026-0001"' in page

    # closed requests about the incident come with closed=1 (the link's)
    _act(web_on_db, first, "withdraw")
    page = web_on_db.get("/admin/requests?incident=INC-2026-0001").text
    assert f'href="/admin/requests/{first}"' not in page
    page = web_on_db.get("/admin/requests?incident=INC-2026-0001&closed=1").text
    assert f'href="/admin/requests/{first}"' in page

    page = web_on_db.get("/admin/requests?incident=INC-26&lang=en").text
    assert _error(page, "f-incident").endswith(_message("admin.queue.incident_invalid"))
    assert 'href="/admin/requests/' not in page
    assert "No request matches these filters." in page


def test_the_ground_is_shown_to_staff_in_japanese(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    request_id = submit_verified(
        site_on_db, kind="erasure", details="", incident_reference="INC-2026-0001"
    )
    _signed_in(web_on_db, database)
    page = _text(web_on_db.get(f"/admin/requests/{request_id}?lang=ja").text)
    assert f"理由（法第35条） {_message('admin.ground.reportable_breach', 'ja')}" in page
    assert _message("admin.request.limit_35_5.title", "ja") in page
    assert _message("admin.action.set_stop_ground.title", "ja") in page


def test_staff_link_a_request_only_to_an_incident_of_the_register(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    from datetime import date

    from kojin.api.state import state_of
    from kojin.incidents.schemas import IncidentFields, KnowledgeInput
    from kojin.incidents.service import record_incident
    from kojin.law.breach_vocabulary import IncidentKind

    state = state_of(site_on_db)
    with database.uow() as session:
        reference = record_incident(
            session=session,
            cipher=state.cipher(),
            actor="staff:officer",
            fields=IncidentFields(
                title="顧客名簿の誤送信",
                kind=IncidentKind.LEAKAGE,
                knowledge=[KnowledgeInput(department="営業部", known_on=date(2026, 11, 30))],
                persons=1500,
            ),
            today=date(2026, 12, 1),
        ).reference
    request_id = submit_verified(site_on_db, kind="erasure", details="")
    _signed_in(web_on_db, database)
    answer = _act(
        web_on_db,
        request_id,
        "set_stop_ground",
        stop_ground="reportable_breach",
        incident_reference="INC-2026-0042",
    )
    assert answer.status_code == 422
    message = _message("admin.action.error.unknown_incident")
    assert message in _text(answer.text)
    assert _row(database, request_id).incident_reference is None
    answer = _act(
        web_on_db,
        request_id,
        "set_stop_ground",
        stop_ground="reportable_breach",
        incident_reference=reference.lower(),
    )
    assert answer.status_code == 303
    assert _row(database, request_id).incident_reference == reference
