"""Notices to the affected people: items 1, 2, 4, 5 and 9 in the person's language, the inquiry
desk, the portal link only when Art. 35(5) opens; delivery by e-mail, letter or publication."""

from __future__ import annotations

from datetime import date

import pytest
from incidents_support import ACTOR, SECRET_CAUSE, SECRET_SUMMARY, audit_entries, fields, outbox

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.errors import ConflictError
from kojin.incidents.schemas import IncidentStep, IncidentView, PersonInput, PersonView
from kojin.incidents.service import (
    add_person,
    get_incident,
    list_people,
    notice_text,
    record_incident,
    record_step,
    send_notices,
)
from kojin.law.breach_report import NOTICE_ITEMS, REPORT_ITEMS
from kojin.policy.model import Policy
from kojin.policy.model_base import Lang
from kojin.settings import Settings

TODAY = date(2027, 4, 8)


def _incident(database: Database, cipher: FieldCipher, persons: int) -> IncidentView:
    with database.uow() as session:
        return record_incident(
            session=session,
            cipher=cipher,
            actor=ACTOR,
            fields=fields(persons=persons),
            today=TODAY,
        )


def _person(lang: Lang) -> PersonView:
    return PersonView(
        id="p",
        name="山田 太郎" if lang == "ja" else "Jane Doe",
        email="x@example.jp",
        postal_address=None,
        lang=lang,
        notified_at=None,
        method=None,
        unreachable=False,
    )


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_notice_gives_the_five_items_in_the_person_s_language(
    database: Database, cipher: FieldCipher, settings: Settings, policy: Policy, lang: Lang
) -> None:
    view = _incident(database, cipher, persons=1500)
    assert view.assessment.opens_article_35_5
    subject, body = notice_text(view=view, person=_person(lang), policy=policy, settings=settings)
    assert view.reference in subject
    labels = {item: (ja if lang == "ja" else en) for item, en, ja in REPORT_ITEMS}
    numbers = {item: n for n, (item, _, _) in enumerate(REPORT_ITEMS, start=1)}
    positions = [body.index(f"{numbers[item]}. {labels[item]}") for item in NOTICE_ITEMS]
    assert positions == sorted(positions)
    for item, en, ja in REPORT_ITEMS:
        if item not in NOTICE_ITEMS:
            assert (ja if lang == "ja" else en) not in body
    assert SECRET_SUMMARY in body
    assert SECRET_CAUSE in body
    assert "氏名、メールアドレス" in body if lang == "ja" else "氏名, メールアドレス" in body
    assert f"{settings.public_url}/requests/new?incident={view.reference}" in body
    assert ("山田 太郎 様" if lang == "ja" else "Dear Jane Doe,") in body
    desk = policy.contact(policy.general.inquiries.contact)
    assert desk is not None
    assert desk.department.get(lang) in body


def test_no_portal_link_when_article_35_5_does_not_open(
    database: Database, cipher: FieldCipher, settings: Settings, policy: Policy
) -> None:
    view = _incident(database, cipher, persons=10)
    assert not view.assessment.opens_article_35_5
    configured = settings.model_copy(update={"incident_contact": "個人情報相談窓口 03-0000-0000"})
    _, body = notice_text(view=view, person=_person("ja"), policy=policy, settings=configured)
    assert "/requests/new" not in body
    assert "第35条第5項" not in body
    assert "個人情報相談窓口 03-0000-0000" in body
    assert "（調査中）" not in body.split("1. 概要")[0]


def test_unknown_facts_read_under_investigation(
    database: Database, cipher: FieldCipher, settings: Settings, policy: Policy
) -> None:
    with database.uow() as session:
        view = record_incident(
            session=session,
            cipher=cipher,
            actor=ACTOR,
            fields=fields(cause=None, data_items=None, secondary_damage=None),
            today=TODAY,
        )
    _, ja = notice_text(view=view, person=_person("ja"), policy=policy, settings=settings)
    _, en = notice_text(view=view, person=_person("en"), policy=policy, settings=settings)
    assert ja.count("（調査中）") == 3
    assert en.count("(under investigation)") == 3


def test_send_notices_mails_counts_and_remembers(
    database: Database, cipher: FieldCipher, settings: Settings, policy: Policy
) -> None:
    view = _incident(database, cipher, persons=1500)
    people = [
        PersonInput(name="山田 太郎", email="taro@example.jp"),
        PersonInput(name="Jane Doe", email="jane@example.com", lang="en"),
        PersonInput(name="鈴木 花子", postal_address="東京都千代田区千代田1-1"),
        PersonInput(name="行方 不明"),
    ]
    with database.uow() as session:
        for person in people:
            add_person(
                session=session, cipher=cipher, actor=ACTOR, incident_id=view.id, person=person
            )

    def send() -> tuple[int, int, int, int]:
        with database.uow() as session:
            r = send_notices(
                session=session,
                cipher=cipher,
                settings=settings,
                policy=policy,
                actor=ACTOR,
                incident_id=view.id,
                today=TODAY,
            )
        return r.sent, r.by_post, r.unreachable, r.already

    assert send() == (2, 1, 1, 0)
    mails = {m.to: m for m in outbox(database, cipher, "incident.notice")}
    assert sorted(mails) == ["jane@example.com", "taro@example.jp"]
    assert "山田 太郎 様" in mails["taro@example.jp"].text
    assert "1. 概要" in mails["taro@example.jp"].text
    assert "Dear Jane Doe," in mails["jane@example.com"].text
    assert "1. Overview of the situation" in mails["jane@example.com"].text
    with database.read() as session:
        stored = list_people(session=session, cipher=cipher, incident_id=view.id)
        after = get_incident(session=session, cipher=cipher, incident_id=view.id, today=TODAY)
    assert [(p.method, p.unreachable) for p in stored] == [
        ("email", False),
        ("email", False),
        ("post", False),
        (None, True),
    ]
    assert (after.people_total, after.people_notified, after.people_unreachable) == (4, 3, 1)
    assert send() == (0, 0, 1, 3)
    assert len(outbox(database, cipher, "incident.notice")) == 2
    sent = [e.details for e in audit_entries(database) if e.action == "incident.notices_sent"]
    assert sent[0]["sent"] == 2
    assert sent[0]["publication_advised"] is True
    assert "example" not in repr(sent)
    assert "山田" not in repr(sent)


def test_no_notices_on_a_closed_incident(
    database: Database, cipher: FieldCipher, settings: Settings, policy: Policy
) -> None:
    view = _incident(database, cipher, persons=1500)
    with database.uow() as session:
        record_step(
            session=session,
            cipher=cipher,
            actor=ACTOR,
            incident_id=view.id,
            step=IncidentStep.CLOSED,
            on=TODAY,
            today=TODAY,
        )
    with database.uow() as session, pytest.raises(ConflictError):
        send_notices(
            session=session,
            cipher=cipher,
            settings=settings,
            policy=policy,
            actor=ACTOR,
            incident_id=view.id,
            today=TODAY,
        )
