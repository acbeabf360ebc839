"""Recording and changing incidents: re-assessment on every change, the reference, the
entrustee and entruster cases, the encryption exemption, and what the chain keeps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from incidents_support import (
    ACTOR,
    KNOWN_ON,
    SECRET_CAUSE,
    SECRET_SUMMARY,
    add_request,
    audit_entries,
    fields,
    valid_my_number,
)
from pydantic import ValidationError

from kojin.audit.service import verify_chain
from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.errors import InputError, NotFoundError
from kojin.incidents.schemas import IncidentFields, IncidentStatus, KnowledgeInput
from kojin.incidents.service import (
    get_incident,
    incident_id_for,
    list_incidents,
    open_for_requests,
    record_incident,
    update_incident,
)
from kojin.law.breach_vocabulary import AppiBreachCategory, BreachRole, StopGround
from kojin.policy import load_policy, to_facts
from kojin.registry.ledger.schemas import LedgerAcquisition, LedgerEntryCreate, Medium
from kojin.registry.ledger.service import create_entry
from kojin.requests.kinds import RequestKind

TODAY = date(2027, 4, 8)


def test_passing_1000_persons_makes_it_reportable(database: Database, cipher: FieldCipher) -> None:
    with database.uow() as session:
        view = record_incident(
            session=session, cipher=cipher, actor=ACTOR, fields=fields(), today=TODAY
        )
    assert view.reference == "INC-2027-0001"
    assert view.status is IncidentStatus.OPEN
    assert not view.assessment.must_report
    assert view.days_left_preliminary is None
    assert view.days_left_final is None
    assert view.known_on == KNOWN_ON
    with database.uow() as session:
        view = update_incident(
            session=session,
            cipher=cipher,
            actor=ACTOR,
            incident_id=view.id,
            fields=IncidentFields(persons=1001),
            today=TODAY,
        )
    assert view.assessment.must_report
    assert view.assessment.appi_categories == (AppiBreachCategory.OVER_1000,)
    assert view.assessment.preliminary_by == KNOWN_ON + timedelta(days=4)
    assert view.days_left_preliminary == 3
    assert view.days_left_final is not None
    assert view.days_left_final > 20
    assert view.fields.persons == 1001
    assert view.fields.summary == SECRET_SUMMARY  # the rest unchanged
    assert [e.action for e in view.history] == ["incident.recorded", "incident.updated"]
    assert view.history[1].fields == ("persons",)
    assert view.history[1].actor == ACTOR
    updated = audit_entries(database)[-1]
    assert updated.action == "incident.updated"
    assert updated.details["fields"] == ["persons"]
    assert updated.details["must_report_before"] is False
    assert updated.details["must_report_after"] is True
    assert updated.details["reference"] == "INC-2027-0001"


def test_an_update_that_changes_nothing_records_nothing(
    database: Database, cipher: FieldCipher
) -> None:
    with database.uow() as session:
        view = record_incident(
            session=session, cipher=cipher, actor=ACTOR, fields=fields(), today=TODAY
        )
        again = update_incident(
            session=session,
            cipher=cipher,
            actor=ACTOR,
            incident_id=view.id,
            fields=IncidentFields(persons=1000, summary=SECRET_SUMMARY),
            today=TODAY,
        )
    assert len(again.history) == 1
    assert [e.action for e in audit_entries(database)] == ["incident.recorded"]


def test_knowledge_replaces_the_list_and_the_earliest_day_starts_the_clock(
    database: Database, cipher: FieldCipher
) -> None:
    with database.uow() as session:
        view = record_incident(
            session=session,
            cipher=cipher,
            actor=ACTOR,
            fields=fields(persons=5000),
            today=TODAY,
        )
        earlier = KNOWN_ON - timedelta(days=2)
        view = update_incident(
            session=session,
            cipher=cipher,
            actor=ACTOR,
            incident_id=view.id,
            fields=IncidentFields(
                knowledge=[KnowledgeInput(department="総務部", known_on=earlier)]
            ),
            today=TODAY,
        )
    assert view.known_on == earlier
    assert view.assessment.clock_start == earlier
    assert [k.department for k in view.fields.knowledge or []] == ["総務部"]
    assert view.history[-1].fields == ("knowledge",)


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"title": None}, "title"),
        ({"kind": None}, "kind"),
        ({"knowledge": []}, "knowledge"),
        ({"persons": 10, "persons_upper": 5}, "persons_upper"),
        ({"entruster_notified_on": KNOWN_ON}, "entruster_notified_on"),
        ({"entrustee_notice_received_on": KNOWN_ON}, "entrustee_notice_received_on"),
    ],
)
def test_record_names_the_missing_or_inconsistent_field(
    database: Database, cipher: FieldCipher, given: dict[str, object], field: str
) -> None:
    with database.uow() as session, pytest.raises(InputError) as caught:
        record_incident(
            session=session, cipher=cipher, actor=ACTOR, fields=fields(**given), today=TODAY
        )
    assert caught.value.field == field
    assert audit_entries(database) == []


def test_update_refuses_clearing_the_title(database: Database, cipher: FieldCipher) -> None:
    with database.uow() as session:
        view = record_incident(
            session=session, cipher=cipher, actor=ACTOR, fields=fields(), today=TODAY
        )
    with database.uow() as session, pytest.raises(InputError) as caught:
        update_incident(
            session=session,
            cipher=cipher,
            actor=ACTOR,
            incident_id=view.id,
            fields=IncidentFields(title=None),
            today=TODAY,
        )
    assert caught.value.field == "title"


def test_free_text_holding_a_my_number_is_refused() -> None:
    number = valid_my_number()
    for name in ("summary", "title", "cause", "encryption_justification"):
        with pytest.raises(ValidationError) as caught:
            IncidentFields.model_validate({name: f"番号 {number} を含む"})
        assert caught.value.errors()[0]["loc"] == (name,)
    with pytest.raises(ValidationError):
        IncidentFields(data_items=[number])
    # a longer run of digits is not a My Number
    assert IncidentFields(summary=f"受付番号 A{number}9").summary


def test_lengths_are_bounded() -> None:
    with pytest.raises(ValidationError):
        IncidentFields(title="x" * 201)
    with pytest.raises(ValidationError):
        IncidentFields(summary="x" * 5001)
    with pytest.raises(ValidationError):
        IncidentFields(data_items=["x"] * 101)
    with pytest.raises(ValidationError):
        IncidentFields(persons=-1)
    with pytest.raises(ValidationError):
        IncidentFields(unknown_field=True)  # type: ignore[call-arg]


def test_references_are_numbered_per_year(database: Database, cipher: FieldCipher) -> None:
    refs = []
    for today in (date(2027, 1, 5), date(2027, 3, 1), date(2028, 1, 4), date(2027, 12, 1)):
        with database.uow() as session:
            view = record_incident(
                session=session, cipher=cipher, actor=ACTOR, fields=fields(), today=today
            )
        refs.append(view.reference)
    assert refs == ["INC-2027-0001", "INC-2027-0002", "INC-2028-0001", "INC-2027-0003"]
    with database.read() as session:
        found = incident_id_for(session=session, reference="inc-2028-0001")
        assert found is not None
        assert get_incident(session=session, cipher=cipher, incident_id=found, today=TODAY)
        assert incident_id_for(session=session, reference="INC-2029-0001") is None
        assert incident_id_for(session=session, reference="nonsense") is None
        listed = list_incidents(session=session, cipher=cipher, today=TODAY)
        assert [s.reference for s in listed] == [
            "INC-2028-0001",
            "INC-2027-0003",
            "INC-2027-0002",
            "INC-2027-0001",
        ]
        assert listed[0].title == "顧客名簿のメール誤送信"
        with pytest.raises(NotFoundError):
            get_incident(session=session, cipher=cipher, incident_id="0" * 32, today=TODAY)
        with pytest.raises(NotFoundError):
            get_incident(session=session, cipher=cipher, incident_id="../x", today=TODAY)


def test_an_entrustee_that_told_its_entruster_promptly_is_released(
    database: Database, cipher: FieldCipher
) -> None:
    entrustee = fields(
        role=BreachRole.ENTRUSTEE, counterpart="株式会社委託元", wrongful_purpose=True
    )
    with database.uow() as session:
        view = record_incident(
            session=session, cipher=cipher, actor=ACTOR, fields=entrustee, today=TODAY
        )
        assert view.assessment.must_report
        assert not view.assessment.opens_article_35_5
        view = update_incident(
            session=session,
            cipher=cipher,
            actor=ACTOR,
            incident_id=view.id,
            fields=IncidentFields(entruster_notified_on=KNOWN_ON + timedelta(days=2)),
            today=TODAY,
        )
    assert view.assessment.entrustee_release
    assert not view.assessment.must_report
    assert view.days_left_final is None
    assert view.fields.counterpart == "株式会社委託元"
    assert audit_entries(database)[-1].details["must_report_after"] is False


def test_an_entruster_s_clock_starts_at_the_entrustee_s_notice_at_the_latest(
    database: Database, cipher: FieldCipher
) -> None:
    received = KNOWN_ON - timedelta(days=3)
    entruster = fields(
        role=BreachRole.ENTRUSTER,
        counterpart="株式会社委託先",
        entrustees=["株式会社委託先"],
        entrustee_notice_received_on=received,
        special_care=True,
    )
    with database.uow() as session:
        view = record_incident(
            session=session, cipher=cipher, actor=ACTOR, fields=entruster, today=TODAY
        )
    assert view.assessment.must_report
    assert view.assessment.clock_start == received
    assert view.assessment.opens_article_35_5
    assert view.fields.entrustees == ["株式会社委託先"]


def test_the_encryption_exemption_needs_its_justification(
    database: Database, cipher: FieldCipher
) -> None:
    with database.uow() as session:
        view = record_incident(
            session=session,
            cipher=cipher,
            actor=ACTOR,
            fields=fields(persons=5000, encrypted=True),
            today=TODAY,
        )
        assert view.assessment.must_report
        assert not view.assessment.exempt_by_encryption
        view = update_incident(
            session=session,
            cipher=cipher,
            actor=ACTOR,
            incident_id=view.id,
            fields=IncidentFields(encryption_justification="AES-256、鍵は別管理で漏えいなし"),
            today=TODAY,
        )
    assert view.assessment.exempt_by_encryption
    assert not view.assessment.must_report
    assert view.fields.encryption_justification == "AES-256、鍵は別管理で漏えいなし"
    with database.read() as session:
        assert not open_for_requests(session=session, reference=view.reference)


def test_ledger_rows_must_exist(database: Database, cipher: FieldCipher) -> None:
    entry = LedgerEntryCreate(
        item="顧客名簿",
        category="customer",
        purposes=["provide_services"],
        acquisition_method=LedgerAcquisition.WRITTEN_DIRECT,
        storage_location="CRM",
        storage_country="jp",
        medium=Medium.ELECTRONIC,
        access="Sales",
        retention_period="5 years",
        disposal_method="Deletion",
        record_count=10,
        responsible_department="Sales",
    )
    with database.uow() as session:
        row = create_entry(
            session=session, entry_in=entry, policy=to_facts(load_policy(None)), actor=ACTOR
        )
        view = record_incident(
            session=session,
            cipher=cipher,
            actor=ACTOR,
            fields=fields(ledger_rows=[row.id, row.id]),
            today=TODAY,
        )
        assert view.fields.ledger_rows == [row.id]
        with pytest.raises(InputError) as caught:
            update_incident(
                session=session,
                cipher=cipher,
                actor=ACTOR,
                incident_id=view.id,
                fields=IncidentFields(ledger_rows=[row.id, "f" * 32]),
                today=TODAY,
            )
        assert caught.value.field == "ledger_rows"
        view = update_incident(
            session=session,
            cipher=cipher,
            actor=ACTOR,
            incident_id=view.id,
            fields=IncidentFields(ledger_rows=[]),
            today=TODAY,
        )
        assert view.fields.ledger_rows == []


def test_requests_made_about_the_incident_are_linked(
    database: Database, cipher: FieldCipher
) -> None:
    with database.uow() as session:
        view = record_incident(
            session=session,
            cipher=cipher,
            actor=ACTOR,
            fields=fields(persons=1500),
            today=TODAY,
        )
        other = record_incident(
            session=session, cipher=cipher, actor=ACTOR, fields=fields(), today=TODAY
        )
    first = add_request(database, reference=view.reference)
    second = add_request(
        database,
        reference=view.reference,
        kind=RequestKind.STOP_PROVISION,
        ground=None,
        at=datetime(2027, 4, 11, tzinfo=UTC),
    )
    with database.read() as session:
        assert open_for_requests(session=session, reference=view.reference)
        assert not open_for_requests(session=session, reference=other.reference)
        assert not open_for_requests(session=session, reference="INC-2027-0099")
        view = get_incident(session=session, cipher=cipher, incident_id=view.id, today=TODAY)
        summaries = {
            s.reference: s for s in list_incidents(session=session, cipher=cipher, today=TODAY)
        }
    assert [r.id for r in view.linked_requests] == [first, second]
    assert view.linked_requests[0].stop_ground is StopGround.REPORTABLE_BREACH
    assert view.linked_requests[1].kind is RequestKind.STOP_PROVISION
    assert summaries[view.reference].request_count == 2
    assert summaries[other.reference].request_count == 0
    assert summaries[view.reference].persons == 1500


def test_the_chain_verifies_and_keeps_no_typed_value(
    database: Database, cipher: FieldCipher
) -> None:
    with database.uow() as session:
        view = record_incident(
            session=session, cipher=cipher, actor=ACTOR, fields=fields(), today=TODAY
        )
        update_incident(
            session=session,
            cipher=cipher,
            actor=ACTOR,
            incident_id=view.id,
            fields=IncidentFields(cause="別の原因 鈴木一郎", persons_upper=3000),
            today=TODAY,
        )
    with database.read() as session:
        assert verify_chain(session=session).ok
    entries = audit_entries(database)
    assert [e.action for e in entries] == ["incident.recorded", "incident.updated"]
    assert entries[1].details["fields"] == ["cause", "persons_upper"]
    chained = repr([e.details for e in entries])
    for secret in (SECRET_SUMMARY, SECRET_CAUSE, "鈴木一郎", "顧客名簿のメール誤送信", "営業部"):
        assert secret not in chained
