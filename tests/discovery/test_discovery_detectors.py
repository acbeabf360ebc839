"""The built-in detectors on small texts: what they find, exactly where, and what they leave."""

from __future__ import annotations

import pytest

from kojin.discovery.detector_catalogue import builtin_registry
from kojin.discovery.matcher import Re2Matcher


@pytest.fixture(scope="module")
def matcher() -> Re2Matcher:
    return Re2Matcher(builtin_registry())


def found(matcher: Re2Matcher, text: str) -> list[tuple[str, str]]:
    buf = text.encode()
    return [(m.kind, buf[m.start : m.end].decode()) for m in matcher.scan(buf)]


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("マイナンバーは123456789018です", "my_number", "123456789018"),
        ("個人番号：1234 5678 9018", "my_number", "1234 5678 9018"),
        ("番号 1234-5678-9018 を確認", "my_number", "1234-5678-9018"),
        ("個人番号１２３４５６７８９０１８", "my_number", "１２３４５６７８９０１８"),
        ("法人番号7123456789012の会社", "corporate_number", "7123456789012"),
        ("電話03-1234-5678まで", "phone_number", "03-1234-5678"),
        ("携帯：090-1234-5678", "phone_number", "090-1234-5678"),
        ("携帯09012345678へ", "phone_number", "09012345678"),
        ("ＴＥＬ０９０－１２３４－５６７８", "phone_number", "０９０－１２３４－５６７８"),
        ("Tel: +81-90-1234-5678", "phone_number", "+81-90-1234-5678"),
        ("代表 (03)1234-5678", "phone_number", "(03)1234-5678"),
        ("フリーダイヤル0120-123-456", "phone_number", "0120-123-456"),
        ("メールはtaro@example.comまで", "email", "taro@example.com"),
        ("連絡先hanako.sato@example.co.jpへ", "email", "hanako.sato@example.co.jp"),
        ("山田様(yamada@example.jp)", "email", "yamada@example.jp"),
        ("〒100-0001 東京都", "postal_code", "100-0001"),
        ("〒１００－０００１", "postal_code", "１００－０００１"),
        ("郵便番号 100-0001", "postal_code", "100-0001"),
        ("住所は東京都千代田区丸の内1丁目2番3号です", "address", "東京都千代田区丸の内1丁目2番3号"),
        ("大阪府大阪市北区梅田3-1-1", "address", "大阪府大阪市北区梅田3-1-1"),
        ("生年月日：昭和50年1月1日", "date_of_birth", "昭和50年1月1日"),
        ("生年月日 1975/01/01", "date_of_birth", "1975/01/01"),
        ("1990年12月31日生まれ", "date_of_birth", "1990年12月31日"),
        ("Date of birth: May 20, 1942", "date_of_birth", "May 20, 1942"),
        ("DOB H3.4.5", "date_of_birth", "H3.4.5"),
        ("カード 4111 1111 1111 1111 で決済", "credit_card", "4111 1111 1111 1111"),
        ("card 378282246310005", "credit_card", "378282246310005"),
        ("旅券番号：TK1234567", "passport_number", "TK1234567"),
        ("運転免許証番号：123456789012", "drivers_license", "123456789012"),
        ("基礎年金番号 1234-567890", "basic_pension_number", "1234-567890"),
        ("被保険者番号：12345678", "health_insurance_number", "12345678"),
        ("口座番号：普通 1234567", "bank_account", "1234567"),
        ("接続元IP 192.168.10.20 から", "ip_address", "192.168.10.20"),
        ("MAC 00:1A:2B:3C:4D:5E", "mac_address", "00:1A:2B:3C:4D:5E"),
        ("氏名：山田 太郎", "person_name", "山田 太郎"),
        ("Name: John Smith", "person_name", "John Smith"),
        ("フリガナ：ヤマダ タロウ", "name_kana", "ヤマダ タロウ"),
    ],
)
def test_detector_finds_value(matcher: Re2Matcher, text: str, kind: str, value: str) -> None:
    assert (kind, value) in found(matcher, text)


@pytest.mark.parametrize(
    "text",
    [
        "123456789012",  # 12 digits with a wrong check digit
        "1234567890185",  # a valid My Number followed by a digit is not one
        "A-20186224-4643",  # mixed separators are not a My Number format
        "2024年4月1日に発行しました",  # a date without a birth word
        "4111-1111-1111-1112",  # Luhn fails
        "TK1234567",  # passport shape without a passport word
        "999.1.2.3",  # not an IPv4 address
        "東京都出身です",  # prefecture without a municipality
        "Mr. Professor manage",  # no name label
        "金額 12,800円、在庫 3111 個",
        "03-1234-567",  # too few digits
    ],
)
def test_detectors_leave_non_personal_text(matcher: Re2Matcher, text: str) -> None:
    assert found(matcher, text) == []


def test_corporate_number_is_not_personal(matcher: Re2Matcher) -> None:
    spec = builtin_registry().get("corporate_number")
    assert not spec.personal
    assert found(matcher, "7123456789012") == [("corporate_number", "7123456789012")]


def test_email_next_to_kana_keeps_the_kana_out(matcher: Re2Matcher) -> None:
    # The reference detector's \w swallows kana; the pattern here is ASCII-classed.
    assert found(matcher, "担当はさとうtaro@example.comさんです") == [("email", "taro@example.com")]


def test_context_word_raises_the_score(matcher: Re2Matcher) -> None:
    plain = matcher.scan("番号 123456789018".encode())
    labelled = matcher.scan("マイナンバー 123456789018".encode())
    assert plain[0].score < labelled[0].score


def test_context_is_taken_from_the_same_line_only(matcher: Re2Matcher) -> None:
    same = matcher.scan("マイナンバー 123456789018".encode())
    other = matcher.scan("マイナンバー\n123456789018".encode())
    assert same[0].score > other[0].score


def test_offsets_are_byte_offsets_of_the_value(matcher: Re2Matcher) -> None:
    text = "氏名：山田 太郎 電話03-1234-5678"
    buf = text.encode()
    spans = [(m.kind, m.start, m.end) for m in matcher.scan(buf)]
    assert spans == [
        ("person_name", len("氏名：".encode()), len("氏名：山田 太郎".encode())),
        ("phone_number", len("氏名：山田 太郎 電話".encode()), len(buf)),
    ]


def test_min_score_filters_weak_matches() -> None:
    strict = Re2Matcher(builtin_registry(), min_score=0.9)
    buf = "番号 123456789018 メール a@example.com".encode()
    assert [m.kind for m in strict.scan(buf)] == ["email"]
