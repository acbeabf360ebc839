"""Reading role declarations back from an application's routes (startup check and tests)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from kojin.api.security import Allow
from kojin.auth.roles import Role
from kojin.errors import ConfigurationError

#: routes that answer without a token: liveness and the OpenAPI document
PUBLIC_PATHS = frozenset({"/healthz", "/openapi.json"})


@dataclass(frozen=True, slots=True)
class RouteDeclaration:
    method: str
    path: str
    roles: frozenset[Role]
    action: str


def _allows(dependant: Dependant) -> Iterator[Allow]:
    if isinstance(dependant.call, Allow):
        yield dependant.call
    for sub in dependant.dependencies:
        yield from _allows(sub)


def route_allow(route: APIRoute) -> Allow | None:
    """The route's one role declaration; None when it has none."""
    found = list(_allows(route.dependant))
    if len(found) > 1:
        raise ConfigurationError(f"route {route.path} declares its roles more than once")
    return found[0] if found else None


def api_routes(app: FastAPI) -> Iterator[tuple[str, APIRoute]]:
    """``(full path template, route)`` for every API route, included routers flattened."""
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute):
            yield context.path or route.path, route


def declarations(app: FastAPI) -> list[RouteDeclaration]:
    """One row per (method, path template) of every API route; raises on an undeclared route."""
    rows: list[RouteDeclaration] = []
    for path, route in api_routes(app):
        if path in PUBLIC_PATHS:
            continue
        declared = route_allow(route)
        if declared is None:
            raise ConfigurationError(f"route {path} does not declare the roles it allows")
        for method in sorted(route.methods or ()):
            rows.append(RouteDeclaration(method, path, declared.roles, declared.name))
    return rows
