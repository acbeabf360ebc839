"""The My Number pages over the real vault: who sees what, registering a number, masked views,
the reveal with a reason, CSRF on every form, no caching, and no number on any page but the
reveal's answer."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from httpx import Response
from web_mynumber_support import (
    REAL_ESTATE_FEES,
    REMUNERATION,
    chain_entries,
    chain_text,
    designate,
    invalid_number,
    make_person,
    register,
    shows_number,
    valid_number,
    vault_of_app,
)
from web_support import TestClient, csrf_of, make_staff, png_bytes, sign_in

from kojin.auth.roles import Role
from kojin.db.uow import Database
from kojin.mynumber.service import list_documents

HANDLER = "keiri"
NUMBER = valid_number("12345678901")
OTHER_NUMBER = valid_number("62149832025")


def _as(client: TestClient, database: Database, role: Role, username: str | None = None) -> str:
    name = make_staff(database, role, username)
    answer = sign_in(client, name)
    assert isinstance(answer, Response)
    assert answer.status_code == 303
    return name


def _handler(app: FastAPI, client: TestClient, database: Database, **scope: object) -> None:
    """Sign in as a designated person in charge (every affair unless `scope` says otherwise)."""
    _as(client, database, Role.MYNUMBER_HANDLER, HANDLER)
    designate(app, HANDLER, **scope)  # type: ignore[arg-type]


def _registration(subject_id: str, number: str, **fields: object) -> dict[str, object]:
    values: dict[str, object] = {
        "subject_id": subject_id,
        "affairs": [REMUNERATION],
        "number": number,
        "route": "my_number_card",
        "documents": ["my_number_card"],
        "acquired_on": "2026-04-01",
        "purpose_stated": "1",
    }
    values.update(fields)
    return {k: v for k, v in values.items() if v is not None}


def _number_input(page: str) -> str:
    """The number's <input> tag."""
    found = re.search(r'<input id="f-number"[^>]*>', page)
    assert found is not None
    return found.group(0)


def _post_form(
    client: TestClient, page: str, action: str, data: dict[str, object], **kw: object
) -> Response:
    token = csrf_of(client.get(page).text)
    answer = client.post(action, data={"csrf_token": token, **data}, **kw)
    assert isinstance(answer, Response)
    return answer


# --- who sees what -----------------------------------------------------------------------------

PAGES = (
    "/admin/mynumber",
    "/admin/mynumber/records/new",
    "/admin/mynumber/schedule",
    "/admin/mynumber/status",
    "/admin/mynumber/status.csv",
    "/admin/mynumber/export",
    "/admin/mynumber/handlers",
)
READERS = {Role.MYNUMBER_HANDLER, Role.PRIVACY_OFFICER, Role.ADMIN, Role.AUDITOR}
ALLOWED = {
    "/admin/mynumber/records/new": {Role.MYNUMBER_HANDLER},
    "/admin/mynumber/handlers": {Role.PRIVACY_OFFICER, Role.ADMIN, Role.AUDITOR},
}


@pytest.mark.parametrize(
    "role", [Role.ADMIN, Role.PRIVACY_OFFICER, Role.AUDITOR, Role.HANDLER, Role.MYNUMBER_HANDLER]
)
def test_who_opens_which_my_number_page(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database, role: Role
) -> None:
    _as(web_on_db, database, role)
    for page in PAGES:
        expected = 200 if role in ALLOWED.get(page, READERS) else 403
        assert web_on_db.get(page).status_code == expected, page
    home = web_on_db.get("/admin/").text
    assert ('href="/admin/mynumber"' in home) == (role in READERS)


def test_nobody_signed_in_is_sent_to_sign_in(web_on_db: TestClient) -> None:
    for page in PAGES:
        answer = web_on_db.get(page)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/admin/login")


def test_the_my_number_links_follow_the_role(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    _as(web_on_db, database, Role.AUDITOR)
    page = web_on_db.get("/admin/mynumber").text
    nav = page[page.index('class="sub-nav"') : page.index("</nav>", page.index('class="sub-nav"'))]
    assert 'href="/admin/mynumber/handlers"' in nav
    assert 'href="/admin/mynumber/records/new"' not in nav
    assert 'aria-current="page">Records<' in nav


# --- registering ------------------------------------------------------------------------------


def test_a_person_in_charge_registers_a_number_and_sees_it_masked(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    person = make_person(site_on_db, "bango@example.jp")
    _handler(site_on_db, web_on_db, database)
    form = web_on_db.get("/admin/mynumber/records/new").text
    field = _number_input(form)
    assert 'type="text" value=""' in field
    assert 'autocomplete="off"' in field
    assert 'inputmode="numeric"' in field
    answer = _post_form(
        web_on_db,
        "/admin/mynumber/records/new",
        "/admin/mynumber/records",
        _registration(person, "１２３４ ５６７８ ９０１８"),  # full width, with spaces
    )
    assert answer.status_code == 303
    location = answer.headers["location"]
    assert re.fullmatch(r"/admin/mynumber/records/[0-9a-f]{32}\?done=registered", location)
    page = web_on_db.get(location).text
    assert "The number was registered." in page
    assert "•••• •••• ••••" in page
    assert not shows_number(page, NUMBER)
    listed = web_on_db.get("/admin/mynumber").text
    assert "1 records" in listed
    assert not shows_number(listed, NUMBER)
    registered = chain_entries(database, "mynumber.registered")
    assert len(registered) == 1
    assert registered[0].actor == f"staff:{HANDLER}"


def test_a_wrong_number_is_refused_naming_the_field_only(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    person = make_person(site_on_db, "bango@example.jp")
    _handler(site_on_db, web_on_db, database)
    wrong = invalid_number("12345678901")
    answer = _post_form(
        web_on_db,
        "/admin/mynumber/records/new",
        "/admin/mynumber/records",
        _registration(person, wrong),
    )
    assert answer.status_code == 422
    assert "The individual number is not valid" in answer.text
    assert 'href="#f-number"' in answer.text
    field = _number_input(answer.text)
    assert 'aria-invalid="true"' in field
    assert 'value=""' in field
    assert wrong not in answer.text
    assert wrong[:8] not in answer.text
    assert wrong[4:] not in answer.text
    assert person in answer.text  # the other fields come back as typed
    assert chain_entries(database, "mynumber.registered") == []


def test_after_any_error_the_number_is_not_written_back(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    person = make_person(site_on_db, "bango@example.jp")
    _handler(site_on_db, web_on_db, database)
    for missing in ("purpose_stated", "route", "affairs"):
        answer = _post_form(
            web_on_db,
            "/admin/mynumber/records/new",
            "/admin/mynumber/records",
            _registration(person, NUMBER, **{missing: None}),
        )
        assert answer.status_code == 422, missing
        assert f'href="#f-{missing.replace("_", "-")}"' in answer.text
        assert not shows_number(answer.text, NUMBER), missing
    incomplete = _post_form(  # the documents do not complete this route's check
        web_on_db,
        "/admin/mynumber/records/new",
        "/admin/mynumber/records",
        _registration(
            person, NUMBER, route="number_and_identity_documents", documents=["drivers_license"]
        ),
    )
    assert incomplete.status_code == 422
    assert "do not complete the identity check" in incomplete.text
    assert not shows_number(incomplete.text, NUMBER)
    assert chain_entries(database, "mynumber.registered") == []


def test_a_person_outside_the_category_or_with_a_record_is_refused(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    from web_support import make_subject

    customer = make_subject(site_on_db, "kokyaku@example.jp")
    person = make_person(site_on_db, "bango@example.jp")
    _handler(site_on_db, web_on_db, database)
    not_specific = _post_form(
        web_on_db,
        "/admin/mynumber/records/new",
        "/admin/mynumber/records",
        _registration(customer, NUMBER),
    )
    assert not_specific.status_code == 422
    assert "No person of a specific personal information category has this registry ID" in (
        not_specific.text
    )
    register(site_on_db, HANDLER, person, OTHER_NUMBER)
    twice = _post_form(
        web_on_db,
        "/admin/mynumber/records/new",
        "/admin/mynumber/records",
        _registration(person, NUMBER),
    )
    assert twice.status_code == 409
    assert "already has an active record" in twice.text
    assert not shows_number(twice.text, NUMBER)
    assert not shows_number(twice.text, OTHER_NUMBER)


def test_the_person_is_found_by_e_mail_within_the_category(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    from web_support import make_subject

    person = make_person(site_on_db, "bango@example.jp")
    make_subject(site_on_db, "kokyaku@example.jp")
    _handler(site_on_db, web_on_db, database)
    found = _post_form(
        web_on_db,
        "/admin/mynumber/records/new",
        "/admin/mynumber/records/new/find",
        {"email": "BANGO@example.jp"},
    )
    assert found.status_code == 200
    assert "People found: 1." in found.text
    subject_field = re.search(r'<input id="f-subject-id"[^>]*>', found.text)
    assert subject_field is not None
    assert f'value="{person}"' in subject_field.group(0)
    customer = _post_form(
        web_on_db,
        "/admin/mynumber/records/new",
        "/admin/mynumber/records/new/find",
        {"email": "kokyaku@example.jp"},
    )
    assert "No person of a specific personal information category matches." in customer.text


def test_an_identity_document_image_is_kept_sealed_with_the_record(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    person = make_person(site_on_db, "bango@example.jp")
    _handler(site_on_db, web_on_db, database)
    image = png_bytes()
    answer = _post_form(
        web_on_db,
        "/admin/mynumber/records/new",
        "/admin/mynumber/records",
        _registration(person, NUMBER, image_document="my_number_card"),
        files={"image": ("card.png", image, "image/png")},
    )
    assert answer.status_code == 303, answer.text
    record_id = answer.headers["location"].split("/")[-1].split("?")[0]
    vault = vault_of_app(site_on_db)
    with vault.read() as sessions:
        documents = list_documents(vault_session=sessions.vault, record_id=record_id, scope=None)
    assert [(d.document_type, d.content_type, d.size) for d in documents] == [
        ("my_number_card", "image/png", len(image))
    ]
    not_image = _post_form(
        web_on_db,
        "/admin/mynumber/records/new",
        "/admin/mynumber/records",
        _registration(person, OTHER_NUMBER, image_document="my_number_card"),
        files={"image": ("card.png", b"%PDF-1.4 not an image", "image/png")},
    )
    assert not_image.status_code == 422
    assert "The image must be a JPEG or PNG scan" in not_image.text


# --- the record and the reveal -----------------------------------------------------------------


def test_the_reveal_shows_the_number_once_authorized_and_audited(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    person = make_person(site_on_db, "bango@example.jp")
    _handler(site_on_db, web_on_db, database)
    record_id = register(site_on_db, HANDLER, person, NUMBER, affairs=[REMUNERATION])
    page = f"/admin/mynumber/records/{record_id}"
    view = web_on_db.get(page)
    assert "Reveal the number" in view.text
    assert not shows_number(view.text, NUMBER)
    assert "kojin-contains-my-number" not in view.headers
    reason = "2026年分の報酬の支払調書を作成するため"
    answer = _post_form(
        web_on_db, page, f"{page}/reveal", {"affair": REMUNERATION, "reason": reason}
    )
    assert answer.status_code == 200
    assert answer.headers["kojin-contains-my-number"] == "authorized"
    assert answer.headers["cache-control"] == "no-store"
    assert "location" not in answer.headers
    assert f'<strong class="revealed-number" id="revealed-number">{NUMBER[:4]} {NUMBER[4:8]} ' in (
        answer.text
    )
    assert NUMBER not in str(answer.url)
    revealed = chain_entries(database, "mynumber.revealed")
    assert len(revealed) == 1
    entry = revealed[0]
    assert entry.actor == f"staff:{HANDLER}"
    assert entry.object_id == record_id
    assert entry.details["affair"] == REMUNERATION
    assert entry.details["subject_id"] == person
    assert len(entry.details["reason_sha256"]) == 64
    chain = chain_text(database)
    assert not shows_number(chain, NUMBER)
    assert reason not in chain
    # the record page afterwards does not show it again
    assert not shows_number(web_on_db.get(page).text, NUMBER)


def test_a_reveal_needs_an_affair_of_the_designation_and_a_reason(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    person = make_person(site_on_db, "bango@example.jp")
    _handler(site_on_db, web_on_db, database, affairs=[REMUNERATION])
    record_id = register(site_on_db, HANDLER, person, NUMBER, affairs=[REMUNERATION])
    page = f"/admin/mynumber/records/{record_id}"
    no_reason = _post_form(web_on_db, page, f"{page}/reveal", {"affair": REMUNERATION})
    assert no_reason.status_code == 422
    assert 'href="#r-reason"' in no_reason.text
    other = _post_form(
        web_on_db, page, f"{page}/reveal", {"affair": REAL_ESTATE_FEES, "reason": "確認"}
    )
    assert other.status_code == 403
    assert "Your designation does not cover this affair" in other.text
    for answer in (no_reason, other):
        assert "kojin-contains-my-number" not in answer.headers
        assert not shows_number(answer.text, NUMBER)
    assert chain_entries(database, "mynumber.revealed") == []


def test_the_privacy_office_sees_records_masked_and_cannot_reveal(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    person = make_person(site_on_db, "bango@example.jp")
    make_staff(database, Role.MYNUMBER_HANDLER, HANDLER)
    designate(site_on_db, HANDLER)
    record_id = register(site_on_db, HANDLER, person, NUMBER)
    _as(web_on_db, database, Role.PRIVACY_OFFICER)
    listed = web_on_db.get("/admin/mynumber").text
    assert "Numbers are masked." in listed
    assert f'href="/admin/mynumber/records/{record_id}"' in listed
    view = web_on_db.get(f"/admin/mynumber/records/{record_id}").text
    assert "•••• •••• ••••" in view
    assert "Reveal the number" not in view
    token = csrf_of(view)
    refused = web_on_db.post(
        f"/admin/mynumber/records/{record_id}/reveal",
        data={"csrf_token": token, "affair": REMUNERATION, "reason": "見たい"},
    )
    assert refused.status_code == 403
    assert not shows_number(refused.text, NUMBER)
    assert chain_entries(database, "mynumber.revealed") == []


def test_an_undesignated_person_in_charge_sees_no_record(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    person = make_person(site_on_db, "bango@example.jp")
    make_staff(database, Role.MYNUMBER_HANDLER, HANDLER)
    designate(site_on_db, HANDLER)
    record_id = register(site_on_db, HANDLER, person, NUMBER)
    _as(web_on_db, database, Role.MYNUMBER_HANDLER, "shinjin")
    listed = web_on_db.get("/admin/mynumber?lang=ja").text
    assert "事務取扱担当者に指定されていない" in listed
    assert record_id not in listed
    assert web_on_db.get(f"/admin/mynumber/records/{record_id}").status_code == 404
    form = web_on_db.get("/admin/mynumber/records/new").text
    assert 'name="number"' not in form


def test_a_designation_limited_to_other_people_does_not_see_the_record(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    person = make_person(site_on_db, "bango@example.jp")
    other = make_person(site_on_db, "hoka@example.jp")
    make_staff(database, Role.MYNUMBER_HANDLER, "zenin")
    designate(site_on_db, "zenin")
    record_id = register(site_on_db, "zenin", person, NUMBER)
    _handler(site_on_db, web_on_db, database, subject_ids=[other])
    assert "0 records" in web_on_db.get("/admin/mynumber").text
    assert web_on_db.get(f"/admin/mynumber/records/{record_id}").status_code == 404


def test_the_records_are_filtered_by_affair_and_status(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    first = make_person(site_on_db, "ichi@example.jp")
    second = make_person(site_on_db, "ni@example.jp")
    _handler(site_on_db, web_on_db, database)
    register(site_on_db, HANDLER, first, NUMBER, affairs=[REMUNERATION])
    register(site_on_db, HANDLER, second, OTHER_NUMBER, affairs=[REAL_ESTATE_FEES])
    assert "2 records" in web_on_db.get("/admin/mynumber").text
    by_affair = web_on_db.get(f"/admin/mynumber?affair={REAL_ESTATE_FEES}").text
    assert "1 records" in by_affair
    assert f'<option value="{REAL_ESTATE_FEES}" selected>' in by_affair
    assert "0 records" in web_on_db.get("/admin/mynumber?status=disposed").text
    hostile = web_on_db.get("/admin/mynumber", params={"affair": "<script>", "status": "' OR 1"})
    assert hostile.status_code == 200
    assert "<script>" not in hostile.text
    assert "2 records" in hostile.text


def test_the_end_of_the_affairs_is_recorded(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    person = make_person(site_on_db, "bango@example.jp")
    _handler(site_on_db, web_on_db, database)
    record_id = register(site_on_db, HANDLER, person, NUMBER)
    page = f"/admin/mynumber/records/{record_id}"
    wrong = _post_form(web_on_db, page, f"{page}/affairs-end", {"ended_on": "31/03/2027"})
    assert wrong.status_code == 422
    assert 'href="#e-ended-on"' in wrong.text
    answer = _post_form(web_on_db, page, f"{page}/affairs-end", {"ended_on": "2026-06-30"})
    assert answer.status_code == 303
    shown = web_on_db.get(answer.headers["location"]).text
    assert "The end of the affairs was recorded." in shown
    assert "30 June 2026" in shown


# --- CSRF, caching and numbers on every page ---------------------------------------------------


def test_every_form_needs_the_session_token(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    person = make_person(site_on_db, "bango@example.jp")
    _handler(site_on_db, web_on_db, database)
    record_id = register(site_on_db, HANDLER, person, NUMBER)
    before = chain_text(database)
    posts: dict[str, dict[str, object]] = {
        "/admin/mynumber/records": _registration(person, OTHER_NUMBER),
        "/admin/mynumber/records/new/find": {"email": "bango@example.jp"},
        f"/admin/mynumber/records/{record_id}/reveal": {"affair": REMUNERATION, "reason": "x"},
        f"/admin/mynumber/records/{record_id}/affairs-end": {"ended_on": "2026-06-30"},
        "/admin/mynumber/schedule/dispose": {"records": record_id, "reason": "x", "confirm": "1"},
        "/admin/mynumber/export": {"year": "2026", "affair": REMUNERATION},
    }
    for path, data in posts.items():
        for token in (None, "not-the-token"):
            sent = data if token is None else {**data, "csrf_token": token}
            answer = web_on_db.post(path, data=sent)
            assert answer.status_code == 403, path
            assert "The form has expired" in answer.text
            assert not shows_number(answer.text, NUMBER)
    assert chain_text(database) == before


def test_the_designation_forms_need_the_session_token(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    make_staff(database, Role.MYNUMBER_HANDLER, HANDLER)
    _as(web_on_db, database, Role.PRIVACY_OFFICER)
    before = chain_text(database)
    for path in ("/admin/mynumber/handlers", f"/admin/mynumber/handlers/{'0' * 32}/revoke"):
        answer = web_on_db.post(
            path, data={"user": f"staff:{HANDLER}", "affairs": REMUNERATION, "department": "経理部"}
        )
        assert answer.status_code == 403, path
    assert chain_text(database) == before


def test_no_page_but_the_reveal_holds_a_number_and_none_is_cached(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    person = make_person(site_on_db, "bango@example.jp")
    make_staff(database, Role.MYNUMBER_HANDLER, HANDLER)
    designate(site_on_db, HANDLER)
    record_id = register(site_on_db, HANDLER, person, NUMBER)
    pages = [
        "/admin/",
        "/admin/mynumber",
        "/admin/mynumber?status=active",
        f"/admin/mynumber/records/{record_id}",
        "/admin/mynumber/records/new",
        "/admin/mynumber/schedule",
        "/admin/mynumber/status",
        "/admin/mynumber/status.csv",
        "/admin/mynumber/export",
        "/admin/mynumber/handlers",
    ]
    for role, username in (
        (Role.MYNUMBER_HANDLER, HANDLER),
        (Role.PRIVACY_OFFICER, None),
        (Role.AUDITOR, None),
    ):
        web_on_db.cookies.clear()
        if username is None:
            _as(web_on_db, database, role)
        else:
            sign_in(web_on_db, username)
        for lang in ("en", "ja"):
            for path in pages:
                answer = web_on_db.get(path, params={"lang": lang})
                if answer.status_code == 403:
                    continue
                assert answer.status_code == 200, (role, path)
                assert answer.headers["cache-control"] == "no-store", path
                assert "kojin-contains-my-number" not in answer.headers, path
                assert not shows_number(answer.text, NUMBER), (role, path)


def test_the_end_of_the_affairs_is_for_the_office_or_whoever_has_them_all(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    person = make_person(site_on_db, "bango@example.jp")
    make_staff(database, Role.MYNUMBER_HANDLER, "zenbu")
    designate(site_on_db, "zenbu", affairs=[REMUNERATION, REAL_ESTATE_FEES])
    record_id = register(
        site_on_db, "zenbu", person, NUMBER, affairs=[REMUNERATION, REAL_ESTATE_FEES]
    )
    page = f"/admin/mynumber/records/{record_id}"
    _handler(site_on_db, web_on_db, database, affairs=[REMUNERATION])
    partial = web_on_db.get(page).text
    assert "Reveal the number" in partial  # for the affair this person has
    assert 'id="end-affairs"' not in partial  # but the record is not wholly theirs
    refused = web_on_db.post(
        f"{page}/affairs-end", data={"csrf_token": csrf_of(partial), "ended_on": "2026-06-30"}
    )
    assert refused.status_code == 403
    web_on_db.cookies.clear()
    _as(web_on_db, database, Role.PRIVACY_OFFICER)
    office = web_on_db.get(page).text
    assert 'id="end-affairs"' in office
    assert "Reveal the number" not in office
    answer = _post_form(web_on_db, page, f"{page}/affairs-end", {"ended_on": "2026-06-30"})
    assert answer.status_code == 303
    assert 'id="end-affairs"' not in web_on_db.get(page).text
    ended = chain_entries(database, "mynumber.affairs_ended")
    assert [e.actor for e in ended] == ["staff:privacy-officer"]
