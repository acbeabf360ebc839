"""The Data Rights Protocol 1.0 endpoints, as an application mounted at :data:`DRP_PREFIX`.

The protocol is not kojin's API: its callers are authorized agents with a pair-wise token (not
kojin API tokens), its bodies are base64 ``text/plain`` signed messages (not JSON) and its errors
have their own shape (``{"code": "403", "message": ..., "fatal": true}``). So it is its own
FastAPI application, sharing the API's state (settings, database, policy), mounted by
:func:`kojin.api.create_app` with :func:`create_drp_app`:

- ``POST /v1/agent/{agent_id}``: pair-wise key set-up; a refusal is an empty 403;
- ``GET /v1/agent/{agent_id}``: the token still works (``{}``);
- ``POST /v1/data-rights-request``: submit (the trailing-slash form of earlier versions too);
- ``GET /v1/data-rights-request/{request_id}``: status (403 for another agent's request);
- ``DELETE /v1/data-rights-request/{request_id}``: revoke.

The set-up and every call with an unknown token count against the client address's sign-in
allowance (``kojin.ratelimit``); past it, 429. Bodies are read up to ``max_body_bytes``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from kojin import errors
from kojin.api.access_log import ACTOR_STATE_KEY
from kojin.api.errors import GENERIC_500_MESSAGE
from kojin.api.state import STATE_ATTRIBUTE, AppState, app_state
from kojin.drp.agents import authenticate_agent, register_agent
from kojin.drp.directory import AgentDirectory, DirectoryFile, TrustedAgent
from kojin.drp.service import request_status, revoke_request, submit_request
from kojin.ratelimit import LimitRule, RateLimiter

#: where :func:`kojin.api.create_app` mounts the protocol (the business's ``api_base``)
DRP_PREFIX: Final = "/drp"
CONTEXT_ATTRIBUTE: Final = "kojin_drp"
#: the allowance set-ups and unknown tokens count against, per client address
LIMIT_RULE: Final = LimitRule.SIGN_IN_ADDRESS
_NO_STORE: Final = {"Cache-Control": "no-store"}

T = TypeVar("T")
logger = logging.getLogger("kojin.api.errors")

router = APIRouter(prefix="/v1")


@dataclass(slots=True)
class DrpContext:
    """What the protocol's application holds besides the API's state."""

    directory: Callable[[], AgentDirectory]
    limiter: RateLimiter


class TooManyRequests(errors.KojinError):
    code = "too_many_requests"


class BodyTooLarge(errors.InputError):
    code = "payload_too_large"


#: the status each error answers; the first match wins
_STATUS: Final[tuple[tuple[type[errors.KojinError], int], ...]] = (
    (TooManyRequests, 429),
    (BodyTooLarge, 413),
    (errors.InputError, 400),
    (errors.AuthenticationError, 401),
    (errors.PermissionDeniedError, 403),
    (errors.NotFoundError, 404),
    (errors.ConflictError, 409),
    (errors.KojinError, 500),
)
#: statuses after which sending the same message again cannot succeed (the protocol's `fatal`)
_FATAL: Final = frozenset({400, 403, 404, 409, 413})


def drp_error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """The protocol's error shape (section 3.06)."""
    body: dict[str, Any] = {"code": str(status), "message": message}
    if status in _FATAL:
        body["fatal"] = True
    return JSONResponse(body, status_code=status, headers=headers)


def _status_of(exc: errors.KojinError) -> int:
    return next(status for kind, status in _STATUS if isinstance(exc, kind))


async def _on_kojin_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, errors.KojinError)
    status = _status_of(exc)
    message = exc.message
    if status >= 500:  # e.g. an unreadable directory file: the operator must hear of it
        logger.error("drp: %s (%s)", exc.message, type(exc).__name__)
        message = GENERIC_500_MESSAGE
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if status == 429:
        headers = {"Retry-After": "900"}
    return drp_error(status, message, headers)


async def _on_validation_error(request: Request, exc: Exception) -> Response:
    return drp_error(400, "the request does not validate")


async def _on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    return drp_error(exc.status_code, "no such endpoint" if exc.status_code == 404 else "refused")


def _context(request: Request) -> DrpContext:
    context = getattr(request.app.state, CONTEXT_ATTRIBUTE)
    assert isinstance(context, DrpContext)
    return context


def _client(request: Request) -> str:
    client = request.scope.get("client")
    return f"drp:{client[0]}" if client and client[0] else "drp:unknown"


async def _body(request: Request) -> bytes:
    """The body, refused past ``max_body_bytes`` before more is read."""
    limit = app_state(request).settings.max_body_bytes
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(f"the request body is larger than {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(f"the request body is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _in_uow(state: AppState, work: Callable[..., T], **kwargs: Any) -> T:
    with state.unit_of_work() as session:
        return work(session=session, **kwargs)


def _authenticate(state: AppState, directory: AgentDirectory, token: str) -> TrustedAgent:
    with state.read() as session:
        return authenticate_agent(session=session, directory=directory, token=token).agent


async def current_agent(request: Request) -> TrustedAgent:
    """The agent of the bearer token; 401 when there is none or it is unknown (counted against
    the client's allowance: 429 past it)."""
    context = _context(request)
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    try:
        if scheme.lower() != "bearer" or not token:
            raise errors.AuthenticationError("send the agent's token: 'Authorization: Bearer …'")
        agent = await run_in_threadpool(
            _authenticate, app_state(request), context.directory(), token
        )
    except errors.AuthenticationError:
        if not context.limiter.allow(LIMIT_RULE, _client(request)):
            raise TooManyRequests("too many failed attempts; try again later") from None
        raise
    request.scope.setdefault("state", {})[ACTOR_STATE_KEY] = f"drp-agent:{agent.agent_id}"
    return agent


@router.post("/agent/{agent_id}")
async def set_up_agent(agent_id: str, request: Request) -> Response:
    """Pair-wise key set-up (section 2.05): a token for a message signed by the key the
    trusted directory lists for `agent_id`; any refusal is an empty 403."""
    context = _context(request)
    if not context.limiter.allow(LIMIT_RULE, _client(request)):
        raise TooManyRequests("too many set-up attempts; try again later")
    state = app_state(request)
    try:
        body = await _body(request)
        registration = await run_in_threadpool(
            _in_uow,
            state,
            register_agent,
            directory=context.directory(),
            business_id=state.settings.drp_business_id,
            agent_id=agent_id,
            body=body,
        )
    except errors.ConfigurationError:
        raise
    except errors.KojinError:
        return Response(status_code=403)
    request.scope.setdefault("state", {})[ACTOR_STATE_KEY] = f"drp-agent:{agent_id}"
    return JSONResponse(
        {"agent-id": registration.agent_id, "token": registration.token}, headers=_NO_STORE
    )


@router.get("/agent/{agent_id}")
async def agent_information(agent_id: str, request: Request) -> Response:
    """The token still opens `agent_id` (section 2.06): ``{}``; 403 for another agent."""
    agent = await current_agent(request)
    if agent.agent_id != agent_id:
        raise errors.PermissionDeniedError("the token was issued to another agent")
    return JSONResponse({})


@router.post("/data-rights-request")
@router.post("/data-rights-request/", include_in_schema=False)
async def drp_exercise(request: Request) -> Response:
    """Data Rights Exercise (section 2.01): the request's status object."""
    agent = await current_agent(request)
    state = app_state(request)
    body = await _body(request)
    status = await run_in_threadpool(
        _in_uow,
        state,
        submit_request,
        cipher=state.cipher(),
        settings=state.settings,
        policy=state.policy,
        agent=agent,
        body=body,
    )
    return JSONResponse(status.body(), headers=_NO_STORE)


@router.get("/data-rights-request/{request_id}")
async def drp_status(request_id: str, request: Request) -> Response:
    """Data Rights Status (section 2.02); 403 for a request another agent manages."""
    agent = await current_agent(request)
    state = app_state(request)

    def read() -> dict[str, Any]:
        with state.read() as session:
            return request_status(
                session=session, settings=state.settings, agent=agent, request_id=request_id
            ).body()

    return JSONResponse(await run_in_threadpool(read), headers=_NO_STORE)


@router.delete("/data-rights-request/{request_id}")
async def drp_revoke(request_id: str, request: Request) -> Response:
    """Data Rights Revoke (section 2.04): the status object with the new ``revoked`` state."""
    agent = await current_agent(request)
    state = app_state(request)
    body = await _body(request)
    status = await run_in_threadpool(
        _in_uow,
        state,
        revoke_request,
        cipher=state.cipher(),
        settings=state.settings,
        agent=agent,
        request_id=request_id,
        body=body,
    )
    return JSONResponse(status.body(), headers=_NO_STORE)


@dataclass(frozen=True, slots=True)
class _NamedRoute:
    """What the access log reads of a route: its full path template."""

    path: str


class _RouteNames:
    """Names the route for kojin's access log by its full template (``/drp/v1/...``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            path = getattr(scope.get("route"), "path", None)
            named = DRP_PREFIX + path if isinstance(path, str) else DRP_PREFIX
            scope["route"] = _NamedRoute(named)


def agents_file(state: AppState) -> DirectoryFile:
    """The trusted directory file the settings name (``KOJIN_DRP_AGENTS_FILE``); none: an
    empty directory, so no agent can register."""
    return DirectoryFile(state.settings.drp_agents_file)


def create_drp_app(
    state: AppState,
    *,
    directory: Callable[[], AgentDirectory] | None = None,
    limiter: RateLimiter | None = None,
) -> FastAPI:
    """The protocol's application over the API's `state`; mount it at :data:`DRP_PREFIX`.

    `directory` gives the trusted agents (default: the file of :func:`agents_file`, read again
    when it changes); `limiter` counts set-ups and unknown tokens (default: from the settings,
    in Redis when ``KOJIN_REDIS_URL`` is set)."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    setattr(app.state, STATE_ATTRIBUTE, state)
    setattr(
        app.state,
        CONTEXT_ATTRIBUTE,
        DrpContext(
            directory=directory or agents_file(state).current,
            limiter=limiter or RateLimiter.from_settings(state.settings),
        ),
    )
    app.add_exception_handler(errors.KojinError, _on_kojin_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_middleware(_RouteNames)
    app.include_router(router)
    return app
