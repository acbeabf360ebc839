"""Drafts: the report to the Commission (nine items in order, the facts, the ticked
categories, Japanese dates), its PDF, the publication, and the record that a draft was made."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from incidents_support import ACTOR, SECRET_CAUSE, SECRET_SUMMARY, audit_entries, fields

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.errors import InputError
from kojin.incidents.schemas import IncidentFields, IncidentView, ReportStage
from kojin.incidents.service import (
    get_incident,
    ppc_report_html,
    ppc_report_pdf,
    publication_html,
    record_draft,
    record_incident,
    update_incident,
)
from kojin.law.breach_report import REPORT_ITEMS
from kojin.policy.model import Policy
from kojin.settings import Settings

TODAY = date(2027, 4, 9)


def _incident(database: Database, cipher: FieldCipher, **overrides: object) -> IncidentView:
    with database.uow() as session:
        return record_incident(
            session=session,
            cipher=cipher,
            actor=ACTOR,
            fields=fields(**overrides),
            today=TODAY,
        )


def _text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def test_the_report_gives_the_nine_items_in_order_with_the_facts(
    database: Database, cipher: FieldCipher, policy: Policy
) -> None:
    view = _incident(database, cipher, persons=1200, wrongful_purpose=True, cause=None)
    page = ppc_report_html(view=view, policy=policy, stage=ReportStage.PRELIMINARY, today=TODAY)
    text = _text(page)
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="ja">' in page
    positions = [text.index(f"{n}．{ja}") for n, (_, _, ja) in enumerate(REPORT_ITEMS, start=1)]
    assert positions == sorted(positions)
    assert "個人データの漏えい等事案に関する報告（速報）" in text
    assert "2027年4月9日" in text  # issued
    assert "2027年4月6日" in text
    assert "2027年4月7日" in text
    assert SECRET_SUMMARY in text
    assert "1,200人" in text
    assert "氏名、メールアドレス" in text
    assert "（調査中）" in text.split("4．原因")[1].split("5．")[0]  # the cause is not known
    assert "☑不正の目的をもって行われたおそれがある" in text.replace(" ", "")
    assert "☑本人の数が1,000人を超える事態" in text.replace(" ", "")
    assert "☐要配慮個人情報が含まれる事態" in text.replace(" ", "")
    assert "個人情報保護委員会規則第7条第3号" in text
    assert "60日以内" in text
    assert policy.organization.name.get("ja") in text
    # self-contained: inline style, nothing loaded
    assert "<style>" in page
    assert "<link" not in page
    assert "src=" not in page
    final = _text(ppc_report_html(view=view, policy=policy, stage=ReportStage.FINAL, today=TODAY))
    assert "（確報）" in final
    assert "規則第8条第2項" in final


def test_my_number_categories_appear_for_a_my_number_incident(
    database: Database, cipher: FieldCipher, policy: Policy
) -> None:
    view = _incident(database, cipher, persons=150, my_number=True)
    text = _text(
        ppc_report_html(view=view, policy=policy, stage=ReportStage.FINAL, today=TODAY)
    ).replace(" ", "")
    assert "☑本人の数が100人を超える事態" in text
    assert "特定個人情報の漏えい等に関する報告等に関する規則第2条第4号" in text
    plain = _incident(database, cipher)
    assert "第2条第4号" not in ppc_report_html(
        view=plain, policy=policy, stage=ReportStage.FINAL, today=TODAY
    )


def test_typed_text_is_escaped(database: Database, cipher: FieldCipher, policy: Policy) -> None:
    view = _incident(database, cipher, summary='<img src="http://evil.example/x">')
    page = ppc_report_html(view=view, policy=policy, stage=ReportStage.FINAL, today=TODAY)
    assert "<img" not in page
    assert "&lt;img" in page


def test_the_report_prints_as_pdf(database: Database, cipher: FieldCipher, policy: Policy) -> None:
    view = _incident(database, cipher, persons=1200)
    pdf = ppc_report_pdf(view=view, policy=policy, stage=ReportStage.FINAL, today=TODAY)
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 1000


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_publication_names_the_desk_and_the_portal_when_it_opens(
    database: Database,
    cipher: FieldCipher,
    policy: Policy,
    settings: Settings,
    lang: str,
) -> None:
    view = _incident(database, cipher, persons=1200, actions_taken="送信先へ削除を依頼")
    page = publication_html(view=view, policy=policy, settings=settings, lang=lang)  # type: ignore[arg-type]
    text = _text(page)
    assert f'<html lang="{lang}">' in page
    assert SECRET_SUMMARY in text
    assert SECRET_CAUSE in text
    assert "送信先へ削除を依頼" in text
    assert f"/requests/new?incident={view.reference}" in text
    assert ("お問い合わせ窓口" if lang == "ja" else "Inquiries") in text
    with database.uow() as session:
        small = update_incident(
            session=session,
            cipher=cipher,
            actor=ACTOR,
            incident_id=view.id,
            fields=IncidentFields(persons=3),
            today=TODAY,
        )
    assert "/requests/new" not in publication_html(
        view=small,
        policy=policy,
        settings=settings,
        lang=lang,  # type: ignore[arg-type]
    )


def test_a_draft_is_recorded_by_name_only(database: Database, cipher: FieldCipher) -> None:
    view = _incident(database, cipher)
    with database.uow() as session:
        record_draft(session=session, actor=ACTOR, incident_id=view.id, what="ppc_report.final.pdf")
        with pytest.raises(InputError) as caught:
            record_draft(session=session, actor=ACTOR, incident_id=view.id, what="Bad Name!")
        assert caught.value.field == "what"
    drafted = audit_entries(database)[-1]
    assert drafted.action == "incident.drafted"
    assert drafted.details["what"] == "ppc_report.final.pdf"
    with database.read() as session:
        after = get_incident(session=session, cipher=cipher, incident_id=view.id, today=TODAY)
    assert after.history[-1].fields == ("ppc_report.final.pdf",)
