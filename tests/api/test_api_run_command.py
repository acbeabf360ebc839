"""``kojin run``: initialises a registry under ./var on first use, prints the admin token once,
serves on the configured port until interrupted; a second run reuses the registry."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

RUN = "import sys; from kojin.cli import main; sys.argv[0] = 'kojin'; main()"
TOKEN = re.compile(r"admin API token \(shown only now, keep it\): (kojin_\S+)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _kojin(command: str, *, cwd: Path, env: dict[str, str], stdout: int) -> subprocess.Popen[bytes]:
    """`kojin <command>` in its own process group (so SIGINT reaches its workers too)."""
    return subprocess.Popen(
        [sys.executable, "-c", RUN, command],
        cwd=cwd,
        env=env,
        stdout=stdout,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _run_once(workdir: Path, port: int) -> tuple[str, int]:
    """Start `kojin run`, wait for /healthz, call the API, stop it with SIGINT; its stdout."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("KOJIN_") or key.startswith("KOJIN_TEST")
    }
    env["KOJIN_PORT"] = str(port)
    process = _kojin("run", cwd=workdir, env=env, stdout=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert process.poll() is None, "kojin run exited early"
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                if health.status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise AssertionError("kojin run did not answer /healthz")
    finally:
        os.killpg(process.pid, signal.SIGINT)
        out, _ = process.communicate(timeout=30)
    return out.decode(), process.returncode


@pytest.mark.slow
def test_kojin_run_initialises_once_and_serves(tmp_path: Path) -> None:
    port = _free_port()
    first, _ = _run_once(tmp_path, port)
    found = TOKEN.search(first)
    assert found, first
    assert (tmp_path / "var" / "kojin.sqlite3").is_file()
    assert "sample ledger: " in first

    second, _ = _run_once(tmp_path, port)
    assert TOKEN.search(second) is None
    assert "already initialised" in second

    # the token printed on the first run is the admin's, and the sample ledger is there
    env = {**os.environ, "KOJIN_HOME": str(tmp_path / "var"), "KOJIN_PORT": str(port)}
    env.pop("KOJIN_DATABASE_URL", None)
    process = _kojin("serve", cwd=tmp_path, env=env, stdout=subprocess.DEVNULL)
    try:
        headers = {"Authorization": f"Bearer {found.group(1)}"}
        deadline = time.monotonic() + 60
        while True:
            try:
                ledger = httpx.get(f"http://127.0.0.1:{port}/api/v1/ledger", headers=headers)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert ledger.status_code == 200
        assert len(ledger.json()) > 0
        tokens = httpx.get(f"http://127.0.0.1:{port}/api/v1/tokens", headers=headers)
        assert [t["role"] for t in tokens.json()] == ["admin"]
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=30)
