"""The status page: opened by the reference and the e-mail address (one answer for a wrong
one of either), it shows the step, what is awaited (the code, a document, the fee and how to
pay it), the result with its ground and reasons, and offers the downloads and an upload."""

from __future__ import annotations

import re
from typing import Any

import pytest
from web_support import TestClient, csrf_of

from kojin.api.state import AppState

from .portal_support import (
    PAYLOAD,
    PAYLOAD_ESCAPED,
    SCRIPT,
    SmtpServer,
    base_fields,
    identity_png,
    open_status,
    png,
    stored_counts,
    submit_and_read_reference,
    verify,
)

EMAIL = "hanako@example.jp"


def _arrived(client: TestClient, smtp: SmtpServer, kind: str, **changes: str) -> str:
    files = identity_png() if kind != "inquiry" and kind != "complaint" else None
    reference = submit_and_read_reference(client, kind, base_fields(**changes), files)
    assert verify(client, reference, smtp.mailbox.last_code(EMAIL)).status_code == 303
    return reference


def _act(state: AppState, action: str, **values: Any) -> None:
    from sqlalchemy import select

    from kojin.requests.models import DataRequest
    from kojin.requests.schemas import ActionIn
    from kojin.requests.service import act
    from kojin.requests.states import StaffAction

    with state.unit_of_work() as session:
        (request_id,) = session.execute(select(DataRequest.id)).scalars()
        act(
            session=session,
            cipher=state.cipher(),
            settings=state.settings,
            policy=state.policy,
            facts=state.facts,
            request_id=request_id,
            action=ActionIn(action=StaffAction(action), **values),
            actor="staff:officer",
        )


def _current_step(page: str) -> str:
    found = re.search(r'<li aria-current="step">\s*<strong>([^<]+)</strong>', page)
    assert found is not None
    return found[1]


def _post_with_identity(client: TestClient, path: str, page: str, **data: str) -> Any:
    reference = re.search(r'name="reference" value="([^"]+)"', page)
    email = re.search(r'name="email" value="([^"]+)"', page)
    assert reference is not None
    assert email is not None
    return client.post(
        path,
        data={"csrf_token": csrf_of(page), "reference": reference[1], "email": email[1], **data},
    )


def _without_values(page: str) -> str:
    return re.sub(r'value="[^"]*"', "", page)


def test_a_wrong_reference_and_a_wrong_email_get_the_same_answer(
    portal: TestClient, smtp: SmtpServer
) -> None:
    reference = _arrived(portal, smtp, "inquiry")
    wrong_email = open_status(portal, reference, "someone@example.jp")
    wrong_reference = open_status(portal, "KJ-00000-00000-00000-00000", EMAIL)
    assert wrong_email.status_code == wrong_reference.status_code == 404
    assert _without_values(wrong_email.text) == _without_values(wrong_reference.text)
    assert "We found no request with this reference and e-mail address" in wrong_email.text
    assert wrong_email.headers["cache-control"] == "no-store"
    assert open_status(portal, reference.lower(), EMAIL.upper()).status_code == 200


def test_an_unconfirmed_request_asks_for_the_code(portal: TestClient, smtp: SmtpServer) -> None:
    reference = submit_and_read_reference(portal, "inquiry", base_fields())
    page = open_status(portal, reference, EMAIL).text
    assert _current_step(page) == "E-mail address confirmed"
    assert "Enter the code we e-mailed you" in page
    assert 'action="/portal/requests/verify"' in page
    assert 'action="/portal/requests/resend"' in page
    code = smtp.mailbox.last_code(EMAIL)
    answer = portal.post(
        "/portal/requests/verify",
        data={"csrf_token": csrf_of(page), "reference": reference, "code": code},
    )
    assert answer.status_code == 303


def test_the_fee_is_awaited_with_how_to_pay_it(
    portal: TestClient, portal_state: AppState, smtp: SmtpServer
) -> None:
    reference = _arrived(portal, smtp, "disclosure")
    before = open_status(portal, reference, EMAIL).text
    assert "The fee of 1,000 yen is due once we have checked your identity" in before
    _act(portal_state, "verify_identity")
    page = open_status(portal, reference, "hanako@example.jp").text
    assert _current_step(page) == "Fee paid"
    assert "Please pay the fee of 1,000 yen (tax included)" in page
    assert "By bank transfer" in page
    assert "By postal order" in page
    assert f"<strong>{reference}</strong>" in page
    assert "〒108-8019" in page  # where a postal order goes: the policy's contact
    _act(portal_state, "record_fee", fee_reference="postal order 12-345")
    page = open_status(portal, reference, EMAIL).text
    assert "We have received your fee of 1,000 yen." in page
    assert _current_step(page) == "Request examined"


def test_a_document_asked_for_is_sent_from_the_status_page(
    portal: TestClient, portal_state: AppState, smtp: SmtpServer
) -> None:
    reference = _arrived(portal, smtp, "stop_use")
    _act(portal_state, "reject_identity", explanation=PAYLOAD)
    page = open_status(portal, reference, EMAIL).text
    assert _current_step(page) == "Identity checked"
    assert "We need another document from you" in page
    assert PAYLOAD_ESCAPED in page
    assert SCRIPT not in page
    assert 'enctype="multipart/form-data"' in page
    assert stored_counts(portal_state) == (1, 1)

    refused = portal.post(
        "/portal/status/documents",
        data={
            "csrf_token": csrf_of(page),
            "reference": reference,
            "email": EMAIL,
            "purpose": "identity",
        },
        files={"document": ("licence.png", b"GIF89a not a png at all", "image/png")},
    )
    assert refused.status_code == 422
    assert 'id="u-document-error"' in refused.text
    assert "licence.png" not in refused.text
    assert stored_counts(portal_state) == (1, 1)

    answer = portal.post(
        "/portal/status/documents",
        data={
            "csrf_token": csrf_of(page),
            "reference": reference,
            "email": EMAIL,
            "purpose": "identity",
        },
        files={"document": ("licence.png", png(), "image/png")},
    )
    assert answer.status_code == 200
    assert "we have received your document" in answer.text
    assert "<dd>Received</dd>" in answer.text
    assert stored_counts(portal_state) == (1, 2)


def test_a_refusal_shows_its_ground_and_reasons_and_offers_the_notice(
    portal: TestClient, portal_state: AppState, smtp: SmtpServer
) -> None:
    reference = _arrived(portal, smtp, "inquiry", name="山田 花子")
    _act(portal_state, "start_review")
    _act(
        portal_state,
        "refuse",
        refusal_ground="business_hindrance",
        explanation=f"The same question was answered last week. {PAYLOAD}",
    )
    page = open_status(portal, reference, EMAIL).text
    assert _current_step(page) == "Answer given"
    assert "We have decided not to do what you asked" in page
    ground = portal_state.policy.general.inquiries.refusal_grounds
    text = next(c.text.en for c in ground if c.ground.value == "business_hindrance")
    assert text.replace("'", "&#39;") in page
    assert PAYLOAD_ESCAPED in page
    assert SCRIPT not in page
    assert "Documents can" not in page
    assert 'name="document"' not in page

    pdf = _post_with_identity(portal, "/portal/status/notice", page, format="pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith("attachment;")
    assert pdf.content.startswith(b"%PDF-")
    assert pdf.headers["cache-control"] == "no-store"
    html = _post_with_identity(portal, "/portal/status/notice", page, format="html")
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assert "山田 花子" in html.text
    assert SCRIPT not in html.text


def test_a_download_the_request_does_not_have_says_so(portal: TestClient, smtp: SmtpServer) -> None:
    reference = _arrived(portal, smtp, "inquiry")
    page = open_status(portal, reference, EMAIL).text
    answer = _post_with_identity(portal, "/portal/status/package", page)
    assert answer.status_code == 409
    assert "This download is not available for your request." in answer.text
    wrong = portal.post(
        "/portal/status/notice",
        data={"csrf_token": csrf_of(page), "reference": reference, "email": "x@example.jp"},
    )
    assert wrong.status_code == 404


def test_status_look_ups_are_limited_per_address(portal: TestClient) -> None:
    page = portal.get("/portal/status").text
    data = {"csrf_token": csrf_of(page), "reference": "KJ-00000-00000-00000-00000", "email": EMAIL}
    statuses = [portal.post("/portal/status", data=data).status_code for _ in range(61)]
    assert statuses[:60] == [404] * 60
    assert statuses[60] == 429


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_status_page_speaks_the_visitors_language(
    portal: TestClient, smtp: SmtpServer, lang: str
) -> None:
    reference = _arrived(portal, smtp, "disclosure")
    portal.get(f"/portal/status?lang={lang}")
    page = open_status(portal, reference, EMAIL).text
    assert f'<html lang="{lang}">' in page
    expected = {"en": "Where your request stands", "ja": "ご請求の進み具合"}[lang]
    assert expected in page


def test_a_completed_disclosure_is_downloaded_in_the_method_chosen(
    portal: TestClient, portal_state: AppState, smtp: SmtpServer
) -> None:
    import io
    import zipfile

    from kojin.registry.subjects.schemas import SubjectCreate
    from kojin.registry.subjects.service import create_subject

    reference = _arrived(portal, smtp, "disclosure")
    with portal_state.unit_of_work() as session:
        subject = create_subject(
            session=session,
            cipher=portal_state.cipher(),
            subject_in=SubjectCreate(category="customer", name="Hanako Yamada", email=EMAIL),
            policy=portal_state.facts,
            actor="staff:officer",
        )
    _act(portal_state, "verify_identity")
    _act(portal_state, "record_fee", fee_reference="transfer 2027-04-07")
    _act(portal_state, "approve", subject_id=subject.id, explanation="Here is what we hold.")
    page = open_status(portal, reference, EMAIL).text
    assert _current_step(page) == "Answer given"
    assert "Your request has been completed." in page
    assert "Here is what we hold." in page
    answer = _post_with_identity(portal, "/portal/status/package", page)
    assert answer.status_code == 200
    assert answer.headers["content-disposition"].startswith("attachment;")
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        assert archive.namelist()
