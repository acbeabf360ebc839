"""The staff pages over real requests: dashboard, queue, detail, documents and actions."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi import FastAPI
from httpx import Response
from sqlalchemy import update
from web_support import (
    TestClient,
    csrf_of,
    make_staff,
    make_subject,
    pdf_bytes,
    png_bytes,
    sign_in,
    submit_verified,
)

from kojin.api.state import state_of
from kojin.audit.checkpoints import default_checkpoints_path, write_checkpoint
from kojin.audit.models import AuditEntry
from kojin.audit.signing import load_or_create_signing_key
from kojin.auth.roles import Role
from kojin.db.uow import Database
from kojin.web.site import site_of


def _signed_in(client: TestClient, database: Database, role: Role = Role.PRIVACY_OFFICER) -> None:
    answer = sign_in(client, make_staff(database, role))
    assert isinstance(answer, Response)
    assert answer.status_code == 303


def _act(client: TestClient, request_id: str, action: str, **fields: str) -> Response:
    page = client.get(f"/admin/requests/{request_id}")
    assert page.status_code == 200
    answer = client.post(
        f"/admin/requests/{request_id}/actions",
        data={"csrf_token": csrf_of(page.text), "action": action, **fields},
    )
    assert isinstance(answer, Response)
    return answer


def _state_shown(client: TestClient, request_id: str) -> str:
    found = re.search(r"State: ([^<\n]+)", client.get(f"/admin/requests/{request_id}").text)
    assert found is not None
    return found.group(1).strip()


# --- dashboard ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_dashboard_draws_open_requests_by_days_left(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database, lang: str
) -> None:
    submit_verified(site_on_db)
    submit_verified(site_on_db, email="hanako@example.jp", kind="stop_use")
    submit_verified(site_on_db, email="jiro@example.jp", verify=False)  # not arrived
    _signed_in(web_on_db, database, Role.AUDITOR)
    page = web_on_db.get(f"/admin/?lang={lang}").text
    assert f'<html lang="{lang}">' in page
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert 'role="img"' in svg
    assert 'aria-labelledby="chart-svg-title chart-svg-desc"' in svg
    assert '<title id="chart-svg-title">' in svg
    assert svg.count('<rect class="bar') == 5
    assert "style=" not in svg
    # the same figures as a table: two open requests that arrived, both far from their due date
    table = page[page.index('id="chart-table-caption"') :]
    cells = re.findall(r'<td class="number">(\d+)</td>', table[: table.index("</table>")])
    assert sum(int(c) for c in cells) == 2
    figure = re.search(r'<span class="figure">(\d+)</span>', page)
    assert figure is not None
    assert figure.group(1) == "2"  # the request whose e-mail is unconfirmed has not arrived
    by_state = page[page.index('id="by-state-caption"') :]
    unconfirmed = re.search(
        r"state=email_unverified[^>]*>[^<]+</a></th>\s*<td class=\"number\">(\d+)<", by_state
    )
    assert unconfirmed is not None
    assert unconfirmed.group(1) == "1"


def test_the_dashboard_with_nothing_open_has_no_chart(
    web_on_db: TestClient, database: Database
) -> None:
    _signed_in(web_on_db, database, Role.HANDLER)
    page = web_on_db.get("/admin/").text
    assert "<svg" not in page
    assert "There are no open requests that have arrived." in page


def _chain_status(page: str) -> str:
    after = page[page.index("The chain matches its last checkpoint") :]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", after[: after.index("</dd>")])).strip()


def test_the_dashboard_checks_the_chain_against_its_signed_checkpoint(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    settings = state_of(site_on_db).settings
    _signed_in(web_on_db, database, Role.AUDITOR)
    assert "Not checked" in _chain_status(web_on_db.get("/admin/").text)
    written = write_checkpoint(
        database=database,
        key=load_or_create_signing_key(settings.resolved_keys_dir()),
        path=default_checkpoints_path(settings),
        only_if_moved=True,
    )
    page = web_on_db.get("/admin/").text
    assert written is not None
    assert _chain_status(page).endswith("Yes")
    assert "No checkpoint has been written yet" not in page
    with database.uow() as session:  # the signed entry is altered behind the chain's back
        session.execute(
            update(AuditEntry).where(AuditEntry.seq == written.seq).values(hash="0" * 64)
        )
    assert _chain_status(web_on_db.get("/admin/").text).endswith(
        "No: verify the chain now (kojin audit verify)"
    )


# --- queue ---------------------------------------------------------------------------------------


def test_the_queue_lists_requests_with_their_clock(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    request_id = submit_verified(site_on_db)
    _signed_in(web_on_db, database)
    page = web_on_db.get("/admin/requests").text
    assert f'href="/admin/requests/{request_id}"' in page
    assert "Disclosure" in page
    assert "Received" in page
    assert "Suit possible from (Art. 39(1))" in page
    assert "Overdue" not in page.split("<table", 1)[1]
    japanese = web_on_db.get("/admin/requests?lang=ja").text
    assert "訴えの提起が可能となる日" in japanese
    assert "開示" in japanese


def test_overdue_requests_say_so_in_words(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    submit_verified(site_on_db)
    _signed_in(web_on_db, database)
    assert "No request matches these filters." in web_on_db.get("/admin/requests?overdue=1").text
    site = site_of(site_on_db)
    real_now = site.now
    site.now = lambda: real_now() + timedelta(days=60)
    web_on_db.cookies.clear()  # the session idled out meanwhile: sign in at the late clock
    sign_in(web_on_db, make_staff(database, Role.ADMIN))
    page = web_on_db.get("/admin/requests?overdue=1").text
    row = page[page.index("<tbody>") : page.index("</tbody>")]
    assert '<tr class="overdue">' in row
    assert '<span class="badge badge-overdue">Overdue</span>' in row
    assert re.search(r"\d+ business days late", row)


def test_filters_that_name_nothing_are_ignored_and_never_shown(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    submit_verified(site_on_db)
    _signed_in(web_on_db, database)
    answer = web_on_db.get(
        "/admin/requests", params={"state": "<script>alert(1)</script>", "kind": "' OR 1=1 --"}
    )
    assert answer.status_code == 200
    assert "<script>alert(1)" not in answer.text
    assert "OR 1=1" not in answer.text
    assert "1 requests" in answer.text
    by_state = web_on_db.get("/admin/requests?state=completed&closed=1").text
    assert "0 requests" in by_state
    by_kind = web_on_db.get("/admin/requests?kind=disclosure").text
    assert "1 requests" in by_kind
    assert '<option value="disclosure" selected>' in by_kind


@pytest.mark.parametrize(
    ("role", "queue", "detail"),
    [
        (Role.ADMIN, 200, 200),
        (Role.PRIVACY_OFFICER, 200, 200),
        (Role.AUDITOR, 200, 200),
        (Role.HANDLER, 200, 403),
        (Role.MYNUMBER_HANDLER, 403, 403),
    ],
)
def test_who_sees_the_queue_and_the_requests(
    site_on_db: FastAPI,
    web_on_db: TestClient,
    database: Database,
    role: Role,
    queue: int,
    detail: int,
) -> None:
    request_id = submit_verified(site_on_db)
    _signed_in(web_on_db, database, role)
    queue_page = web_on_db.get("/admin/requests")
    assert queue_page.status_code == queue
    assert web_on_db.get(f"/admin/requests/{request_id}").status_code == detail
    if queue == 200:
        linked = f'href="/admin/requests/{request_id}"' in queue_page.text
        assert linked == (detail == 200)


# --- detail --------------------------------------------------------------------------------------

HOSTILE = "<script>alert('x')</script>'; DROP TABLE data_requests; --"


def test_everything_a_person_typed_is_escaped(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    request_id = submit_verified(
        site_on_db, name=HOSTILE[:90], details=HOSTILE, address="<b>東京都</b>"
    )
    _signed_in(web_on_db, database)
    page = web_on_db.get(f"/admin/requests/{request_id}").text
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "<b>東京都</b>" not in page
    assert "&lt;b&gt;東京都&lt;/b&gt;" in page
    assert "DROP TABLE data_requests" in page  # shown as text, harmlessly


def test_the_detail_shows_the_request_and_its_history(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    request_id = submit_verified(site_on_db, phone="０３－１２３４－５６７８")
    _signed_in(web_on_db, database)
    page = web_on_db.get(f"/admin/requests/{request_id}?lang=ja").text
    assert "山田 太郎" in page
    assert "taro@example.jp" in page
    assert "03-1234-5678" in page
    assert "電磁的記録" in page
    assert "1,000円" in page
    assert "メールアドレス確認（請求の到達）" in page  # the history, translated
    assert "本人確認済みとして記録" in page  # the form of an allowed action
    assert "手数料の受領を記録" not in page  # not allowed yet


def test_an_image_document_is_shown_inline_never_cached(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    image = png_bytes()
    request_id = submit_verified(site_on_db, document=("scan.png", image))
    _signed_in(web_on_db, database)
    page = web_on_db.get(f"/admin/requests/{request_id}").text
    found = re.search(r'<img class="document-image" src="([^"]+)" alt="([^"]+)"', page)
    assert found is not None
    assert found.group(2) == "Identity document uploaded with the request"
    answer = web_on_db.get(found.group(1))
    assert answer.status_code == 200
    assert answer.content == image
    assert answer.headers["content-type"] == "image/png"
    assert answer.headers["content-disposition"].startswith("inline;")
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["x-content-type-options"] == "nosniff"


def test_a_pdf_document_is_a_link(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    request_id = submit_verified(site_on_db, document=("id.pdf", pdf_bytes()))
    _signed_in(web_on_db, database)
    page = web_on_db.get(f"/admin/requests/{request_id}").text
    found = re.search(r'<a href="([^"]+/documents/[^"]+)">Open the PDF</a>', page)
    assert found is not None
    answer = web_on_db.get(found.group(1))
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")


def test_auditors_read_the_request_but_not_its_documents_nor_act(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    request_id = submit_verified(site_on_db)
    _signed_in(web_on_db, database, Role.AUDITOR)
    page = web_on_db.get(f"/admin/requests/{request_id}").text
    assert "山田 太郎" in page
    assert "/documents/" not in page
    assert 'name="action"' not in page
    document_id = _first_document(site_on_db, request_id)
    answer = web_on_db.get(f"/admin/requests/{request_id}/documents/{document_id}")
    assert answer.status_code == 403
    token = csrf_of(page)  # the sign-out form's
    refused = web_on_db.post(
        f"/admin/requests/{request_id}/actions",
        data={"csrf_token": token, "action": "verify_identity"},
    )
    assert refused.status_code == 403


def _first_document(app: FastAPI, request_id: str) -> str:
    from kojin.api.state import state_of
    from kojin.requests.service import request_detail
    from kojin.web.i18n import tokyo_today

    state = state_of(app)
    with state.database.uow() as session:
        detail = request_detail(
            session=session,
            cipher=state.cipher(),
            policy=state.policy,
            request_id=request_id,
            actor="test",
            today=tokyo_today(site_of(app).now()),
        )
    return detail.documents[0].id


def test_an_unknown_request_is_not_found(web_on_db: TestClient, database: Database) -> None:
    _signed_in(web_on_db, database)
    answer = web_on_db.get("/admin/requests/does-not-exist")
    assert answer.status_code == 404
    assert "<h1>Page not found</h1>" in answer.text
    assert "does-not-exist" not in answer.text


# --- actions -------------------------------------------------------------------------------------


def test_a_disclosure_from_identity_to_the_package(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    request_id = submit_verified(site_on_db)
    subject_id = make_subject(site_on_db)
    _signed_in(web_on_db, database)

    answer = _act(web_on_db, request_id, "verify_identity", note="運転免許証で確認")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/admin/requests/{request_id}?done=verify_identity"
    assert _state_shown(web_on_db, request_id) == "Waiting for the fee"

    missing = _act(web_on_db, request_id, "record_fee")
    assert missing.status_code == 422
    assert 'href="#a-record-fee-fee-reference"' in missing.text
    assert (
        'aria-describedby="a-record-fee-fee-reference-hint a-record-fee-fee-reference-error"'
        in (missing.text)
    )
    assert "Enter the transfer or postal order reference" in missing.text
    assert _act(web_on_db, request_id, "record_fee", fee_reference="振込 0123").status_code == 303
    assert _state_shown(web_on_db, request_id) == "Under review"

    no_subject = _act(web_on_db, request_id, "approve")
    assert no_subject.status_code == 422
    assert "Enter the registry subject the request is about" in no_subject.text
    unknown = _act(web_on_db, request_id, "approve", subject_id="0" * 32)
    assert unknown.status_code == 422
    assert "There is no registry subject with this id that you may see" in unknown.text

    found = web_on_db.get(f"/admin/requests/{request_id}?find_subject=1").text
    assert subject_id in found
    assert f'name="subject_id" type="text" value="{subject_id}"' in found
    assert _act(web_on_db, request_id, "approve", subject_id=subject_id).status_code == 303
    page = web_on_db.get(f"/admin/requests/{request_id}").text
    assert "State: Completed" in page
    assert "Done" not in page  # no ?done=, no notice
    link = re.search(r'<a href="([^"]+/package)">', page)
    assert link is not None
    package = web_on_db.get(link.group(1))
    assert package.status_code == 200
    assert package.headers["content-disposition"].startswith("attachment;")
    assert package.headers["cache-control"] == "no-store"
    assert package.content.startswith(b"PK")


def test_a_refusal_names_a_ground_and_writes_the_notice(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    request_id = submit_verified(site_on_db, kind="correction", details="住所の訂正")
    _signed_in(web_on_db, database, Role.ADMIN)
    no_ground = _act(web_on_db, request_id, "refuse", explanation="手続に不備があります。")
    assert no_ground.status_code == 422
    assert "Choose one of the policy&#39;s grounds for refusal" in no_ground.text
    assert "手続に不備があります。" in no_ground.text  # what was typed is kept in the form
    bogus = _act(web_on_db, request_id, "refuse", refusal_ground="bogus", explanation="x")
    assert bogus.status_code == 422
    no_reasons = _act(web_on_db, request_id, "refuse", refusal_ground="deficient_procedure")
    assert no_reasons.status_code == 422
    assert "Write the reasons given to the person" in no_reasons.text
    done = _act(
        web_on_db,
        request_id,
        "refuse",
        refusal_ground="deficient_procedure",
        explanation="本人確認書類の有効期限が切れています。",
    )
    assert done.status_code == 303
    page = web_on_db.get(f"/admin/requests/{request_id}?done=refuse").text
    assert "Done: Refuse." in page
    assert "There is a deficiency in the application procedures" in page
    html = web_on_db.get(f"/admin/requests/{request_id}/refusal-notice.html")
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assert "script-src" not in html.headers["content-security-policy"]
    assert "default-src 'none'" in html.headers["content-security-policy"]
    assert "本人確認書類の有効期限が切れています。" in html.text
    pdf = web_on_db.get(f"/admin/requests/{request_id}/refusal-notice.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert web_on_db.get(f"/admin/requests/{request_id}/refusal-notice.txt").status_code == 404


def test_an_action_the_state_does_not_allow_changes_nothing(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    request_id = submit_verified(site_on_db)
    _signed_in(web_on_db, database)
    answer = _act(web_on_db, request_id, "approve", subject_id="x")
    assert answer.status_code == 409
    assert "nothing was done" in answer.text
    assert _state_shown(web_on_db, request_id) == "Received"
    unknown = _act(web_on_db, request_id, "explode")
    assert unknown.status_code == 400


def test_an_action_needs_the_forms_token(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    request_id = submit_verified(site_on_db)
    _signed_in(web_on_db, database)
    answer = web_on_db.post(
        f"/admin/requests/{request_id}/actions", data={"action": "verify_identity"}
    )
    assert answer.status_code == 403
    assert _state_shown(web_on_db, request_id) == "Received"


def test_the_action_forms_are_in_japanese_too(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database
) -> None:
    request_id = submit_verified(site_on_db, kind="stop_use", details="利用停止を求めます")
    _signed_in(web_on_db, database)
    _act(web_on_db, request_id, "verify_identity")
    page = web_on_db.get(f"/admin/requests/{request_id}?lang=ja").text
    assert "請求を承認" in page
    assert "台帳の本人ID" in page
    assert "請求者のメールアドレスで本人を検索" in page
    assert "請求に応じない理由" in page
    for text in ("お客様によるご請求の手続に不備がある場合", "法令に違反することとなる場合"):
        assert text in page


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_staff_page_is_in_both_languages(
    site_on_db: FastAPI, web_on_db: TestClient, database: Database, lang: str
) -> None:
    request_id = submit_verified(site_on_db)
    _signed_in(web_on_db, database, Role.ADMIN)
    titles = {
        "/admin/": {"en": "Dashboard", "ja": "ダッシュボード"},
        "/admin/requests": {"en": "Requests", "ja": "請求一覧"},
        f"/admin/requests/{request_id}?find_subject=1": {"en": "Request R-", "ja": "請求 R-"},
        "/admin/outbox": {"en": "Mail outbox", "ja": "送信メール"},
    }
    for path, title in titles.items():
        separator = "&" if "?" in path else "?"
        answer = web_on_db.get(f"{path}{separator}lang={lang}")
        assert answer.status_code == 200, path
        assert f'<html lang="{lang}">' in answer.text
        heading = re.search(r"<h1>(.*?)</h1>", answer.text)
        assert heading is not None
        assert heading.group(1).startswith(title[lang]), path
