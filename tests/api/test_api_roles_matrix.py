"""Every endpoint against every role (R-SEC-2 access control, R-MN-9 designated handlers).

The matrix is generated from the application's routes: a route that is missing from the
documented table below, or that declares no roles, fails; so does any success for a role the
table does not allow, and any 401/403 for a role it does allow.
"""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kojin.api.declarations import PUBLIC_PATHS, api_routes, declarations, route_allow
from kojin.auth.roles import Role
from kojin.errors import ConfigurationError

A, P, H, M, U, S = (
    Role.ADMIN,
    Role.PRIVACY_OFFICER,
    Role.HANDLER,
    Role.MYNUMBER_HANDLER,
    Role.AUDITOR,
    Role.SYSTEM,
)
EVERYONE = frozenset(Role)

#: the documented matrix (docs/api.md): (method, path template) -> roles allowed
MATRIX: dict[tuple[str, str], frozenset[Role]] = {
    ("POST", "/api/v1/decisions"): frozenset({S, H, M, P, A}),
    ("POST", "/api/v1/decisions/batch"): frozenset({S, H, M, P, A}),
    ("GET", "/api/v1/decisions/{decision_id}"): frozenset({P, A, U}),
    ("GET", "/api/v1/policy"): EVERYONE,
    ("GET", "/api/v1/ledger"): frozenset({P, A, U, H}),
    ("GET", "/api/v1/ledger/due"): frozenset({P, A, U, H}),
    ("GET", "/api/v1/ledger/export"): frozenset({P, A, U, H}),
    ("GET", "/api/v1/ledger/{entry_id}"): frozenset({P, A, U, H}),
    ("POST", "/api/v1/ledger"): frozenset({P, A}),
    ("PATCH", "/api/v1/ledger/{entry_id}"): frozenset({P, A}),
    ("POST", "/api/v1/ledger/import"): frozenset({P, A}),
    # mynumber_handler: only subjects (and their consents) of specific personal information,
    # every other role only the others (tests/api/test_api_subjects_mynumber.py)
    ("POST", "/api/v1/subjects"): frozenset({P, A, M}),
    ("GET", "/api/v1/subjects"): frozenset({P, A, H, M}),
    ("POST", "/api/v1/subjects/search"): frozenset({P, A, H, M}),
    ("GET", "/api/v1/subjects/{subject_id}"): frozenset({P, A, H, M}),
    ("PATCH", "/api/v1/subjects/{subject_id}/flags"): frozenset({P, A, M}),
    ("POST", "/api/v1/consents"): frozenset({P, A, H, M}),
    ("GET", "/api/v1/consents"): frozenset({P, A, H, U, M}),
    ("POST", "/api/v1/consents/{consent_id}/withdraw"): frozenset({P, A, H, M}),
    # the My Number vault: a mynumber_handler acts within its designation (R-MN-9); the
    # privacy office and auditors list records masked (tests/mynumber/test_mynumber_api.py)
    ("POST", "/api/v1/mynumber/records"): frozenset({M}),
    ("GET", "/api/v1/mynumber/records"): frozenset({P, A, U, M}),
    ("GET", "/api/v1/mynumber/records/{record_id}"): frozenset({P, A, U, M}),
    ("POST", "/api/v1/mynumber/records/{record_id}/reveal"): frozenset({M}),
    ("POST", "/api/v1/mynumber/records/{record_id}/provisions"): frozenset({M}),
    ("POST", "/api/v1/mynumber/records/{record_id}/affairs-end"): frozenset({P, A, M}),
    ("POST", "/api/v1/mynumber/records/{record_id}/documents"): frozenset({M}),
    ("GET", "/api/v1/mynumber/records/{record_id}/documents"): frozenset({P, A, U, M}),
    ("POST", "/api/v1/mynumber/dispose"): frozenset({P, A, M}),
    ("GET", "/api/v1/mynumber/handlers"): frozenset({P, A, U}),
    ("POST", "/api/v1/mynumber/handlers"): frozenset({P, A}),
    ("DELETE", "/api/v1/mynumber/handlers/{handler_id}"): frozenset({P, A}),
    # filing and retention (tests/mynumber_filing/test_filing_api.py): payments and exports
    # are a designated mynumber_handler's; the schedule summary and the status register the
    # privacy office's and auditors'
    ("POST", "/api/v1/mynumber/payments"): frozenset({M}),
    ("GET", "/api/v1/mynumber/payments"): frozenset({M}),
    ("DELETE", "/api/v1/mynumber/payments/{payment_id}"): frozenset({M}),
    ("POST", "/api/v1/mynumber/exports"): frozenset({M}),
    ("GET", "/api/v1/mynumber/exports"): frozenset({P, A, U, M}),
    ("POST", "/api/v1/mynumber/exports/{export_id}/deleted"): frozenset({M}),
    ("GET", "/api/v1/mynumber/retention/rules"): frozenset({P, A, U, M}),
    ("GET", "/api/v1/mynumber/retention/items"): frozenset({P, A, U, M}),
    ("POST", "/api/v1/mynumber/retention/items"): frozenset({P, A, M}),
    ("GET", "/api/v1/mynumber/schedule"): frozenset({P, A, U, M}),
    ("GET", "/api/v1/mynumber/schedule/summary"): frozenset({P, A, U}),
    ("POST", "/api/v1/mynumber/schedule/dispose-due"): frozenset({P, A, M}),
    ("GET", "/api/v1/mynumber/status-register"): frozenset({P, A, U}),
    ("GET", "/api/v1/mynumber/status-register.csv"): frozenset({P, A, U}),
    # the incident register (tests/api/test_api_incidents.py): the privacy office records and
    # changes; auditors read, drafts included
    ("GET", "/api/v1/incidents"): frozenset({P, A, U}),
    ("POST", "/api/v1/incidents"): frozenset({P, A}),
    ("GET", "/api/v1/incidents/figures"): frozenset({P, A, U}),
    ("GET", "/api/v1/incidents/{incident_id}"): frozenset({P, A, U}),
    ("PATCH", "/api/v1/incidents/{incident_id}"): frozenset({P, A}),
    ("POST", "/api/v1/incidents/{incident_id}/steps"): frozenset({P, A}),
    ("GET", "/api/v1/incidents/{incident_id}/people"): frozenset({P, A, U}),
    ("POST", "/api/v1/incidents/{incident_id}/people"): frozenset({P, A}),
    ("POST", "/api/v1/incidents/{incident_id}/people/import"): frozenset({P, A}),
    ("POST", "/api/v1/incidents/{incident_id}/notices/send"): frozenset({P, A}),
    ("GET", "/api/v1/incidents/{incident_id}/report"): frozenset({P, A, U}),
    ("GET", "/api/v1/incidents/{incident_id}/publication"): frozenset({P, A, U}),
    # internal audits (tests/audits/test_audits_api.py): the office and auditors read and record
    ("GET", "/api/v1/audits"): frozenset({P, A, U}),
    ("POST", "/api/v1/audits"): frozenset({P, A, U}),
    ("GET", "/api/v1/audits/figures"): frozenset({P, A, U}),
    ("GET", "/api/v1/audits/{audit_id}"): frozenset({P, A, U}),
    ("POST", "/api/v1/audits/{audit_id}/collect"): frozenset({P, A, U}),
    ("PUT", "/api/v1/audits/{audit_id}/items/{control_id}"): frozenset({P, A, U}),
    ("POST", "/api/v1/audits/{audit_id}/items/{control_id}/findings"): frozenset({P, A, U}),
    ("POST", "/api/v1/audits/findings/{finding_id}/actions"): frozenset({P, A, U}),
    ("POST", "/api/v1/audits/actions/{action_id}/progress"): frozenset({P, A, U}),
    ("POST", "/api/v1/audits/{audit_id}/reported"): frozenset({P, A, U}),
    ("POST", "/api/v1/audits/{audit_id}/close"): frozenset({P, A, U}),
    ("GET", "/api/v1/audits/{audit_id}/report"): frozenset({P, A, U}),
    # obligation tasks (tests/api/test_api_obligations.py): the office acts, auditors and
    # systems read
    ("GET", "/api/v1/obligations"): frozenset({P, A, U, S}),
    ("GET", "/api/v1/obligations/{task_id}"): frozenset({P, A, U, S}),
    ("PATCH", "/api/v1/obligations/{task_id}"): frozenset({P, A}),
    ("POST", "/api/v1/obligations/{task_id}/close"): frozenset({P, A}),
    ("POST", "/api/v1/obligations/{task_id}/reopen"): frozenset({P, A}),
    # the recipient register (tests/api/test_api_recipients.py): the privacy office changes it;
    # auditors read
    ("GET", "/api/v1/recipients"): frozenset({P, A, U}),
    ("POST", "/api/v1/recipients"): frozenset({P, A}),
    ("GET", "/api/v1/recipients/figures"): frozenset({P, A, U}),
    ("GET", "/api/v1/recipients/{recipient_id}"): frozenset({P, A, U}),
    ("PATCH", "/api/v1/recipients/{recipient_id}"): frozenset({P, A}),
    ("POST", "/api/v1/recipients/{recipient_id}/end"): frozenset({P, A}),
    ("POST", "/api/v1/recipients/{recipient_id}/checks"): frozenset({P, A}),
    ("GET", "/api/v1/recipients/{recipient_id}/statement"): frozenset({P, A, U}),
    # risks and training (tests/api/test_api_management.py): the privacy office records,
    # auditors read
    ("GET", "/api/v1/risks"): frozenset({P, A, U}),
    ("POST", "/api/v1/risks"): frozenset({P, A}),
    ("GET", "/api/v1/risks/due"): frozenset({P, A, U}),
    ("GET", "/api/v1/risks/figures"): frozenset({P, A, U}),
    ("GET", "/api/v1/risks/{risk_id}"): frozenset({P, A, U}),
    ("PUT", "/api/v1/risks/{risk_id}"): frozenset({P, A}),
    ("GET", "/api/v1/training/courses"): frozenset({P, A, U}),
    ("POST", "/api/v1/training/courses"): frozenset({P, A}),
    ("GET", "/api/v1/training/workers"): frozenset({P, A, U}),
    ("PUT", "/api/v1/training/workers"): frozenset({P, A}),
    ("POST", "/api/v1/training/workers/import"): frozenset({P, A}),
    ("GET", "/api/v1/training/workers/{employee_number}/records"): frozenset({P, A, U}),
    ("POST", "/api/v1/training/records"): frozenset({P, A}),
    ("POST", "/api/v1/training/records/import"): frozenset({P, A}),
    ("GET", "/api/v1/training/overdue"): frozenset({P, A, U}),
    ("GET", "/api/v1/training/figures"): frozenset({P, A, U}),
    # management reviews (tests/api/test_api_reviews.py): the privacy office prepares and
    # decides; auditors read, reports included
    ("GET", "/api/v1/reviews"): frozenset({P, A, U}),
    ("POST", "/api/v1/reviews"): frozenset({P, A}),
    ("GET", "/api/v1/reviews/{review_id}"): frozenset({P, A, U}),
    ("PATCH", "/api/v1/reviews/{review_id}"): frozenset({P, A}),
    ("POST", "/api/v1/reviews/{review_id}/refresh"): frozenset({P, A}),
    ("POST", "/api/v1/reviews/{review_id}/decisions"): frozenset({P, A}),
    ("GET", "/api/v1/reviews/{review_id}/report"): frozenset({P, A, U}),
    ("GET", "/api/v1/provisions"): frozenset({P, A, U}),
    ("POST", "/api/v1/provisions/purge"): frozenset({P, A}),
    ("GET", "/api/v1/audit/verify"): frozenset({P, A, U}),
    ("GET", "/api/v1/audit/export"): frozenset({P, A, U}),
    ("POST", "/api/v1/tokens"): frozenset({A}),
    ("GET", "/api/v1/tokens"): frozenset({A}),
    ("DELETE", "/api/v1/tokens/{token_id}"): frozenset({A}),
}


def _routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path) the application serves, read from its routes."""
    return sorted(
        (method, path)
        for path, route in api_routes(app)
        if path not in PUBLIC_PATHS
        for method in route.methods or ()
    )


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "0" * 32, path)


def test_every_route_is_in_the_documented_matrix(api_app: FastAPI) -> None:
    routes = _routes(api_app)
    assert routes, "no API routes found"
    undocumented = [route for route in routes if route not in MATRIX]
    missing = [route for route in MATRIX if route not in routes]
    assert undocumented == [], "routes without a row in the role matrix"
    assert missing == [], "matrix rows without a route"


def test_declared_roles_equal_the_matrix(api_app: FastAPI) -> None:
    declared = {(row.method, row.path): row.roles for row in declarations(api_app)}
    assert declared == MATRIX


def test_the_openapi_document_lists_each_operations_roles(api_app: FastAPI) -> None:
    document = api_app.openapi()
    for (method, path), allowed in MATRIX.items():
        operation = document["paths"][path][method.lower()]
        assert set(operation["x-kojin-roles"]) == {str(role) for role in allowed}
        assert operation["security"] == [{"apiToken": []}]
    assert "apiToken" in document["components"]["securitySchemes"]


def test_a_route_without_declared_roles_is_refused(api_app: FastAPI) -> None:
    def undeclared() -> dict[str, str]:
        return {"hello": "world"}

    api_app.add_api_route("/api/v1/undeclared", undeclared, methods=["GET"])
    route = next(r for p, r in api_routes(api_app) if p == "/api/v1/undeclared")
    assert route_allow(route) is None
    with pytest.raises(ConfigurationError, match="/api/v1/undeclared"):
        declarations(api_app)


def test_walk_every_route_with_every_role(
    api_app: FastAPI, client: TestClient, auth: dict[Role, dict[str, str]]
) -> None:
    failures: list[str] = []
    walked = 0
    for method, path in _routes(api_app):
        url = _concrete(path)
        anonymous = client.request(method, url, json={})
        if anonymous.status_code != 401:
            failures.append(f"{method} {path} without a token: {anonymous.status_code}")
        allowed = MATRIX.get((method, path), frozenset())
        for role in Role:
            response = client.request(method, url, json={}, headers=auth[role])
            walked += 1
            if role in allowed and response.status_code in (401, 403):
                failures.append(f"{method} {path} as {role}: refused ({response.status_code})")
            if role not in allowed and response.status_code != 403:
                failures.append(f"{method} {path} as {role}: {response.status_code}, not 403")
            if response.status_code == 403:
                assert response.json()["error"]["code"] == "forbidden"
    assert walked == len(MATRIX) * len(Role)
    assert failures == []
