"""Disclosure from the registry (Art. 33; R-RT-3, R-RT-4): what is gathered, and the package
in the form the person chose."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import UTC, datetime
from typing import Any

import pypdf
import pytest
from reqdocs_registry import FORMULA_ITEM, Registry
from sqlalchemy import func, select

from kojin.audit.models import AuditEntry
from kojin.errors import InputError, NotFoundError
from kojin.policy import load_policy
from kojin.policy.model_base import Lang
from kojin.requests.disclosure import DisclosureRecord, build_package, gather_disclosure
from kojin.requests.disclosure_labels import COLUMNS, TEXTS
from kojin.requests.disclosure_package import SECTIONS
from kojin.requests.kinds import DisclosureMethod

POLICY = load_policy(None)
NOW = datetime(2026, 12, 1, 1, 30, tzinfo=UTC)  # 10:30 in Tokyo


def _gather(
    registry: Registry, lang: Lang = "ja", *, third_party: bool = True, **extra: Any
) -> DisclosureRecord:
    with registry.database.read() as session:
        return gather_disclosure(
            session=session,
            policy=POLICY,
            subject_id=registry.subject_id,
            lang=lang,
            include_third_party_records=third_party,
            now=NOW,
            **extra,
        )


def _zip(record: DisclosureRecord) -> zipfile.ZipFile:
    package = build_package(record, method=DisclosureMethod.ELECTRONIC, lang=record.lang)
    assert package.media_type == "application/zip"
    assert package.filename == "disclosure-20261201.zip"
    return zipfile.ZipFile(io.BytesIO(package.content))


def _csv(archive: zipfile.ZipFile, name: str) -> list[list[str]]:
    raw = archive.read(name)
    assert raw.startswith(b"\xef\xbb\xbf"), name  # the BOM that tells Excel it is UTF-8
    assert b"\r\n" in raw
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_gathers_the_subject_s_data_only(registry: Registry) -> None:
    record = _gather(registry)
    assert record.subject.id == registry.subject_id
    assert record.subject.category == "customer"
    customer = POLICY.category("customer")
    assert customer is not None
    assert record.subject.category_title == customer.title.ja
    assert record.subject.stop_use is True
    assert record.subject.stop_provision is False
    assert record.subject.identifiers is None  # no cipher given: nothing decrypted
    assert [p.id for p in record.purposes] == [p.id for p in customer.purposes]
    assert [p.text for p in record.purposes] == [p.text.ja for p in customer.purposes]
    # the ledger rows of the subject's category, not of others
    items = [e.item for e in record.ledger_entries]
    assert sorted(items) == sorted(["氏名、住所、電話番号", FORMULA_ITEM])
    first = next(e for e in record.ledger_entries if e.item == "氏名、住所、電話番号")
    assert first.purposes == ["provide_services", "develop_services"]
    assert first.purpose_texts == [customer.purposes[0].text.ja, customer.purposes[1].text.ja]
    assert first.retention_period == "契約終了後5年"
    # internal details that would tell how the data is secured are not disclosed
    dumped = record.model_dump_json()
    for internal in ("crm-db-01", "sales staff only", "営業推進部", "1200"):
        assert internal not in dumped
    # the subject's consents, the withdrawn one included; not the other person's
    assert [c.id for c in record.consents] == registry.consent_ids
    assert record.consents[0].withdrawn_at is not None
    assert record.consents[0].withdrawal_method == "email"
    assert record.consents[1].withdrawn_at is None
    assert record.consents[1].country == "US"
    assert record.consents[1].category_title == customer.title.ja
    assert record.third_party_records[0].category_title == customer.title.ja
    assert "Other Recipient KK" not in dumped
    # the provision records about the subject, with the statutory items only
    assert record.third_party_records_included is True
    assert [p.id for p in record.third_party_records] == registry.provision_ids
    assert [p.recipient_name for p in record.third_party_records] == ["Partner KK", "Acme Inc."]
    assert record.third_party_records[0].items == ["氏名", "電話番号"]
    assert record.third_party_records[1].kind == "foreign_third_party"
    assert all(p.consent_confirmed for p in record.third_party_records)
    for field in ("decision_id", "basis", "citations", "purge_after", "retention_years"):
        assert field not in record.third_party_records[0].model_dump()
    assert record.organization == POLICY.organization.name.ja
    assert record.generated_at == NOW


def test_third_party_records_only_when_asked(registry: Registry) -> None:
    record = _gather(registry, third_party=False)
    assert record.third_party_records_included is False
    assert record.third_party_records == []
    archive = _zip(record)
    assert _csv(archive, "third_party_records.csv")[1:] == []
    report = archive.read("report.html").decode()
    assert TEXTS["ja"]["not_requested"] in report
    assert "Partner KK" in report  # still in the consents
    assert "電話番号" not in _csv_text(archive, "consents.csv")


def _csv_text(archive: zipfile.ZipFile, name: str) -> str:
    return "\n".join(",".join(row) for row in _csv(archive, name))


def test_identifiers_only_with_a_cipher_and_the_reveal_is_audited(registry: Registry) -> None:
    with registry.database.uow() as session:
        before = session.scalar(select(func.count()).select_from(AuditEntry))
        record = gather_disclosure(
            session=session,
            policy=POLICY,
            subject_id=registry.subject_id,
            lang="ja",
            include_third_party_records=True,
            cipher=registry.cipher,
            actor="staff:officer",
            now=NOW,
        )
        entries = (
            session.execute(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1))
            .scalars()
            .all()
        )
        after = session.scalar(select(func.count()).select_from(AuditEntry))
    identifiers = record.subject.identifiers
    assert identifiers is not None
    assert identifiers.name == "山田 太郎"
    assert identifiers.email == "taro@example.jp"
    assert after == (before or 0) + 1
    assert entries[0].action == "subject.revealed"
    assert "山田" not in json.dumps(entries[0].details, ensure_ascii=False)
    archive = _zip(record)
    rows = {r[0]: r[1] for r in _csv(archive, "subject.csv")[1:]}
    fields = COLUMNS["ja"]["subject_fields"]
    assert rows[fields["name"]] == "山田 太郎"
    assert rows[fields["phone"]] == "03-1234-5678"
    assert fields["address"] not in rows  # not held: not listed


def test_unknown_subject(registry: Registry) -> None:
    with registry.database.read() as session, pytest.raises(NotFoundError):
        gather_disclosure(
            session=session,
            policy=POLICY,
            subject_id="0" * 32,
            lang="en",
            include_third_party_records=True,
        )


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_electronic_package(registry: Registry, lang: Lang) -> None:
    record = _gather(registry, lang)
    archive = _zip(record)
    names = archive.namelist()
    assert names == ["disclosure.json", *(f"{s}.csv" for s in SECTIONS), "report.html"]
    # the JSON is the record itself
    again = DisclosureRecord.model_validate_json(archive.read("disclosure.json"))
    assert again == record
    # every CSV parses, with the headings in the person's language and one row per record
    columns = COLUMNS[lang]
    purposes = _csv(archive, "purposes.csv")
    assert purposes[0] == list(columns["purposes"].values())
    assert [row[1] for row in purposes[1:]] == [p.text for p in record.purposes]
    assert [row[0] for row in purposes[1:]] == [str(n) for n in range(1, len(record.purposes) + 1)]
    ledger = _csv(archive, "ledger_entries.csv")
    assert ledger[0] == list(columns["ledger_entries"].values())
    assert len(ledger) == 1 + len(record.ledger_entries)
    consents = _csv(archive, "consents.csv")
    assert len(consents) == 1 + len(record.consents)
    provisions = _csv(archive, "third_party_records.csv")
    assert provisions[0] == list(columns["third_party_records"].values())
    assert [row[2] for row in provisions[1:]] == ["Partner KK", "Acme Inc."]
    assert provisions[1][5] == "氏名 / 電話番号"
    subject = _csv(archive, "subject.csv")
    assert subject[0] == list(columns["subject"].values())
    assert subject[1] == [columns["subject_fields"]["id"], registry.subject_id]
    # a value that starts like a formula is shown, never evaluated, by a spreadsheet
    cells = [cell for row in ledger for cell in row]
    assert "'" + FORMULA_ITEM in cells
    assert FORMULA_ITEM not in cells
    # the report is readable in the person's language
    report = archive.read("report.html").decode()
    assert f'<html lang="{lang}">' in report
    texts = TEXTS[lang]
    for key in (
        "title",
        "subject",
        "purposes",
        "ledger_entries",
        "consents",
        "third_party_records",
    ):
        assert texts[key] in report
    assert "Partner KK" in report


def test_japanese_labels_and_values(registry: Registry) -> None:
    archive = _zip(_gather(registry, "ja"))
    ledger = _csv_text(archive, "ledger_entries.csv")
    assert "個人情報の項目" in ledger
    assert "書面による本人からの直接取得" in ledger
    assert "電子媒体" in ledger
    assert "日本 (JP)" in ledger
    consents = _csv_text(archive, "consents.csv")
    assert "チェックボックス" in consents
    assert "電子メール" in consents  # how the first consent was withdrawn
    assert "いいえ" in consents  # not given by a representative
    assert re.search(r"2026-04-01T18:00:00\+09:00", consents)  # Tokyo time, ISO 8601
    provisions = _csv_text(archive, "third_party_records.csv")
    assert "外国にある第三者への提供" in provisions
    report = archive.read("report.html").decode()
    assert "保有個人データの開示" in report
    assert "2026年12月1日 10:30" in report
    assert "第33条" in report
    assert "第5項" in report


def test_english_labels(registry: Registry) -> None:
    archive = _zip(_gather(registry, "en"))
    ledger = _csv_text(archive, "ledger_entries.csv")
    assert "in writing, directly from you" in ledger
    assert "Japan (JP)" in ledger
    report = archive.read("report.html").decode()
    assert "1 December 2026, 10:30 JST" in report
    assert "個人情報の項目" not in report


def test_zip_is_deterministic(registry: Registry) -> None:
    record = _gather(registry)
    first = build_package(record, method=DisclosureMethod.ELECTRONIC, lang="ja").content
    second = build_package(record, method=DisclosureMethod.ELECTRONIC, lang="ja").content
    assert first == second
    for info in zipfile.ZipFile(io.BytesIO(first)).infolist():
        assert info.date_time == (2026, 12, 1, 10, 30, 0)
        assert info.external_attr >> 16 == 0o644


def test_empty_sections_say_there_is_nothing(registry: Registry) -> None:
    with registry.database.read() as session:
        record = gather_disclosure(
            session=session,
            policy=POLICY,
            subject_id=registry.other_subject_id,
            lang="en",
            include_third_party_records=True,
            now=NOW,
        )
    assert len(record.consents) == 1
    assert [p.recipient_name for p in record.third_party_records] == ["Other Recipient KK"]
    emptied = record.model_copy(update={"consents": []})
    report = _zip(emptied).read("report.html").decode()
    assert TEXTS["en"]["none"] in report


def test_paper_package_is_a_pdf_with_japanese_text(
    registry: Registry, no_network: list[object]
) -> None:
    record = _gather(registry, "ja")
    package = build_package(record, method=DisclosureMethod.PAPER, lang="ja")
    assert package.media_type == "application/pdf"
    assert package.filename == "disclosure-20261201.pdf"
    reader = pypdf.PdfReader(io.BytesIO(package.content))
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))
    assert "保有個人データの開示" in text
    assert "第三者提供記録" in text
    assert "PartnerKK" in text
    assert re.sub(r"\s+", "", record.purposes[0].text)[:20] in text
    assert "disclosure.json" not in text  # the files note is for the electronic package
    assert no_network == []


def test_package_language_must_match_the_record(registry: Registry) -> None:
    record = _gather(registry, "ja")
    with pytest.raises(InputError) as caught:
        build_package(record, method=DisclosureMethod.ELECTRONIC, lang="en")
    assert caught.value.field == "lang"


def test_report_escapes_every_value(registry: Registry) -> None:
    record = _gather(registry, "en")
    hostile = "<script>alert(1)</script>'; DROP TABLE consents; --"
    consent = record.consents[0].model_copy(update={"recipient": hostile})
    entry = record.ledger_entries[0].model_copy(update={"item": '<img src="http://x/">'})
    changed = record.model_copy(
        update={"consents": [consent], "ledger_entries": [entry], "organization": "<b>Org</b>"}
    )
    report = _zip(changed).read("report.html").decode()
    assert "<script>" not in report
    assert "<img" not in report
    assert "<b>Org" not in report
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&#39;; DROP TABLE consents; --" in report
    assert "&lt;img src=&#34;http://x/&#34;&gt;" in report
