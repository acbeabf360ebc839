"""Bodies the web pages accept: forms only, bounded, refused with HTML pages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from starlette.routing import Mount
from web_support import PROBE_PREFIX, PUBLIC_URL, TestClient, probe_app

from kojin.settings import Settings
from kojin.web.body_limits import FORM_LIMIT, multipart_limit
from kojin.web.site import create_site

ECHO = f"{PROBE_PREFIX}/echo"
UPLOAD = f"{PROBE_PREFIX}/upload"


def _title(answer: object) -> str:
    from httpx import Response

    assert isinstance(answer, Response)
    assert answer.headers["content-type"].startswith("text/html")
    start = answer.text.index("<h1>") + 4
    return answer.text[start : answer.text.index("</h1>")]


def _token(client: TestClient) -> str:
    return str(client.get(f"{PROBE_PREFIX}/form").text)


def test_a_form_within_the_limit_is_read(probed: TestClient) -> None:
    token = _token(probed)
    name = "x" * (FORM_LIMIT - 1000)
    answer = probed.post(ECHO, data={"csrf_token": token, "name": name})
    assert answer.status_code == 200


@pytest.mark.parametrize(
    ("lang", "title"),
    [("en", "What you sent is too large"), ("ja", "送信された内容が大きすぎます")],
)
def test_a_form_over_64_kib_is_refused(probed: TestClient, lang: str, title: str) -> None:
    token = _token(probed)
    answer = probed.post(
        ECHO,
        data={"csrf_token": token, "name": "x" * FORM_LIMIT},
        headers={"accept-language": lang},
    )
    assert answer.status_code == 413
    assert _title(answer) == title
    assert answer.headers["content-security-policy"].startswith("default-src 'self'")


def test_a_chunked_form_over_the_limit_is_refused(probed: TestClient) -> None:
    token = _token(probed)

    def chunks() -> Iterator[bytes]:
        yield f"csrf_token={token}&name=".encode()
        for _ in range(20):
            yield b"x" * 8192

    answer = probed.post(
        ECHO,
        content=chunks(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 413
    assert _title(answer) == "What you sent is too large"


@pytest.mark.parametrize(
    "content_type", ["application/json", "text/plain", "application/xml", None]
)
def test_anything_but_a_form_is_refused(probed: TestClient, content_type: str | None) -> None:
    token = _token(probed)
    headers = {"content-type": content_type} if content_type else {}
    answer = probed.post(ECHO, content=f'{{"csrf_token": "{token}"}}', headers=headers)
    assert answer.status_code == 415
    assert _title(answer) == "What you sent cannot be read"


def test_the_api_json_limits_do_not_apply_to_the_pages(probed: TestClient) -> None:
    """The API refuses a form body with 415 JSON; under /portal and /admin the web limits
    apply instead (and the API is unchanged)."""
    api = probed.post("/api/v1/decisions", data={"a": "b"})
    assert api.status_code in (401, 415)
    assert api.headers["content-type"].startswith("application/json")
    token = _token(probed)
    assert probed.post(ECHO, data={"csrf_token": token}).status_code == 200


@pytest.fixture
def small_uploads(web_settings: Settings) -> Iterator[TestClient]:
    """The probe on a site whose uploads are limited to 2 KiB each."""
    app: FastAPI = create_site(web_settings.model_copy(update={"max_upload_bytes": 2048}))
    app.router.routes.insert(0, Mount(PROBE_PREFIX, app=probe_app(app)))
    with TestClient(app, base_url=PUBLIC_URL, follow_redirects=False) as client:
        yield client


def test_multipart_is_bounded_by_two_uploads_and_the_fields(small_uploads: TestClient) -> None:
    limit = multipart_limit(2048)
    assert limit == 2 * 2048 + FORM_LIMIT
    token = _token(small_uploads)
    fits = small_uploads.post(
        UPLOAD,
        data={"csrf_token": token},
        files={"document": ("a.pdf", b"%PDF-" + b"x" * 4000, "application/pdf")},
    )
    assert fits.status_code == 200
    too_large = small_uploads.post(
        UPLOAD,
        data={"csrf_token": token},
        files={"document": ("a.pdf", b"%PDF-" + b"x" * limit, "application/pdf")},
    )
    assert too_large.status_code == 413
    assert _title(too_large) == "What you sent is too large"


def test_an_empty_post_is_not_a_body(probed: TestClient) -> None:
    """No body at all passes the limits, and the CSRF check refuses it."""
    answer = probed.post(ECHO)
    assert answer.status_code == 403
