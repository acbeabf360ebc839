"""Submitting the request form: one request per form, documents judged by their bytes, every
refusal tied to its field with nothing stored, every typed text escaped, full-width input
accepted, and no post without the form's CSRF token."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from web_support import TestClient, csrf_of

from kojin.api.state import AppState, state_of
from kojin.requests.schemas import RequestDetail
from kojin.web.site import create_site

from .portal_support import (
    PAYLOAD,
    PAYLOAD_ESCAPED,
    SCRIPT,
    SQL,
    OpenedForm,
    SmtpServer,
    base_fields,
    client_of,
    error_for,
    identity_png,
    open_form,
    png,
    post_form,
    reference_on,
    settings_for,
    stored_counts,
)

#: the text fields of the form, each filled with the payload in the escaping test
TEXT_FIELDS = (
    "name",
    "furigana",
    "email",
    "phone",
    "postal_code",
    "address",
    "details",
    "agent_name",
)


def _request_ids(state: AppState) -> list[str]:
    from sqlalchemy import select

    from kojin.requests.models import DataRequest

    with state.read() as session:
        return list(session.execute(select(DataRequest.id)).scalars())


def test_a_disclosure_with_a_png_makes_one_request_even_when_posted_twice(
    portal: TestClient, portal_state: AppState, smtp: SmtpServer
) -> None:
    opened = open_form(portal, "disclosure")
    fields = base_fields()
    first = post_form(portal, opened, "disclosure", fields, identity_png())
    assert first.status_code == 303
    assert first.headers["location"] == "/portal/requests/verify"
    reference = reference_on(portal.get("/portal/requests/verify").text)
    second = post_form(portal, opened, "disclosure", fields, identity_png())
    assert second.status_code == 303
    assert reference_on(portal.get("/portal/requests/verify").text) == reference
    assert stored_counts(portal_state) == (1, 1)
    assert len(smtp.mailbox.to("hanako@example.jp")) == 1  # one code mail, not two
    # the reference travels in no address and no header but the sealed cookie
    for answer in (first, second):
        assert reference not in answer.headers["location"]
        assert reference not in answer.headers["set-cookie"]


def test_a_png_named_pdf_is_refused_on_the_document_field_and_nothing_is_stored(
    portal: TestClient, portal_state: AppState, smtp: SmtpServer
) -> None:
    opened = open_form(portal, "disclosure")
    files = {"identity_document": ("passport-scan.pdf", png(), "application/pdf")}
    answer = post_form(portal, opened, "disclosure", base_fields(), files)
    assert answer.status_code == 422
    message = error_for(answer.text, "f-identity-document")
    assert message is not None
    assert "content is another" in message
    assert 'href="#f-identity-document"' in answer.text  # the summary links to the field
    assert 'aria-invalid="true"' in answer.text
    assert "passport-scan" not in answer.text  # the file name is never shown back
    assert "choose them again" in answer.text
    assert 'value="Hanako Yamada"' in answer.text  # the typed values are kept
    assert stored_counts(portal_state) == (0, 0)
    assert smtp.mailbox.messages == []


def test_a_document_over_the_upload_limit_is_refused(
    tmp_path: Path, sqlite_url: str, smtp: SmtpServer
) -> None:
    limit = 100 * 1024
    site = create_site(settings_for(tmp_path, sqlite_url, smtp, max_upload_bytes=limit))
    big = png(220, 220, noise=True)
    assert len(big) > limit
    with client_of(site) as client:
        opened = open_form(client, "erasure")
        files = {"identity_document": ("licence.png", big, "image/png")}
        answer = post_form(client, opened, "erasure", base_fields(), files)
    assert answer.status_code == 422
    message = error_for(answer.text, "f-identity-document")
    assert message is not None
    assert "larger than 100 KB" in message
    assert stored_counts(state_of(site)) == (0, 0)
    assert smtp.mailbox.messages == []


def test_every_required_field_is_reported_at_once(
    portal: TestClient, portal_state: AppState
) -> None:
    opened = open_form(portal, "correction", lang="ja")
    fields = base_fields(name="", furigana="", email="", details="", is_agent="yes")
    answer = post_form(portal, opened, "correction", fields)
    assert answer.status_code == 422
    expected = {
        "f-name": "氏名を入力してください。",
        "f-furigana": "フリガナを入力してください。",
        "f-email": "メールアドレスを入力してください。",
        "f-details": "ご請求の内容を入力してください。",
        "f-agent-relation": "ご本人との関係を選んでください。",
        "f-agent-name": "代理人の氏名を入力してください。",
        "f-identity-document": "本人確認書類のファイルを選択してください。",
        "f-authority-document": "代理権を確認する書類のファイルを選択してください。",
    }
    for field_id, message in expected.items():
        assert error_for(answer.text, field_id) == f"エラー： {message}"
        assert f'href="#{field_id}"' in answer.text
    assert answer.text.index("error-summary") < answer.text.index("<form")
    assert "<title>エラー：" in answer.text
    assert stored_counts(portal_state) == (0, 0)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "not-an-address", "Enter an e-mail address like name@example.com."),
        ("postal_code", "1234", "Enter a postal code like 108-8019."),
        ("furigana", "Yamada", "Write the name in katakana or hiragana."),
        ("category", "no_such_category", 'Choose one of the listed relationships, or "Not sure".'),
    ],
)
def test_a_wrong_value_is_tied_to_its_field(
    portal: TestClient, portal_state: AppState, field: str, value: str, message: str
) -> None:
    opened = open_form(portal, "stop_use")
    answer = post_form(portal, opened, "stop_use", base_fields(**{field: value}), identity_png())
    assert answer.status_code == 422
    field_id = "f-" + field.replace("_", "-")
    assert error_for(answer.text, field_id) == f"Error: {message}"
    assert stored_counts(portal_state) == (0, 0)


def test_script_tags_and_sql_come_back_escaped_on_the_form(
    portal: TestClient, portal_state: AppState
) -> None:
    opened = open_form(portal, "disclosure")
    fields = base_fields(**dict.fromkeys(TEXT_FIELDS, PAYLOAD), is_agent="yes")
    fields["category"] = PAYLOAD
    fields["disclosure_method"] = PAYLOAD
    answer = post_form(portal, opened, "disclosure", fields)  # no document: shown again
    assert answer.status_code == 422
    assert SCRIPT not in answer.text
    # each text field shows the payload, escaped, once
    assert answer.text.count(PAYLOAD_ESCAPED) == len(TEXT_FIELDS)
    assert SQL.replace("'", "&#39;") in answer.text
    assert stored_counts(portal_state) == (0, 0)


def test_script_tags_and_sql_are_stored_as_text_and_escaped_on_the_staff_page(
    portal: TestClient, portal_state: AppState, smtp: SmtpServer
) -> None:
    from kojin.auth.roles import Role
    from kojin.auth.staff import create_staff_user

    opened = open_form(portal, "correction")
    fields = base_fields(
        name=PAYLOAD,
        address=PAYLOAD,
        details=PAYLOAD,
        agent_name=PAYLOAD,
        is_agent="yes",
        agent_relation="authorised_agent",
    )
    files = {**identity_png(), "authority_document": ("power.png", png(), "image/png")}
    answer = post_form(portal, opened, "correction", fields, files)
    assert answer.status_code == 303
    assert SCRIPT not in portal.get("/portal/requests/verify").text
    (request_id,) = _request_ids(portal_state)
    # stored exactly as typed: the SQL did nothing, and nothing was stripped
    detail = _detail(portal_state, request_id)
    assert detail.applicant.name == PAYLOAD
    assert detail.applicant.agent_name == PAYLOAD
    assert detail.details == PAYLOAD

    with portal_state.unit_of_work() as session:
        create_staff_user(
            session=session,
            username="officer",
            password="correct horse battery",
            role=Role.PRIVACY_OFFICER,
            actor="test",
        )
    sign_in_page = portal.get("/admin/login").text
    signed_in = portal.post(
        "/admin/login",
        data={
            "csrf_token": csrf_of(sign_in_page),
            "username": "officer",
            "password": "correct horse battery",
            "next": "",
        },
    )
    assert signed_in.status_code == 303
    staff_page = portal.get(f"/admin/requests/{request_id}")
    assert staff_page.status_code == 200
    assert SCRIPT not in staff_page.text
    assert staff_page.text.count(PAYLOAD_ESCAPED) >= 4  # name, address, details, agent


def _detail(state: AppState, request_id: str) -> RequestDetail:
    from kojin.requests.service import request_detail

    with state.read() as session:
        return request_detail(
            session=session,
            cipher=state.cipher(),
            policy=state.policy,
            request_id=request_id,
            actor="staff:test",
            today=date.today(),
        )


def test_full_width_postal_code_and_phone_are_accepted(
    portal: TestClient, portal_state: AppState
) -> None:
    opened = open_form(portal, "inquiry", lang="ja")
    fields = base_fields(
        postal_code="〒１０８－８０１９",
        phone="０３－１２３４－５６７８",
        email="ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｊｐ",
        furigana="やまだ はなこ",
        details="取扱いについて教えてください。",
    )
    answer = post_form(portal, opened, "inquiry", fields)
    assert answer.status_code == 303, answer.text
    (request_id,) = _request_ids(portal_state)
    detail = _detail(portal_state, request_id)
    assert detail.applicant.postal_code == "108-8019"
    assert detail.applicant.phone == "03-1234-5678"
    assert detail.applicant.email == "hanako@example.jp"
    assert detail.applicant.furigana == "ヤマダ ハナコ"
    assert detail.lang == "ja"


def test_a_post_without_the_csrf_token_is_refused_and_nothing_is_stored(
    portal: TestClient, portal_state: AppState, smtp: SmtpServer
) -> None:
    opened = open_form(portal, "disclosure")
    answer = post_form(portal, opened, "disclosure", base_fields(), identity_png(), csrf=False)
    assert answer.status_code == 403
    assert "The form has expired" in answer.text
    assert stored_counts(portal_state) == (0, 0)
    assert smtp.mailbox.messages == []


def test_a_form_sent_again_with_another_address_makes_no_second_request(
    portal: TestClient, portal_state: AppState
) -> None:
    opened = open_form(portal, "inquiry")
    first = post_form(portal, opened, "inquiry", base_fields())
    assert first.status_code == 303
    other = post_form(portal, opened, "inquiry", base_fields(email="someone@example.jp"))
    assert other.status_code == 409
    assert "already sent" in other.text
    assert stored_counts(portal_state) == (1, 0)
    # the form shown again carries a new key: sending it makes a new request
    assert f'value="{opened.submission_key}"' not in other.text
    assert 'name="submission_key"' in other.text


def test_submissions_are_limited_per_address(portal: TestClient) -> None:
    opened = open_form(portal, "inquiry")
    answers = [post_form(portal, opened, "inquiry", base_fields(name="")) for _ in range(11)]
    assert [a.status_code for a in answers[:10]] == [422] * 10
    assert answers[10].status_code == 429
    assert answers[10].headers["retry-after"]


def test_a_form_with_an_unknown_kind_or_a_forged_key_is_not_taken(
    portal: TestClient, portal_state: AppState
) -> None:
    opened = open_form(portal, "inquiry")
    unknown = post_form(portal, opened, "<script>", base_fields())
    assert unknown.status_code == 400
    assert SCRIPT not in unknown.text
    forged = OpenedForm(opened.html, opened.csrf, "short")
    answer = post_form(portal, forged, "inquiry", base_fields())
    assert answer.status_code == 422
    assert "The form has expired" in answer.text
    again = re.search(r'name="submission_key" value="([^"]+)"', answer.text)
    assert again is not None
    assert again[1] != "short"
    renewed = OpenedForm(opened.html, opened.csrf, again[1])
    assert post_form(portal, renewed, "inquiry", base_fields()).status_code == 303
    assert stored_counts(portal_state) == (1, 0)
