"""CSRF: every unsafe method needs a valid token and, when the browser says, a right origin.

The probe application is built like the portal (signed double submit); the staff sign-in form
uses the same check before any session exists.
"""

from __future__ import annotations

import re

import pytest
from web_support import PROBE_PREFIX, TestClient, csrf_of

ECHO = f"{PROBE_PREFIX}/echo"


def _token(client: TestClient) -> str:
    answer = client.get(f"{PROBE_PREFIX}/form")
    assert answer.status_code == 200
    return str(answer.text)


def _refused(answer: object, lang: str = "en") -> None:
    from httpx import Response

    assert isinstance(answer, Response)
    assert answer.status_code == 403
    assert answer.headers["content-type"].startswith("text/html")
    title = {"en": "The form has expired", "ja": "フォームの有効期限が切れました"}[lang]
    assert f"<h1>{title}</h1>" in answer.text


def test_a_valid_token_passes(probed: TestClient) -> None:
    token = _token(probed)
    answer = probed.post(ECHO, data={"csrf_token": token, "name": "abc"})
    assert answer.status_code == 200
    assert answer.text == "accepted 3 characters"


def test_the_cookie_is_issued_once_and_kept(probed: TestClient) -> None:
    first = probed.get(f"{PROBE_PREFIX}/form")
    assert first.headers["set-cookie"].startswith("kojin_csrf=")
    second = probed.get(f"{PROBE_PREFIX}/form")
    assert "set-cookie" not in second.headers
    assert first.text == second.text  # the same cookie signs to the same token


def test_no_token_is_refused(probed: TestClient) -> None:
    _token(probed)
    _refused(probed.post(ECHO, data={"name": "abc"}))


def test_a_wrong_token_is_refused(probed: TestClient) -> None:
    token = _token(probed)
    wrong = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    _refused(probed.post(ECHO, data={"csrf_token": wrong, "name": "abc"}))
    _refused(probed.post(ECHO, data={"csrf_token": "", "name": "abc"}))


def test_a_token_without_its_cookie_is_refused(probed: TestClient) -> None:
    token = _token(probed)
    probed.cookies.clear()
    _refused(probed.post(ECHO, data={"csrf_token": token}))


def test_a_token_for_another_cookie_is_refused(probed: TestClient, site: object) -> None:
    token = _token(probed)
    probed.cookies.set("kojin_csrf", "A" * 43)
    _refused(probed.post(ECHO, data={"csrf_token": token}))


@pytest.mark.parametrize(
    "origin",
    ["http://evil.example", "http://127.0.0.1:9999", "https://127.0.0.1:8000", "file://", "x"],
)
def test_a_cross_origin_post_is_refused_even_with_a_valid_token(
    probed: TestClient, origin: str
) -> None:
    token = _token(probed)
    answer = probed.post(ECHO, data={"csrf_token": token}, headers={"origin": origin})
    _refused(answer)


@pytest.mark.parametrize("fetch_site", ["cross-site", "same-site"])
def test_a_fetch_from_another_site_is_refused(probed: TestClient, fetch_site: str) -> None:
    token = _token(probed)
    headers = {"sec-fetch-site": fetch_site}
    answer = probed.post(ECHO, data={"csrf_token": token}, headers=headers)
    _refused(answer)


def test_a_null_origin_is_left_to_the_token(probed: TestClient) -> None:
    """Browsers send ``Origin: null`` with a form of a page under ``no-referrer``: the token
    decides."""
    token = _token(probed)
    headers = {"origin": "null", "sec-fetch-site": "same-origin"}
    assert probed.post(ECHO, data={"csrf_token": token}, headers=headers).status_code == 200
    _refused(probed.post(ECHO, data={"csrf_token": token + "x"}, headers=headers))


@pytest.mark.parametrize(
    "origin", ["http://127.0.0.1:8000", "HTTP://127.0.0.1:8000", "http://testserver"]
)
def test_the_public_origin_or_the_own_host_is_accepted(probed: TestClient, origin: str) -> None:
    token = _token(probed)
    headers = {"origin": origin}
    if origin.endswith("testserver"):
        headers["host"] = "testserver"
    answer = probed.post(ECHO, data={"csrf_token": token}, headers=headers)
    assert answer.status_code == 200


def test_the_refusal_page_is_in_the_visitors_language(probed: TestClient) -> None:
    _token(probed)
    answer = probed.post(
        ECHO, data={"name": "<script>x</script>"}, headers={"accept-language": "ja"}
    )
    _refused(answer, "ja")
    assert "<script>x" not in answer.text


def test_a_multipart_form_is_read_once_and_passed_on(probed: TestClient) -> None:
    token = _token(probed)
    answer = probed.post(
        f"{PROBE_PREFIX}/upload",
        data={"csrf_token": token, "note": "hello"},
        files={"document": ("id.png", b"\x89PNG" + b"x" * 5000, "image/png")},
    )
    assert answer.status_code == 200
    assert answer.text == "5004 bytes, note 5"
    refused = probed.post(
        f"{PROBE_PREFIX}/upload",
        data={"note": "hello"},
        files={"document": ("id.png", b"\x89PNG", "image/png")},
    )
    _refused(refused)


def test_the_staff_sign_in_form_needs_its_token(web: TestClient) -> None:
    page = web.get("/admin/login")
    token = csrf_of(page.text)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    _refused(web.post("/admin/login", data={"username": "admin", "password": "x" * 12}))
    _refused(
        web.post(
            "/admin/login",
            data={"username": "admin", "password": "x" * 12, "csrf_token": token},
            headers={"origin": "http://evil.example"},
        )
    )


def test_a_staff_form_without_a_session_leads_to_sign_in(web: TestClient) -> None:
    web.get("/admin/login")
    answer = web.post("/admin/logout", data={"csrf_token": "whatever"})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin/login"


def test_every_unsafe_route_of_the_web_applications_checks_csrf(probed: TestClient) -> None:
    """No route can forget the check: it is a dependency of each web application."""
    from fastapi import FastAPI
    from fastapi.routing import APIRoute
    from starlette.routing import Mount

    from kojin.web.csrf import csrf_protect
    from kojin.web.staff_auth import admin_csrf

    app = probed.app
    assert isinstance(app, FastAPI)
    checked = 0
    for mount in app.routes:
        if not isinstance(mount, Mount) or not isinstance(mount.app, FastAPI):
            continue
        for route in mount.app.routes:
            if isinstance(route, APIRoute):
                calls = {d.call for d in route.dependant.dependencies}
                assert calls & {csrf_protect, admin_csrf}, route.path
                checked += 1
    assert checked >= 4
