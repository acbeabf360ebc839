"""A key rotation re-encrypts the incident register: the incidents' texts and the affected
people's names and addresses end under the new key and read back the same."""

from __future__ import annotations

from datetime import date

from incidents_support import ACTOR, SECRET_SUMMARY, fields
from sqlalchemy import select

from kojin.crypto.cipher import FieldCipher
from kojin.crypto.keyring import Keyring, keyring_path
from kojin.db.uow import Database
from kojin.incidents.models import Incident, IncidentPerson
from kojin.incidents.rotation import INCIDENTS_STORE, PEOPLE_STORE
from kojin.incidents.schemas import PersonInput
from kojin.incidents.service import add_person, get_incident, list_people, record_incident
from kojin.registry.keys import rotate_keys
from kojin.settings import Settings

TODAY = date(2027, 4, 8)


def test_rotation_reaches_incidents_and_people(
    settings: Settings, database: Database, cipher: FieldCipher
) -> None:
    with database.uow() as session:
        ids = [
            record_incident(
                session=session, cipher=cipher, actor=ACTOR, fields=fields(), today=TODAY
            ).id
            for _ in range(3)
        ]
        add_person(
            session=session,
            cipher=cipher,
            actor=ACTOR,
            incident_id=ids[0],
            person=PersonInput(name="山田太郎", email="taro@example.jp", lang="ja"),
        )
        add_person(
            session=session,
            cipher=cipher,
            actor=ACTOR,
            incident_id=ids[0],
            person=PersonInput(name="Jane Roe", postal_address="1-1 Chiyoda", lang="en"),
        )
    old = cipher.current_key_id
    result = rotate_keys(
        settings=settings,
        database=database,
        actor="t",
        batch_size=2,
        stores=(INCIDENTS_STORE, PEOPLE_STORE),
    )
    assert result.stores == {"incidents": 3, "incident_people": 2}
    new = FieldCipher(Keyring.read(keyring_path(settings)))
    assert new.current_key_id != old
    with database.read() as session:
        for model in (Incident, IncidentPerson):
            keys = set(session.execute(select(model.key_id)).scalars())
            assert keys == {new.current_key_id}
        view = get_incident(session=session, cipher=new, incident_id=ids[0], today=TODAY)
        people = list_people(session=session, cipher=new, incident_id=ids[0])
    assert view.fields.summary == SECRET_SUMMARY
    assert [(p.name, p.email, p.postal_address) for p in people] == [
        ("山田太郎", "taro@example.jp", None),
        ("Jane Roe", None, "1-1 Chiyoda"),
    ]
