"""``kojin worker``: run fulfilment jobs; and :func:`run_request_job`, which runs one request's
job in the foreground with a progress bar (for ``kojin request run ID``).

Thin: parse, call :mod:`kojin.fulfilment.worker` or :mod:`kojin.fulfilment.runner`, render.
What is printed names ids, stages, collections and counts, never a personal value.
"""

from __future__ import annotations

import importlib
import logging
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer

from kojin.cli.output import cli_actor, cli_errors, load_settings, stderr_console
from kojin.errors import ConfigurationError, InputError

if TYPE_CHECKING:
    from kojin.fulfilment.job_schemas import JobOut
    from kojin.fulfilment.runner import TaskHandler
    from kojin.settings import Settings

#: ``module:function`` building the fulfilment handlers by stage from the settings
HANDLERS_FACTORY = "kojin.fulfilment.handlers:build_handlers"
#: seconds between looks at a job another worker is running
FOLLOW_INTERVAL = 0.5


def load_handlers(settings: Settings) -> Mapping[str, TaskHandler]:
    """The fulfilment handlers by stage, built by :data:`HANDLERS_FACTORY`."""
    module_name, _, function = HANDLERS_FACTORY.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        raise ConfigurationError(f"no fulfilment handlers: {module_name} is missing") from None
    factory: Callable[[Settings], Mapping[str, TaskHandler]] = getattr(module, function)
    return factory(settings)


@contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGINT and SIGTERM set `stop` (the worker finishes its task in hand, then exits); a
    second signal acts as usual. Only in the main thread, where Python delivers signals."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stop.set()
        signal.signal(signum, previous[signal.Signals(signum)])
        stderr_console().print("kojin: stopping after the task in hand (again to abort)")

    for sig in previous:
        signal.signal(sig, on_signal)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextmanager
def logging_to_stderr(level: str) -> Iterator[None]:
    """kojin's log (ids and counts: a job failed, a stalled worker's job handed back) and
    procrastinate's warnings on stderr, one line each, for the duration of the command."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    levels = {"kojin": level.upper(), "procrastinate": "WARNING"}
    previous = {}
    for name, wanted in levels.items():
        logger = logging.getLogger(name)
        previous[name] = (logger.level, logger.propagate)
        logger.addHandler(handler)
        logger.setLevel(wanted)
        logger.propagate = False
    try:
        yield
    finally:
        for name, (old_level, old_propagate) in previous.items():
            logger = logging.getLogger(name)
            logger.removeHandler(handler)
            logger.setLevel(old_level)
            logger.propagate = old_propagate


def worker(
    concurrency: Annotated[
        int, typer.Option("--concurrency", help="Jobs run at once by this worker.")
    ] = 1,
    once: Annotated[
        bool, typer.Option("--once", help="Run the jobs waiting now, then exit.")
    ] = False,
    stalled_after: Annotated[
        float,
        typer.Option(
            "--stalled-after",
            help="Seconds of silence after which another worker's job is taken over "
            "(PostgreSQL registry).",
        ),
    ] = 30.0,
) -> None:
    """Run data-subject request fulfilment jobs until stopped (Ctrl+C or SIGTERM): on the
    embedded registry from its job table, on PostgreSQL from the queue every worker shares."""
    from kojin.fulfilment.worker import WorkerOptions, run_worker

    stop = threading.Event()
    with cli_errors():
        if concurrency < 1:
            raise InputError("--concurrency must be at least 1", field="concurrency")
        if stalled_after <= 0:
            raise InputError("--stalled-after must be more than 0", field="stalled_after")
        settings = load_settings()
        handlers = load_handlers(settings)
        if not once:
            stderr_console().print(f"kojin: fulfilment worker started ({concurrency} at once)")
        with stop_on_signals(stop), logging_to_stderr(settings.log_level):
            runs = run_worker(
                settings,
                handlers,
                stop=stop,
                once=once,
                options=WorkerOptions(concurrency=concurrency, stalled_after=stalled_after),
            )
    stderr_console().print(f"kojin: fulfilment worker ended after {runs} job run(s)")


def job_summary(job: JobOut) -> str:
    """One line about a job: id, kind, state, stage, tasks done of total, rows written."""
    line = (
        f"job {job.id} ({job.kind.value}): {job.state.value}, stage {job.stage}, "
        f"tasks {job.tasks_done}/{job.tasks_total}, rows written {job.rows_written}"
    )
    return f"{line}; {job.error}" if job.error else line


def run_request_job(
    *,
    settings: Settings,
    request_id: str,
    handlers: Mapping[str, TaskHandler],
    worker_id: str | None = None,
) -> JobOut:
    """Run the request's latest job in this process, drawing its progress on stderr (tasks
    done of total, rows written) when stderr is a terminal; a job another worker is running
    is followed until it ends or its worker stops (then this process takes it over).
    Returns the job as it stands after the run: done, failed, cancelled, or waiting for
    approval. NotFoundError when the request has no job."""
    from kojin.crypto import FieldCipher, load_keyring
    from kojin.errors import NotFoundError
    from kojin.fulfilment.job_lease import JobLeaseHeldError
    from kojin.fulfilment.jobs import get_job, job_for_request
    from kojin.fulfilment.queue import worker_name
    from kojin.fulfilment.runner import run_job
    from kojin.registry.opening import open_database

    database = open_database(settings)
    try:
        with database.read() as session:
            found = job_for_request(session=session, request_id=request_id)
        if found is None:
            raise NotFoundError("the request has no fulfilment job")
        cipher = FieldCipher(load_keyring(settings))
        name = worker_id or f"{cli_actor()}@{worker_name()}"
        with _progress_bar(found) as show:
            while True:
                try:
                    job = run_job(
                        session_factory=database.uow,
                        cipher=cipher,
                        handlers=handlers,
                        job_id=found.id,
                        worker_id=name,
                        progress=show,
                    )
                except JobLeaseHeldError as held:
                    time.sleep(min(max(held.retry_in, 0.05), FOLLOW_INTERVAL))
                    with database.read() as session:
                        show(get_job(session=session, job_id=found.id))
                    continue
                return job
    finally:
        database.dispose()


@contextmanager
def _progress_bar(job: JobOut) -> Iterator[Callable[[JobOut], None]]:
    """A progress callback drawing on stderr when it is a terminal (else drawing nothing)."""
    from kojin.cli.output import stderr_is_terminal

    if not stderr_is_terminal():
        yield lambda _job: None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("tasks {task.completed}/{task.total}"),
        TextColumn("rows written {task.fields[rows]}"),
        TimeElapsedColumn(),
        console=stderr_console(),
    ) as bar:
        task = bar.add_task(
            f"{job.kind.value} {job.stage}", total=max(job.tasks_total, 1), rows=job.rows_written
        )

        def show(now: JobOut) -> None:
            bar.update(
                task,
                description=f"{now.kind.value} {now.stage} ({now.state.value})",
                total=max(now.tasks_total, 1),
                completed=now.tasks_done,
                rows=now.rows_written,
            )

        yield show


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
