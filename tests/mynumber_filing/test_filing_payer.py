"""The payer of payment records: from the settings, replaceable per export, checked by
name of setting."""

from __future__ import annotations

import pytest
from filing_support import CORPORATE_NUMBER, NUMBERS

from kojin.errors import InputError
from kojin.mynumber.filing.payer import Payer, payer_from_settings
from kojin.settings import Settings

CONFIGURED = Settings(
    mynumber_payer_name="株式会社サンプル",
    mynumber_payer_address="東京都港区港南1-9-1",
    mynumber_payer_corporate_number="7-0107-0500-0725",
)


def test_from_the_settings_and_replaced_per_export() -> None:
    assert payer_from_settings(CONFIGURED) == Payer(
        name="株式会社サンプル",
        address="東京都港区港南1-9-1",
        corporate_number=CORPORATE_NUMBER,
    )
    replaced = payer_from_settings(CONFIGURED, name="別会社", phone="03-0000-0000")
    assert (replaced.name, replaced.phone) == ("別会社", "03-0000-0000")


def test_missing_and_invalid_values_name_their_settings() -> None:
    with pytest.raises(InputError) as caught:
        payer_from_settings(Settings(), corporate_number="1234567890123")
    message = caught.value.message
    assert "KOJIN_MYNUMBER_PAYER_NAME (payer name): not set" in message
    assert "KOJIN_MYNUMBER_PAYER_ADDRESS (payer address): not set" in message
    assert "KOJIN_MYNUMBER_PAYER_CORPORATE_NUMBER (payer corporate_number): must be a 13-digit" in (
        message
    )
    assert "1234567890123" not in message
    with pytest.raises(InputError, match="individual number") as caught:
        payer_from_settings(CONFIGURED, address=f"番号 {NUMBERS[1]}")
    assert NUMBERS[1] not in caught.value.message
