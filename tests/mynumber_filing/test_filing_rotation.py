"""A key rotation re-encrypts payments' details under the new key."""

from __future__ import annotations

from filing_support import EVERY, POLICY, make_payee, remuneration
from sqlalchemy import select

from kojin.crypto.cipher import FieldCipher
from kojin.crypto.keyring import Keyring, keyring_path
from kojin.db.uow import Database
from kojin.mynumber.filing.models import FilingPayment
from kojin.mynumber.filing.payments import add_payments, list_payments
from kojin.mynumber.filing.rotation import FILING_STORE
from kojin.registry.keys import rotate_keys
from kojin.settings import Settings


def test_rotation_reaches_payments(
    settings: Settings, database: Database, cipher: FieldCipher
) -> None:
    payee = make_payee(database, cipher)
    with database.uow() as session:
        add_payments(
            session=session,
            cipher=cipher,
            policy=POLICY,
            actor="t",
            scope=EVERY,
            payments=[remuneration(payee, 1000, remarks="講演会"), remuneration(payee, 2000)],
        )
    old = cipher.current_key_id
    result = rotate_keys(
        settings=settings, database=database, actor="t", batch_size=1, stores=(FILING_STORE,)
    )
    assert result.stores == {"filing_payments": 2}
    new = FieldCipher(Keyring.read(keyring_path(settings)))
    assert new.current_key_id != old
    with database.read() as session:
        assert {row.key_id for row in session.execute(select(FilingPayment)).scalars()} == {
            new.current_key_id
        }
        stored = list_payments(session=session, cipher=new, scope=EVERY)
    assert sorted((p.amount_yen, p.fields) for p in stored) == [
        (1000, {"category": "講演料", "details": "講演", "remarks": "講演会"}),
        (2000, {"category": "講演料", "details": "講演"}),
    ]
