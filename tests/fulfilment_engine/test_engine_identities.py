"""The identities a request verified, in the forms stores hold them."""

from __future__ import annotations

import pytest

from kojin.datamap.model import Identity
from kojin.fulfilment.identities import identities_from, phone_forms


def test_only_given_identities_are_kept_normalised() -> None:
    identities = identities_from(
        email="  ｈａｎａｋｏ@Example.jp ",
        name="山田　 花子",
        phone=None,
        postal_code="〒１００－０００１",
        address=" 東京都千代田区  千代田１－１ ",
        customer_number="Ｃ－１２３",
    )
    assert identities.values == {
        Identity.EMAIL: ("hanako@Example.jp",),
        Identity.NAME: ("山田 花子", "山田花子"),
        Identity.POSTAL_CODE: ("100-0001", "1000001"),
        Identity.ADDRESS: ("東京都千代田区 千代田1-1",),
        Identity.CUSTOMER_NUMBER: ("C-123",),
    }
    assert identities.of(Identity.PHONE_NUMBER) == ()


def test_blank_identities_are_left_out() -> None:
    assert identities_from(email="  ", name="", phone=" ").values == {}


@pytest.mark.parametrize(
    ("given", "forms"),
    [
        (
            "０９０－１２３４－５６７８",
            ("090-1234-5678", "09012345678", "+819012345678"),
        ),
        (
            "+81 90 1234 5678",
            ("+81 90 1234 5678", "09012345678", "090-1234-5678", "+819012345678"),
        ),
        ("+81 (0)90-1234-5678", None),
        ("09012345678", ("09012345678", "090-1234-5678", "+819012345678")),
        ("0800ー123ー4567", ("0800-123-4567", "08001234567", "+818001234567")),
        ("0120-123-456", ("0120-123-456", "0120123456", "+81120123456")),
        (
            "03-1234-5678",
            (
                "03-1234-5678",
                "0312345678",
                "031-234-5678",
                "0312-34-5678",
                "03123-4-5678",
                "+81312345678",
            ),
        ),
        ("+1 415 555 0100", ("+1 415 555 0100", "14155550100")),
        ("12345", ("12345",)),
    ],
)
def test_phone_forms(given: str, forms: tuple[str, ...] | None) -> None:
    got = phone_forms(given)
    if forms is None:
        assert {"09012345678", "090-1234-5678", "+819012345678"} <= set(got)
    else:
        assert got == forms
    assert len(got) == len(set(got))
