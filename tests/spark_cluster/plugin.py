"""Fixtures: a Spark standalone cluster (a master and two workers from the pyspark
distribution) on the loopback, and a session connected to it.

The cluster starts once per test session, when a test first asks for it, and stops at the end.
Without pyspark or Java the tests that need it are skipped with the reason, except in CI, where
they fail: CI installs both.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

WORKERS = 2
WORKER_MEMORY = "1536m"
#: what the tests' sessions ask of each worker: one core, most of its memory
SESSION_CONF = {
    "spark.executor.memory": "1g",
    "spark.executor.cores": "1",
    "spark.cores.max": str(WORKERS),
    "spark.sql.shuffle.partitions": "4",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _missing() -> str | None:
    if importlib.util.find_spec("pyspark") is None:
        return "the Spark tests need pyspark (pip install kojin[spark])"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "the Spark tests need a Java runtime (java on PATH or JAVA_HOME)"
    return None


def _alive_workers(ui_port: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{ui_port}/json/", timeout=2) as answer:
            state = json.load(answer)
    except OSError:
        return 0
    return int(state.get("aliveworkers", 0))


@pytest.fixture(scope="session")
def spark_master(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``spark://127.0.0.1:PORT`` of a running cluster with two one-core workers."""
    reason = _missing()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    import pyspark

    home = Path(pyspark.__file__).parent
    spark_class = str(home / "bin" / "spark-class")
    work = tmp_path_factory.mktemp("spark-work")
    env = {
        **os.environ,
        "SPARK_HOME": str(home),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "SPARK_WORKER_DIR": str(work),
        "SPARK_LOG_DIR": str(work),
    }
    if env.get("PYTHONPATH"):  # executors start in their own folder: make it absolute
        env["PYTHONPATH"] = os.pathsep.join(
            str(Path(part).resolve()) for part in env["PYTHONPATH"].split(os.pathsep) if part
        )
    port, ui_port = _free_port(), _free_port()
    logs = (work / "cluster.log").open("ab")
    started: list[subprocess.Popen[bytes]] = []

    def launch(*args: str) -> None:
        started.append(
            subprocess.Popen(
                [spark_class, *args],
                env=env,
                stdout=logs,
                stderr=subprocess.STDOUT,
                preexec_fn=lambda: os.umask(0o077),
            )
        )

    master = f"spark://127.0.0.1:{port}"
    try:
        launch(
            "org.apache.spark.deploy.master.Master",
            "--host", "127.0.0.1", "--port", str(port), "--webui-port", str(ui_port),
        )  # fmt: skip
        for _ in range(WORKERS):
            launch(
                "org.apache.spark.deploy.worker.Worker",
                "--host", "127.0.0.1", "--cores", "1", "--memory", WORKER_MEMORY,
                "--webui-port", str(_free_port()), "--work-dir", str(work), master,
            )  # fmt: skip
        deadline = time.monotonic() + 120
        while _alive_workers(ui_port) < WORKERS:
            if time.monotonic() > deadline or any(p.poll() is not None for p in started):
                pytest.fail(f"the Spark cluster did not start: see {work / 'cluster.log'}")
            time.sleep(0.5)
        yield master
    finally:
        for process in started:
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        logs.close()


@pytest.fixture(scope="session")
def spark(spark_master: str) -> Iterator[Any]:
    """A session on the cluster, shared by the tests (kojin's jobs on the same master use it)."""
    from kojin.spark.session import spark_session

    with spark_session(spark_master, app="kojin-tests", conf=SESSION_CONF) as session:
        yield session
