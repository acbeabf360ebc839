"""Which recorded consents cover a decision request, and the facts they establish (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kojin.law.decision_schemas import DecisionRequest, Facts

DOMESTIC = "JP"


@dataclass(frozen=True, slots=True)
class ConsentView:
    """The parts of a consent record that matching needs."""

    category: str
    purpose: str | None
    recipient: str | None
    country: str | None
    foreign_information: dict[str, Any] | None
    given_at: datetime
    withdrawn_at: datetime | None


def covers(consent: ConsentView, request: DecisionRequest) -> bool:
    """Whether `consent`'s scope covers `request`.

    A consent without purpose/recipient/country covers any of them; a request without a purpose
    is covered only by consents without one. Provision abroad (APPI Art. 28(1)) is covered only
    by consent naming that country; a consent naming a foreign country does not cover another.
    """
    if consent.category != request.category:
        return False
    if consent.purpose is not None and consent.purpose != request.purpose:
        return False
    recipient = request.recipient
    if recipient is None:
        return consent.recipient is None and consent.country in (None, DOMESTIC)
    if consent.recipient is not None and (
        recipient.name is None or consent.recipient.casefold() != recipient.name.casefold()
    ):
        return False
    if recipient.country == DOMESTIC:
        return consent.country in (None, DOMESTIC)
    return consent.country == recipient.country


def _foreign_info_shown(consent: ConsentView, request: DecisionRequest) -> bool:
    info = consent.foreign_information
    recipient = request.recipient
    if not info or recipient is None or recipient.country == DOMESTIC:
        return False
    return bool(
        info.get("country") == recipient.country
        and info.get("country_system")
        and info.get("recipient_measures")
    )


def facts_from_records(
    consents: Iterable[ConsentView],
    *,
    request: DecisionRequest,
    stop_use: bool,
    stop_provision: bool,
) -> Facts:
    """Facts for `request` from a subject's records (R-CH-6, R-TP-FX-2).

    Consent is given when a covering consent is active and no covering withdrawal is more recent
    than the newest active one; then the foreign information counts when that consent records
    it. The request's own consent statement is not used: the registry is authoritative.
    """
    newest_active: ConsentView | None = None
    newest_withdrawal: datetime | None = None
    for consent in consents:
        if not covers(consent, request):
            continue
        if consent.withdrawn_at is None:
            if newest_active is None or consent.given_at > newest_active.given_at:
                newest_active = consent
        elif newest_withdrawal is None or consent.withdrawn_at > newest_withdrawal:
            newest_withdrawal = consent.withdrawn_at
    withdrawn = newest_withdrawal is not None and (
        newest_active is None or newest_withdrawal > newest_active.given_at
    )
    given = newest_active is not None and not withdrawn
    return Facts(
        consent_given=given,
        foreign_information_provided=given
        and newest_active is not None
        and _foreign_info_shown(newest_active, request),
        consent_withdrawn=withdrawn,
        stop_use=stop_use,
        stop_provision=stop_provision,
    )
