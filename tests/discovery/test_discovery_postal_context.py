"""Postal codes without 〒: found in an address context (Japanese or English), not after the
label of another number (order, invoice, ticket, phone) even on an address line."""

from __future__ import annotations

import pytest

from kojin.discovery.detector_catalogue import DetectorRegistry, builtin_registry
from kojin.discovery.matcher import Re2Matcher
from kojin.discovery.model import Category, DetectorFile, DetectorSpec, PatternSpec


@pytest.fixture(scope="module")
def matcher() -> Re2Matcher:
    return Re2Matcher(builtin_registry())


def postal_codes(matcher: Re2Matcher, text: str) -> list[str]:
    buf = text.encode()
    return [buf[m.start : m.end].decode() for m in matcher.scan(buf) if m.kind == "postal_code"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Shipping address: 2-11-5 Nishi-Shinjuku, Shinjuku-ku, Tokyo 160-0023, Japan", "160-0023"),
        ("Billing address 1-1 Umeda, Kita-ku, Osaka 530-0001", "530-0001"),
        ("SHIP TO: Sapporo, Hokkaido 060-0001", "060-0001"),
        ("Ship to 060-0001", "060-0001"),
        ("Zip code 100-0001", "100-0001"),
        ("ZIP: 1000001", "1000001"),
        ("Postal code: 1000005", "1000005"),
        ("postcode 530-0001", "530-0001"),
        ("Hotel Okura, Minato-ku, Tokyo 105-0001", "105-0001"),
        ("住所：160-0023 東京都新宿区西新宿2-8-1", "160-0023"),
        ("所在地 530-0001 大阪市北区梅田", "530-0001"),
        ("東京都千代田区丸の内1-2-3（100-0005）", "100-0005"),
        ("郵便番号 1000001", "1000001"),
        ("郵便番号：１００－０００１", "１００－０００１"),
        ("横浜市中区 231-0023", "231-0023"),
        ("お届け先：530-0001 大阪市北区梅田1-1-3", "530-0001"),
        ("請求先：100-0001", "100-0001"),
        ("注文番号 A-1 お届け先住所 123-4567", "123-4567"),  # the nearer word is an address word
        ("TEL 03-1234-5678 〒100-0001", "100-0001"),  # 〒 always says postal code
    ],
)
def test_postal_code_in_an_address_context(matcher: Re2Matcher, text: str, value: str) -> None:
    assert postal_codes(matcher, text) == [value]


@pytest.mark.parametrize(
    "text",
    [
        "123-4567",  # no context
        "Order 123-4567",
        "注文番号 123-4567",
        "注文番号 123-4567 のお届け先住所を変更しました。",
        "Order 123-4567 has shipped to your shipping address.",
        "Invoice No. 123-4567 for the billing address on file.",
        "Ticket #123-4567: please update the shipping address.",
        "チケット番号：123-4567（東京都内の会場）",
        "伝票番号 123-4567 大阪府へ発送済み",
        "会員番号 123-4567（横浜市中区）",
        "内線 123-4567 本社総務部",
        "TEL 123-4567 Tokyo office",
        "携帯 090-123-4567　配送先は東京都です",  # a phone number, not a postal code inside it
        "TEL 03-1234-5678 住所：東京都港区",
        "お届け予定日 2025-01-15、配送先は東京都",
        "Delivery on 2025-01-15 to the billing address in Tokyo",
        "住所 000-1234",  # no postal code starts with 000
        "住所 1234-5678",  # four digits first
        "Shipping address 123-45678",  # runs on into a digit
    ],
)
def test_not_a_postal_code(matcher: Re2Matcher, text: str) -> None:
    assert postal_codes(matcher, text) == []


def test_phone_numbers_on_address_lines_stay_phone_numbers(matcher: Re2Matcher) -> None:
    buf = "携帯 090-123-4567 住所：東京都港区芝公園1-1-1".encode()
    kinds = [(m.kind, buf[m.start : m.end].decode()) for m in matcher.scan(buf)]
    assert ("phone_number", "090-123-4567") in kinds
    assert not any(kind == "postal_code" for kind, _ in kinds)


def test_exclusion_only_withholds_the_boost() -> None:
    """A value that scores enough without context is still found after an exclusion label."""
    spec = DetectorSpec(
        kind="member_code",
        category=Category.CUSTOM,
        patterns=(PatternSpec(name="code", regex="M[0-9]{5}", score=0.6),),
        context=("会員",),
        context_boost=0.3,
        context_exclude=("旧",),
    )
    registry = DetectorRegistry(detectors=DetectorFile(detectors=(spec,)).detectors)
    matcher = Re2Matcher(registry)
    scores = {
        text: [m.score for m in matcher.scan(text.encode())]
        for text in ("会員 M12345", "会員 旧 M12345", "旧 会員 M12345")
    }
    assert scores == {"会員 M12345": [0.9], "会員 旧 M12345": [0.6], "旧 会員 M12345": [0.9]}
