"""One router per domain; :data:`ROUTERS` lists them in the order the OpenAPI document shows."""

from __future__ import annotations

from fastapi import APIRouter

from kojin.api.routers import (
    audit,
    audits,
    consents,
    decisions,
    health,
    incidents,
    ledger,
    mynumber,
    mynumber_filing,
    obligations,
    policy,
    provisions,
    recipients,
    reviews,
    risks,
    subjects,
    tokens,
    training,
)

ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    decisions.router,
    policy.router,
    ledger.router,
    subjects.router,
    consents.router,
    mynumber.router,
    mynumber_filing.router,
    incidents.router,
    reviews.router,
    audits.router,
    obligations.router,
    recipients.router,
    risks.router,
    training.router,
    provisions.router,
    audit.router,
    tokens.router,
)
