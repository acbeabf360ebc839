"""The recipient register's pages over the real register: who sees what, registering an
entrustee (errors tied to fields, never repeating a value, a My Number emptied), the overdue
register, recording a check, ending, the Art. 28(3) statement in both languages, the
dashboard's navigation link, CSRF and no caching.

The pages' clock is fixed at 10:00 in Tokyo on 3 December 2026."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from httpx import Response
from web_mynumber_support import valid_number
from web_support import TestClient, csrf_of, make_staff, sign_in

from kojin.audit.models import AuditEntry
from kojin.auth.roles import Role
from kojin.db.uow import Database
from kojin.web.site import site_of

NOW = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)
READERS = {Role.ADMIN, Role.PRIVACY_OFFICER, Role.AUDITOR}
ACTORS = {Role.ADMIN, Role.PRIVACY_OFFICER}
SECRET = "担当 山田太郎の作業場を確認"
NUMBER = valid_number("12345678901")


@pytest.fixture
def db(sqlite_url: str) -> Iterator[Database]:
    database = Database.from_url(sqlite_url)
    yield database
    database.dispose()


@pytest.fixture
def app(site: FastAPI) -> FastAPI:
    site_of(site).now = lambda: NOW
    return site


def _as(client: TestClient, db: Database, role: Role, name: str | None = None) -> None:
    answer = sign_in(client, make_staff(db, role, name))
    assert isinstance(answer, Response)
    assert answer.status_code == 303


def _post(client: TestClient, page: str, action: str, data: dict[str, object]) -> Response:
    token = csrf_of(client.get(page).text)
    answer = client.post(action, data={"csrf_token": token, **data})
    assert isinstance(answer, Response)
    return answer


def _carrier(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "name": "株式会社 配送サービス",
        "country": "JP",
        "entrustee": "1",
        "entrusted": "商品の発送",
        "contract_date": "2025-10-01",
        "contract_items": ["confidentiality", "return_or_deletion"],
        "evaluation_result": "suitable",
        "evaluation_notes": SECRET,
        "check_interval_days": "365",
    }
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


def _add(client: TestClient, **changes: object) -> str:
    answer = _post(client, "/admin/recipients/new", "/admin/recipients", _carrier(**changes))
    assert answer.status_code == 303, answer.text
    found = re.search(r"/admin/recipients/([0-9a-f]{32})\?done=added", answer.headers["location"])
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize(
    "role", [Role.ADMIN, Role.PRIVACY_OFFICER, Role.AUDITOR, Role.HANDLER, Role.MYNUMBER_HANDLER]
)
def test_who_opens_which_page(app: FastAPI, web: TestClient, db: Database, role: Role) -> None:
    _as(web, db, Role.PRIVACY_OFFICER, "recorder")
    carrier = _add(web)
    cloud = _add(
        web,
        name="Example Cloud Inc.",
        country="US",
        entrustee=None,
        foreign_rule16="1",
        rule16_basis="cbpr",
    )
    web.cookies.clear()
    _as(web, db, role)
    pages = {
        "/admin/recipients": READERS,
        "/admin/recipients?status=overdue": READERS,
        f"/admin/recipients/{carrier}": READERS,
        f"/admin/recipients/{cloud}/statement?in=en": READERS,
        "/admin/recipients/new": ACTORS,
        f"/admin/recipients/{carrier}/edit": ACTORS,
    }
    for page, allowed in pages.items():
        answer = web.get(page)
        assert answer.status_code == (200 if role in allowed else 403), page
        assert answer.headers["cache-control"] == "no-store"
    home = web.get("/admin/").text
    assert ('href="/admin/recipients"' in home) == (role in READERS)
    if role in READERS:
        view = web.get(f"/admin/recipients/{carrier}").text
        forms = [
            f
            for f in re.findall(r'<form method="post" action="([^"]+)"', view)
            if f != "/admin/logout"
        ]
        expected = [f"/admin/recipients/{carrier}/checks", f"/admin/recipients/{carrier}/end"]
        assert forms == (expected if role in ACTORS else [])


def test_register_check_and_end_an_entrustee(app: FastAPI, web: TestClient, db: Database) -> None:
    _as(web, db, Role.PRIVACY_OFFICER, "officer")
    carrier = _add(web)
    page = web.get(f"/admin/recipients/{carrier}?done=added").text
    assert "The recipient was registered." in page
    # contract dated 2025-10-01: the yearly check was due on 2026-10-01, so it is overdue
    assert "The periodic check was due on" in page
    assert "Reporting and audit rights" in page  # a missing contract item
    assert SECRET in page
    overdue = web.get("/admin/recipients?status=overdue").text
    assert "株式会社 配送サービス" in overdue
    assert "Overdue" in overdue

    refused = _post(
        web,
        f"/admin/recipients/{carrier}",
        f"/admin/recipients/{carrier}/checks",
        {"checked_on": "2026-12-02", "notes": f"番号 {NUMBER}"},
    )
    assert refused.status_code == 422
    assert NUMBER not in refused.text
    assert 'href="#c-kind"' in refused.text
    assert 'href="#c-notes"' in refused.text
    done = _post(
        web,
        f"/admin/recipients/{carrier}",
        f"/admin/recipients/{carrier}/checks",
        {
            "kind": "supervision",
            "checked_on": "2026-12-02",
            "result": "issues",
            "notes": SECRET,
            "actions": "施錠の改善を依頼",
        },
    )
    assert done.status_code == 303
    page = web.get(f"/admin/recipients/{carrier}").text
    assert "The periodic check was due on" not in page
    assert "Issues found" in page
    assert "施錠の改善を依頼" in page
    assert web.get("/admin/recipients?status=overdue").text.count("配送サービス") == 0

    ended = _post(
        web,
        f"/admin/recipients/{carrier}",
        f"/admin/recipients/{carrier}/end",
        {"ended_on": "2026-12-03"},
    )
    assert ended.status_code == 303
    assert "配送サービス" in web.get("/admin/recipients?status=ended").text
    assert "配送サービス" not in web.get("/admin/recipients").text

    with db.read() as session:
        from sqlalchemy import select

        entries = list(session.execute(select(AuditEntry)).scalars())
    recorded = [e for e in entries if e.action.startswith("recipient.")]
    assert [e.action for e in recorded] == [
        "recipient.added",
        "recipient.check_recorded",
        "recipient.ended",
    ]
    assert {e.actor for e in recorded} == {"staff:officer"}
    assert SECRET not in str([e.details for e in recorded])


def test_form_errors_are_tied_to_fields_and_never_repeat_a_value(
    app: FastAPI, web: TestClient, db: Database
) -> None:
    _as(web, db, Role.ADMIN)
    answer = _post(
        web,
        "/admin/recipients/new",
        "/admin/recipients",
        _carrier(
            name="", country="ZZ", contract_date="yesterday", evaluation_notes=f"控え {NUMBER}"
        ),
    )
    assert answer.status_code == 422
    for key in ("name", "contract-date", "evaluation-notes"):
        assert f'href="#f-{key}"' in answer.text, key
    assert NUMBER not in answer.text
    bad_country = _post(web, "/admin/recipients/new", "/admin/recipients", _carrier(country="ZZ"))
    assert bad_country.status_code == 422
    assert 'href="#f-country"' in bad_country.text
    _add(web)
    twice = _post(
        web, "/admin/recipients/new", "/admin/recipients", _carrier(name="配送サービス株式会社")
    )
    assert twice.status_code == 409
    assert "A recipient of this name is already registered" in twice.text
    no_kind = _post(
        web, "/admin/recipients/new", "/admin/recipients", _carrier(name="Other KK", entrustee=None)
    )
    assert no_kind.status_code == 422
    assert 'href="#f-entrustee"' in no_kind.text
    no_csrf = web.post("/admin/recipients", data=_carrier(name="Third KK"))
    assert no_csrf.status_code == 403


def test_edit_and_the_statement_in_both_languages(
    app: FastAPI, web: TestClient, db: Database
) -> None:
    _as(web, db, Role.PRIVACY_OFFICER)
    cloud = _add(
        web,
        name="Example Cloud Inc.",
        country="US",
        entrustee=None,
        foreign_rule16="1",
        rule16_basis="contract",
        statement_ja_setup="APPI水準の条項を含む契約",
        statement_en_measures="Access control and encryption",
    )
    form = web.get(f"/admin/recipients/{cloud}/edit").text
    assert "APPI水準の条項を含む契約" in form
    sent = {
        **_carrier(
            name="Example Cloud Inc.",
            country="US",
            entrustee=None,
            foreign_rule16="1",
            rule16_basis="contract",
            statement_ja_setup="APPI水準の条項を含む契約",
            statement_en_measures="Access control and encryption",
        ),
        "statement_ja_impediments": "支障なし",
    }
    saved = _post(web, f"/admin/recipients/{cloud}/edit", f"/admin/recipients/{cloud}/edit", sent)
    assert saved.status_code == 303
    ja = web.get(f"/admin/recipients/{cloud}/statement").text
    assert "外国の名称" in ja
    assert "米国" in ja
    assert "支障なし" in ja
    assert "Access control and encryption" in ja  # given in English only
    en = web.get(f"/admin/recipients/{cloud}/statement?in=en").text
    assert "United States" in en
    assert "(not recorded)" in en
    assert web.get(f"/admin/recipients/{'0' * 32}").status_code == 404
