"""The incident pages over the real register: who sees what, recording an incident in both
languages, the form's errors (tied to their fields, never repeating a value), re-assessment
when the count passes 1,000, dated steps, the affected people (one by one, by CSV), the
notices, the drafts (HTML and PDF), the requests an incident caused, the dashboard's card,
CSRF on every form and no caching.

The pages' clock is fixed at 10:00 in Tokyo on 3 December 2026; the incidents are known from
1 December (day 1), so the preliminary report's guide ends on 5 December (2 days left) and the
final report's day 30, 30 December, falls in the year-end closure: it is due on Monday
4 January 2027 (32 days left).
"""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from httpx import Response
from web_incidents_support import (
    as_role,
    browser_form,
    error_summary,
    fix_clock,
    incident_form,
    ledger_row,
    name_incident,
    post_form,
    record,
    text_of,
)
from web_mynumber_support import chain_entries, chain_text, valid_number
from web_support import TestClient, csrf_of, submit_verified

from kojin.api.state import state_of
from kojin.auth.roles import Role
from kojin.db.uow import Database
from kojin.law.breach_report import REPORT_ITEMS
from kojin.mail.service import list_outbox

READERS = {Role.ADMIN, Role.PRIVACY_OFFICER, Role.AUDITOR}
ACTORS = {Role.ADMIN, Role.PRIVACY_OFFICER}
NUMBER = valid_number("12345678901")


@pytest.fixture
def app(site_on_db: FastAPI) -> FastAPI:
    fix_clock(site_on_db)
    return site_on_db


@pytest.fixture
def officer(app: FastAPI, web_on_db: TestClient, database: Database) -> TestClient:
    """The client, signed in as a privacy officer."""
    as_role(web_on_db, database, Role.PRIVACY_OFFICER, "officer")
    return web_on_db


def _edit(client: TestClient, incident_id: str, **changes: str) -> Response:
    """Send the edit form as the browser shows it, with `changes` typed over it."""
    page = client.get(f"/admin/incidents/{incident_id}/edit").text
    action = f"/admin/incidents/{incident_id}/edit"
    sent: dict[str, object] = dict(browser_form(page, action))
    sent.update(changes)
    answer = client.post(action, data=sent)
    assert isinstance(answer, Response)
    return answer


def _step_options(page: str) -> list[str]:
    """The steps the step form offers."""
    begin = page.index('<select id="s-step"')
    return re.findall(r'<option value="([a-z_]+)"', page[begin : page.index("</select>", begin)])


# --- who sees what -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", [Role.ADMIN, Role.PRIVACY_OFFICER, Role.AUDITOR, Role.HANDLER, Role.MYNUMBER_HANDLER]
)
def test_who_opens_which_incident_page(
    app: FastAPI, web_on_db: TestClient, database: Database, role: Role
) -> None:
    as_role(web_on_db, database, Role.PRIVACY_OFFICER, "recorder")
    incident_id = record(web_on_db)
    web_on_db.cookies.clear()
    as_role(web_on_db, database, role)
    base = f"/admin/incidents/{incident_id}"
    pages = {
        "/admin/incidents": READERS,
        "/admin/incidents?status=closed": READERS,
        base: READERS,
        f"{base}/report-preliminary.html": READERS,
        f"{base}/report-final.pdf": READERS,
        f"{base}/publication-en.html": READERS,
        "/admin/incidents/new": ACTORS,
        f"{base}/edit": ACTORS,
    }
    for page, allowed in pages.items():
        expected = 200 if role in allowed else 403
        assert web_on_db.get(page).status_code == expected, page
    home = web_on_db.get("/admin/")
    assert home.status_code == 200
    assert ('href="/admin/incidents"' in home.text) == (role in READERS)
    assert ('id="incidents-card-heading"' in home.text) == (role in READERS)
    if role in READERS:
        view = web_on_db.get(base).text
        forms = re.findall(r'<form method="post" action="([^"]+)"', view)
        acting = [f for f in forms if f != "/admin/logout"]
        if role in ACTORS:
            assert acting == [
                f"{base}/steps",
                f"{base}/people",
                f"{base}/people/import",
                f"{base}/notices",
            ]
            assert f'href="{base}/edit"' in view
        else:
            assert acting == []
            assert f'href="{base}/edit"' not in view


def test_nobody_signed_in_is_sent_to_sign_in(web_on_db: TestClient) -> None:
    for page in ("/admin/incidents", "/admin/incidents/new", f"/admin/incidents/{'0' * 32}"):
        answer = web_on_db.get(page)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/admin/login")


def test_an_unknown_incident_is_not_found(officer: TestClient) -> None:
    assert officer.get(f"/admin/incidents/{'0' * 32}").status_code == 404
    assert officer.get(f"/admin/incidents/{'0' * 32}/report-final.pdf").status_code == 404


# --- recording ----------------------------------------------------------------------------------


def test_an_incident_is_recorded_and_assessed_in_both_languages(
    officer: TestClient, database: Database
) -> None:
    form = officer.get("/admin/incidents/new").text
    assert 'enctype="multipart/form-data"' in form
    for n in (1, 2, 3):  # rows for departments, without any script
        assert f'id="f-knowledge-{n}-department"' in form
    assert "<script" not in form
    incident_id = record(officer)
    page = officer.get(f"/admin/incidents/{incident_id}?done=recorded&lang=en").text
    assert "INC-2026-0001: 注文確認メールの誤送信" in page
    assert "The incident was recorded and assessed." in page
    assert "this incident does not have to be reported" in page
    assessment = text_of(page, 'id="assessment-heading"')
    assert "Reportable under APPI (Art. 26) No" in assessment
    assert "None of the reportable situations applies on the facts known now" in assessment
    clock = text_of(page, 'id="clock-heading"')
    assert "Day 1 (the first day a department learned of it) 1 December 2026" in clock
    assert "No report is required on the facts known now." in clock
    facts = text_of(page, 'id="facts-heading"')
    assert "営業部: 1 December 2026" in facts
    assert "Number of people 800" in facts
    japanese = officer.get(f"/admin/incidents/{incident_id}?lang=ja").text
    assert '<html lang="ja"' in japanese
    assert "現時点で判明している事実では報告対象事態に該当しない。" in japanese
    assert "1日目（いずれかの部署が知った最初の日） 2026年12月1日" in text_of(
        japanese, 'id="clock-heading"'
    )
    listed = officer.get("/admin/incidents?lang=en").text
    row = text_of(listed, "<tbody>", "</tbody>")
    assert "INC-2026-0001 注文確認メールの誤送信 Leakage Suspected Not reportable" in row
    assert "800 0" in row
    assert officer.get("/admin/incidents?status=closed").text.count("INC-2026-0001") == 0
    recorded = chain_entries(database, "incident.recorded")
    assert [(e.actor, e.object_id) for e in recorded] == [("staff:officer", incident_id)]
    assert "注文確認メール" not in chain_text(database)


def test_the_form_comes_back_with_errors_tied_to_fields_and_no_value_in_them(
    officer: TestClient, database: Database
) -> None:
    secret = "秘密の顧客リスト"
    data = incident_form(
        title=secret * 30,  # 240 characters: too long
        occurred_on="2026-02-30",
        knowledge_1_department=None,
        knowledge_1_known_on=None,
        knowledge_2_known_on="2026-12-01",  # a day without its department
        persons="八百人",
        summary=f"本人の番号 {NUMBER} を含む",
        cause=secret,
    )
    answer = post_form(officer, "/admin/incidents/new", "/admin/incidents", data)
    assert answer.status_code == 422
    links = re.findall(r'<li><a href="#([^"]+)">', answer.text)
    assert links == [
        "f-title",
        "f-occurred-on",
        "f-knowledge-1-department",
        "f-persons",
        "f-summary",
    ]
    for field_id in links:
        control = re.search(rf'<(?:input|textarea) id="{field_id}"[^>]*>', answer.text)
        assert control is not None, field_id
        assert 'aria-invalid="true"' in control.group(0), field_id
    summary = error_summary(answer.text)
    for value in (secret, "八百人", "2026-02-30", NUMBER, NUMBER[:4]):
        assert value not in summary
    assert "Enter the day as YYYY-MM-DD" in summary
    assert "it was removed" in summary
    # what was typed comes back in the fields, except the text that held a number
    assert f'value="{secret * 30}"' in answer.text
    assert 'value="八百人"' in answer.text
    assert f">{secret}</textarea>" in answer.text
    assert NUMBER not in answer.text
    assert chain_entries(database, "incident.recorded") == []
    empty = post_form(officer, "/admin/incidents/new", "/admin/incidents", {})
    assert empty.status_code == 422
    assert re.findall(r'<li><a href="#([^"]+)">', empty.text) == [
        "f-title",
        "f-kind",
        "f-knowledge-1-department",
    ]


def test_the_service_s_refusal_names_the_field(officer: TestClient) -> None:
    refused = post_form(
        officer,
        "/admin/incidents/new",
        "/admin/incidents",
        incident_form(entruster_notified_on="2026-12-02"),  # the company is no entrustee
    )
    assert refused.status_code == 422
    assert 'href="#f-entruster-notified-on"' in refused.text
    upper = post_form(
        officer, "/admin/incidents/new", "/admin/incidents", incident_form(persons_upper="10")
    )
    assert upper.status_code == 422
    assert "cannot be fewer than the people known" in error_summary(upper.text)


def test_ledger_rows_are_chosen_from_the_registry(app: FastAPI, officer: TestClient) -> None:
    row = ledger_row(app)
    form = officer.get("/admin/incidents/new").text
    assert f'value="{row}"' in form
    assert "顧客の氏名、メールアドレス、注文履歴 (customer)" in form
    unknown = post_form(
        officer, "/admin/incidents/new", "/admin/incidents", incident_form(ledger_rows="f" * 32)
    )
    assert unknown.status_code == 422
    assert 'href="#f-ledger-rows"' in unknown.text
    incident_id = record(officer, ledger_rows=[row])
    facts = text_of(officer.get(f"/admin/incidents/{incident_id}").text, 'id="facts-heading"')
    assert "Ledger rows involved 顧客の氏名、メールアドレス、注文履歴 (customer)" in facts
    edit = officer.get(f"/admin/incidents/{incident_id}/edit").text
    assert browser_form(edit, f"/admin/incidents/{incident_id}/edit")["ledger_rows"] == [row]


def test_an_entrustee_that_told_its_entruster_is_released(
    officer: TestClient, database: Database
) -> None:
    incident_id = record(officer, persons="1500", role="entrustee", counterpart="株式会社委託元")
    page = f"/admin/incidents/{incident_id}"
    view = officer.get(page).text
    assert "This incident must be reported" in view
    assert _step_options(view)[0] == "entruster_notified"
    told = post_form(
        officer, page, f"{page}/steps", {"step": "entruster_notified", "on": "2026-12-02"}
    )
    assert told.status_code == 303
    shown = officer.get(page).text
    assert "the company is released from reporting it" in shown
    assessment = text_of(shown, 'id="assessment-heading"')
    assert "Released as an entrustee (Art. 26(1) proviso) Yes" in assessment
    assert "The company must report No" in assessment
    assert "Entruster notified 2 December 2026" in text_of(shown, 'id="clock-heading"')
    facts = text_of(shown, 'id="facts-heading"')
    assert "We are the entrustee (we handle the data for another company) (株式会社委託元)" in facts
    listed = text_of(officer.get("/admin/incidents").text, "<tbody>", "</tbody>")
    assert "Released: the entruster was told" in listed


# --- editing and re-assessment -----------------------------------------------------------------


def test_the_count_passing_1000_makes_the_incident_reportable(
    officer: TestClient, database: Database
) -> None:
    incident_id = record(officer, persons="1,000")
    page = f"/admin/incidents/{incident_id}"
    assert "does not have to be reported" in officer.get(page).text
    unchanged = _edit(officer, incident_id)
    assert unchanged.status_code == 303
    assert unchanged.headers["location"].endswith("?done=unchanged")
    assert chain_entries(database, "incident.updated") == []
    answer = _edit(officer, incident_id, persons="1001")
    assert answer.headers["location"] == f"{page}?done=updated"
    shown = officer.get(answer.headers["location"]).text
    assert "The changes were saved and the incident assessed again." in shown
    assert "This incident must be reported" in shown
    assessment = text_of(shown, 'id="assessment-heading"')
    assert "Reportable under APPI (Art. 26) Yes" in assessment
    assert "More than 1,000 persons (PPC Rules Art. 7(iv))" in assessment
    clock = text_of(shown, 'id="clock-heading"')
    assert "between 3 December 2026 and 5 December 2026 2 days left" in clock
    assert "By 4 January 2027 (30 days) 32 days left" in clock
    assert "The people may ask for erasure or cessation (APPI Art. 35(5)) Yes" in assessment
    history = text_of(shown, 'id="history-heading"')
    assert "staff:officer Updated Number of people" in history
    updated = chain_entries(database, "incident.updated")
    assert [e.details["fields"] for e in updated] == [["persons"]]
    assert updated[0].details["reportable_appi_after"] is True
    listed = text_of(officer.get("/admin/incidents").text, "<tbody>", "</tbody>")
    assert "Reportable : APPI" in listed
    assert "5 Dec 2026 2 days left" in listed
    assert "4 Jan 2027 32 days left" in listed
    japanese = officer.get(f"{page}?lang=ja").text
    assert "残り2日" in text_of(japanese, 'id="clock-heading"')


def test_the_edit_form_is_filled_with_the_incident(officer: TestClient) -> None:
    incident_id = record(
        officer,
        wrongful_purpose="1",
        knowledge_2_department="情報システム部",
        knowledge_2_known_on="2026-12-02",
    )
    page = officer.get(f"/admin/incidents/{incident_id}/edit").text
    sent = browser_form(page, f"/admin/incidents/{incident_id}/edit")
    assert sent["title"] == ["注文確認メールの誤送信"]
    assert sent["kind"] == ["leakage"]
    assert sent["wrongful_purpose"] == ["1"]
    assert "special_care" not in sent
    assert sent["data_items"] == ["氏名\nメールアドレス"]
    assert sent["knowledge_2_department"] == ["情報システム部"]
    assert sent["knowledge_2_known_on"] == ["2026-12-02"]
    assert sent["knowledge_5_department"] == [""]  # three empty rows after the filled ones
    assert "knowledge_6_department" not in sent
    # a wrongful purpose makes it reportable with 60 days for the final report
    shown = officer.get(f"/admin/incidents/{incident_id}").text
    assert "(60 days)" in text_of(shown, 'id="clock-heading"')


# --- steps --------------------------------------------------------------------------------------


def test_steps_are_recorded_with_their_day(officer: TestClient, database: Database) -> None:
    incident_id = record(officer, persons="1500")
    page = f"/admin/incidents/{incident_id}"
    view = officer.get(page).text
    assert _step_options(view) == [
        "preliminary_reported",
        "final_reported",
        "people_notified",
        "published",
        "closed",
    ]  # no entruster to tell; nothing to reopen
    assert 'value="2026-12-03"' in view  # the day defaults to today
    bad = post_form(officer, page, f"{page}/steps", {"step": "preliminary_reported", "on": "3/12"})
    assert bad.status_code == 422
    assert 'href="#s-on"' in bad.text
    future = post_form(
        officer, page, f"{page}/steps", {"step": "preliminary_reported", "on": "2026-12-04"}
    )
    assert future.status_code == 422
    answer = post_form(
        officer, page, f"{page}/steps", {"step": "preliminary_reported", "on": "2026-12-03"}
    )
    assert answer.status_code == 303
    shown = officer.get(answer.headers["location"]).text
    assert "The step was recorded." in shown
    clock = text_of(shown, 'id="clock-heading"')
    assert "Reported on 3 Dec 2026" in clock
    assert "Preliminary report made 3 December 2026" in clock
    closed = post_form(officer, page, f"{page}/steps", {"step": "closed", "on": "2026-12-03"})
    assert closed.status_code == 303
    after = officer.get(page).text
    assert _step_options(after) == ["reopened"]
    refused = post_form(
        officer, page, f"{page}/steps", {"step": "final_reported", "on": "2026-12-03"}
    )
    assert refused.status_code == 409
    assert "a closed incident must be reopened first" in refused.text
    assert "INC-2026-0001" in officer.get("/admin/incidents?status=closed").text
    steps = chain_entries(database, "incident.step")
    assert [(e.details["step"], e.details["on"]) for e in steps] == [
        ("preliminary_reported", "2026-12-03"),
        ("closed", "2026-12-03"),
    ]


# --- people and notices -------------------------------------------------------------------------

PEOPLE_CSV = (
    "name,email,postal_address,lang\n"
    "山田 花子,hanako@example.jp,,ja\n"
    'John Smith,,"1-1 Chiyoda, Chiyoda-ku, Tokyo",en\n'
    "佐藤 次郎,,,ja\n"
).encode()


def test_people_are_imported_and_told(
    app: FastAPI, officer: TestClient, database: Database
) -> None:
    incident_id = record(officer, persons="1500")
    page = f"/admin/incidents/{incident_id}"
    wrong = post_form(
        officer,
        page,
        f"{page}/people/import",
        {},
        files={"people_csv": ("people.csv", b"name,email\nTaro,not-an-address\n", "text/csv")},
    )
    assert wrong.status_code == 422
    assert "check line 2, column email" in wrong.text
    assert "not-an-address" not in wrong.text
    assert 'href="#i-people-csv"' in wrong.text
    imported = post_form(
        officer,
        page,
        f"{page}/people/import",
        {},
        files={"people_csv": ("people.csv", PEOPLE_CSV, "text/csv")},
    )
    assert imported.status_code == 303
    assert imported.headers["location"] == f"{page}?done=imported&count=3#people"
    shown = officer.get(imported.headers["location"]).text
    assert "3 people were imported." in shown
    people = text_of(shown, 'id="people-heading"')
    assert "3 people listed 0 told" in people
    assert "山田 花子 hanako@example.jp Japanese Not told yet" in people
    notices = post_form(officer, page, f"{page}/notices", {})
    assert notices.status_code == 303
    told = officer.get(notices.headers["location"]).text
    assert "Notices: 1 e-mailed, 1 to be sent by post, 1 cannot be reached, 0 told before." in told
    counts = text_of(told, 'id="people-heading"')
    assert "3 people listed 2 told 1 to be told by post 1 cannot be reached" in counts
    assert "1 people cannot be reached" in counts
    assert f'href="{page}/publication-ja.html"' in told  # the alternative measures
    assert "佐藤 次郎 — Japanese Cannot be reached" in counts
    state = state_of(app)
    with state.database.read() as session:
        mails = list_outbox(session=session, cipher=state.cipher(), limit=100)
    sent = [m for m in mails if m.to == "hanako@example.jp"]
    assert len(sent) == 1
    text = sent[0].text or ""
    assert "INC-2026-0001" in text
    assert "/portal/requests/new?incident=INC-2026-0001" in text
    assert state.settings.public_url in text
    again = post_form(officer, page, f"{page}/notices", {})
    assert "already=2" in again.headers["location"]
    entries = chain_entries(database, "incident.people_added")
    assert [e.details["count"] for e in entries] == [3]
    assert "hanako" not in chain_text(database)


def test_one_person_is_added_by_the_form(officer: TestClient) -> None:
    incident_id = record(officer)
    page = f"/admin/incidents/{incident_id}"
    wrong = post_form(
        officer,
        page,
        f"{page}/people",
        {"name": "鈴木 一郎", "email": "ichiro(at)example.jp", "lang": "ja"},
    )
    assert wrong.status_code == 422
    assert 'href="#p-email"' in wrong.text
    assert "ichiro(at)example.jp" not in error_summary(wrong.text)
    assert 'value="鈴木 一郎"' in wrong.text  # the rest comes back as typed
    numbered = post_form(officer, page, f"{page}/people", {"name": f"鈴木 {NUMBER}", "lang": "ja"})
    assert numbered.status_code == 422
    assert NUMBER not in numbered.text
    added = post_form(
        officer,
        page,
        f"{page}/people",
        {"name": "鈴木 一郎", "email": "ichiro@example.jp", "lang": "en"},
    )
    assert added.status_code == 303
    shown = officer.get(added.headers["location"]).text
    assert "The person was added." in shown
    assert "鈴木 一郎 ichiro@example.jp English Not told yet" in text_of(
        shown, 'id="people-heading"'
    )


# --- drafts -------------------------------------------------------------------------------------


def test_the_drafts_open_as_pages_and_as_pdf(officer: TestClient, database: Database) -> None:
    incident_id = record(officer, persons="1500")
    base = f"/admin/incidents/{incident_id}"
    view = officer.get(base).text
    assert f'href="{base}/report-preliminary.html" target="_blank" rel="noopener"' in view
    html = officer.get(f"{base}/report-preliminary.html")
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assert html.headers["cache-control"] == "no-store"
    assert "script-src" not in html.headers["content-security-policy"]
    positions = [html.text.find(ja) for _, _, ja in REPORT_ITEMS]
    assert -1 not in positions
    assert positions == sorted(positions)  # the nine items in the Commission's order
    assert "INC-2026-0001" in html.text
    pdf = officer.get(f"{base}/report-final.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf.headers["content-disposition"]
    publication = officer.get(f"{base}/publication-en.html")
    assert publication.status_code == 200
    assert "INC-2026-0001" in publication.text
    for wrong in ("report-interim.html", "report-final.docx", "publication-fr.html"):
        assert officer.get(f"{base}/{wrong}").status_code == 404, wrong
    drafted = chain_entries(database, "incident.drafted")
    assert [e.details["what"] for e in drafted] == [
        "ppc_report.preliminary.html",
        "ppc_report.final.pdf",
        "publication.en",
    ]


# --- requests the incident caused -------------------------------------------------------------


def test_the_requests_it_caused_are_listed_and_linked(app: FastAPI, officer: TestClient) -> None:
    incident_id = record(officer, persons="1500")
    request_id = submit_verified(
        app, kind="erasure", details="漏えいした私のデータを消去してください。"
    )
    name_incident(app, request_id, "INC-2026-0001", "reportable_breach")
    view = officer.get(f"/admin/incidents/{incident_id}").text
    requests = text_of(view, 'id="requests-heading"')
    assert "naming INC-2026-0001" in requests
    assert f"{request_id[:8]} Erasure" in requests
    assert "A reportable breach (APPI Art. 35(5))" in requests
    assert f'href="/admin/requests/{request_id}"' in view
    assert 'href="/admin/requests?incident=INC-2026-0001&amp;closed=1"' in view
    listed = officer.get("/admin/incidents").text
    assert 'href="/admin/requests?incident=INC-2026-0001&amp;closed=1"' in listed


# --- the dashboard -----------------------------------------------------------------------------


def test_the_dashboard_card_shows_what_is_due(
    app: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    as_role(web_on_db, database, Role.PRIVACY_OFFICER, "officer")
    quiet = text_of(web_on_db.get("/admin/").text, 'id="incidents-card-heading"', "</p>")
    assert "0 open incidents" in quiet
    assert "No open incident has to be reported." in quiet
    due = record(web_on_db, persons="1500")
    late = record(
        web_on_db,
        title="委託先サーバーへの不正アクセス",
        wrongful_purpose="1",
        knowledge_1_known_on="2026-11-25",  # day 9: the preliminary guide has passed
    )
    record(web_on_db, title="少数の誤送信", persons="3")
    home = web_on_db.get("/admin/").text
    card = text_of(home, 'id="incidents-card-heading"', "</table>")
    assert "3 open incidents 2 open incidents that must be reported" in card
    assert "1 incidents with a report overdue Overdue" in card
    assert (
        "INC-2026-0002 委託先サーバーへの不正アクセス Overdue 29 Nov 2026 Overdue 4 days overdue"
        in card
    )
    assert "INC-2026-0001 注文確認メールの誤送信 Due within 7 days 5 Dec 2026 2 days left" in card
    assert card.index("INC-2026-0002") < card.index("INC-2026-0001")  # overdue first
    assert "少数の誤送信" not in card
    assert f'href="/admin/incidents/{late}"' in home
    assert f'href="/admin/incidents/{due}"' in home
    assert 'href="/admin/requests?incident=INC-2026-0002&amp;closed=1"' in home
    assert '<tr class="overdue">' in home
    japanese = web_on_db.get("/admin/?lang=ja").text
    assert "4日超過" in text_of(japanese, 'id="incidents-card-heading"', "</table>")
    web_on_db.cookies.clear()
    as_role(web_on_db, database, Role.HANDLER)
    assert 'id="incidents-card-heading"' not in web_on_db.get("/admin/").text


# --- CSRF and caching ---------------------------------------------------------------------------


def test_every_incident_form_needs_the_session_token(
    officer: TestClient, database: Database
) -> None:
    incident_id = record(officer)
    base = f"/admin/incidents/{incident_id}"
    before = chain_text(database)
    posts: dict[str, dict[str, object]] = {
        "/admin/incidents": incident_form(),
        f"{base}/edit": incident_form(persons="1500"),
        f"{base}/steps": {"step": "closed", "on": "2026-12-03"},
        f"{base}/people": {"name": "鈴木 一郎", "lang": "ja"},
        f"{base}/people/import": {},
        f"{base}/notices": {},
    }
    for path, data in posts.items():
        for token in (None, "not-the-token"):
            sent = data if token is None else {**data, "csrf_token": token}
            files = (
                {"people_csv": ("p.csv", PEOPLE_CSV, "text/csv")}
                if path.endswith("import")
                else None
            )
            answer = officer.post(path, data=sent, files=files)
            assert answer.status_code == 403, path
            assert "The form has expired" in answer.text
    assert chain_text(database) == before
    # and the token of the page's own forms is the session's
    assert csrf_of(officer.get(base).text) == csrf_of(officer.get("/admin/incidents/new").text)


def test_no_incident_page_is_cached(officer: TestClient) -> None:
    incident_id = record(officer, persons="1500")
    base = f"/admin/incidents/{incident_id}"
    for lang in ("en", "ja"):
        for path in (
            "/admin/",
            "/admin/incidents",
            "/admin/incidents?status=closed",
            "/admin/incidents/new",
            base,
            f"{base}/edit",
            f"{base}/report-preliminary.html",
            f"{base}/report-final.pdf",
            f"{base}/publication-ja.html",
        ):
            answer = officer.get(path, params={"lang": lang})
            assert answer.status_code == 200, path
            assert answer.headers["cache-control"] == "no-store", path
        page = officer.get(base, params={"lang": lang}).text
        assert f'<html lang="{lang}"' in page
