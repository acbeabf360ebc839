"""Staff sign-in, sessions and roles on the pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi import FastAPI
from httpx import Response
from sqlalchemy import func, select
from web_support import STAFF_PASSWORD, TestClient, csrf_of, make_staff, sign_in

from kojin.audit.models import AuditEntry
from kojin.auth.roles import Role
from kojin.db.uow import Database
from kojin.web.site import site_of

REFUSED_EN = "The user name or password is not right. Check both and try again."


def _answer(value: object) -> Response:
    assert isinstance(value, Response)
    return value


def _chained(database: Database, action: str) -> int:
    with database.read() as session:
        return int(
            session.execute(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
            ).scalar_one()
        )


def test_signing_in_opens_a_session_in_a_strict_cookie(
    web_on_db: TestClient, database: Database
) -> None:
    make_staff(database, Role.ADMIN, "alice")
    answer = _answer(sign_in(web_on_db, "alice"))
    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin/"
    cookie = next(
        c for c in answer.headers.get_list("set-cookie") if c.startswith("kojin_session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Path=/admin" in cookie
    assert "Secure" not in cookie  # the public URL is http here
    assert _chained(database, "staff.signed_in") == 1
    page = web_on_db.get("/admin/outbox")
    assert page.status_code == 200
    assert "Signed in as alice (administrator)" in page.text
    # signed in, the sign-in page leads home
    assert web_on_db.get("/admin/login").headers["location"] == "/admin/"


@pytest.mark.parametrize(
    ("username", "password"), [("alice", "wrong password!"), ("bob", STAFF_PASSWORD)]
)
def test_a_refusal_says_the_same_whatever_was_wrong(
    web_on_db: TestClient, database: Database, username: str, password: str
) -> None:
    make_staff(database, Role.ADMIN, "alice")
    answer = _answer(sign_in(web_on_db, username, password))
    assert answer.status_code == 401
    assert REFUSED_EN in answer.text
    assert "kojin_session" not in answer.headers.get("set-cookie", "")
    assert password not in answer.text
    assert _chained(database, "staff.sign_in_refused") == 1  # committed though refused
    assert web_on_db.get("/admin/outbox").status_code == 303


def test_empty_fields_are_named_and_tied_to_them(web_on_db: TestClient) -> None:
    answer = _answer(sign_in(web_on_db, "", ""))
    assert answer.status_code == 422
    assert 'href="#f-username"' in answer.text
    assert 'aria-describedby="f-username-error"' in answer.text
    assert 'aria-invalid="true"' in answer.text
    japanese = web_on_db.get("/admin/login?lang=ja")
    assert japanese.status_code == 200
    answer = _answer(sign_in(web_on_db, "", ""))
    assert "ユーザー名を入力してください" in answer.text


def test_sign_in_is_limited_per_account(web_on_db: TestClient, database: Database) -> None:
    make_staff(database, Role.ADMIN, "alice")
    for _ in range(5):
        assert _answer(sign_in(web_on_db, "alice", "wrong password!")).status_code == 401
    limited = _answer(sign_in(web_on_db, "alice", STAFF_PASSWORD))
    assert limited.status_code == 429
    assert "<h1>Too many attempts</h1>" in limited.text
    # another account from the same address is not limited by alice's count
    make_staff(database, Role.AUDITOR, "carol")
    assert _answer(sign_in(web_on_db, "carol")).status_code == 303


def test_sign_in_is_limited_per_address(web_on_db: TestClient, database: Database) -> None:
    for attempt in range(20):
        assert _answer(sign_in(web_on_db, f"nobody{attempt}", "wrong password!")).status_code == 401
    make_staff(database, Role.ADMIN, "alice")
    assert _answer(sign_in(web_on_db, "alice")).status_code == 429


def test_a_good_sign_in_clears_the_accounts_count(
    web_on_db: TestClient, database: Database
) -> None:
    make_staff(database, Role.ADMIN, "alice")
    for _ in range(4):
        sign_in(web_on_db, "alice", "wrong password!")
    assert _answer(sign_in(web_on_db, "alice")).status_code == 303
    web_on_db.cookies.clear()  # another browser
    for _ in range(4):
        assert _answer(sign_in(web_on_db, "alice", "wrong password!")).status_code == 401
    assert _answer(sign_in(web_on_db, "alice")).status_code == 303


def test_signing_in_again_replaces_the_session(web_on_db: TestClient, database: Database) -> None:
    make_staff(database, Role.ADMIN, "alice")
    sign_in(web_on_db, "alice")
    first = web_on_db.cookies.get("kojin_session")
    web_on_db.cookies.clear()
    token = csrf_of(web_on_db.get("/admin/login").text)
    web_on_db.cookies.set("kojin_session", str(first), domain="127.0.0.1", path="/admin")
    answer = web_on_db.post(  # the browser still holds the first session
        "/admin/login",
        data={"csrf_token": token, "username": "alice", "password": STAFF_PASSWORD},
    )
    assert answer.status_code == 303
    second = web_on_db.cookies.get("kojin_session")
    assert first
    assert second
    assert first != second
    assert _chained(database, "staff.signed_out") == 1
    web_on_db.cookies.clear()
    web_on_db.cookies.set("kojin_session", str(first), domain="127.0.0.1", path="/admin")
    assert web_on_db.get("/admin/outbox").status_code == 303  # the first one was ended


def test_signing_out_ends_the_session(web_on_db: TestClient, database: Database) -> None:
    make_staff(database, Role.ADMIN, "alice")
    sign_in(web_on_db, "alice")
    token = web_on_db.cookies.get("kojin_session")
    page = web_on_db.get("/admin/outbox")
    # the navigation's sign-out form carries the session's token
    answer = web_on_db.post("/admin/logout", data={"csrf_token": csrf_of(page.text)})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin/login?signed_out=1"
    assert 'kojin_session=""' in answer.headers["set-cookie"]
    assert "You have signed out." in web_on_db.get("/admin/login?signed_out=1").text
    web_on_db.cookies.set("kojin_session", str(token), domain="127.0.0.1", path="/admin")
    assert web_on_db.get("/admin/outbox").status_code == 303


def test_staff_forms_need_the_sessions_own_token(web_on_db: TestClient, database: Database) -> None:
    make_staff(database, Role.ADMIN, "alice")
    sign_in(web_on_db, "alice")
    page = web_on_db.get("/admin/outbox")
    session_token = csrf_of(page.text)
    refused = web_on_db.post("/admin/logout", data={"csrf_token": session_token + "x"})
    assert refused.status_code == 403
    assert "<h1>The form has expired</h1>" in refused.text
    cross = web_on_db.post(
        "/admin/logout",
        data={"csrf_token": session_token},
        headers={"origin": "http://evil.example"},
    )
    assert cross.status_code == 403
    assert web_on_db.get("/admin/outbox").status_code == 200  # still signed in


@pytest.mark.parametrize(
    ("next_path", "expected"),
    [
        ("/admin/outbox", "/admin/outbox"),
        ("//evil.example/admin/", "/admin/"),
        ("https://evil.example/admin/", "/admin/"),
        ("/portal/", "/admin/"),
        ("/admin//evil.example", "/admin/"),
    ],
)
def test_after_sign_in_only_a_staff_page_is_followed(
    web_on_db: TestClient, database: Database, next_path: str, expected: str
) -> None:
    make_staff(database, Role.ADMIN, "alice")
    answer = _answer(sign_in(web_on_db, "alice", next_path=next_path))
    assert answer.headers["location"] == expected


def test_a_page_asked_for_while_signed_out_comes_back_after_sign_in(
    web_on_db: TestClient, database: Database
) -> None:
    make_staff(database, Role.ADMIN, "alice")
    away = web_on_db.get("/admin/outbox")
    assert away.headers["location"] == "/admin/login?next=%2Fadmin%2Foutbox"
    form = web_on_db.get(away.headers["location"]).text
    assert 'name="next" value="/admin/outbox"' in form
    assert (
        _answer(sign_in(web_on_db, "alice", next_path="/admin/outbox")).headers["location"]
        == "/admin/outbox"
    )


def test_an_idle_session_ends(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    make_staff(database, Role.ADMIN, "alice")
    sign_in(web_on_db, "alice")
    assert web_on_db.get("/admin/outbox").status_code == 200
    site = site_of(site_on_db)
    real_now = site.now
    site.now = lambda: real_now() + timedelta(minutes=31)
    assert web_on_db.get("/admin/outbox").status_code == 303


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.ADMIN, 200),
        (Role.PRIVACY_OFFICER, 200),
        (Role.AUDITOR, 403),
        (Role.HANDLER, 403),
        (Role.MYNUMBER_HANDLER, 403),
    ],
)
def test_the_outbox_is_for_those_who_act(
    web_on_db: TestClient, database: Database, role: Role, status: int
) -> None:
    sign_in(web_on_db, make_staff(database, role))
    answer = web_on_db.get("/admin/outbox")
    assert answer.status_code == status
    if status == 403:
        assert "<h1>You may not open this page</h1>" in answer.text
        assert 'href="/admin/outbox"' not in answer.text  # nor is it in the navigation


def test_roles_without_request_pages_get_a_page_saying_so(
    web_on_db: TestClient, database: Database
) -> None:
    sign_in(web_on_db, make_staff(database, Role.MYNUMBER_HANDLER))
    answer = web_on_db.get("/admin/?lang=ja")
    assert answer.status_code == 200
    assert "個人番号事務取扱担当者" in answer.text
    assert 'href="/admin/requests"' not in answer.text


def test_the_outbox_shows_kept_mail(
    web_on_db: TestClient, database: Database, site_on_db: FastAPI
) -> None:
    from kojin.api.state import state_of
    from kojin.mail.message import MailMessage
    from kojin.mail.service import deliver

    state = state_of(site_on_db)
    with database.uow() as session:
        deliver(
            session=session,
            cipher=state.cipher(),
            settings=state.settings,
            message=MailMessage(
                to="taro@example.jp", subject="確認コード <b>", text="コード: 123456 <script>"
            ),
            purpose="email_code",
        )
    sign_in(web_on_db, make_staff(database, Role.PRIVACY_OFFICER))
    page = web_on_db.get("/admin/outbox").text
    assert "taro@example.jp" in page
    assert "確認コード &lt;b&gt;" in page
    assert "コード: 123456 &lt;script&gt;" in page
    assert "Kept (not sent)" in page


def test_a_sent_message_says_its_text_is_not_kept(
    web_on_db: TestClient, database: Database, site_on_db: FastAPI
) -> None:
    from kojin.api.state import state_of
    from kojin.mail.message import MailMessage
    from kojin.mail.models import MailOutbox
    from kojin.mail.service import deliver

    state = state_of(site_on_db)
    with database.uow() as session:
        row_id = deliver(
            session=session,
            cipher=state.cipher(),
            settings=state.settings,
            message=MailMessage(to="taro@example.jp", subject="お知らせ", text="本文"),
            purpose="incident.notice",
        )
        row = session.get(MailOutbox, row_id)
        assert row is not None
        row.status, row.text_enc = "sent", None  # what a delivery through SMTP leaves
    sign_in(web_on_db, make_staff(database, Role.PRIVACY_OFFICER))
    page = web_on_db.get("/admin/outbox").text
    assert "The text of a sent message is not kept." in page
    assert "None" not in page
