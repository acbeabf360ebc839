"""The vault's API: who gets a number (a designated mynumber_handler, for its affairs), who gets
masked records (the privacy office and auditors) and who gets nothing."""

from __future__ import annotations

import base64

import pytest
from mynumber_support import AFFAIRS, REMUNERATION, Api, chain, chain_text, numbers

from kojin.auth.roles import Role
from kojin.db.uow import Database
from kojin.mynumber.numbers import MASKED

NUMBER = next(numbers(1, seed=77))
M, P, A, U, H, S = (
    Role.MYNUMBER_HANDLER,
    Role.PRIVACY_OFFICER,
    Role.ADMIN,
    Role.AUDITOR,
    Role.HANDLER,
    Role.SYSTEM,
)
READERS = (P, A, U)
NOBODY_ELSE = (H, S)


def _designate(api: Api, who: Role | str = M) -> dict[str, object]:
    made = api.call(
        "POST",
        "/mynumber/handlers",
        P,
        json={"actor": api.tokens[who].label, "affairs": list(AFFAIRS), "department": "経理部"},
    )
    assert made.status_code == 201, made.text
    return dict(made.json())


def _person(api: Api) -> str:
    created = api.call(
        "POST", "/subjects", M, json={"category": "specific_personal", "name": "佐藤 一郎"}
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def _body(subject_id: str, number: str = NUMBER) -> dict[str, object]:
    return {
        "subject_id": subject_id,
        "number": f"{number[:4]} {number[4:8]} {number[8:]}",
        "affairs": [REMUNERATION],
        "route": "number_and_identity_documents",
        "document_types": ["notification_card", "drivers_license"],
        "purpose_stated": True,
        "acquired_on": "2026-04-01",
    }


@pytest.fixture
def record_id(api: Api) -> str:
    _designate(api)
    registered = api.call("POST", "/mynumber/records", M, json=_body(_person(api)))
    assert registered.status_code == 201, registered.text
    assert NUMBER not in registered.text
    record = registered.json()["record"]
    assert record["masked"] == MASKED
    return str(record["id"])


def test_a_designated_handler_registers_and_reveals(
    api: Api, database: Database, record_id: str
) -> None:
    revealed = api.call(
        "POST",
        f"/mynumber/records/{record_id}/reveal",
        M,
        json={"affair": REMUNERATION, "reason": "令和8年分の支払調書"},
    )
    assert revealed.status_code == 200, revealed.text
    assert revealed.json()["number"] == NUMBER
    assert revealed.headers["Kojin-Contains-My-Number"] == "authorized"
    assert revealed.headers["Cache-Control"] == "no-store"
    entry = chain(database)[-1]
    assert entry.action == "mynumber.revealed"
    assert entry.actor == api.tokens[M].label
    assert entry.details["decision_id"] == revealed.json()["decision_id"]
    assert NUMBER not in chain_text(database)


@pytest.mark.parametrize("role", READERS)
def test_the_privacy_office_and_auditors_see_masked_records(
    api: Api, record_id: str, role: Role
) -> None:
    listed = api.call("GET", "/mynumber/records", role)
    assert listed.status_code == 200
    assert [r["id"] for r in listed.json()] == [record_id]
    assert listed.json()[0]["masked"] == MASKED
    one = api.call("GET", f"/mynumber/records/{record_id}", role)
    assert one.status_code == 200
    for answer in (listed, one):
        assert NUMBER not in answer.text
        assert "Kojin-Contains-My-Number" not in answer.headers
    reveal = api.call(
        "POST",
        f"/mynumber/records/{record_id}/reveal",
        role,
        json={"affair": REMUNERATION, "reason": "x"},
    )
    assert reveal.status_code == 403
    assert NUMBER not in reveal.text


@pytest.mark.parametrize("role", NOBODY_ELSE)
def test_every_other_role_gets_nothing(api: Api, record_id: str, role: Role) -> None:
    for method, path, body in (
        ("GET", "/mynumber/records", None),
        ("GET", f"/mynumber/records/{record_id}", None),
        ("POST", f"/mynumber/records/{record_id}/reveal", {"affair": REMUNERATION, "reason": "x"}),
    ):
        answer = api.call(method, path, role, json=body)
        assert answer.status_code == 403
        assert answer.json()["error"]["code"] == "forbidden"
        assert record_id not in answer.text


def test_an_undesignated_mynumber_handler_sees_nothing(api: Api, record_id: str) -> None:
    listed = api.call("GET", "/mynumber/records", "undesignated")
    assert (listed.status_code, listed.json()) == (200, [])
    one = api.call("GET", f"/mynumber/records/{record_id}", "undesignated")
    unknown = api.call("GET", f"/mynumber/records/{'0' * 32}", "undesignated")
    assert one.status_code == unknown.status_code == 404
    assert one.json() == unknown.json()
    reveal = api.call(
        "POST",
        f"/mynumber/records/{record_id}/reveal",
        "undesignated",
        json={"affair": REMUNERATION, "reason": "x"},
    )
    assert reveal.status_code == 403
    assert NUMBER not in reveal.text
    registered = api.call("POST", "/mynumber/records", "undesignated", json=_body(_person(api)))
    assert registered.status_code == 403


def test_an_invalid_number_is_refused_without_echo(api: Api) -> None:
    _designate(api)
    wrong = NUMBER[:11] + str((int(NUMBER[11]) + 3) % 10)
    answer = api.call("POST", "/mynumber/records", M, json=_body(_person(api), wrong))
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert [f["field"] for f in error["fields"]] == ["number"]
    assert not any(c.isdigit() for c in answer.text)


def test_provision_documents_and_disposal(api: Api, database: Database, record_id: str) -> None:
    provided = api.call(
        "POST",
        f"/mynumber/records/{record_id}/provisions",
        M,
        json={
            "affair": REMUNERATION,
            "recipient": {"name": "税務署", "country": "JP", "government": True},
            "mna_19_item": "2",
            "reason": "法定調書の提出",
        },
    )
    assert provided.status_code == 201, provided.text
    assert NUMBER not in provided.text
    added = api.call(
        "POST",
        f"/mynumber/records/{record_id}/documents",
        M,
        json={
            "document_type": "drivers_license",
            "content_type": "image/jpeg",
            "content_base64": base64.b64encode(b"\xff\xd8 a licence").decode(),
        },
    )
    assert added.status_code == 201, added.text
    listed = api.call("GET", f"/mynumber/records/{record_id}/documents", U)
    assert [d["id"] for d in listed.json()] == [added.json()["id"]]
    ended = api.call(
        "POST", f"/mynumber/records/{record_id}/affairs-end", M, json={"ended_on": "2026-05-01"}
    )
    assert ended.status_code == 200, ended.text
    assert ended.json()["affairs_ended_on"] == "2026-05-01"
    disposed = api.call(
        "POST", "/mynumber/dispose", P, json={"record_ids": [record_id], "reason": "保存期間満了"}
    )
    assert disposed.status_code == 200, disposed.text
    assert disposed.json()[0]["status"] == "disposed"
    assert disposed.json()[0]["masked"] is None
    again = api.call(
        "POST",
        f"/mynumber/records/{record_id}/reveal",
        M,
        json={"affair": REMUNERATION, "reason": "x"},
    )
    assert again.status_code == 409
    assert [e.action for e in chain(database)][-2:] == [
        "mynumber.disposed",
        "mynumber.keys_rotated",
    ]


def test_a_refused_decision_is_a_403_with_its_reasons(api: Api, record_id: str) -> None:
    refused = api.call(
        "POST",
        f"/mynumber/records/{record_id}/provisions",
        M,
        json={
            "affair": REMUNERATION,
            "recipient": {"name": "Group Co.", "country": "JP", "group_company": True},
            "reason": "グループ会社への共有",
        },
    )
    assert refused.status_code == 403
    error = refused.json()["error"]
    assert error["code"] == "decision_denied"
    assert "Art. 19" in error["message"]


def test_designations_are_read_by_the_office_and_auditors(api: Api) -> None:
    made = _designate(api)
    for role in (P, A, U):
        listed = api.call("GET", "/mynumber/handlers", role)
        assert [h["id"] for h in listed.json()] == [made["id"]]
    assert api.call("GET", "/mynumber/handlers", M).status_code == 403
    revoked = api.call("DELETE", f"/mynumber/handlers/{made['id']}", A)
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert api.call("DELETE", f"/mynumber/handlers/{made['id']}", A).status_code == 409
