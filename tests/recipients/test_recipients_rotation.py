"""A key rotation re-encrypts the recipient register: names, details and check notes end under
the new key and read back the same (the stores ``kojin keys rotate`` names)."""

from __future__ import annotations

from recipients_support import (
    ENTRUSTEE_NAME,
    SECRET_NOTES,
    TODAY,
    add,
    check,
    entrustee_fields,
    foreign_fields,
)
from sqlalchemy import select

from kojin.crypto.cipher import FieldCipher
from kojin.crypto.keyring import Keyring, keyring_path
from kojin.db.uow import Database
from kojin.registry.keys import EncryptedStore, rotate_keys
from kojin.registry.recipients import rotation
from kojin.registry.recipients.models import Recipient, RecipientCheck
from kojin.registry.recipients.service import get_recipient
from kojin.settings import Settings


def test_rotation_reaches_recipients_and_checks(
    settings: Settings, database: Database, cipher: FieldCipher
) -> None:
    carrier = add(database, cipher, entrustee_fields())
    add(database, cipher, foreign_fields())
    check(database, cipher, carrier.id, on=TODAY)
    old = cipher.current_key_id
    result = rotate_keys(
        settings=settings,
        database=database,
        actor="t",
        batch_size=1,
        stores=(
            EncryptedStore(
                "recipients", rotation.count_stale_recipients, rotation.reencrypt_recipients
            ),
            EncryptedStore(
                "recipient_checks", rotation.count_stale_checks, rotation.reencrypt_checks
            ),
        ),
    )
    assert result.stores == {"recipients": 2, "recipient_checks": 1}
    new = FieldCipher(Keyring.read(keyring_path(settings)))
    assert new.current_key_id != old
    with database.read() as session:
        for model in (Recipient, RecipientCheck):
            assert set(session.execute(select(model.key_id)).scalars()) == {new.current_key_id}
        view = get_recipient(session=session, cipher=new, recipient_id=carrier.id, today=TODAY)
    assert view.name == ENTRUSTEE_NAME
    assert view.fields.evaluation_notes == SECRET_NOTES
    assert view.checks[0].notes == SECRET_NOTES
