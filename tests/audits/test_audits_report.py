"""The audit report for top management: HTML in both languages with the findings, actions and
the checklist's evidence, and the same as a PDF."""

from __future__ import annotations

import io
from datetime import date

import pypdf
import pytest
from audits_support import ACTOR, SECRET_FINDING, SECRET_OWNER, TODAY, plan, use

from kojin.crypto.cipher import FieldCipher
from kojin.db.uow import Database
from kojin.law.policy_facts import PolicyFacts
from kojin.management.audits.report import report_html, report_pdf
from kojin.management.audits.schemas import ActionIn, AuditView, FindingIn, FindingKind
from kojin.management.audits.service import (
    add_action,
    add_finding,
    collect_evidence,
    get_audit,
    plan_audit,
)


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    return sqlite_url


@pytest.fixture
def view(database: Database, cipher: FieldCipher, facts: PolicyFacts) -> AuditView:
    use(database, facts, on=date(2027, 5, 2))
    with database.uow() as session:
        ref = plan_audit(
            session=session, cipher=cipher, policy=facts, plan=plan(), actor=ACTOR
        ).reference
        collect_evidence(session=session, cipher=cipher, audit_id=ref, actor=ACTOR, today=TODAY)
        finding = add_finding(
            session=session, cipher=cipher, audit_id=ref, control_id="R-SEC-4",
            finding=FindingIn(
                kind=FindingKind.NONCONFORMITY, description=SECRET_FINDING, root_cause="手順未整備"
            ),
            actor=ACTOR,
        )  # fmt: skip
        add_action(
            session=session, cipher=cipher, finding_id=finding.id,
            action=ActionIn(
                action="委託契約を締結する", owner_department="営業部", owner_person=SECRET_OWNER,
                due_on=date(2027, 8, 31),
            ),
            actor=ACTOR,
        )  # fmt: skip
    with database.read() as session:
        return get_audit(session=session, cipher=cipher, audit_id=ref, today=TODAY)


def test_html_in_japanese_and_english(view: AuditView) -> None:
    ja = report_html(view=view, lang="ja", organization="株式会社テスト", today=TODAY)
    assert "内部監査報告書" in ja
    assert SECRET_FINDING in ja
    assert SECRET_OWNER in ja
    assert "R-TP-REC-1" in ja
    assert "許可された判断 1" in ja  # the decision in the period, counted
    assert "改ざんなし 1" in ja
    en = report_html(view=view, lang="en", organization="Test KK", today=TODAY)
    assert "Internal audit report" in en
    assert "Provision records are kept" in en
    assert "allowed decisions 1" in en
    assert '<th scope="row">' in en
    assert "<caption>" in en


def test_pdf(view: AuditView) -> None:
    pdf = report_pdf(view=view, lang="ja", organization="株式会社テスト", today=TODAY)
    assert pdf.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "内部監査報告書" in text
    assert view.reference in text
    assert "R-SEC-4" in text
