"""The persons in charge of individual numbers on the staff pages: the privacy office designates
and revokes, auditors read, and what a designation allows follows at once."""

from __future__ import annotations

import re

from fastapi import FastAPI
from httpx import Response
from web_mynumber_support import REAL_ESTATE_FEES, REMUNERATION, chain_entries, make_person
from web_support import TestClient, csrf_of, make_staff, make_subject, sign_in

from kojin.auth.roles import Role
from kojin.db.uow import Database

PAGE = "/admin/mynumber/handlers"


def _officer(client: TestClient, database: Database, role: Role = Role.PRIVACY_OFFICER) -> None:
    answer = sign_in(client, make_staff(database, role))
    assert isinstance(answer, Response)
    assert answer.status_code == 303


def _designate(client: TestClient, **fields: object) -> Response:
    token = csrf_of(client.get(PAGE).text)
    answer = client.post(PAGE, data={"csrf_token": token, **fields})
    assert isinstance(answer, Response)
    return answer


def test_the_privacy_office_designates_a_person_in_charge(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    make_staff(database, Role.MYNUMBER_HANDLER, "keiri")
    make_staff(database, Role.HANDLER, "madoguchi")
    _officer(web_on_db, database)
    form = web_on_db.get(PAGE).text
    assert "Nobody has been designated yet." in form
    assert '<option value="staff:keiri">keiri</option>' in form
    assert "madoguchi" not in form  # only staff users with the My Number handler role
    answer = _designate(
        web_on_db,
        user="staff:keiri",
        affairs=[REMUNERATION, REAL_ESTATE_FEES],
        department="経理部",
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{PAGE}?done=designated"
    page = web_on_db.get(answer.headers["location"]).text
    assert "The person in charge was designated." in page
    row = page[page.index('<th scope="row">staff:keiri</th>') :]
    row = row[: row.index("</tr>")]
    assert "Remuneration, fees, contract money and prize money; Real estate usage fees" in row
    assert "Everyone of these affairs" in row
    assert "経理部" in row
    assert "In force" in row
    designated = chain_entries(database, "mynumber.handler_designated")
    assert [e.details["designee"] for e in designated] == ["staff:keiri"]
    assert "経理部" not in str(designated[0].details)  # the department is chained as a digest


def test_a_designation_may_be_limited_to_named_people(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    make_staff(database, Role.MYNUMBER_HANDLER, "keiri")
    first = make_person(site_on_db, "ichi@example.jp")
    second = make_person(site_on_db, "ni@example.jp")
    _officer(web_on_db, database)
    answer = _designate(
        web_on_db,
        user="staff:keiri",
        affairs=[REMUNERATION],
        department="経理部",
        subject_ids=f"{first}\n\n {second} \n",
    )
    assert answer.status_code == 303
    assert "2 named people" in web_on_db.get(PAGE).text
    make_staff(database, Role.MYNUMBER_HANDLER, "soumu")
    customer = make_subject(site_on_db, "kokyaku@example.jp")
    for wrong in ("not an id", customer, f"{first}\n{'0' * 32}"):
        refused = _designate(
            web_on_db,
            user="staff:soumu",
            affairs=[REMUNERATION],
            department="総務部",
            subject_ids=wrong,
        )
        assert refused.status_code == 422
        assert 'href="#f-subject-ids"' in refused.text
    assert '<th scope="row">staff:soumu</th>' not in web_on_db.get(PAGE).text


def test_designation_errors_are_named_at_their_fields(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    make_staff(database, Role.MYNUMBER_HANDLER, "keiri")
    make_staff(database, Role.AUDITOR, "kansa")
    _officer(web_on_db, database)
    cases = {
        "user": {"user": "staff:kansa", "affairs": [REMUNERATION], "department": "経理部"},
        "affairs": {"user": "staff:keiri", "affairs": ["marketing"], "department": "経理部"},
        "department": {"user": "staff:keiri", "affairs": [REMUNERATION], "department": " "},
    }
    for field, data in cases.items():
        answer = _designate(web_on_db, **data)
        assert answer.status_code == 422, field
        assert f'href="#f-{field}"' in answer.text, field
        if field != "department":
            assert 'value="経理部"' in answer.text  # what was typed comes back
    assert (
        _designate(
            web_on_db, user="staff:keiri", affairs=[REMUNERATION], department="経理部"
        ).status_code
        == 303
    )
    again = _designate(web_on_db, user="staff:keiri", affairs=[REMUNERATION], department="総務部")
    assert again.status_code == 409
    assert "already has a designation in force" in again.text


def test_revoking_ends_what_the_designation_allowed(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    make_staff(database, Role.MYNUMBER_HANDLER, "keiri")
    _officer(web_on_db, database)
    _designate(web_on_db, user="staff:keiri", affairs=[REMUNERATION], department="経理部")
    page = web_on_db.get(PAGE).text
    found = re.search(r'action="(/admin/mynumber/handlers/[0-9a-f]{32}/revoke)"', page)
    assert found is not None
    assert 'aria-label="Revoke the designation of staff:keiri"' in page
    answer = web_on_db.post(found.group(1), data={"csrf_token": csrf_of(page)})
    assert answer.status_code == 303
    after = web_on_db.get(answer.headers["location"]).text
    assert "The designation was revoked." in after
    assert found.group(1) not in after  # no second revoke button
    assert [e.details["designee"] for e in chain_entries(database, "mynumber.handler_revoked")] == [
        "staff:keiri"
    ]
    web_on_db.cookies.clear()
    sign_in(web_on_db, "keiri")
    assert "not been designated" in web_on_db.get("/admin/mynumber").text


def test_auditors_read_the_designations_without_the_forms(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    make_staff(database, Role.MYNUMBER_HANDLER, "keiri")
    _officer(web_on_db, database)
    _designate(web_on_db, user="staff:keiri", affairs=[REMUNERATION], department="経理部")
    web_on_db.cookies.clear()
    _officer(web_on_db, database, Role.AUDITOR)
    page = web_on_db.get(f"{PAGE}?lang=ja").text
    assert "staff:keiri" in page
    assert "有効" in page
    assert '<form method="post" action="/admin/mynumber/handlers' not in page
    refused = web_on_db.post(
        PAGE,
        data={
            "csrf_token": csrf_of(page),
            "user": "staff:keiri",
            "affairs": REMUNERATION,
            "department": "x",
        },
    )
    assert refused.status_code == 403
