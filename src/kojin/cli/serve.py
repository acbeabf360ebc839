"""``kojin serve`` (the REST API and the web pages) and ``kojin run`` (initialise if needed,
then serve)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kojin.cli.output import cli_actor, cli_errors, fail, load_settings, stderr_console

if TYPE_CHECKING:
    from kojin.settings import Settings

#: the ASGI factory each worker process imports (engine and pool are built per process): the API
#: with the web pages (/portal, /admin) mounted on it
APP_FACTORY = "kojin.web.site:create_site_from_env"


def logging_config(level: str) -> dict[str, Any]:
    """Plain one-line messages on stderr; kojin's access log replaces uvicorn's (which would
    print raw paths with their query values)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "plain",
                "stream": "ext://sys.stderr",
            },
        },
        "loggers": {
            "kojin": {"handlers": ["stderr"], "level": level.upper(), "propagate": False},
            "uvicorn": {"handlers": ["stderr"], "level": level.upper(), "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
        },
    }


def prepare_registry(settings: Settings) -> None:
    """Before any worker starts: make the data and keys folders owner-only (moving keys an
    earlier release kept in the data folder), bring the schema up to date, check the policy,
    and chain the policy in force when it differs from the one recorded last (every policy
    change is audited).
    """
    from kojin.db.migrate import upgrade
    from kojin.db.uow import Database
    from kojin.policy import load_policy
    from kojin.policy.load import DEFAULT_POLICY_LABEL
    from kojin.registry.bootstrap import policy_digest, record_policy_if_changed
    from kojin.registry.opening import prepare_folders

    with cli_errors():
        prepare_folders(settings)  # keys of an earlier release move once, before any worker
        upgrade(settings.resolved_database_url())
        policy = load_policy(settings.policy_file)
        database = Database.from_settings(settings)
        try:
            with database.uow() as session:
                changed = record_policy_if_changed(
                    session=session,
                    policy_sha256=policy_digest(policy),
                    source=str(settings.policy_file or DEFAULT_POLICY_LABEL),
                    actor=cli_actor(),
                )
        finally:
            database.dispose()
    if changed:
        stderr_console().print("kojin: the policy in force was recorded in the audit chain")


def serve_api(settings: Settings, *, host: str, port: int, workers: int) -> None:
    """Run the API until interrupted; worker processes read the same KOJIN_* environment."""
    import uvicorn

    if workers < 1:
        fail("--workers must be at least 1", code=2)
    if not 0 < port < 65536:
        fail("--port must be between 1 and 65535", code=2)
    # Workers rebuild the settings from the environment: pass on what this process resolved.
    os.environ["KOJIN_HOME"] = str(settings.home)
    os.environ["KOJIN_KEYS_DIR"] = str(settings.resolved_keys_dir())
    os.environ["KOJIN_SQLITE_SYNCHRONOUS"] = settings.sqlite_synchronous
    if settings.database_url:
        os.environ["KOJIN_DATABASE_URL"] = settings.database_url
    if settings.policy_file:
        os.environ["KOJIN_POLICY_FILE"] = str(settings.policy_file)
    config = logging_config(settings.log_level)
    import logging.config

    logging.config.dictConfig(config)
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        loop="uvloop",
        http="httptools",
        log_config=config,
        log_level=settings.log_level.lower(),
        access_log=False,
        proxy_headers=False,
        server_header=False,
        timeout_graceful_shutdown=10,
    )


HostOption = Annotated[
    str | None,
    typer.Option("--host", help="Address to listen on (default: KOJIN_HOST, else 127.0.0.1)."),
]
PortOption = Annotated[
    int | None, typer.Option("--port", help="TCP port (default: KOJIN_PORT, else 8000).")
]
WorkersOption = Annotated[
    int | None,
    typer.Option("--workers", help="Worker processes (default: KOJIN_WORKERS, else 1)."),
]


def serve(host: HostOption = None, port: PortOption = None, workers: WorkersOption = None) -> None:
    """Apply the registry migrations, then serve the REST API and the web pages until
    interrupted."""
    settings = load_settings()
    prepare_registry(settings)
    stderr_console().print(
        f"kojin: serving the API and the pages on http://{host or settings.host}:"
        f"{port or settings.port}",
        markup=False,
    )
    serve_api(
        settings,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers or settings.workers,
    )


def run() -> None:
    """Initialise the registry on first use (default policy, sample ledger), then serve.

    On the first run the admin token is printed once: keep it, kojin stores only its hash.
    """
    from kojin.cli.init import first_staff_user_note
    from kojin.errors import ConflictError
    from kojin.registry.bootstrap import initialise
    from kojin.registry.opening import is_initialised

    settings = load_settings()
    created = None
    if not is_initialised(settings=settings):
        try:
            created = initialise(settings=settings, sample=True, actor="kojin run")
        except ConflictError:
            created = None
    if created is not None:
        typer.echo(f"kojin: initialised the registry in {created.data_dir}")
        typer.echo(f"kojin: keys in {created.keys_dir} (back them up apart from the data)")
        typer.echo(f"kojin: sample ledger: {created.ledger_rows} rows")
        if created.staff_password is not None:
            typer.echo(first_staff_user_note(created.staff_password))
        typer.echo(f"kojin: admin API token (shown only now, keep it): {created.admin_token}")
    else:
        typer.echo(
            f"kojin: registry in {settings.home} already initialised "
            "(its admin token was shown on the first run)"
        )
    prepare_registry(settings)
    url = f"http://{settings.host}:{settings.port}"
    typer.echo(f"kojin: serving on {url} (health: {url}/healthz); stop with Ctrl+C")
    typer.echo(f"kojin: pages for people at {url}/portal/, for staff at {url}/admin/")
    serve_api(settings, host=settings.host, port=settings.port, workers=settings.workers)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("run")(run)
