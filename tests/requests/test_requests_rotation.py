"""Key rotation reaches the requests and the mail outbox: after it, every stored request value,
history note and document, and every outbox message, is under the new key (the old key id is
nowhere in those tables) and opens with a keyring that no longer holds the old key."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from requests_smtp import serve
from requests_support import JPEG, NOW, PDF, Requests, form, identity
from sqlalchemy import select
from typer.testing import CliRunner

from kojin.audit.models import AuditEntry
from kojin.audit.service import verify_chain
from kojin.cli import app
from kojin.crypto.cipher import FieldCipher
from kojin.crypto.keyring import Keyring, keyring_path
from kojin.law.policy_facts import PolicyFacts
from kojin.mail.message import MailMessage
from kojin.mail.models import MailOutbox
from kojin.mail.service import deliver, list_outbox
from kojin.requests.kinds import DocumentPurpose, RequestKind
from kojin.requests.models import DataRequest, RequestDocument, RequestEvent
from kojin.requests.purge import purge_closed
from kojin.requests.rotation import rotate_all_keys
from kojin.requests.schemas import ActionIn, RequestDetail, UploadIn
from kojin.requests.service import act, read_document, request_detail, request_status

STAFF = "staff:officer"


def _act(requests: Requests, facts: PolicyFacts, request_id: str, **fields: object) -> None:
    with requests.database.uow() as session:
        act(
            session=session,
            cipher=requests.cipher,
            settings=requests.settings,
            policy=requests.policy,
            facts=facts,
            request_id=request_id,
            action=ActionIn.model_validate(fields),
            actor=STAFF,
            now=NOW + timedelta(days=1),
        )


def _fill(requests: Requests, facts: PolicyFacts) -> dict[str, str]:
    """Requests in several states with notes, fees, refusals, documents (one emptied after
    holding) and mail, one of it sent by SMTP (its body cleared). Returns request ids."""
    photo = UploadIn(DocumentPurpose.IDENTITY, "photo.jpg", "image/jpeg", JPEG)
    feeing = requests.arrived(uploads=[identity(), photo]).request_id
    _act(requests, facts, feeing, action="verify_identity", note="NOTE: photo matches")
    _act(requests, facts, feeing, action="record_fee", fee_reference="振込 0012-345")
    closed = requests.arrived(form(email="closed@example.jp")).request_id
    _act(requests, facts, closed, action="withdraw")
    with requests.database.uow() as session:
        assert purge_closed(session=session, policy=requests.policy, now=NOW + timedelta(days=40))
    refused = requests.arrived(
        form(RequestKind.STOP_USE, email="refused@example.jp"),
        uploads=[identity(PDF, "licence.pdf")],
    ).request_id
    _act(
        requests,
        facts,
        refused,
        action="refuse",
        refusal_ground="deficient_procedure",
        explanation="書類が読めません。",
    )
    with serve() as smtp:
        by_smtp = requests.settings.model_copy(
            update={"smtp_host": "127.0.0.1", "smtp_port": smtp.port}
        )
        with requests.database.uow() as session:
            deliver(
                session=session,
                cipher=requests.cipher,
                settings=by_smtp,
                message=MailMessage(to="sent@example.jp", subject="件名", text="本文"),
                purpose="test.sent",
            )
    return {"feeing": feeing, "refused": refused, "closed": closed}


def _detail(requests: Requests, cipher: FieldCipher, request_id: str) -> RequestDetail:
    with requests.database.uow() as session:
        return request_detail(
            session=session,
            cipher=cipher,
            policy=requests.policy,
            request_id=request_id,
            actor=STAFF,
            today=date(2027, 5, 20),
        )


def _documents(requests: Requests, cipher: FieldCipher) -> dict[str, bytes]:
    with requests.database.uow() as session:
        docs = session.execute(
            select(RequestDocument).where(RequestDocument.deleted_at.is_(None))
        ).scalars()
        return {
            doc.id: read_document(
                session=session,
                cipher=cipher,
                request_id=doc.request_id,
                document_id=doc.id,
                actor=STAFF,
            )[1]
            for doc in docs
        }


def _stored_texts(requests: Requests) -> list[str]:
    """Every encrypted value in the request tables and the outbox, as stored."""
    with requests.database.read() as session:
        values: list[str | None] = []
        for row in session.execute(select(DataRequest)).scalars():
            values += [v for c, v in vars(row).items() if c.endswith("_enc")]
        values += list(session.execute(select(RequestEvent.note_enc)).scalars())
        for mail in session.execute(select(MailOutbox)).scalars():
            values += [mail.to_enc, mail.subject_enc, mail.text_enc]
    return [v for v in values if v is not None]


def test_rotation_reencrypts_requests_documents_and_mail(
    requests: Requests, facts: PolicyFacts
) -> None:
    ids = _fill(requests, facts)
    old_key = requests.cipher.current_key_id
    before = {key: _detail(requests, requests.cipher, rid) for key, rid in ids.items()}
    documents = _documents(requests, requests.cipher)
    assert len(documents) == 3  # the withdrawn request's document was emptied
    with requests.database.read() as session:
        mail = list_outbox(session=session, cipher=requests.cipher, limit=1000)
    assert {m.status for m in mail} == {"kept", "sent"}

    result = rotate_all_keys(
        settings=requests.settings, database=requests.database, actor="t", batch_size=2
    )
    assert result.previous_key_id == old_key
    # 3 requests and 4 documents (the emptied one gets the key id too); every mail
    assert result.stores == {"requests": 7, "mail_outbox": len(mail)}
    keyring = Keyring.read(keyring_path(requests.settings))
    assert keyring.current == result.key_id
    new_only = FieldCipher(
        Keyring(
            current=result.key_id,
            keys={result.key_id: keyring.keys[result.key_id]},
            index_key=keyring.index_key,
        )
    )

    stored = _stored_texts(requests)
    assert len(stored) > 20
    assert {FieldCipher.key_id_of(v) for v in stored} == {result.key_id}
    assert not [v for v in stored if old_key in v]
    with requests.database.read() as session:
        docs = session.execute(select(RequestDocument)).scalars().all()
        rows = session.execute(select(DataRequest)).scalars().all()
        kept = session.execute(select(MailOutbox)).scalars().all()
        entry = session.execute(
            select(AuditEntry).where(AuditEntry.action == "keys.rotated")
        ).scalar_one()
        assert verify_chain(session=session).ok
    assert {d.key_id for d in docs} | {r.key_id for r in rows} | {m.key_id for m in kept} == {
        result.key_id
    }
    for doc in docs:
        assert old_key.encode() not in doc.content_enc
        if doc.content_enc:
            assert FieldCipher.key_id_of_bytes(doc.content_enc) == result.key_id
    assert entry.details["stores"] == result.stores

    # everything opens without the old key, and reads as before
    for key, rid in ids.items():
        assert _detail(requests, new_only, rid).model_dump(exclude={"history"}) == before[
            key
        ].model_dump(exclude={"history"})
    assert _detail(requests, new_only, ids["feeing"]).history[2].note == "NOTE: photo matches"
    assert _documents(requests, new_only) == documents
    reference = _reference(requests, new_only, ids["refused"])
    with requests.database.read() as session:
        assert list_outbox(session=session, cipher=new_only, limit=1000) == mail
        # the blind indexes stay: the person still opens the status
        status = request_status(
            session=session,
            cipher=new_only,
            policy=requests.policy,
            reference=reference,
            email="refused@example.jp",
        )
    assert status.refusal_text == "書類が読めません。"


def _reference(requests: Requests, cipher: FieldCipher, request_id: str) -> str:
    with requests.database.read() as session:
        row = session.get(DataRequest, request_id)
        assert row is not None
        assert row.reference_enc is not None
        return cipher.decrypt(row.reference_enc, context=f"data_requests.reference:{row.id}")


def test_keys_rotate_on_the_command_line_reaches_requests_and_mail(
    requests: Requests, monkeypatch: pytest.MonkeyPatch
) -> None:
    requests.arrived()
    old_key = requests.cipher.current_key_id
    monkeypatch.setenv("KOJIN_HOME", str(requests.settings.home))
    monkeypatch.setenv("KOJIN_DATABASE_URL", requests.settings.resolved_database_url())
    for name in ("KOJIN_MASTER_KEY", "KOJIN_KEYS_DIR"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(app, ["keys", "rotate", "--batch-size", "1"])
    assert result.exit_code == 0, result.output
    assert (
        "0 subject(s) re-encrypted, as were 2 request row(s) and document(s) and "
        "1 outbox message(s)"
    ) in result.stdout
    assert not [v for v in _stored_texts(requests) if old_key in v]
