"""Subjects: identifiers encrypted at rest, blind-index lookup, flags, key rotation."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text, update

from kojin.audit.models import AuditEntry
from kojin.audit.service import verify_chain
from kojin.crypto.cipher import FieldCipher
from kojin.crypto.keyring import Keyring, keyring_path
from kojin.db.uow import Database
from kojin.errors import IntegrityError, NotFoundError
from kojin.law.policy_facts import PolicyFacts
from kojin.policy import load_policy, to_facts
from kojin.registry.keys import rotate_keys
from kojin.registry.subjects import (
    FlagsUpdate,
    SubjectCreate,
    SubjectIdentifiers,
    create_subject,
    erase_identifiers,
    find_subject,
    get_subject,
    list_subjects,
    set_flags,
    update_identifiers,
)
from kojin.registry.subjects.models import Subject
from kojin.settings import Settings

POLICY: PolicyFacts = to_facts(load_policy(None))

ALICE = SubjectCreate(
    category="customer",
    name="山田 花子",
    email="Hanako.Yamada@example.jp",
    customer_number="C-000123",
    phone="03-1234-5678",
    address="東京都港区港南1-9-1",
)


def _create(database: Database, cipher: FieldCipher, subject: SubjectCreate = ALICE) -> str:
    with database.uow() as session:
        return create_subject(
            session=session, cipher=cipher, subject_in=subject, policy=POLICY, actor="t"
        ).id


def test_identifiers_are_not_stored_in_clear(database: Database, cipher: FieldCipher) -> None:
    subject_id = _create(database, cipher)
    with database.engine.connect() as conn:
        raw = conn.execute(text("SELECT * FROM subjects")).mappings().one()
        audit = conn.execute(text("SELECT * FROM audit_entries")).mappings().all()
    dumped = " ".join(str(v) for v in raw.values()) + " ".join(str(dict(a)) for a in audit)
    for secret in ("Hanako", "hanako", "山田", "C-000123", "1234-5678", "港南"):
        assert secret not in dumped
    assert raw["id"] == subject_id
    assert str(raw["email_enc"]).startswith(cipher.current_key_id + ":")


def test_out_schema_hides_identifiers_unless_asked(database: Database, cipher: FieldCipher) -> None:
    subject_id = _create(database, cipher)
    with database.read() as session:
        plain = get_subject(session=session, subject_id=subject_id)
        revealed = get_subject(session=session, subject_id=subject_id, cipher=cipher)
        listed = list_subjects(session=session)
    assert plain.identifiers is None
    assert [s.identifiers for s in listed] == [None]
    assert revealed.identifiers is not None
    assert revealed.identifiers.email == ALICE.email
    assert revealed.identifiers.name == ALICE.name
    assert revealed.identifiers.address == ALICE.address


@pytest.mark.parametrize(
    ("email", "customer_number", "found"),
    [
        ("hanako.yamada@example.jp", None, True),
        ("  HANAKO.YAMADA@EXAMPLE.JP ", None, True),
        ("ｈａｎａｋｏ.yamada@example.jp", None, True),  # full-width letters (NFKC)
        ("taro@example.jp", None, False),
        (None, "C-000123", True),
        (None, "c-000123", True),
        (None, "C-000124", False),
        ("nobody@example.jp", "C-000123", True),
    ],
)
def test_find_by_blind_index(
    database: Database,
    cipher: FieldCipher,
    email: str | None,
    customer_number: str | None,
    found: bool,
) -> None:
    subject_id = _create(database, cipher)
    _create(database, cipher, SubjectCreate(category="customer", email="other@example.jp"))
    with database.read() as session:
        hits = find_subject(
            session=session, cipher=cipher, email=email, customer_number=customer_number
        )
    assert [h.id for h in hits] == ([subject_id] if found else [])


def test_ciphertext_moved_to_another_row_fails(database: Database, cipher: FieldCipher) -> None:
    first = _create(database, cipher)
    second = _create(database, cipher, SubjectCreate(category="customer", email="b@example.jp"))
    with database.engine.begin() as conn:
        stolen = conn.execute(select(Subject.email_enc).where(Subject.id == first)).scalar_one()
        conn.execute(update(Subject).where(Subject.id == second).values(email_enc=stolen))
    with database.read() as session, pytest.raises(IntegrityError, match=r"subjects\.email"):
        get_subject(session=session, subject_id=second, cipher=cipher)


def test_set_flags_is_audited_and_idempotent(database: Database, cipher: FieldCipher) -> None:
    subject_id = _create(database, cipher)
    with database.uow() as session:
        out = set_flags(
            session=session,
            subject_id=subject_id,
            flags=FlagsUpdate(stop_provision=True, reference="req-1"),
            actor="officer",
        )
        again = set_flags(
            session=session,
            subject_id=subject_id,
            flags=FlagsUpdate(stop_provision=True),
            actor="officer",
        )
    assert out.stop_provision
    assert not out.stop_use
    assert again.stop_provision
    with database.read() as session:
        actions = list(
            session.execute(select(AuditEntry.action, AuditEntry.details).order_by(AuditEntry.seq))
        )
        assert verify_chain(session=session).ok
    assert [a for a, _ in actions] == ["subject.created", "subject.flags_set"]
    details = actions[1][1]
    assert set(details) == {"stop_provision", "change_id", "flags_sha256", "reference_sha256"}
    assert details["stop_provision"] is True
    assert "req-1" not in str(details)


def test_unknown_subject(database: Database) -> None:
    with database.read() as session, pytest.raises(NotFoundError) as raised:
        get_subject(session=session, subject_id="nope")
    assert raised.value.message == "subject not found"


def test_key_rotation_reencrypts_and_keeps_old_keys(
    settings: Settings, database: Database, cipher: FieldCipher
) -> None:
    ids = [
        _create(database, cipher, SubjectCreate(category="customer", email=f"p{n}@example.jp"))
        for n in range(7)
    ]
    old_key = cipher.current_key_id
    result = rotate_keys(settings=settings, database=database, actor="t", batch_size=3)
    assert result.previous_key_id == old_key
    assert result.key_id != old_key
    assert result.reencrypted == 7
    keyring = Keyring.read(keyring_path(settings))
    assert keyring.current == result.key_id
    assert old_key in keyring.keys
    new_cipher = FieldCipher(keyring)
    with database.read() as session:
        rows = session.execute(select(Subject)).scalars().all()
        assert {row.key_id for row in rows} == {result.key_id}
        assert all(FieldCipher.key_id_of(row.email_enc or "") == result.key_id for row in rows)
        emails = {
            get_subject(session=session, subject_id=i, cipher=new_cipher).identifiers.email  # type: ignore[union-attr]
            for i in ids
        }
        assert emails == {f"p{n}@example.jp" for n in range(7)}
        # the blind index does not change with rotation
        assert [
            s.id for s in find_subject(session=session, cipher=new_cipher, email="P3@example.jp")
        ] == [ids[3]]
        assert verify_chain(session=session).ok


def test_half_rotated_rows_stay_readable(database: Database, cipher: FieldCipher) -> None:
    old_id = _create(database, cipher)
    rotated = FieldCipher(cipher.keyring.with_new_key())
    new_id = _create(database, rotated, SubjectCreate(category="customer", email="n@example.jp"))
    with database.read() as session:
        old = get_subject(session=session, subject_id=old_id, cipher=rotated)
        new = get_subject(session=session, subject_id=new_id, cipher=rotated)
    assert old.identifiers is not None
    assert old.identifiers.email == ALICE.email
    assert new.identifiers is not None
    assert new.identifiers.email == "n@example.jp"


def test_reveal_with_actor_is_audited(database: Database, cipher: FieldCipher) -> None:
    subject_id = _create(database, cipher)
    with database.uow() as session:
        get_subject(session=session, subject_id=subject_id, cipher=cipher, actor="officer")
        get_subject(session=session, subject_id=subject_id, actor="officer")  # no reveal
    with database.read() as session:
        entries = session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars().all()
    assert [(e.action, e.actor) for e in entries] == [
        ("subject.created", "t"),
        ("subject.revealed", "officer"),
    ]
    assert entries[1].details == {
        "fields": ["address", "customer_number", "email", "name", "phone"]
    }


def test_correct_identifiers(database: Database, cipher: FieldCipher) -> None:
    subject_id = _create(database, cipher)
    with database.uow() as session:
        update_identifiers(
            session=session,
            cipher=cipher,
            subject_id=subject_id,
            changes=SubjectIdentifiers(email="new@example.jp", phone=None),
            actor="officer",
            reference="req-7",
        )
    with database.read() as session:
        out = get_subject(session=session, subject_id=subject_id, cipher=cipher)
        assert find_subject(session=session, cipher=cipher, email=ALICE.email or "") == []
        assert [
            s.id for s in find_subject(session=session, cipher=cipher, email="NEW@example.jp")
        ] == [subject_id]
        last = session.execute(select(AuditEntry).order_by(AuditEntry.seq.desc())).scalars().first()
    assert out.identifiers is not None
    assert (out.identifiers.email, out.identifiers.phone) == ("new@example.jp", None)
    assert out.identifiers.name == ALICE.name  # not in the change: kept
    assert last is not None
    assert last.details["fields"] == ["email", "phone"]
    assert set(last.details) == {"fields", "change_id", "reference_sha256"}
    assert "req-7" not in str(last.details)
    assert "new@example" not in str(last.details)


def test_erase_identifiers_keeps_id_and_flags(database: Database, cipher: FieldCipher) -> None:
    subject_id = _create(database, cipher)
    with database.uow() as session:
        set_flags(
            session=session, subject_id=subject_id, flags=FlagsUpdate(stop_use=True), actor="t"
        )
        erased = erase_identifiers(session=session, subject_id=subject_id, actor="officer")
    assert erased.stop_use
    with database.engine.connect() as conn:
        row = conn.execute(text("SELECT * FROM subjects")).mappings().one()
    assert all(row[f"{f}_enc"] is None for f in ("name", "email", "customer_number", "phone"))
    assert row["email_bidx"] is None
    assert row["customer_number_bidx"] is None
    with database.read() as session:
        assert find_subject(session=session, cipher=cipher, customer_number="C-000123") == []
        revealed = get_subject(session=session, subject_id=subject_id, cipher=cipher)
    assert revealed.identifiers == SubjectIdentifiers()
