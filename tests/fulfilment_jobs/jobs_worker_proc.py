"""``kojin worker`` with the test's erasure handlers, for the tests that kill a worker process.

Run as ``python -m jobs_worker_proc worker [options]`` with ``KOJIN_HOME`` and
``KOJIN_DATABASE_URL`` naming the registry and ``JOBS_TEST_STORES`` (the company stores),
``JOBS_TEST_GATE`` and ``JOBS_TEST_GATE_STORE`` (where the erase handler waits) set. The real
command line runs: its signal handling, the registry opening, the queue of the registry.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from jobs_support import ErasureHandlers

from kojin.cli import worker as worker_cli
from kojin.fulfilment.runner import TaskHandler
from kojin.settings import Settings


def build_handlers(settings: Settings) -> Mapping[str, TaskHandler]:
    gate = os.environ.get("JOBS_TEST_GATE")
    return ErasureHandlers(
        Path(os.environ["JOBS_TEST_STORES"]),
        gate=Path(gate) if gate else None,
        gate_store=os.environ.get("JOBS_TEST_GATE_STORE"),
    ).handlers()


def main() -> None:
    from kojin.cli import app
    from kojin.cli import main as kojin_main

    worker_cli.HANDLERS_FACTORY = "jobs_worker_proc:build_handlers"
    if not any(command.name == "worker" for command in app.registered_commands):
        worker_cli.register(app)  # until the command group is registered in kojin.cli
    kojin_main()


if __name__ == "__main__":
    main()
