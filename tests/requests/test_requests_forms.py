"""The request form, the reference and the code, and the mails' texts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from requests_support import form

from kojin.crypto.cipher import FieldCipher
from kojin.crypto.keyring import Keyring
from kojin.errors import InputError
from kojin.policy.model_base import Lang
from kojin.requests.codes import (
    REFERENCE_BITS,
    code_digest,
    new_code,
    new_reference,
    normalize_code,
    normalize_reference,
)
from kojin.requests.kinds import RequestKind
from kojin.requests.mails import STATE_LABELS, code_mail, moved_mail
from kojin.requests.schemas import RequestForm
from kojin.requests.states import RequestState
from kojin.settings import Settings


def test_japanese_input_is_normalized() -> None:
    filled = form(
        email="ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ",
        phone="（０３）１２３４ー５６７８",
        postal_code="〒１００ー０００１",
        furigana="やまだ　たろう",
    )
    assert filled.email == "taro@example.jp"
    assert filled.phone == "031234-5678"
    assert filled.postal_code == "100-0001"
    assert filled.furigana == "ヤマダ タロウ"
    assert form(postal_code="1000001").postal_code == "100-0001"
    assert form(furigana="ﾔﾏﾀﾞ ﾀﾛｳ").furigana == "ヤマダ タロウ"  # half-width kana


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"email": ""}, "email"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "bell\x07"}, "name"),
        ({"details": "x" * 5001}, "details"),
        ({"phone": "call me"}, "phone"),
        ({"postal_code": "12-34567"}, "postal_code"),
        ({"furigana": "Yamada"}, "furigana"),
        ({"furigana": "山田"}, "furigana"),
        ({"disclosure_method": None}, "disclosure_method"),
        ({"disclosure_method": "fax"}, "disclosure_method"),
        ({"kind": "everything"}, "kind"),
        ({"lang": "fr"}, "lang"),
        ({"category": "Not A Category"}, "category"),
        ({"submission_key": "short"}, "submission_key"),
        ({"is_agent": True}, "agent_name"),
        ({"is_agent": True, "agent_name": "佐藤"}, "agent_relation"),
        ({"unexpected": "x"}, "unexpected"),
    ],
)
def test_wrong_values_name_the_field_and_never_the_value(
    changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(InputError) as caught:
        form(**changes)
    assert caught.value.field == field
    for value in changes.values():
        if isinstance(value, str) and len(value) > 3:
            assert value not in caught.value.message


@pytest.mark.parametrize(
    "kind", [RequestKind.COMPLAINT, RequestKind.INQUIRY, RequestKind.CORRECTION]
)
def test_some_kinds_must_say_something(kind: RequestKind) -> None:
    with pytest.raises(InputError) as caught:
        form(kind, details="  ")
    assert caught.value.field == "details"
    assert form(RequestKind.STOP_USE, details="").details == ""


def test_optional_fields_may_be_left_empty() -> None:
    filled = form(furigana="", phone=" ", postal_code="", address="")
    assert (filled.furigana, filled.phone, filled.postal_code, filled.address) == (
        None,
        None,
        None,
        None,
    )


def test_markup_is_kept_as_text() -> None:
    filled = form(name="<script>alert(1)</script>", details="'; DROP TABLE x; --")
    assert filled.name == "<script>alert(1)</script>"
    assert isinstance(filled, RequestForm)


def test_references_are_random_readable_and_long_enough() -> None:
    assert REFERENCE_BITS >= 100
    made = {new_reference() for _ in range(2000)}
    assert len(made) == 2000
    for reference in list(made)[:50]:
        assert re.fullmatch(r"KJ(-[0-9A-HJKMNP-TV-Z]{5}){4}", reference)
        assert normalize_reference(reference) == reference


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("kj-abcde-fghjk-mnpqr-stvwx", "KJ-ABCDE-FGHJK-MNPQR-STVWX"),
        ("ABCDEFGHJKMNPQRSTVWX", "KJ-ABCDE-FGHJK-MNPQR-STVWX"),
        (" KJ ABCDE FGHJK MNPQR STVWX ", "KJ-ABCDE-FGHJK-MNPQR-STVWX"),
        ("ＫＪ－ＡＢＣＤＥ－ＦＧＨＪＫ－ＭＮＰＱＲ－ＳＴＶＷＸ", "KJ-ABCDE-FGHJK-MNPQR-STVWX"),
        ("KJ-O0OIL-11111-22222-33333", "KJ-00011-11111-22222-33333"),
        ("KJ-ABCDE-FGHJK-MNPQR-STVW", None),
        ("KJ-ABCDE-FGHJK-MNPQR-STVWU", None),
        ("", None),
        ("<script>", None),
    ],
)
def test_references_are_read_leniently(typed: str, canonical: str | None) -> None:
    assert normalize_reference(typed) == canonical


def test_codes_are_six_digits_and_kept_as_keyed_digests() -> None:
    assert all(re.fullmatch(r"[0-9]{6}", new_code()) for _ in range(200))
    assert normalize_code(" １２３ ４５６ ") == "123456"
    assert normalize_code("12345") is None
    assert normalize_code("abcdef") is None
    cipher = FieldCipher(Keyring.generate())
    other = FieldCipher(Keyring.generate())
    digest = code_digest(cipher, request_id="a" * 32, code="123456")
    assert "123456" not in digest
    assert len(digest) == 64
    assert digest != code_digest(cipher, request_id="b" * 32, code="123456")
    assert digest != code_digest(other, request_id="a" * 32, code="123456")


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_state_has_a_mail_in_both_languages(lang: Lang) -> None:
    settings = Settings(public_url="https://privacy.example.jp/")
    for state in RequestState:
        subject, text = moved_mail(
            lang=lang,
            state=state,
            reference="KJ-ABCDE-FGHJK-MNPQR-STVWX",
            fee_yen=1000,
            settings=settings,
        )
        assert STATE_LABELS[lang][state] in subject + text
        assert "KJ-ABCDE-FGHJK-MNPQR-STVWX" in subject + text
        assert "https://privacy.example.jp/portal/status" in text
        assert "{" not in subject + text
    subject, text = code_mail(
        lang=lang,
        code="012345",
        reference="KJ-ABCDE-FGHJK-MNPQR-STVWX",
        settings=settings,
    )
    assert "012345" not in subject
    assert "012345" in text
    assert "15" in text


def test_japanese_mails_are_polite() -> None:
    settings = Settings()
    _, fee = moved_mail(
        lang="ja", state=RequestState.AWAITING_FEE, reference="KJ-X", fee_yen=1000,
        settings=settings,
    )  # fmt: skip
    assert "手数料1,000円のお支払いをお願いいたします。" in fee
    _, code = code_mail(lang="ja", code="000001", reference="KJ-X", settings=settings)
    assert code.startswith("ご請求いただき、ありがとうございます。")
    assert "ください。" in code
