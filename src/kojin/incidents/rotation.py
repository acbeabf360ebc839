"""Key rotation of the incident register: :data:`INCIDENTS_STORE` and :data:`PEOPLE_STORE` are
:class:`~kojin.registry.keys.EncryptedStore`\\ s for :func:`kojin.registry.keys.rotate_keys`
(``kojin keys rotate`` names them), so that a rotation leaves no incident text and no affected
person's name or address under an older key."""

from __future__ import annotations

from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kojin.crypto.cipher import FieldCipher
from kojin.incidents.models import Incident, IncidentPerson
from kojin.incidents.records import seal, unseal
from kojin.registry.keys import EncryptedStore

#: the encrypted columns of each table (attribute ``<column>_enc``)
_INCIDENT_COLUMNS: Final = ("title", "details")
_PERSON_COLUMNS: Final = ("name", "email", "postal_address")


def count_stale_incidents(*, session: Session, cipher: FieldCipher) -> int:
    """How many incidents' texts are still under an older key."""
    query = select(func.count()).select_from(Incident)
    return int(session.execute(query.where(Incident.key_id != cipher.current_key_id)).scalar_one())


def count_stale_people(*, session: Session, cipher: FieldCipher) -> int:
    """How many affected people's names and addresses are still under an older key."""
    query = select(func.count()).select_from(IncidentPerson)
    return int(
        session.execute(query.where(IncidentPerson.key_id != cipher.current_key_id)).scalar_one()
    )


def _reseal(
    cipher: FieldCipher, row: Incident | IncidentPerson, table: str, columns: tuple[str, ...]
) -> None:
    current = cipher.current_key_id
    for column in columns:
        stored: str | None = getattr(row, f"{column}_enc")
        if stored is None:
            continue
        text = unseal(cipher, table, column, row.id, stored)
        setattr(row, f"{column}_enc", seal(cipher, table, column, row.id, current, text))
    row.key_id = current


def reencrypt_incidents(*, session: Session, cipher: FieldCipher, limit: int = 500) -> int:
    """Re-encrypt up to `limit` incidents not yet under the current key; how many. Call
    repeatedly (one transaction each) until it returns 0."""
    rows = (
        session.execute(
            select(Incident)
            .where(Incident.key_id != cipher.current_key_id)
            .order_by(Incident.id)
            .limit(limit)
            .with_for_update()
        )
        .scalars()
        .all()
    )
    for row in rows:
        _reseal(cipher, row, "incidents", _INCIDENT_COLUMNS)
    session.flush()
    return len(rows)


def reencrypt_people(*, session: Session, cipher: FieldCipher, limit: int = 500) -> int:
    """Re-encrypt up to `limit` affected people not yet under the current key; how many."""
    rows = (
        session.execute(
            select(IncidentPerson)
            .where(IncidentPerson.key_id != cipher.current_key_id)
            .order_by(IncidentPerson.id)
            .limit(limit)
            .with_for_update()
        )
        .scalars()
        .all()
    )
    for row in rows:
        _reseal(cipher, row, "incident_people", _PERSON_COLUMNS)
    session.flush()
    return len(rows)


INCIDENTS_STORE: Final = EncryptedStore("incidents", count_stale_incidents, reencrypt_incidents)
PEOPLE_STORE: Final = EncryptedStore("incident_people", count_stale_people, reencrypt_people)
