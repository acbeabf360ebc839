"""``/api/v1/incidents``: the incident register over the API (APPI Art. 26; R-BR-0..8).

The whole round trip (record, read, a count past 1,000 that makes the incident reportable,
steps, people from CSV, notices, the PPC report as HTML and PDF), the roles, the no-store
answers, and errors that name fields and never echo a value.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kojin.audit.models import AuditEntry
from kojin.auth.roles import Role
from kojin.db.uow import Database
from kojin.law.breach_report import REPORT_ITEMS
from kojin.mail.models import MailOutbox

BASE = "/api/v1/incidents"
TODAY = datetime.now(ZoneInfo("Asia/Tokyo")).date()

#: values that must never come back in an error, a notice count or the audit chain
PERSON_NAME = "山田花子"
PERSON_EMAIL = "hanako.yamada@example.jp"
PERSON_ADDRESS = "東京都千代田区丸の内1-1-1"
OTHER_NAME = "Taro Suzuki"
UNREACHABLE_NAME = "佐藤一郎"
PEOPLE_CSV = (
    "name,email,postal_address,lang\n"
    f"{PERSON_NAME},{PERSON_EMAIL},,ja\n"
    f"{OTHER_NAME},,{PERSON_ADDRESS},en\n"
    f"{UNREACHABLE_NAME},,,ja\n"
)
SECRET_TITLE = "顧客名簿の誤送信（担当 田中次郎）"


def _fields(**extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": SECRET_TITLE,
        "kind": "leakage",
        "certainty": "confirmed",
        "knowledge": [{"department": "営業部", "known_on": TODAY.isoformat()}],
        "persons": 10,
        "data_items": ["氏名", "メールアドレス"],
        "summary": "顧客名簿を添付したメールを社外の宛先に誤送信した。",
        "cause": "宛先の確認漏れ",
    }
    body.update(extra)
    return body


def _no_store(response: Any) -> None:
    assert response.headers["cache-control"] == "no-store", response.request.url


def _record(client: TestClient, headers: dict[str, str], **extra: Any) -> dict[str, Any]:
    made = client.post(BASE, json=_fields(**extra), headers=headers)
    assert made.status_code == 201, made.text
    _no_store(made)
    body: dict[str, Any] = made.json()
    return body


def _chain(database: Database) -> list[AuditEntry]:
    with database.read() as session:
        return list(session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars())


def _csv_headers(headers: dict[str, str]) -> dict[str, str]:
    return {**headers, "content-type": "text/csv; charset=utf-8"}


def test_the_round_trip_from_record_to_report(
    client: TestClient, auth: dict[Role, dict[str, str]], database: Database
) -> None:
    admin = auth[Role.ADMIN]
    made = _record(client, admin)
    incident_id, reference = made["id"], made["reference"]
    assert reference.startswith(f"INC-{TODAY.year}-")
    assert made["status"] == "open"
    assert made["assessment"]["must_report"] is False
    assert made["known_on"] == TODAY.isoformat()

    for ref in (incident_id, reference):
        got = client.get(f"{BASE}/{ref}", headers=admin)
        assert got.status_code == 200, got.text
        _no_store(got)
        assert got.json()["id"] == incident_id
        assert got.json()["fields"]["title"] == SECRET_TITLE

    # a count past 1,000 makes it reportable (Rule 7(iv)); only the field sent changes
    patched = client.patch(f"{BASE}/{incident_id}", json={"persons": 1001}, headers=admin)
    assert patched.status_code == 200, patched.text
    _no_store(patched)
    view = patched.json()
    assert view["assessment"]["must_report"] is True
    assert view["assessment"]["reportable_appi"] is True
    assert view["fields"]["persons"] == 1001
    assert view["fields"]["title"] == SECRET_TITLE
    assert view["fields"]["data_items"] == ["氏名", "メールアドレス"]
    preliminary_by = date.fromisoformat(view["assessment"]["preliminary_by"])
    final_due = date.fromisoformat(view["assessment"]["final_due"])
    assert view["days_left_preliminary"] == (preliminary_by - TODAY).days
    assert view["days_left_final"] == (final_due - TODAY).days
    assert view["days_left_final"] >= 29
    assert "persons" in view["history"][-1]["fields"]

    stepped = client.post(
        f"{BASE}/{reference}/steps",
        json={"step": "preliminary_reported", "on": TODAY.isoformat()},
        headers=admin,
    )
    assert stepped.status_code == 200, stepped.text
    assert stepped.json()["preliminary_reported_on"] == TODAY.isoformat()
    assert stepped.json()["days_left_preliminary"] is None
    defaulted = client.post(
        f"{BASE}/{incident_id}/steps", json={"step": "people_notified"}, headers=admin
    )
    assert defaulted.status_code == 200, defaulted.text
    assert defaulted.json()["people_notified_on"] == TODAY.isoformat()

    imported = client.post(
        f"{BASE}/{incident_id}/people/import",
        content=PEOPLE_CSV.encode("utf-8"),
        headers=_csv_headers(admin),
    )
    assert imported.status_code == 201, imported.text
    _no_store(imported)
    assert imported.json() == {"imported": 3}
    one = client.post(
        f"{BASE}/{incident_id}/people", json={"name": "Jane Roe", "lang": "en"}, headers=admin
    )
    assert one.status_code == 201, one.text
    people = client.get(f"{BASE}/{incident_id}/people", headers=auth[Role.AUDITOR])
    assert people.status_code == 200
    _no_store(people)
    assert [p["name"] for p in people.json()] == [
        PERSON_NAME,
        OTHER_NAME,
        UNREACHABLE_NAME,
        "Jane Roe",
    ]

    sent = client.post(f"{BASE}/{incident_id}/notices/send", headers=admin)
    assert sent.status_code == 200, sent.text
    _no_store(sent)
    assert sent.json() == {"sent": 1, "by_post": 1, "unreachable": 2, "already": 0}
    again = client.post(f"{BASE}/{incident_id}/notices/send", headers=admin)
    assert again.json() == {"sent": 0, "by_post": 0, "unreachable": 2, "already": 2}
    with database.read() as session:
        assert session.execute(select(func.count()).select_from(MailOutbox)).scalar_one() == 1
    counts = client.get(f"{BASE}/{incident_id}", headers=admin).json()
    assert (counts["people_total"], counts["people_notified"], counts["people_unreachable"]) == (
        4,
        2,
        2,
    )

    html = client.get(
        f"{BASE}/{incident_id}/report", params={"stage": "preliminary"}, headers=admin
    )
    assert html.status_code == 200, html.text
    _no_store(html)
    assert html.headers["content-type"].startswith("text/html")
    position = 0
    for _item, _en, ja in REPORT_ITEMS:  # the nine items, in the Commission's order
        found = html.text.find(ja, position)
        assert found >= 0, ja
        position = found + len(ja)
    assert reference in html.text

    pdf = client.get(
        f"{BASE}/{reference}/report",
        params={"stage": "final", "format": "pdf"},
        headers=auth[Role.AUDITOR],
    )
    assert pdf.status_code == 200, pdf.text
    _no_store(pdf)
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert f'filename="{reference}-ppc-final.pdf"' in pdf.headers["content-disposition"]

    published = client.get(
        f"{BASE}/{incident_id}/publication", params={"lang": "en"}, headers=admin
    )
    assert published.status_code == 200, published.text
    assert published.headers["content-type"].startswith("text/html")
    assert reference in published.text

    drafted = [e for e in _chain(database) if e.action == "incident.drafted"]
    assert [e.details["what"] for e in drafted] == [
        "ppc_report.preliminary.html",
        "ppc_report.final.pdf",
        "publication.en",
    ]
    auditor_id = drafted[1].actor
    assert auditor_id.startswith("token:")

    listed = client.get(BASE, params={"status": "open"}, headers=admin)
    assert listed.status_code == 200
    _no_store(listed)
    assert [row["reference"] for row in listed.json()] == [reference]
    assert listed.json()[0]["must_report"] is True
    assert client.get(BASE, params={"status": "closed"}, headers=admin).json() == []
    figures = client.get(f"{BASE}/figures", headers=auth[Role.PRIVACY_OFFICER])
    assert figures.status_code == 200
    _no_store(figures)
    assert figures.json()["open_count"] == 1
    assert figures.json()["must_report_open"] == 1

    # nothing a person or staff typed is in the audit chain
    chain = "\n".join(f"{e.actor} {e.action} {e.details}" for e in _chain(database))
    for value in (PERSON_NAME, PERSON_EMAIL, PERSON_ADDRESS, OTHER_NAME, SECRET_TITLE, "営業部"):
        assert value not in chain


def test_auditors_read_and_may_not_write(
    client: TestClient, auth: dict[Role, dict[str, str]]
) -> None:
    made = _record(client, auth[Role.PRIVACY_OFFICER])
    auditor = auth[Role.AUDITOR]
    url = f"{BASE}/{made['id']}"
    assert client.get(url, headers=auditor).status_code == 200
    assert client.get(BASE, headers=auditor).status_code == 200
    assert client.get(f"{url}/people", headers=auditor).status_code == 200
    for method, path, body in (
        ("POST", BASE, _fields()),
        ("PATCH", url, {"persons": 5}),
        ("POST", f"{url}/steps", {"step": "closed"}),
        ("POST", f"{url}/people", {"name": "Jane Roe"}),
        ("POST", f"{url}/notices/send", None),
    ):
        refused = client.request(method, path, json=body, headers=auditor)
        assert refused.status_code == 403, (method, path)
        _no_store(refused)
        assert refused.json()["error"]["code"] == "forbidden"
    unchanged = client.get(url, headers=auditor).json()
    assert unchanged["fields"]["persons"] == 10
    assert unchanged["status"] == "open"


@pytest.mark.parametrize("role", [Role.HANDLER, Role.MYNUMBER_HANDLER, Role.SYSTEM])
def test_other_roles_see_nothing(
    client: TestClient, auth: dict[Role, dict[str, str]], role: Role
) -> None:
    made = _record(client, auth[Role.ADMIN])
    for path in (
        BASE,
        f"{BASE}/figures",
        f"{BASE}/{made['id']}",
        f"{BASE}/{made['reference']}/people",
        f"{BASE}/{made['id']}/report?stage=preliminary",
        f"{BASE}/{made['id']}/publication",
    ):
        refused = client.get(path, headers=auth[role])
        assert refused.status_code == 403, path
        _no_store(refused)
        assert SECRET_TITLE not in refused.text
    assert client.post(BASE, json=_fields(), headers=auth[role]).status_code == 403


def test_a_request_without_a_token_is_401(client: TestClient) -> None:
    refused = client.get(BASE)
    assert refused.status_code == 401
    _no_store(refused)


def _error_fields(response: Any) -> list[str]:
    return [item["field"] for item in response.json()["error"]["fields"]]


def test_invalid_bodies_name_the_field_never_the_value(
    client: TestClient, auth: dict[Role, dict[str, str]]
) -> None:
    admin = auth[Role.ADMIN]
    long_title = "秘密の件名" * 50
    cases: list[tuple[dict[str, Any], str]] = [
        (_fields(title=long_title), "body.title"),
        (_fields(persons=-1), "body.persons"),
        (_fields(kind="hacked-by-yamada"), "body.kind"),
        (
            _fields(knowledge=[{"department": "営業部", "known_on": "yesterday-ish"}]),
            "body.knowledge.0.known_on",
        ),
        ({**_fields(), "nickname": PERSON_NAME}, "body.nickname"),
    ]
    for body, field in cases:
        refused = client.post(BASE, json=body, headers=admin)
        assert refused.status_code == 422, body
        _no_store(refused)
        assert any(name.startswith(field) for name in _error_fields(refused)), refused.text
        for value in (long_title, "hacked-by-yamada", "yesterday-ish", PERSON_NAME):
            assert value not in refused.text

    missing = client.post(BASE, json={"title": SECRET_TITLE, "kind": "loss"}, headers=admin)
    assert missing.status_code == 422
    assert _error_fields(missing) == ["knowledge"]
    assert SECRET_TITLE not in missing.text

    made = _record(client, admin)
    url = f"{BASE}/{made['id']}"
    below = client.patch(url, json={"persons": 50, "persons_upper": 20}, headers=admin)
    assert below.status_code == 422
    assert _error_fields(below) == ["persons_upper"]
    wrong_step = client.post(f"{url}/steps", json={"step": "forgotten"}, headers=admin)
    assert wrong_step.status_code == 422
    assert _error_fields(wrong_step) == ["body.step"]
    future = (TODAY + timedelta(days=3)).isoformat()
    later = client.post(f"{url}/steps", json={"step": "closed", "on": future}, headers=admin)
    assert later.status_code == 422
    assert _error_fields(later) == ["on"]
    bad_stage = client.get(f"{url}/report", params={"stage": "draft"}, headers=admin)
    assert bad_stage.status_code == 422
    assert _error_fields(bad_stage) == ["query.stage"]
    bad_lang = client.get(f"{url}/publication", params={"lang": "fr"}, headers=admin)
    assert bad_lang.status_code == 422
    assert _error_fields(bad_lang) == ["query.lang"]
    bad_email = client.post(f"{url}/people", json={"name": "x", "email": "hanako"}, headers=admin)
    assert bad_email.status_code == 422
    assert "hanako" not in bad_email.text


def test_a_bad_csv_names_the_line_and_column_and_stores_no_one(
    client: TestClient, auth: dict[Role, dict[str, str]]
) -> None:
    admin = auth[Role.ADMIN]
    made = _record(client, admin)
    url = f"{BASE}/{made['id']}"
    bad = f"{PERSON_NAME},{PERSON_EMAIL},,ja\n{OTHER_NAME},not-an-address,,en\n"
    refused = client.post(
        f"{url}/people/import", content=bad.encode("utf-8"), headers=_csv_headers(admin)
    )
    assert refused.status_code == 422
    _no_store(refused)
    assert _error_fields(refused) == ["body"]
    assert "line 2, column email" in refused.json()["error"]["message"]
    for value in (PERSON_NAME, PERSON_EMAIL, OTHER_NAME, "not-an-address"):
        assert value not in refused.text
    assert client.get(f"{url}/people", headers=admin).json() == []
    as_json = client.post(f"{url}/people/import", json={"name": "x"}, headers=admin)
    assert as_json.status_code == 415


def test_unknown_incidents_are_404(client: TestClient, auth: dict[Role, dict[str, str]]) -> None:
    admin = auth[Role.ADMIN]
    for ref in ("0" * 32, f"INC-{TODAY.year}-9999"):
        url = f"{BASE}/{ref}"
        for method, path, kwargs in (
            ("GET", url, {}),
            ("PATCH", url, {"json": {"persons": 3}}),
            ("POST", f"{url}/steps", {"json": {"step": "closed"}}),
            ("GET", f"{url}/people", {}),
            ("POST", f"{url}/people", {"json": {"name": "Jane Roe"}}),
            ("POST", f"{url}/notices/send", {}),
            ("GET", f"{url}/report?stage=final", {}),
            ("GET", f"{url}/publication", {}),
        ):
            missing = client.request(method, path, headers=admin, **kwargs)
            assert missing.status_code == 404, (method, path, missing.text)
            _no_store(missing)
            assert missing.json()["error"]["code"] == "not_found"
    malformed = client.get(f"{BASE}/{PERSON_NAME}", headers=admin)
    assert malformed.status_code == 422
    assert PERSON_NAME not in malformed.text


def test_steps_that_do_not_fit_the_status_are_409(
    client: TestClient, auth: dict[Role, dict[str, str]]
) -> None:
    admin = auth[Role.ADMIN]
    made = _record(client, admin)
    url = f"{BASE}/{made['id']}"
    assert client.post(f"{url}/steps", json={"step": "reopened"}, headers=admin).status_code == 409
    closed = client.post(f"{url}/steps", json={"step": "closed"}, headers=admin)
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    again = client.post(f"{url}/steps", json={"step": "closed"}, headers=admin)
    assert again.status_code == 409
    _no_store(again)
    assert client.post(f"{url}/notices/send", headers=admin).status_code == 409
    assert [
        r["reference"] for r in client.get(BASE, params={"status": "closed"}, headers=admin).json()
    ] == [made["reference"]]
    reopened = client.post(f"{url}/steps", json={"step": "reopened"}, headers=admin)
    assert reopened.status_code == 200
    assert reopened.json()["status"] == "open"


def test_an_update_of_nothing_records_nothing(
    client: TestClient, auth: dict[Role, dict[str, str]], database: Database
) -> None:
    admin = auth[Role.ADMIN]
    made = _record(client, admin)
    before = len(_chain(database))
    same = client.patch(f"{BASE}/{made['id']}", json={"persons": 10}, headers=admin)
    assert same.status_code == 200
    assert len(_chain(database)) == before
    changed = client.patch(f"{BASE}/{made['id']}", json={"cause": "誤操作"}, headers=admin)
    assert changed.json()["fields"]["cause"] == "誤操作"
    assert changed.json()["fields"]["summary"] == _fields()["summary"]
    updated = _chain(database)[-1]
    assert updated.action == "incident.updated"
    assert updated.details["fields"] == ["cause"]
    assert "誤操作" not in str(updated.details)
