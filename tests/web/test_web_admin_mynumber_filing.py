"""The disposal schedule, the status register, the payment records and the dashboard's card on
the staff pages, over the real vault and its filing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi import FastAPI
from httpx import Response
from web_mynumber_support import (
    REAL_ESTATE_FEES,
    REMUNERATION,
    chain_entries,
    chain_text,
    designate,
    end,
    make_person,
    pay,
    register,
    shows_number,
    valid_number,
)
from web_support import PUBLIC_URL, TestClient, csrf_of, make_staff, sign_in

from kojin.auth.roles import Role
from kojin.db.uow import Database
from kojin.settings import Settings
from kojin.web.i18n import tokyo_today
from kojin.web.site import create_site

HANDLER = "keiri"
OLD = valid_number("12345678901")
SOON = valid_number("62149832025")
LATER = valid_number("20000000000")
#: a valid corporate number (APPI-SPEC 11.2): the payer's
CORPORATE_NUMBER = "7010705000725"


def _today() -> date:
    return tokyo_today(datetime.now(UTC))


def _as(client: TestClient, database: Database, role: Role, username: str | None = None) -> str:
    name = username or make_staff(database, role)
    answer = sign_in(client, name)
    assert isinstance(answer, Response)
    assert answer.status_code == 303
    return name


def _records(app: FastAPI, database: Database) -> dict[str, str]:
    """Three records of the person in charge: one past its disposal date (affairs ended in
    2016), one due in ten days, one whose affairs continue."""
    make_staff(database, Role.MYNUMBER_HANDLER, HANDLER)
    designate(app, HANDLER, affairs=[REMUNERATION])
    ids = {}
    for key, number, email in (
        ("old", OLD, "old@example.jp"),
        ("soon", SOON, "soon@example.jp"),
        ("later", LATER, "later@example.jp"),
    ):
        person = make_person(app, email)
        ids[key] = register(app, HANDLER, person, number, acquired_on=date(2015, 1, 5))
    end(app, ids["old"], date(2016, 3, 31))
    end(app, ids["soon"], _today() + timedelta(days=10))
    return ids


def _section(page: str, caption_id: str) -> str:
    start = page.index(f'id="{caption_id}"')
    return page[start : page.index("</table>", start)]


def _dispose(client: TestClient, **fields: object) -> Response:
    page = client.get("/admin/mynumber/schedule").text
    answer = client.post(
        "/admin/mynumber/schedule/dispose", data={"csrf_token": csrf_of(page), **fields}
    )
    assert isinstance(answer, Response)
    return answer


# --- the dashboard ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "card"),
    [
        (Role.PRIVACY_OFFICER, True),
        (Role.AUDITOR, True),
        (Role.ADMIN, True),
        (Role.MYNUMBER_HANDLER, True),
        (Role.HANDLER, False),
    ],
)
def test_the_dashboard_counts_what_is_due_for_disposal(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database, role: Role, card: bool
) -> None:
    _records(site_on_db, database)
    _as(web_on_db, database, role, HANDLER if role is Role.MYNUMBER_HANDLER else None)
    page = web_on_db.get("/admin/").text
    assert ("My Number vault" in page) == card
    if card:
        section = page[page.index('id="vault-card-heading"') :]
        figures = re.findall(r'<span class="figure">(\d+)</span>', section)
        assert figures[:2] == ["1", "1"]  # past their date; due within the horizon
        assert 'href="/admin/mynumber/schedule"' in section


# --- the schedule ----------------------------------------------------------------------------


def test_the_schedule_lists_overdue_upcoming_and_disposed_records(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    ids = _records(site_on_db, database)
    _as(web_on_db, database, Role.PRIVACY_OFFICER)
    page = web_on_db.get("/admin/mynumber/schedule").text
    overdue = _section(page, "overdue-caption")
    upcoming = _section(page, "upcoming-caption")
    assert ids["old"][:8] in overdue
    assert ids["soon"][:8] not in overdue
    assert ids["soon"][:8] in upcoming
    assert "in 10 days" in upcoming
    assert ids["later"][:8] not in page  # the affairs continue: no due date yet
    assert "No record has been disposed of." in page
    answer = _dispose(web_on_db, records=ids["old"], reason="2026年12月の点検で確認", confirm="1")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin/mynumber/schedule?disposed=1"
    after = web_on_db.get(answer.headers["location"]).text
    assert "Disposed of 1 records." in after
    assert "No record is past its disposal date." in after
    disposed = _section(after, "disposed-caption")
    assert ids["old"][:8] in disposed
    assert "staff:privacy-officer" in disposed
    record = web_on_db.get(f"/admin/mynumber/records/{ids['old']}").text
    assert "2026年12月の点検で確認" in record
    assert "Disposed" in record
    entries = chain_entries(database, "mynumber.disposed")
    assert [e.object_id for e in entries] == [ids["old"]]
    assert not shows_number(chain_text(database), OLD)


def test_disposal_needs_records_a_reason_and_the_confirmation(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    ids = _records(site_on_db, database)
    _as(web_on_db, database, Role.PRIVACY_OFFICER)
    cases = {
        "records": {"reason": "点検", "confirm": "1"},
        "reason": {"records": ids["old"], "confirm": "1"},
        "confirm": {"records": ids["old"], "reason": "点検"},
    }
    for field, data in cases.items():
        answer = _dispose(web_on_db, **data)
        assert answer.status_code == 422, field
        assert f'href="#f-{field}"' in answer.text, field
    not_due = _dispose(web_on_db, records=ids["soon"], reason="点検", confirm="1")
    assert not_due.status_code == 409
    assert "is not due for disposal" in not_due.text
    assert chain_entries(database, "mynumber.disposed") == []


def test_a_person_in_charge_disposes_only_of_records_wholly_theirs(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    ids = _records(site_on_db, database)
    make_staff(database, Role.MYNUMBER_HANDLER, "zenbu")
    designate(site_on_db, "zenbu", affairs=[REMUNERATION, REAL_ESTATE_FEES])
    shared = register(
        site_on_db,
        "zenbu",
        make_person(site_on_db, "shared@example.jp"),
        valid_number("11111111111"),
        affairs=[REMUNERATION, REAL_ESTATE_FEES],
        acquired_on=date(2015, 1, 5),
    )
    end(site_on_db, shared, date(2016, 3, 31))
    _as(web_on_db, database, Role.MYNUMBER_HANDLER, HANDLER)
    page = web_on_db.get("/admin/mynumber/schedule").text
    overdue = _section(page, "overdue-caption")
    assert shared[:8] in overdue  # seen: one of its affairs is this person's
    assert f'value="{shared}"' not in overdue  # but not theirs to dispose of
    assert f'value="{ids["old"]}"' in overdue
    refused = _dispose(web_on_db, records=shared, reason="点検", confirm="1")
    assert refused.status_code == 409
    answer = _dispose(web_on_db, records=ids["old"], reason="点検", confirm="1")
    assert answer.status_code == 303
    assert [e.object_id for e in chain_entries(database, "mynumber.disposed")] == [ids["old"]]


def test_auditors_read_the_schedule_without_the_form(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    ids = _records(site_on_db, database)
    _as(web_on_db, database, Role.AUDITOR)
    page = web_on_db.get("/admin/mynumber/schedule?lang=ja").text
    assert ids["old"][:8] in page
    assert 'name="records"' not in page
    refused = web_on_db.post(
        "/admin/mynumber/schedule/dispose",
        data={"csrf_token": csrf_of(page), "records": ids["old"], "reason": "x", "confirm": "1"},
    )
    assert refused.status_code == 403
    assert chain_entries(database, "mynumber.disposed") == []


# --- the status register -------------------------------------------------------------------


def test_the_status_register_lists_files_departments_and_holders_without_numbers(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    _records(site_on_db, database)
    _as(web_on_db, database, Role.AUDITOR)
    page = web_on_db.get("/admin/mynumber/status").text
    table = _section(page, "status-caption")
    row = table[table.index("(remuneration_payment_records)") :]
    row = row[: row.index("</tr>")]
    assert "Remuneration, fees, contract money and prize money" in row
    assert "経理部" in row
    assert f"staff:{HANDLER}" in row
    assert '<td class="number">3</td>' in row
    assert "Identity document images" in table
    csv_file = web_on_db.get("/admin/mynumber/status.csv")
    assert csv_file.status_code == 200
    assert csv_file.headers["content-type"] == "text/csv; charset=utf-8"
    assert csv_file.headers["content-disposition"].startswith("attachment;")
    assert csv_file.headers["cache-control"] == "no-store"
    assert "kojin-contains-my-number" not in csv_file.headers
    text = csv_file.content.decode("utf-8-sig")
    assert f"staff:{HANDLER}" in text
    for number in (OLD, SOON, LATER):
        assert not shows_number(text, number)
        assert not shows_number(page, number)


# --- payment records -------------------------------------------------------------------------


@pytest.fixture
def payer_site(settings: Settings, database: Database) -> FastAPI:
    """The site with the payer of payment records set."""
    configured = settings.model_copy(
        update={
            "public_url": PUBLIC_URL,
            "mynumber_payer_name": "株式会社テスト",
            "mynumber_payer_address": "東京都港区港南1-1-1",
            "mynumber_payer_corporate_number": CORPORATE_NUMBER,
        }
    )
    return create_site(configured, database=database)


@pytest.fixture
def payer_web(payer_site: FastAPI) -> Iterator[TestClient]:
    with TestClient(payer_site, base_url=PUBLIC_URL, follow_redirects=False) as client:
        yield client


def _export(client: TestClient, **fields: object) -> Response:
    page = client.get("/admin/mynumber/export").text
    answer = client.post("/admin/mynumber/export", data={"csrf_token": csrf_of(page), **fields})
    assert isinstance(answer, Response)
    return answer


def test_a_person_in_charge_downloads_the_payment_records(
    payer_site: FastAPI, payer_web: TestClient, database: Database
) -> None:
    make_staff(database, Role.MYNUMBER_HANDLER, HANDLER)
    designate(payer_site, HANDLER, affairs=[REMUNERATION])
    person = make_person(payer_site, "koushi@example.jp", name="講師 花子")
    register(payer_site, HANDLER, person, OLD)
    pay(payer_site, HANDLER, person, 600_000, date(2025, 5, 20))
    _as(payer_web, database, Role.MYNUMBER_HANDLER, HANDLER)
    form = payer_web.get("/admin/mynumber/export").text
    assert f'<option value="{REMUNERATION}"' in form
    answer = _export(payer_web, year="2025", affair=REMUNERATION)
    assert answer.status_code == 200, answer.text
    assert answer.headers["kojin-contains-my-number"] == "authorized"
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"].startswith("attachment;")
    text = answer.content.decode("utf-8-sig")
    assert OLD in text
    assert "講師 花子" in text
    assert "600000" in text.replace(",", "")
    exported = chain_entries(database, "mynumber.exported")
    assert len(exported) == 1
    assert not shows_number(chain_text(database), OLD)
    after = payer_web.get("/admin/mynumber/export").text
    listed = _section(after, "exports-caption")
    assert exported[0].details["sha256"][:16] in listed
    assert f"staff:{HANDLER}" in listed
    assert not shows_number(after, OLD)


def test_the_payment_records_form_names_its_problems(
    payer_site: FastAPI, payer_web: TestClient, database: Database
) -> None:
    make_staff(database, Role.MYNUMBER_HANDLER, HANDLER)
    designate(payer_site, HANDLER, affairs=[REMUNERATION])
    _as(payer_web, database, Role.MYNUMBER_HANDLER, HANDLER)
    wrong_year = _export(payer_web, year="25", affair=REMUNERATION)
    assert wrong_year.status_code == 422
    assert 'href="#f-year"' in wrong_year.text
    outside = _export(payer_web, year="2025", affair=REAL_ESTATE_FEES)
    assert outside.status_code == 403
    assert "Your designation does not cover this affair" in outside.text
    nothing = _export(payer_web, year="2025", affair=REMUNERATION)
    assert nothing.status_code == 422
    assert "There is no payee of this affair to report for that year." in nothing.text
    for answer in (wrong_year, outside, nothing):
        assert "kojin-contains-my-number" not in answer.headers
    assert chain_entries(database, "mynumber.exported") == []


def test_without_a_payer_no_file_is_made(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    make_staff(database, Role.MYNUMBER_HANDLER, HANDLER)
    designate(site_on_db, HANDLER, affairs=[REMUNERATION])
    person = make_person(site_on_db, "koushi@example.jp")
    register(site_on_db, HANDLER, person, OLD)
    pay(site_on_db, HANDLER, person, 600_000, date(2025, 5, 20))
    _as(web_on_db, database, Role.MYNUMBER_HANDLER, HANDLER)
    answer = _export(web_on_db, year="2025", affair=REMUNERATION)
    assert answer.status_code == 422
    assert "KOJIN_MYNUMBER_PAYER_NAME" in answer.text
    assert not shows_number(answer.text, OLD)
    assert chain_entries(database, "mynumber.exported") == []


def test_the_privacy_office_sees_the_exports_but_cannot_make_one(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    _as(web_on_db, database, Role.PRIVACY_OFFICER)
    page = web_on_db.get("/admin/mynumber/export").text
    assert "No payment records have been exported." in page
    assert 'name="year"' not in page
    refused = web_on_db.post(
        "/admin/mynumber/export",
        data={"csrf_token": csrf_of(page), "year": "2025", "affair": REMUNERATION},
    )
    assert refused.status_code == 403
