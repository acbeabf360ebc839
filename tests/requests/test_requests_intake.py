"""What the person does: submit, verify the e-mail, look at the status, add documents."""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta

import pytest
from requests_support import JPEG, NOW, PDF, PNG, Requests, form, identity
from sqlalchemy import func, select

from kojin.errors import ConflictError, InputError, NotFoundError
from kojin.mail.models import MailOutbox
from kojin.requests.codes import normalize_reference
from kojin.requests.documents import UploadRefused
from kojin.requests.kinds import AgentRelation, DocumentPurpose, RequestKind
from kojin.requests.models import DataRequest, RequestDocument, VerificationCode
from kojin.requests.schemas import Awaited, RequestStatus, UploadIn
from kojin.requests.service import (
    MAX_CODE_ATTEMPTS,
    add_documents,
    request_status,
    resend_code,
)
from kojin.requests.states import RequestState

EMAIL = "taro.yamada@example.jp"


def _count(requests: Requests, model: type) -> int:
    with requests.database.read() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def _status(requests: Requests, reference: str, email: str = EMAIL) -> RequestStatus:
    with requests.database.read() as session:
        return request_status(
            session=session,
            cipher=requests.cipher,
            policy=requests.policy,
            reference=reference,
            email=email,
        )


def test_submission_mails_a_code_and_the_reference_in_japanese(requests: Requests) -> None:
    result = requests.submit(form())
    assert result.created
    assert re.fullmatch(r"KJ(-[0-9A-HJKMNP-TV-Z]{5}){4}", result.reference)
    [mail] = requests.outbox.sent
    assert mail.to == EMAIL
    assert mail.purpose == "request.email_code"
    assert "確認コード" in mail.subject
    assert result.reference in mail.text
    assert "15分以内" in mail.text
    assert re.search(r"\b[0-9]{6}\b", mail.text)
    assert "山田" not in mail.text + mail.subject  # no name in the mail
    assert mail.status == "kept"  # no SMTP server here: kept for the staff pages' outbox
    with requests.database.read() as session:
        stored = session.execute(select(MailOutbox)).scalar_one()
    sealed = " ".join(str(v) for v in vars(stored).values())
    for plain in (EMAIL, "確認コード", result.reference, requests.outbox.last_code(EMAIL)):
        assert plain not in sealed  # recipient, subject and body are encrypted
    status = _status(requests, result.reference)
    assert status.state is RequestState.EMAIL_UNVERIFIED
    assert status.awaiting == [Awaited.EMAIL_CODE]
    assert status.fee_yen == 1000
    assert not status.fee_recorded


def test_an_english_request_is_answered_in_english(requests: Requests) -> None:
    requests.submit(form(RequestKind.INQUIRY, lang="en"), uploads=[])
    [mail] = requests.outbox.sent
    assert mail.subject.startswith("Your verification code")
    assert "within 15 minutes" in mail.text


def test_verification_makes_the_request_arrive(requests: Requests) -> None:
    result = requests.submit(form())
    code = requests.outbox.last_code(EMAIL)
    # 7 April 2027, 09:00 in Tokyo: due ten business days later, on 21 April
    assert requests.verify(result.reference, code)
    status = _status(requests, result.reference)
    assert status.state is RequestState.RECEIVED
    assert status.received_at == NOW
    assert status.due_on == date(2027, 4, 21)
    assert status.awaiting == [Awaited.STAFF]
    assert not requests.verify(result.reference, code)  # used


def test_arrival_and_due_date_follow_tokyo_time(requests: Requests) -> None:
    late = NOW.replace(day=28, hour=15, minute=30)  # 29 April 00:30 in Tokyo (Showa Day)
    result = requests.submit(form(), now=late)
    assert requests.verify(result.reference, requests.outbox.last_code(EMAIL), now=late)
    # counted after 29 April: 30 April, then 6-7, 10-14 and 17-18 May (Golden Week between)
    assert _status(requests, result.reference).due_on == date(2027, 5, 18)


def test_the_reference_is_read_leniently(requests: Requests) -> None:
    result = requests.submit(form())
    typed = result.reference.lower().replace("-", " ").replace("0", "o")
    full_width = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in typed)
    assert normalize_reference(full_width) == result.reference
    assert (
        _status(requests, full_width, email="TARO.YAMADA@EXAMPLE.JP").kind is RequestKind.DISCLOSURE
    )


def test_wrong_codes_are_counted_and_the_code_is_spent(requests: Requests) -> None:
    result = requests.submit(form())
    code = requests.outbox.last_code(EMAIL)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(MAX_CODE_ATTEMPTS):
        assert not requests.verify(result.reference, wrong)
    assert not requests.verify(result.reference, code)  # the right one no longer helps
    with requests.database.read() as session:
        attempts = session.execute(select(VerificationCode.attempts)).scalar_one()
    assert attempts == MAX_CODE_ATTEMPTS
    assert _status(requests, result.reference).state is RequestState.EMAIL_UNVERIFIED


def test_an_expired_code_fails_alike(requests: Requests) -> None:
    result = requests.submit(form())
    code = requests.outbox.last_code(EMAIL)
    assert not requests.verify(result.reference, code, now=NOW + timedelta(minutes=15))
    assert not requests.verify("KJ-00000-00000-00000-00000", code)
    assert not requests.verify("not a reference", code)
    assert not requests.verify(result.reference, "12345")


def test_failures_give_one_message(requests: Requests) -> None:
    from kojin.requests.service import VerificationFailed, verify_email

    result = requests.submit(form())
    code = requests.outbox.last_code(EMAIL)
    messages = set()
    for reference, typed, at in [
        (result.reference, "000000" if code != "000000" else "111111", NOW),
        (result.reference, code, NOW + timedelta(hours=1)),
        ("KJ-00000-00000-00000-00000", code, NOW),
    ]:
        with requests.database.uow() as session, pytest.raises(VerificationFailed) as caught:
            verify_email(
                session=session,
                cipher=requests.cipher,
                policy=requests.policy,
                reference=reference,
                code=typed,
                now=at,
            )
        assert caught.value.field == "code"
        messages.add(caught.value.message)
    assert len(messages) == 1


def test_a_resent_code_replaces_the_first(requests: Requests) -> None:
    result = requests.submit(form())
    first = requests.outbox.last_code(EMAIL)
    with requests.database.uow() as session:
        resend_code(
            session=session,
            cipher=requests.cipher,
            settings=requests.settings,
            reference=result.reference,
            email=EMAIL,
            now=NOW + timedelta(minutes=1),
        )
    second = requests.outbox.last_code(EMAIL)
    assert len(requests.outbox.sent) == 2
    if first != second:
        assert not requests.verify(result.reference, first, now=NOW + timedelta(minutes=2))
    assert requests.verify(result.reference, second, now=NOW + timedelta(minutes=2))
    with requests.database.uow() as session, pytest.raises(ConflictError):
        resend_code(
            session=session,
            cipher=requests.cipher,
            settings=requests.settings,
            reference=result.reference,
            email=EMAIL,
        )


def test_a_double_submission_makes_one_request(requests: Requests) -> None:
    the_form = form()
    first = requests.submit(the_form)
    again = requests.submit(the_form)
    assert (again.request_id, again.reference, again.created) == (
        first.request_id,
        first.reference,
        False,
    )
    assert _count(requests, DataRequest) == 1
    assert _count(requests, RequestDocument) == 1
    assert len(requests.outbox.sent) == 1  # no second mail
    other = the_form.model_copy(update={"email": "someone.else@example.jp"})
    with pytest.raises(ConflictError):
        requests.submit(other)


def test_status_errors_are_uniform(requests: Requests) -> None:
    result = requests.submit(form())
    other = requests.submit(form(email="hanako@example.jp"))
    messages = set()
    for reference, email in [
        (result.reference, "hanako@example.jp"),  # another request's e-mail
        (other.reference, EMAIL),
        ("KJ-00000-00000-00000-00000", EMAIL),
        ("garbage", EMAIL),
    ]:
        with pytest.raises(NotFoundError) as caught:
            _status(requests, reference, email)
        messages.add(caught.value.message)
    assert messages == {"request not found"}


@pytest.mark.parametrize(
    ("kind", "uploads", "field"),
    [
        (RequestKind.DISCLOSURE, [], "identity_document"),
        (RequestKind.STOP_USE, [], "identity_document"),
        (
            RequestKind.STOP_USE,
            [UploadIn(DocumentPurpose.AUTHORITY, "poa.pdf", None, PDF)],
            "identity_document",
        ),
    ],
)
def test_rights_requests_need_an_identity_document(
    requests: Requests, kind: RequestKind, uploads: list[UploadIn], field: str
) -> None:
    with pytest.raises(InputError) as caught:
        requests.submit(form(kind), uploads=uploads)
    assert caught.value.field == field
    assert _count(requests, DataRequest) == 0
    assert requests.outbox.sent == []


def test_complaints_need_no_document(requests: Requests) -> None:
    result = requests.submit(form(RequestKind.COMPLAINT, details="The call centre was rude."), [])
    assert _status(requests, result.reference).fee_yen is None


def test_an_agent_needs_an_authority_document(requests: Requests) -> None:
    agent = form(
        RequestKind.DISCLOSURE,
        is_agent=True,
        agent_name="佐藤 花子",
        agent_relation=AgentRelation.AUTHORISED_AGENT,
    )
    with pytest.raises(InputError) as caught:
        requests.submit(agent)
    assert caught.value.field == "authority_document"
    authority = UploadIn(DocumentPurpose.AUTHORITY, "poa.pdf", "application/pdf", PDF)
    assert requests.submit(agent, uploads=[identity(), authority]).created


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (identity(PNG + bytes(10 * 1024 * 1024)), "too_large"),
        (identity(JPEG, filename="licence.png"), "name_mismatch"),
        (identity(PDF, filename="licence.jpg"), "name_mismatch"),
        (identity(b"<script>alert(1)</script>", "x.png"), "unsupported_type"),
        (identity(PNG, filename="licence.exe"), "unsupported_type"),
        (identity(PNG[: len(PNG) // 2]), "unreadable"),
        (identity(b""), "empty"),
    ],
)
def test_a_refused_upload_stores_nothing(requests: Requests, bad: UploadIn, reason: str) -> None:
    assert requests.settings.max_upload_bytes == 10 * 1024 * 1024
    good = UploadIn(DocumentPurpose.AUTHORITY, "poa.pdf", "application/pdf", PDF)
    with pytest.raises(UploadRefused) as caught:
        requests.submit(form(), uploads=[good, bad])  # the good one is not kept either
    assert caught.value.field == "document"
    assert caught.value.reason == reason
    assert bad.filename not in caught.value.message
    assert _count(requests, DataRequest) == 0
    assert _count(requests, RequestDocument) == 0
    assert _count(requests, MailOutbox) == 0


def test_an_undeclared_category_is_refused(requests: Requests) -> None:
    with pytest.raises(InputError) as caught:
        requests.submit(form(category="no_such_category"))
    assert caught.value.field == "category"
    assert requests.submit(form(category="customer")).created


def test_documents_are_encrypted_at_rest(requests: Requests) -> None:
    photo = UploadIn(DocumentPurpose.IDENTITY, "IMG_0001.JPG", "image/jpeg", JPEG)
    requests.submit(form(), uploads=[identity(PDF, "licence.pdf"), photo])
    with requests.database.read() as session:
        docs = session.execute(select(RequestDocument)).scalars().all()
        row = session.execute(select(DataRequest)).scalar_one()
    kinds = {doc.media_type: doc for doc in docs}
    assert kinds.keys() == {"application/pdf", "image/jpeg"}
    doc = kinds["application/pdf"]
    assert doc.size == len(PDF)
    assert doc.sha256 == hashlib.sha256(PDF).hexdigest()
    assert PDF[:16] not in doc.content_enc
    assert b"JFIF" not in kinds["image/jpeg"].content_enc
    stored = " ".join(str(v) for v in vars(row).values())
    for typed in ("山田", "taro.yamada", "03-1234-5678", "100-0001", "千代田", "ヤマダ"):
        assert typed not in stored


def test_documents_can_be_added_when_asked_for(requests: Requests) -> None:
    result = requests.arrived()
    with requests.database.uow() as session:
        row = session.get(DataRequest, result.request_id)
        assert row is not None
        row.state = RequestState.AWAITING_DOCUMENTS.value  # as REJECT_IDENTITY leaves it
    with requests.database.uow() as session:
        status = add_documents(
            session=session,
            cipher=requests.cipher,
            settings=requests.settings,
            reference=result.reference,
            email=EMAIL,
            uploads=[identity(PDF, "passport.pdf")],
        )
    assert status.state is RequestState.RECEIVED
    assert _count(requests, RequestDocument) == 2


def test_documents_cannot_be_added_to_an_unverified_request(requests: Requests) -> None:
    result = requests.submit(form())
    with requests.database.uow() as session, pytest.raises(ConflictError):
        add_documents(
            session=session,
            cipher=requests.cipher,
            settings=requests.settings,
            reference=result.reference,
            email=EMAIL,
            uploads=[identity()],
        )
