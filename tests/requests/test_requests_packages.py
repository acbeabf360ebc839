"""Disclosure packages and refusal notices: when they exist, and what the person receives.

The packages are built by :mod:`kojin.requests.disclosure` from what the registry holds (a
subject with identifiers, a consent and a record of provision to a third party) and the rows a
fulfilment job found in the company's stores, the notices by
:mod:`kojin.requests.notices`: the tests open the ZIP, read the PDFs back with pypdf and read
the HTML.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta

import pypdf
import pytest
from requests_support import NOW, Requests, form
from sqlalchemy import select

from kojin.audit.models import AuditEntry
from kojin.errors import ConflictError, NotFoundError
from kojin.law.decision_schemas import DecisionRequest, Recipient
from kojin.law.policy_facts import PolicyFacts
from kojin.law.vocabulary import Action
from kojin.policy.model import Policy
from kojin.registry.consents import ConsentCreate, ConsentMethod, record_consent
from kojin.registry.decisions import decide_and_record
from kojin.registry.provisions import ProvisionDetails
from kojin.registry.subjects import SubjectCreate, create_subject
from kojin.requests.disclosure_record import DisclosedStoreCollection, DisclosedStoreField
from kojin.requests.kinds import DisclosureMethod, RequestKind
from kojin.requests.models import DataRequest
from kojin.requests.schemas import ActionIn, Package
from kojin.requests.service import (
    act,
    refusal_notice,
    requester_package,
    requester_refusal_notice,
    staff_package,
)
from kojin.requests.states import StaffAction

STAFF = "staff:officer"
EMAIL = "taro.yamada@example.jp"
RECIPIENT = "株式会社パートナー"


def _act(requests: Requests, facts: PolicyFacts, request_id: str, **fields: object) -> None:
    with requests.database.uow() as session:
        act(
            session=session,
            cipher=requests.cipher,
            settings=requests.settings,
            policy=requests.policy,
            facts=facts,
            request_id=request_id,
            action=ActionIn.model_validate(fields),
            actor=STAFF,
            now=NOW + timedelta(days=2),
        )


def _subject(requests: Requests, facts: PolicyFacts) -> str:
    """A customer with identifiers, a consent to provide to a partner, and one provision."""
    with requests.database.uow() as session:
        subject_id = create_subject(
            session=session,
            cipher=requests.cipher,
            subject_in=SubjectCreate(category="customer", name="山田 太郎", email=EMAIL),
            policy=facts,
            actor="t",
        ).id
        record_consent(
            session=session,
            consent_in=ConsentCreate(
                subject_id=subject_id,
                category="customer",
                purpose="provide_services",
                recipient=RECIPIENT,
                country="JP",
                notice_version="notice-2027-04",
                method=ConsentMethod.CHECKBOX,
                given_at=NOW - timedelta(days=30),
            ),
            policy=facts,
            actor="t",
        )
    with requests.database.uow() as session:
        provided = decide_and_record(
            session=session,
            request=DecisionRequest(
                action=Action.PROVIDE,
                category="customer",
                purpose="provide_services",
                subject_id=subject_id,
                recipient=Recipient(name=RECIPIENT, country="JP"),
            ),
            policy=facts,
            actor="t",
            provision=ProvisionDetails(items=["氏名", "電話番号"]),
            now=NOW - timedelta(days=10),
        )
    assert provided.decision.allowed, provided.decision.reasons
    assert len(provided.provision_ids) == 1
    return subject_id


def _download(requests: Requests, reference: str, email: str = EMAIL) -> Package:
    with requests.database.uow() as session:
        return requester_package(
            session=session,
            cipher=requests.cipher,
            policy=requests.policy,
            reference=reference,
            email=email,
        )


def _pdf_text(content: bytes) -> str:
    """The PDF's text, whitespace removed (line breaks fall anywhere in Japanese)."""
    assert content.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _record_in(package: Package) -> dict[str, object]:
    """The ``disclosure.json`` of an electronic package (the ZIP must open and test clean)."""
    assert package.media_type == "application/zip"
    assert package.filename.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(package.content)) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert "disclosure.json" in names
        assert any(name.endswith(".html") for name in names)
        assert any(name.endswith(".csv") for name in names)
        record: dict[str, object] = json.loads(archive.read("disclosure.json"))
    return record


def _complete(
    requests: Requests, facts: PolicyFacts, kind: RequestKind, method: DisclosureMethod
) -> tuple[str, str, str]:
    """A request of `kind` approved for a subject with history: (request id, reference,
    subject id). Before approval there is no package."""
    result = requests.arrived(form(kind, disclosure_method=method))
    with pytest.raises(ConflictError):
        _download(requests, result.reference)
    subject_id = _subject(requests, facts)
    _act(requests, facts, result.request_id, action="verify_identity")
    if kind is RequestKind.DISCLOSURE:
        _act(requests, facts, result.request_id, action="record_fee", fee_reference="P-1")
    _act(requests, facts, result.request_id, action="approve", subject_id=subject_id)
    return result.request_id, result.reference, subject_id


@pytest.mark.parametrize(
    ("kind", "third_party"),
    [(RequestKind.DISCLOSURE, True), (RequestKind.PURPOSE_NOTIFICATION, False)],
)
def test_an_electronic_package_is_a_zip_of_the_registry_s_record(
    requests: Requests, facts: PolicyFacts, kind: RequestKind, third_party: bool
) -> None:
    request_id, reference, subject_id = _complete(
        requests, facts, kind, DisclosureMethod.ELECTRONIC
    )
    package = _download(requests, reference)
    record = _record_in(package)
    assert record["lang"] == "ja"
    subject = record["subject"]
    assert isinstance(subject, dict)
    assert (subject["id"], subject["category"]) == (subject_id, "customer")
    assert subject["identifiers"]["email"] == EMAIL  # decrypted for the person
    assert subject["identifiers"]["name"] == "山田 太郎"
    assert record["purposes"]  # the customer category's purposes, from the policy
    consents = record["consents"]
    assert isinstance(consents, list)
    assert [c["recipient"] for c in consents] == [RECIPIENT]
    # third-party records only for a disclosure that asked for them (Art. 33(5))
    assert record["third_party_records_included"] is third_party
    provided = record["third_party_records"]
    assert isinstance(provided, list)
    assert [p["recipient_name"] for p in provided] == ([RECIPIENT] if third_party else [])

    with pytest.raises(NotFoundError):
        _download(requests, reference, email="other@example.jp")
    with requests.database.uow() as session:
        again = staff_package(
            session=session,
            cipher=requests.cipher,
            policy=requests.policy,
            request_id=request_id,
            actor=STAFF,
        )
    assert _record_in(again)["subject"] == subject
    with requests.database.read() as session:
        entries = session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars().all()
    downloads = [e for e in entries if e.action == "request.package_downloaded"]
    assert [e.actor for e in downloads] == ["requester", STAFF]
    assert downloads[0].details["subject_id"] == subject_id
    # the identifiers' reveal is chained with who asked, field names only
    reveals = [e for e in entries if e.action == "subject.revealed" and e.object_id == subject_id]
    assert [e.actor for e in reveals] == ["requester", STAFF]
    assert reveals[0].details == {"fields": ["email", "name"]}


def test_a_paper_package_is_a_printable_pdf_in_japanese(
    requests: Requests, facts: PolicyFacts, policy: Policy
) -> None:
    _, reference, _ = _complete(requests, facts, RequestKind.DISCLOSURE, DisclosureMethod.PAPER)
    package = _download(requests, reference)
    assert (package.media_type, package.filename[-4:]) == ("application/pdf", ".pdf")
    text = _pdf_text(package.content)
    assert "保有個人データの開示" in text
    assert _squash(policy.organization.name.ja) in text
    assert RECIPIENT in text  # the record of provision is printed
    assert EMAIL in text


def test_other_kinds_have_no_package(requests: Requests, facts: PolicyFacts) -> None:
    result = requests.arrived(form(RequestKind.STOP_USE))
    _act(requests, facts, result.request_id, action="verify_identity")
    _act(requests, facts, result.request_id, action="approve", subject_id=_subject(requests, facts))
    with pytest.raises(ConflictError):
        _download(requests, result.reference)
    with requests.database.read() as session:
        reveals = session.execute(
            select(AuditEntry).where(AuditEntry.action == "subject.revealed")
        ).scalars()
        assert list(reveals) == []


def test_a_refusal_notice_carries_the_ground_and_reasons(
    requests: Requests, facts: PolicyFacts, policy: Policy
) -> None:
    result = requests.arrived()
    with requests.database.read() as session, pytest.raises(ConflictError):
        refusal_notice(
            session=session,
            cipher=requests.cipher,
            policy=requests.policy,
            request_id=result.request_id,
            fmt="html",
        )
    explanation = "第三者の権利利益を害するおそれがあるためです。"
    _act(
        requests,
        facts,
        result.request_id,
        action=StaffAction.REFUSE,
        refusal_ground="harm_to_persons",
        explanation=explanation,
    )
    with requests.database.read() as session:
        pdf = refusal_notice(
            session=session,
            cipher=requests.cipher,
            policy=requests.policy,
            request_id=result.request_id,
            fmt="pdf",
        )
        html = requester_refusal_notice(
            session=session,
            cipher=requests.cipher,
            policy=requests.policy,
            reference=result.reference,
            email=EMAIL,
            fmt="html",
        )
        with pytest.raises(NotFoundError):
            requester_refusal_notice(
                session=session,
                cipher=requests.cipher,
                policy=requests.policy,
                reference=result.reference,
                email="other@example.jp",
                fmt="html",
            )
    number = f"R-{result.request_id[:8].upper()}"
    [clause] = [
        c for c in policy.general.inquiries.refusal_grounds if c.ground.value == "harm_to_persons"
    ]
    ground_text = clause.text.ja
    assert ground_text.startswith("ご請求に応じることにより")

    assert (pdf.media_type, pdf.filename) == ("application/pdf", f"refusal-notice-{number}.pdf")
    text = _pdf_text(pdf.content)
    assert _squash(ground_text) in text
    assert explanation in text
    assert "山田太郎様" in text
    assert "保有個人データの開示のご請求について（通知）" in text

    assert html.filename == f"refusal-notice-{number}.html"
    assert html.media_type.startswith("text/html")
    page = html.content.decode("utf-8")
    assert page.lstrip().lower().startswith("<!doctype html")
    for shown in (ground_text, explanation, "山田 太郎", number):
        assert shown in page
    # made on 7 April (Tokyo), refused on 9 April: both dates in the letter
    assert "2027年4月7日" in page
    assert "2027年4月9日" in page


def test_an_english_requester_gets_an_english_notice(
    requests: Requests, facts: PolicyFacts, policy: Policy
) -> None:
    result = requests.arrived(form(RequestKind.STOP_USE, lang="en", name="Taro Yamada"))
    _act(
        requests,
        facts,
        result.request_id,
        action=StaffAction.REFUSE,
        refusal_ground="deficient_procedure",
        explanation="The copy of your licence cannot be read.",
    )
    with requests.database.read() as session:
        pdf = refusal_notice(
            session=session,
            cipher=requests.cipher,
            policy=requests.policy,
            request_id=result.request_id,
            fmt="pdf",
        )
    [clause] = [
        c
        for c in policy.general.inquiries.refusal_grounds
        if c.ground.value == "deficient_procedure"
    ]
    text = _pdf_text(pdf.content)
    assert _squash(clause.text.en) in text
    assert "DearTaroYamada" in text
    assert _squash("The copy of your licence cannot be read.") in text


def _shop_rows() -> DisclosedStoreCollection:
    """What a fulfilment job found about the person in the shop's database."""
    return DisclosedStoreCollection(
        system="shop",
        system_name="オンラインショップ",
        dataset="shop_db",
        collection="customers",
        category="customer",
        category_title="お客様",
        fields=[
            DisclosedStoreField(name="id"),
            DisclosedStoreField(name="email", kinds=["email"]),
        ],
        rows=[{"id": 7, "email": EMAIL}, {"id": 8, "email": "=cmd|' /C calc'!A0"}],
    )


def test_the_package_carries_the_rows_found_in_the_company_s_stores(
    requests: Requests, facts: PolicyFacts
) -> None:
    request_id, reference, _ = _complete(
        requests, facts, RequestKind.DISCLOSURE, DisclosureMethod.ELECTRONIC
    )
    with requests.database.uow() as session:
        package = requester_package(
            session=session,
            cipher=requests.cipher,
            policy=requests.policy,
            reference=reference,
            email=EMAIL,
            stores=[_shop_rows()],
        )
    record = _record_in(package)
    assert record["stores_searched"] is True
    assert record["stores"] == [json.loads(_shop_rows().model_dump_json())]
    with zipfile.ZipFile(io.BytesIO(package.content)) as archive:
        rows = archive.read("stores/shop/shop_db.customers.csv").decode("utf-8-sig")
        report = archive.read("report.html").decode()
    assert rows.splitlines()[2] == '"8","\'=cmd|\' /C calc\'!A0"'
    assert "オンラインショップ" in report

    # the person asks for paper instead; staff print it after a search that found nothing
    with requests.database.uow() as session:
        row = session.get(DataRequest, request_id)
        assert row is not None
        row.disclosure_method = DisclosureMethod.PAPER.value
    with requests.database.uow() as session:
        paper = staff_package(
            session=session,
            cipher=requests.cipher,
            policy=requests.policy,
            request_id=request_id,
            actor=STAFF,
            stores_searched=True,
        )
    assert "当社の業務システムから、ご本人に関するデータは見つかりませんでした。" in _pdf_text(
        paper.content
    )
    # the chain says which collections were disclosed, with counts, never a value
    with requests.database.read() as session:
        entries = session.execute(
            select(AuditEntry)
            .where(AuditEntry.action == "request.package_downloaded")
            .order_by(AuditEntry.seq)
        ).scalars()
        details = [e.details for e in entries]
    assert [d["store_rows"] for d in details] == [{"shop/shop_db.customers": 2}, {}]
    assert EMAIL not in json.dumps(details)


def test_without_a_search_the_chain_says_nothing_of_stores(
    requests: Requests, facts: PolicyFacts
) -> None:
    _, reference, _ = _complete(
        requests, facts, RequestKind.DISCLOSURE, DisclosureMethod.ELECTRONIC
    )
    record = _record_in(_download(requests, reference))
    assert (record["stores"], record["stores_searched"]) == ([], False)
    with requests.database.read() as session:
        [entry] = session.execute(
            select(AuditEntry).where(AuditEntry.action == "request.package_downloaded")
        ).scalars()
    assert "store_rows" not in entry.details
