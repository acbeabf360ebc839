"""Data keys in the vault's tables: made and wrapped for a new record, unwrapped to open one.

Wrapping and re-wrapping must not race: a rotation re-wraps every data key and then destroys
the old vault keys, so a data key wrapped under an old key and stored after the re-wrap would
be lost. Whoever wraps therefore first takes the data-key table's writer lock
(:func:`lock_for_wrapping`; on SQLite the write transaction already holds the database's) and
only then reads which vault key is current; a rotation takes the exclusive lock
(:func:`lock_for_rewrapping`) after switching the current key.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import cast

from sqlalchemy import Table, insert, select, text
from sqlalchemy.orm import Session

from kojin.errors import IntegrityError
from kojin.mynumber.envelope import Sealed, number_aad, unseal
from kojin.mynumber.models import ACTIVE, DataKey, NumberRecord
from kojin.mynumber.vault import Vault

_TABLE = DataKey.__tablename__
_INSERT_KEY = insert(cast(Table, DataKey.__table__))


def _lock(session: Session, mode: str) -> None:
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"LOCK TABLE {_TABLE} IN {mode} MODE"))


def lock_for_wrapping(session: Session) -> None:
    """Before wrapping a new data key: wait for a rotation under way to finish re-wrapping."""
    _lock(session, "ROW EXCLUSIVE")


def lock_for_rewrapping(session: Session) -> None:
    """Before re-wrapping every data key: wait for transactions storing data keys to end, and
    keep new ones out until this transaction ends."""
    _lock(session, "SHARE ROW EXCLUSIVE")


def store_key(vault: Vault, session: Session, record_id: str, data_key: bytes) -> None:
    """Store `data_key` of `record_id` (whose row is written already) wrapped under the vault
    key that is current once the wrapping lock is held."""
    lock_for_wrapping(session)
    key_id, wrapped = vault.keys.wrap(data_key)
    session.execute(
        _INSERT_KEY, {"record_id": record_id, "vault_key_id": key_id, "wrapped": wrapped}
    )


def _select_key(session: Session, record_id: str) -> DataKey:
    row = session.get(DataKey, record_id, populate_existing=True)
    if row is None:
        raise IntegrityError("the record's data key is missing")
    return row


def _unwrap(vault: Vault, session: Session, row: DataKey) -> bytes:
    """`row`'s data key. When its vault key is gone, the row is read once more: a rotation may
    have re-wrapped it since it was read."""
    try:
        return vault.keys.unwrap(row.vault_key_id, row.wrapped)
    except IntegrityError:
        again = _select_key(session, row.record_id)
        if again.vault_key_id == row.vault_key_id:
            raise
        return vault.keys.unwrap(again.vault_key_id, again.wrapped)


def record_key(vault: Vault, session: Session, record_id: str) -> bytes:
    """The data key of `record_id`, unwrapped."""
    return _unwrap(vault, session, _select_key(session, record_id))


def _open(data_key: bytes, row: NumberRecord) -> str:
    if row.number_ct is None or row.nonce is None:
        raise IntegrityError("the record holds no number")
    sealed = Sealed(nonce=row.nonce, ciphertext=row.number_ct)
    return unseal(data_key, sealed, aad=number_aad(row.id), what="a vault record").decode("ascii")


def open_number(vault: Vault, session: Session, row: NumberRecord) -> str:
    """The 12 digits of the active record `row`."""
    return _open(record_key(vault, session, row.id), row)


def open_numbers(*, vault: Vault, session: Session, record_ids: Collection[str]) -> dict[str, str]:
    """The numbers of the active records among `record_ids`, by record id (ids of unknown or
    disposed records are left out). For the payment-record export only: the caller has checked
    the designation and chains its own audit entry."""
    wanted = sorted(set(record_ids))
    numbers: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        query = (
            select(NumberRecord, DataKey)
            .join(DataKey, DataKey.record_id == NumberRecord.id)
            .where(NumberRecord.id.in_(wanted[start : start + 500]), NumberRecord.status == ACTIVE)
        )
        for row, key in session.execute(query):
            numbers[row.id] = _open(_unwrap(vault, session, key), row)
    return numbers
