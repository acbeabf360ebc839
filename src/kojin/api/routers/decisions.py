"""``/api/v1/decisions``: ask whether an action is allowed; every answer is recorded and chained.

The answer is sent only after the transaction that stored the decision and its audit entry has
committed: a decision a client received is in the chain even if the server dies right after.

Role rule (R-MN-9, designated handlers of specific personal information): ``mynumber_handler``
may ask only about categories the policy marks as specific personal information, and
``handler`` never about those. The same rule holds for the subject (and the dataset) a request
names, by its recorded category: a role without My Number authority
(:data:`kojin.api.roles.MYNUMBER_AUTHORITY`) asking about a subject of specific personal
information is answered 404 "subject not found", as for a subject that does not exist, so a
decision is no membership test; ``mynumber_handler`` asking about any other subject is refused
(403). Requests whose subject or dataset does not exist are answered before they join a shared
transaction (see :mod:`kojin.registry.decisions.precheck`).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from kojin.api import roles
from kojin.api.declarations import route_allow
from kojin.api.errors import body_errors
from kojin.api.json_body import UniqueKeysRoute, refuse_duplicate_keys
from kojin.api.security import actor_label, allow
from kojin.api.state import AppState, app_state
from kojin.auth.roles import Role
from kojin.auth.schemas import ApiTokenOut
from kojin.errors import ConfigurationError, PermissionDeniedError
from kojin.law.decision_schemas import DecisionRequest
from kojin.law.policy_facts import PolicyFacts
from kojin.registry.decisions import DecisionOut, RecordedDecision, get_decision
from kojin.registry.decisions.precheck import SubjectAccess
from kojin.registry.decisions.recorder import QueuedDecision
from kojin.registry.provisions import ProvisionDetails

router = APIRouter(prefix="/api/v1/decisions", tags=["decisions"], route_class=UniqueKeysRoute)

Decider = Annotated[ApiTokenOut, allow(roles.DECIDE, name="ask for decisions")]
Reader = Annotated[ApiTokenOut, allow(roles.DECISIONS_READ, name="read recorded decisions")]

MAX_BATCH = 1000
_REQUEST_FIELDS = tuple(DecisionRequest.model_fields)


class DecisionCall(DecisionRequest):
    """A decision request, plus (for provisions) the data items and record form to record."""

    provision: ProvisionDetails | None = None

    def decision_request(self) -> DecisionRequest:
        """The request alone (already validated), as it is stored and hashed."""
        return DecisionRequest.model_construct(
            **{name: getattr(self, name) for name in _REQUEST_FIELDS}
        )


class DecisionBatch(BaseModel):
    """Several requests decided and recorded in one transaction, in order."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    requests: list[DecisionCall] = Field(min_length=1, max_length=MAX_BATCH)


def check_category_role(role: Role, category: str, policy: PolicyFacts) -> None:
    """403 for ``handler`` on specific personal information and ``mynumber_handler`` elsewhere.

    Only a category the policy declares is named in the message (a request value is not).
    """
    declared = policy.categories.get(category)
    specific = declared is not None and declared.specific_personal
    named = f"category '{category}'" if declared is not None else "an undeclared category"
    if role is Role.HANDLER and specific:
        raise PermissionDeniedError(
            f"role 'handler' may not ask about specific personal information ({named}): "
            "a mynumber_handler token is needed (R-MN-9)"
        )
    if role is Role.MYNUMBER_HANDLER and not specific:
        raise PermissionDeniedError(
            f"role 'mynumber_handler' may ask only about specific personal information "
            f"({named} is not)"
        )


#: which recorded subjects each role may ask about, by their category (R-MN-9)
SUBJECT_ACCESS: dict[Role, SubjectAccess] = {
    role: SubjectAccess(
        specific=role in roles.MYNUMBER_AUTHORITY, other=role is not Role.MYNUMBER_HANDLER
    )
    for role in Role
}


def _queued(call: DecisionCall, actor: ApiTokenOut) -> QueuedDecision:
    return QueuedDecision(
        request=call.decision_request(),
        provision=call.provision,
        actor=actor_label(actor),
        access=SUBJECT_ACCESS[Role(actor.role)],
    )


async def decide(body: DecisionCall, request: Request, actor: Decider) -> RecordedDecision:
    """Decide one request; the answer carries its id, legal basis, citations and duties."""
    return await _decide(app_state(request), body, actor)


async def _decide(state: AppState, call: DecisionCall, actor: ApiTokenOut) -> RecordedDecision:
    check_category_role(Role(actor.role), call.category, state.facts)
    return await state.decisions.submit(_queued(call, actor))


class DecideRoute(APIRoute):
    """``POST /api/v1/decisions``, the hot path, handled without FastAPI's per-request
    dependency solving and response re-validation.

    The route keeps its declared signature (body model, response model, role declaration) for
    the OpenAPI document and the role matrix; the handler below applies exactly that
    declaration, parses the body with the same model and renders the same JSON.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        declared = route_allow(self)
        if declared is None:  # pragma: no cover - the route is declared below
            raise ConfigurationError(f"route {self.path} does not declare the roles it allows")

        async def handle(request: Request) -> Response:
            actor = await declared(request)
            raw = await request.body()
            try:
                call = DecisionCall.model_validate_json(raw)
            except ValidationError as exc:
                await refuse_duplicate_keys(raw)
                raise RequestValidationError(body_errors(exc)) from None
            await refuse_duplicate_keys(raw)
            result = await _decide(app_state(request), call, actor)
            return Response(content=result.model_dump_json(), media_type="application/json")

        return handle


router.add_api_route(
    "",
    decide,
    methods=["POST"],
    response_model=RecordedDecision,
    route_class_override=DecideRoute,
)


@router.post("/batch")
async def decide_many(
    body: DecisionBatch, request: Request, actor: Decider
) -> list[RecordedDecision]:
    """Decide up to 1,000 requests in one transaction; answers come back in request order."""
    state = app_state(request)
    for call in body.requests:
        check_category_role(Role(actor.role), call.category, state.facts)
    queued = [_queued(call, actor) for call in body.requests]
    return await run_in_threadpool(state.decisions.record_batch, queued)


@router.get("/{decision_id}")
def read(decision_id: str, request: Request, actor: Reader) -> DecisionOut:
    """A recorded decision with its request, the facts used and its place in the audit chain."""
    with app_state(request).read() as session:
        return get_decision(session=session, decision_id=decision_id)
