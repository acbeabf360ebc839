"""Affected people: added one by one or from a CSV file, all or nothing, with errors that name
the line and the column and never the value."""

from __future__ import annotations

from datetime import date

import pytest
from incidents_support import ACTOR, audit_entries, fields

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.errors import InputError, NotFoundError
from kojin.incidents.schemas import PersonInput
from kojin.incidents.service import (
    add_person,
    get_incident,
    import_people,
    list_people,
    record_incident,
)

TODAY = date(2027, 4, 8)


def _incident(database: Database, cipher: FieldCipher) -> str:
    with database.uow() as session:
        return record_incident(
            session=session, cipher=cipher, actor=ACTOR, fields=fields(), today=TODAY
        ).id


def _import(database: Database, cipher: FieldCipher, incident_id: str, data: bytes) -> int:
    with database.uow() as session:
        return import_people(
            session=session, cipher=cipher, actor=ACTOR, incident_id=incident_id, data=data
        )


def test_people_are_added_and_read_back(database: Database, cipher: FieldCipher) -> None:
    incident_id = _incident(database, cipher)
    with database.uow() as session:
        person = add_person(
            session=session,
            cipher=cipher,
            actor=ACTOR,
            incident_id=incident_id,
            person=PersonInput(name="山田 太郎", email="taro@example.jp"),
        )
    assert person.lang == "ja"
    assert person.notified_at is None
    assert not person.unreachable
    csv = (
        "name,email,postal_address,lang\r\n"
        "Jane Doe,jane@example.com,,en\r\n"
        "\r\n"
        '鈴木 花子,,"〒100-0001 東京都千代田区千代田1-1",ja\r\n'
        "佐藤 一郎\r\n"
    ).encode()
    assert _import(database, cipher, incident_id, csv) == 3
    with database.read() as session:
        people = list_people(session=session, cipher=cipher, incident_id=incident_id)
        view = get_incident(session=session, cipher=cipher, incident_id=incident_id, today=TODAY)
    assert [p.name for p in people] == ["山田 太郎", "Jane Doe", "鈴木 花子", "佐藤 一郎"]
    assert people[1].lang == "en"
    assert people[1].email == "jane@example.com"
    assert people[2].postal_address == "〒100-0001 東京都千代田区千代田1-1"
    assert people[3].email is None
    assert people[3].postal_address is None
    assert view.people_total == 4
    added = [e.details for e in audit_entries(database) if e.action == "incident.people_added"]
    assert [(d["count"], d["via"]) for d in added] == [(1, "form"), (3, "csv")]
    assert "山田" not in repr(added)
    assert "example" not in repr(added)


def test_a_shift_jis_file_is_read(database: Database, cipher: FieldCipher) -> None:
    incident_id = _incident(database, cipher)
    data = "山田 太郎,taro@example.jp\r\n".encode("cp932")
    assert _import(database, cipher, incident_id, data) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("Ann,ann@example.com\nBob,not-an-address-bob\n", "line 2, column email: "),
        ("Ann,ann@example.com\n,bob@example.com\n", "line 2, column name: is required"),
        ("Ann,ann@example.com,,fr\n", "line 1, column lang: must be ja or en"),
        ("Ann," + "a" * 300 + "@example.com\n", "line 1, column email: "),
        ("Ann,,,ja,extra-secret-cell\n", "line 1: more than 4 columns"),
        ('Ann,"unterminated\n', "line "),
    ],
)
def test_a_bad_line_stops_the_import_and_names_no_value(
    database: Database, cipher: FieldCipher, data: str, message: str
) -> None:
    incident_id = _incident(database, cipher)
    with pytest.raises(InputError) as caught:
        _import(database, cipher, incident_id, data.encode())
    assert caught.value.message.startswith(message)
    for value in ("not-an-address-bob", "bob@example.com", "fr", "extra-secret-cell", "Ann"):
        assert value not in caught.value.message
    with database.read() as session:
        assert list_people(session=session, cipher=cipher, incident_id=incident_id) == []


def test_an_empty_file_or_an_unknown_incident_is_refused(
    database: Database, cipher: FieldCipher
) -> None:
    incident_id = _incident(database, cipher)
    with pytest.raises(InputError):
        _import(database, cipher, incident_id, b"name,email\n\n")
    with pytest.raises(NotFoundError):
        _import(database, cipher, "f" * 32, b"Ann,ann@example.com\n")
    with database.uow() as session, pytest.raises(InputError) as caught:
        add_person(
            session=session,
            cipher=cipher,
            actor=ACTOR,
            incident_id=incident_id,
            person=PersonInput(name="Ann", subject_id="e" * 32),
        )
    assert caught.value.field == "subject_id"
