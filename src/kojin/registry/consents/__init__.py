"""Consent records (R-CH-6, R-TP-FX-2): what was shown, how and when consent was given, and
withdrawals, kept as history (never overwritten)."""

from kojin.registry.consents.schemas import (
    ConsentCreate,
    ConsentMethod,
    ConsentOut,
    ForeignInformation,
    WithdrawalCreate,
)
from kojin.registry.consents.service import (
    consent_facts,
    list_consents,
    record_consent,
    withdraw_consent,
)

__all__ = [
    "ConsentCreate",
    "ConsentMethod",
    "ConsentOut",
    "ForeignInformation",
    "WithdrawalCreate",
    "consent_facts",
    "list_consents",
    "record_consent",
    "withdraw_consent",
]
