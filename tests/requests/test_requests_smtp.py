"""The person's mail through a real SMTP server: the code is read from the message the server
received, entered, and the request arrives; the outbox keeps only the envelope of what was
sent."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from requests_smtp import SmtpServer, serve
from requests_support import NOW, Requests, code_in, form
from sqlalchemy import select

from kojin.law.policy_facts import PolicyFacts
from kojin.mail.models import MailOutbox
from kojin.requests.schemas import ActionIn
from kojin.requests.service import act, request_status
from kojin.requests.states import RequestState, StaffAction

EMAIL = "taro.yamada@example.jp"
SENDER = "privacy@example.co.jp"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with serve() as server:
        yield server


def _body(server: SmtpServer, index: int) -> str:
    part = server.mailbox.messages[index].get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def test_the_code_arrives_by_smtp_and_opens_the_request(
    requests: Requests, facts: PolicyFacts, smtp: SmtpServer
) -> None:
    requests.settings = requests.settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp.port,
            "mail_from": "privacy@example.co.jp",
        }
    )
    result = requests.submit(form())

    [message] = smtp.mailbox.messages
    assert smtp.mailbox.recipients == [[EMAIL]]
    assert message["To"] == EMAIL
    assert message["From"] == SENDER
    assert message["Subject"] == "確認コードのお知らせ"
    body = _body(smtp, 0)
    assert result.reference in body
    assert "山田" not in body
    code = code_in(body)

    # once the server took it, the outbox keeps the envelope, not the body with the code
    [kept] = requests.outbox.sent
    assert (kept.status, kept.to, kept.text) == ("sent", EMAIL, "")
    with requests.database.read() as session:
        assert session.execute(select(MailOutbox.text_enc)).scalar_one() is None

    assert requests.verify(result.reference, code)
    with requests.database.uow() as session:
        act(
            session=session,
            cipher=requests.cipher,
            settings=requests.settings,
            policy=requests.policy,
            facts=facts,
            request_id=result.request_id,
            action=ActionIn(action=StaffAction.VERIFY_IDENTITY),
            actor="staff:officer",
            now=NOW + timedelta(hours=2),
        )
    assert len(smtp.mailbox.messages) == 2
    assert (
        smtp.mailbox.messages[1]["Subject"]
        == f"ご請求（受付番号 {result.reference}）の状況のお知らせ"
    )
    assert "手数料1,000円" in _body(smtp, 1)
    with requests.database.read() as session:
        status = request_status(
            session=session,
            cipher=requests.cipher,
            policy=requests.policy,
            reference=result.reference,
            email=EMAIL,
        )
    assert status.state is RequestState.AWAITING_FEE
