"""The OpenAPI document's additions: each operation's roles, security and every error status.

They are written into the generated document of one application, never onto the route objects:
the routers are module-level and shared by every application a process builds, and FastAPI
copies an included route's fields when it first builds that application's routes, so a field
set on a route afterwards reaches only the applications built later.

Each operation lists:

- ``x-kojin-roles`` and ``security`` (the bearer scheme), and its roles in the description;
- 401 and 403 when it needs a token;
- 404 when it names a record (a path id, or an id in its body or query it looks up);
- 409 where the stored state can refuse the change;
- 413 and 415 on ``POST``, ``PUT`` and ``PATCH`` (:mod:`kojin.api.body_limits`);
- 422 when it takes any parameter or body;
- 500 on every operation (answered without detail).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from kojin.api.declarations import api_routes, route_allow
from kojin.api.errors import ErrorBody
from kojin.api.security import SECURITY_SCHEME_NAME

ERROR_SCHEMA_REF = "#/components/schemas/ErrorBody"

STATUS_TEXT: dict[int, str] = {
    401: "No, unknown, expired or revoked API token",
    403: "The token's role may not do this",
    404: "The record named by the request does not exist",
    409: "The change clashes with what is stored",
    413: "The request body is larger than the limit",
    415: "The request body is not of the media type the operation reads",
    422: "The request does not validate; the body names each field, never its value",
    500: "Internal error; nothing about the request is in the answer",
}

#: 404s from an id looked up outside the path, and 409s, by (method, path template)
EXTRA_STATUSES: dict[tuple[str, str], frozenset[int]] = {
    ("POST", "/api/v1/decisions"): frozenset({404}),
    ("POST", "/api/v1/decisions/batch"): frozenset({404}),
    ("POST", "/api/v1/consents"): frozenset({404}),
    ("GET", "/api/v1/consents"): frozenset({404}),
    ("POST", "/api/v1/consents/{consent_id}/withdraw"): frozenset({409}),
    ("DELETE", "/api/v1/tokens/{token_id}"): frozenset({409}),
    ("POST", "/api/v1/mynumber/records"): frozenset({404, 409}),
    ("POST", "/api/v1/mynumber/records/{record_id}/reveal"): frozenset({409}),
    ("POST", "/api/v1/mynumber/records/{record_id}/provisions"): frozenset({409}),
    ("POST", "/api/v1/mynumber/records/{record_id}/affairs-end"): frozenset({409}),
    ("POST", "/api/v1/mynumber/records/{record_id}/documents"): frozenset({409}),
    ("POST", "/api/v1/mynumber/dispose"): frozenset({404, 409}),
    ("POST", "/api/v1/mynumber/retention/items"): frozenset({404, 409}),
    ("POST", "/api/v1/mynumber/handlers"): frozenset({409}),
    ("DELETE", "/api/v1/mynumber/handlers/{handler_id}"): frozenset({409}),
    ("POST", "/api/v1/incidents/{incident_id}/steps"): frozenset({409}),
    ("POST", "/api/v1/incidents/{incident_id}/notices/send"): frozenset({409}),
    ("POST", "/api/v1/recipients"): frozenset({409}),
    ("PATCH", "/api/v1/recipients/{recipient_id}"): frozenset({409}),
    ("POST", "/api/v1/recipients/{recipient_id}/end"): frozenset({409}),
    ("POST", "/api/v1/recipients/{recipient_id}/checks"): frozenset({409}),
    ("POST", "/api/v1/audits/{audit_id}/collect"): frozenset({409}),
    ("PUT", "/api/v1/audits/{audit_id}/items/{control_id}"): frozenset({409}),
    ("POST", "/api/v1/audits/{audit_id}/items/{control_id}/findings"): frozenset({409}),
    ("POST", "/api/v1/audits/findings/{finding_id}/actions"): frozenset({409}),
    ("POST", "/api/v1/audits/actions/{action_id}/progress"): frozenset({409}),
    ("POST", "/api/v1/audits/{audit_id}/reported"): frozenset({409}),
    ("POST", "/api/v1/audits/{audit_id}/close"): frozenset({409}),
    ("POST", "/api/v1/risks"): frozenset({404}),
    ("POST", "/api/v1/reviews/{review_id}/refresh"): frozenset({409}),
    ("POST", "/api/v1/training/courses"): frozenset({409}),
    ("POST", "/api/v1/training/records"): frozenset({404}),
}

_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def error_statuses(method: str, path: str, operation: dict[str, Any], *, secured: bool) -> set[int]:
    """The error statuses `operation` (``method path``) can answer."""
    statuses = {500}
    if secured:
        statuses |= {401, 403}
    if "{" in path:
        statuses.add(404)
    if method in _WITH_BODY:
        statuses |= {413, 415}
    if operation.get("parameters") or "requestBody" in operation:
        statuses.add(422)
    statuses |= EXTRA_STATUSES.get((method, path), frozenset())
    return statuses


def _error_response(status: int) -> dict[str, Any]:
    return {
        "description": STATUS_TEXT[status],
        "content": {"application/json": {"schema": {"$ref": ERROR_SCHEMA_REF}}},
    }


def _add_error_schemas(schema: dict[str, Any]) -> None:
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    body = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in body.pop("$defs", {}).items():
        schemas[name] = definition
    schemas["ErrorBody"] = body
    for name in _FASTAPI_VALIDATION_SCHEMAS:
        schemas.pop(name, None)


def document_operations(app: FastAPI, schema: dict[str, Any]) -> None:
    """Write roles, security and error statuses into `schema`, the document of `app`."""
    _add_error_schemas(schema)
    paths: dict[str, dict[str, Any]] = schema.get("paths", {})
    for path, route in api_routes(app):
        if not route.include_in_schema or path not in paths:
            continue
        declared = route_allow(route)
        for method in sorted(route.methods or ()):
            operation = paths[path].get(method.lower())
            if operation is None:
                continue
            if declared is not None:
                roles = sorted(declared.roles)
                operation["x-kojin-roles"] = roles
                operation["security"] = [{SECURITY_SCHEME_NAME: []}]
                note = f"Roles: {', '.join(roles)}."
                description = operation.get("description")
                operation["description"] = f"{description}\n\n{note}" if description else note
            responses: dict[str, Any] = operation.setdefault("responses", {})
            for status in sorted(error_statuses(method, path, operation, secured=bool(declared))):
                responses[str(status)] = _error_response(status)
