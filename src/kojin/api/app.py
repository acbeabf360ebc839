"""The application factory: ``create_app(settings)`` builds one FastAPI app per process."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from anyio import to_thread
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from starlette.routing import Mount
from starlette.types import Receive, Scope, Send

import kojin
from kojin.api.access_log import AccessLogMiddleware
from kojin.api.body_limits import BodyLimitMiddleware
from kojin.api.declarations import api_routes, declarations
from kojin.api.docs_page import docs_routes
from kojin.api.errors import install_error_handlers
from kojin.api.fast_path import DecisionFastPath
from kojin.api.job_dispatch import start_dispatch
from kojin.api.openapi import document_operations
from kojin.api.routers import ROUTERS
from kojin.api.routers.decisions import DecideRoute
from kojin.api.routers.drp import DRP_PREFIX, create_drp_app
from kojin.api.security import SECURITY_SCHEME, SECURITY_SCHEME_NAME, TokenCache
from kojin.api.state import STATE_ATTRIBUTE, AppState, state_of
from kojin.audit.periodic import PeriodicCheckpoints
from kojin.db.uow import Database
from kojin.drp.callbacks import PeriodicCallbacks
from kojin.errors import ConfigurationError
from kojin.fulfilment.service import purge_job_data
from kojin.incidents.service import reminder_step
from kojin.management.task_reminders import task_reminder_step
from kojin.mynumber.documents import housekeeping_step
from kojin.policy import load_policy, to_facts
from kojin.registry.decisions.recorder import DecisionRecorder
from kojin.requests.periodic import PeriodicHousekeeping
from kojin.settings import Settings, get_settings


class KojinAPI(FastAPI):
    """FastAPI that answers ``POST /api/v1/decisions`` through
    :class:`kojin.api.fast_path.DecisionFastPath`, ahead of its middleware stack."""

    _fast_path: DecisionFastPath | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        fast = self._fast_path
        if fast is None:
            fast = self._fast_path = _decision_fast_path(self)
        if not self.root_path and fast.matches(scope):
            scope["app"] = self  # as Starlette sets it: the route finds the app state through it
            await fast(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)


def _decision_fast_path(app: FastAPI) -> DecisionFastPath:
    settings = state_of(app).settings
    for _path, route in api_routes(app):
        if isinstance(route, DecideRoute):
            return DecisionFastPath(
                route,
                max_body_bytes=settings.max_body_bytes,
                max_import_bytes=settings.max_import_bytes,
            )
    raise ConfigurationError("the API has no decision route")  # pragma: no cover


def create_app(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    freeze_heap: bool = False,
) -> FastAPI:
    """Build the API for `settings`; pass `database` to share an already open registry.

    `freeze_heap` (for a server process, which builds one app for its lifetime) moves everything
    allocated up to startup out of the garbage collector's generations, so that a full
    collection under load scans only per-request objects instead of pausing every request in
    flight for the whole heap.
    """
    settings = settings or get_settings()
    owns_database = database is None
    db = database or Database.from_settings(settings)
    policy = load_policy(settings.policy_file)
    facts = to_facts(policy)
    state = AppState(
        settings=settings,
        database=db,
        policy=policy,
        facts=facts,
        token_cache=TokenCache(),
        decisions=DecisionRecorder.for_database(db, policy=facts, home=settings.home),
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        size_thread_pool(db)
        checkpoints = PeriodicCheckpoints.from_settings(settings, db)
        checkpoints.start()  # signs the chain head every settings.checkpoint_interval seconds
        housekeeping = PeriodicHousekeeping.from_settings(
            settings,
            db,
            policy,
            more=(
                purge_job_data,
                housekeeping_step(state.vault),
                reminder_step(settings, state.cipher),
                task_reminder_step(settings, state.cipher),
            ),
        )
        housekeeping.start()  # purges what is past its holding period
        callbacks = PeriodicCallbacks.from_settings(settings, db, state.cipher)
        callbacks.start()  # the Data Rights Protocol's status callbacks
        state.jobs = await to_thread.run_sync(start_dispatch, settings, db)
        if freeze_heap:
            gc.collect()
            gc.freeze()
        yield
        state.decisions.close()
        if state.jobs is not None:
            await to_thread.run_sync(state.jobs.close)
            state.jobs = None
        await to_thread.run_sync(callbacks.stop)
        await to_thread.run_sync(housekeeping.stop)
        await to_thread.run_sync(checkpoints.stop)  # a last checkpoint when the head moved
        state.close_vault()
        if owns_database:
            db.dispose()

    app = KojinAPI(
        title="kojin",
        version=getattr(kojin, "__version__", "0"),
        summary="Personal-information protection management under APPI and the My Number Act.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    setattr(app.state, STATE_ATTRIBUTE, state)
    install_error_handlers(app)
    app.add_middleware(
        BodyLimitMiddleware,
        max_body_bytes=settings.max_body_bytes,
        max_import_bytes=settings.max_import_bytes,
    )
    app.add_middleware(AccessLogMiddleware)  # added last, so outermost: it logs every answer
    for router in ROUTERS:
        app.include_router(router)
    # the Data Rights Protocol: its own application (agent tokens, signed text bodies, errors)
    app.router.routes.append(Mount(DRP_PREFIX, app=create_drp_app(state)))
    app.router.routes.extend(docs_routes(app.title))
    declarations(app)  # refuses to build an app with an undeclared route
    app.openapi = partial(_openapi_with_security, app)  # type: ignore[method-assign]
    return app


def _openapi_with_security(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            routes=app.routes,
        )
        components = schema.setdefault("components", {})
        components.setdefault("securitySchemes", {})[SECURITY_SCHEME_NAME] = SECURITY_SCHEME
        document_operations(app, schema)
        app.openapi_schema = schema
    return app.openapi_schema


def size_thread_pool(db: Database) -> None:
    """Never run more database-bound threads than the connection pool can serve at once, so a
    burst waits for a thread (cheap) instead of holding a thread while it waits for a connection."""
    to_thread.current_default_thread_limiter().total_tokens = max(db.max_connections, 1)


def create_app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory``: each worker process builds its own app and engine."""
    return create_app(get_settings(), freeze_heap=True)
