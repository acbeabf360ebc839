"""The site: the API with the pages mounted, languages, headers, error pages and escaping."""

from __future__ import annotations

import json
import logging
import re

import pytest
from fastapi import FastAPI
from web_support import PROBE_PREFIX, TestClient

from kojin.api.body_limits import WEB_PREFIXES
from kojin.api.routers.drp import DRP_PREFIX
from kojin.web.headers import CONTENT_SECURITY_POLICY
from kojin.web.site import ADMIN_PREFIX, PORTAL_PREFIX, STATIC_PREFIX


def _html_lang(html: str) -> str:
    found = re.search(r'<html lang="([a-z]+)">', html)
    assert found is not None
    return found.group(1)


def _title(html: str) -> str:
    found = re.search(r"<h1>(.*?)</h1>", html, re.S)
    assert found is not None
    return found.group(1).strip()


def test_the_web_prefixes_are_the_ones_the_api_leaves_alone() -> None:
    # the pages, and the Data Rights Protocol (signed text bodies with limits of its own)
    assert (ADMIN_PREFIX, PORTAL_PREFIX, STATIC_PREFIX, DRP_PREFIX) == WEB_PREFIXES


def test_the_api_is_still_served(web: TestClient) -> None:
    assert web.get("/healthz").status_code == 200
    assert web.get("/api/v1/policy").status_code == 401  # JSON errors, as before
    assert web.get("/api/v1/policy").headers["content-type"].startswith("application/json")


def test_the_root_leads_to_the_portal(web: TestClient) -> None:
    answer = web.get("/")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/portal/"


def test_the_web_pages_are_not_in_the_openapi_document(web: TestClient) -> None:
    paths = web.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if p.startswith(("/admin", "/portal", "/static"))]
    assert "/" not in paths


def test_staff_pages_need_a_session(web: TestClient) -> None:
    answer = web.get("/admin/")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin/login?next=%2Fadmin%2F"
    answer = web.get("/admin/requests?state=received")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin/login?next=%2Fadmin%2Frequests%3Fstate%3Dreceived"


def test_the_stylesheet_is_served_with_a_long_cache(web: TestClient) -> None:
    page = web.get("/admin/login").text
    found = re.search(r'href="(/static/kojin\.css\?v=[0-9a-f]{12})"', page)
    assert found is not None
    answer = web.get(found.group(1))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/css")
    assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "font-family" in answer.text
    assert web.get("/static/../web/site.py").status_code == 404


@pytest.mark.parametrize("path", ["/admin/login", "/admin/nowhere", "/portal/nowhere"])
def test_security_headers_on_every_page(web: TestClient, path: str) -> None:
    answer = web.get(path)
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    for directive in (
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ):
        assert directive in CONTENT_SECURITY_POLICY
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert answer.headers["cache-control"] == "no-store"


def test_pages_hold_no_inline_script_or_style(web: TestClient) -> None:
    page = web.get("/admin/login").text
    assert "<script" not in page
    assert "<style" not in page
    assert " style=" not in page


# --- languages --------------------------------------------------------------------------------


def test_english_unless_the_browser_prefers_japanese(web: TestClient) -> None:
    english = web.get("/admin/login").text
    assert _html_lang(english) == "en"
    assert _title(english) == "Sign in"
    japanese = web.get("/admin/login", headers={"accept-language": "ja,en;q=0.5"}).text
    assert _html_lang(japanese) == "ja"
    assert _title(japanese) == "サインイン"
    assert (
        _html_lang(web.get("/admin/login", headers={"accept-language": "en,ja;q=0.9"}).text) == "en"
    )


def test_the_switch_is_a_link_and_is_remembered(web: TestClient) -> None:
    page = web.get("/admin/login?next=/admin/requests").text
    switch = re.search(r'<a href="([^"]+)" lang="ja" hreflang="ja">日本語</a>', page)
    assert switch is not None
    href = switch.group(1).replace("&amp;", "&")
    assert href == "/admin/login?next=%2Fadmin%2Frequests&lang=ja"
    answer = web.get(href)
    assert _html_lang(answer.text) == "ja"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("kojin_lang=ja;")
    assert "HttpOnly" in cookie
    assert "Path=/" in cookie
    # remembered: no ?lang=, an English browser, still Japanese
    assert web.cookies.get("kojin_lang") == "ja"
    again = web.get("/admin/login", headers={"accept-language": "en"})
    assert _html_lang(again.text) == "ja"
    assert "set-cookie" not in again.headers
    # switching back
    assert _html_lang(web.get("/admin/login?lang=en").text) == "en"
    assert web.cookies.get("kojin_lang") == "en"


def test_an_unknown_language_is_ignored(web: TestClient) -> None:
    answer = web.get("/admin/login?lang=<fr>", headers={"accept-language": "ja"})
    assert _html_lang(answer.text) == "ja"
    assert "kojin_lang" not in answer.headers.get("set-cookie", "")
    assert "<fr>" not in answer.text


def test_cookies_are_secure_when_the_public_url_is_https(web_settings: object) -> None:
    from kojin.settings import Settings
    from kojin.web.site import create_site

    assert isinstance(web_settings, Settings)
    app = create_site(web_settings.model_copy(update={"public_url": "https://kojin.example"}))
    with TestClient(app, base_url="https://kojin.example") as client:
        answer = client.get("/admin/login?lang=ja")
        cookies = answer.headers.get_list("set-cookie")
        assert len(cookies) == 2
        assert all("Secure" in c for c in cookies)
        csrf_cookie = next(c for c in cookies if c.startswith("kojin_csrf="))
        assert "HttpOnly" in csrf_cookie
        assert "SameSite=strict" in csrf_cookie
        assert "Path=/" in csrf_cookie


# --- error pages -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "title"), [("en", "Page not found"), ("ja", "ページが見つかりません")]
)
def test_not_found_in_both_languages(web: TestClient, lang: str, title: str) -> None:
    for path in ("/admin/no/such/page", "/portal/no-such-page"):
        answer = web.get(f"{path}?lang={lang}")
        assert answer.status_code == 404
        assert _html_lang(answer.text) == lang
        assert _title(answer.text) == title


def test_a_wrong_method_is_a_page(web: TestClient) -> None:
    answer = web.get("/admin/logout", headers={"accept-language": "ja"})
    assert answer.status_code == 405
    assert _title(answer.text) == "この方法ではページを利用できません"
    assert "POST" in answer.headers["allow"]


@pytest.mark.parametrize(
    ("lang", "title"), [("en", "Something went wrong"), ("ja", "問題が発生しました")]
)
def test_an_unexpected_error_is_a_page_that_says_nothing_of_it(
    probed: TestClient, lang: str, title: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="kojin"):
        answer = probed.get(f"{PROBE_PREFIX}/boom?lang={lang}&secret=1234")
    assert answer.status_code == 500
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert _title(answer.text) == title
    assert "stored value" not in answer.text
    assert "RuntimeError" not in answer.text
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "RuntimeError" in logged  # the class, for whoever reads the log
    assert "stored value" not in logged
    assert "1234" not in logged


@pytest.mark.parametrize(
    ("lang", "title"), [("en", "Too many attempts"), ("ja", "試行回数が多すぎます")]
)
def test_too_many_requests_is_a_page(probed: TestClient, lang: str, title: str) -> None:
    answer = probed.get(f"{PROBE_PREFIX}/limited", headers={"accept-language": lang})
    assert answer.status_code == 429
    assert answer.headers["retry-after"] == "900"
    assert _title(answer.text) == title


def test_a_query_value_a_page_shows_is_escaped(web: TestClient) -> None:
    evil = '/admin/"><script>alert(1)</script>'
    answer = web.get("/admin/login", params={"next": evil})
    assert answer.status_code == 200
    assert "<script>alert(1)</script>" not in answer.text
    assert 'value="/admin/&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in answer.text


def test_an_error_page_echoes_nothing_of_the_request(web: TestClient) -> None:
    answer = web.get('/admin/<script>alert("x")</script>?q=<img src=x onerror=alert(1)>')
    assert answer.status_code == 404
    assert "<script>alert" not in answer.text
    assert "onerror" not in answer.text
    assert "alert" not in answer.text


def test_the_access_log_names_templates_never_paths_or_values(
    probed: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="kojin.access"):
        probed.get("/admin/login?next=/admin/secret-value")
        probed.get("/admin/requests/abc123def")
        probed.get("/static/kojin.css")
        token = probed.get(f"{PROBE_PREFIX}/form").text
        probed.post(f"{PROBE_PREFIX}/echo", data={"csrf_token": token, "name": "山田太郎"})
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "kojin.access"]
    paths = [line["path"] for line in lines]
    assert paths[0] == "/admin/login"
    assert paths[1] in ("/admin", "/admin/requests/{request_id}")
    assert paths[2] == "/static"
    assert paths[-1] == f"{PROBE_PREFIX}/echo"
    text = json.dumps(lines, ensure_ascii=False)
    assert "secret-value" not in text
    assert "abc123def" not in text
    assert "山田太郎" not in text


def test_the_site_factory_is_what_the_server_runs() -> None:
    from kojin.cli.serve import APP_FACTORY

    assert APP_FACTORY == "kojin.web.site:create_site_from_env"


def test_the_sub_applications_share_the_api_state(site: FastAPI) -> None:
    from starlette.routing import Mount

    from kojin.api.state import state_of

    mounts = {r.path: r.app for r in site.routes if isinstance(r, Mount)}
    assert state_of(mounts["/admin"]) is state_of(site)
    assert state_of(mounts["/portal"]) is state_of(site)
