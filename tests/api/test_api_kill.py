"""A decision a client received is in the chain, even if the server is killed right after.

``kojin serve`` runs as a subprocess on a free loopback port; concurrent clients ask for
decisions; the server's process group gets SIGKILL while requests are in flight. Every
decision id a client received a 200 for must then be stored and in a verified chain.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from kojin.audit import export_chain, verify_chain
from kojin.auth.roles import Role
from kojin.auth.service import create_token
from kojin.db.uow import Database
from kojin.registry.decisions import get_decision
from kojin.settings import Settings

CLIENTS = 8
KILL_AFTER_ANSWERS = 150
BODY = {"action": "use", "category": "customer", "purpose": "provide_services"}
EMAIL = "taro.yamada@example.com"
SERVE = "import sys; from kojin.cli import main; sys.argv[0] = 'kojin'; main()"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, f"kojin serve exited: {log.read_text()[-2000:]}"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError("kojin serve did not become healthy")


async def _load(port: int, token: str, process: subprocess.Popen[bytes]) -> tuple[list[str], int]:
    """Send decisions from CLIENTS connections; SIGKILL the server mid-load."""
    received: list[str] = []
    broken = 0
    enough = asyncio.Event()

    async def client() -> None:
        nonlocal broken
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            while True:
                try:
                    response = await http.post("/api/v1/decisions", json=BODY, headers=headers)
                except httpx.TransportError:
                    broken += 1
                    return
                if response.status_code == 200:
                    received.append(response.json()["id"])
                    if len(received) >= KILL_AFTER_ANSWERS:
                        enough.set()

    async def killer() -> None:
        await asyncio.wait_for(enough.wait(), timeout=60)
        os.killpg(process.pid, signal.SIGKILL)

    await asyncio.gather(killer(), *(client() for _ in range(CLIENTS)))
    return received, broken


def test_decisions_survive_sigkill_under_load(
    settings: Settings, db_url: str, database: Database, tmp_path: Path
) -> None:
    with database.uow() as session:
        _, token = create_token(session=session, role=Role.SYSTEM, name="kill test")
    port = _free_port()
    log = tmp_path / "serve.log"
    env = {
        **os.environ,
        "KOJIN_HOME": str(settings.home),
        "KOJIN_DATABASE_URL": db_url,
        "KOJIN_LOG_LEVEL": "info",
    }
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-c", SERVE, "serve", "--port", str(port), "--workers", "1"],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_healthy(port, process, log)
            probe = httpx.get(f"http://127.0.0.1:{port}/healthz", params={"email": EMAIL})
            assert probe.status_code == 200
            received, broken = asyncio.run(_load(port, token, process))
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert len(received) >= KILL_AFTER_ANSWERS
    assert broken == CLIENTS, "every client should have been cut off by the kill"

    out = io.BytesIO()
    with database.read() as session:
        result = verify_chain(session=session)
        export_chain(session=session, out=out)
        stored = {get_decision(session=session, decision_id=i).id for i in received}
    assert result.ok, result.reason
    chained = {
        entry["object_id"]
        for entry in map(json.loads, out.getvalue().splitlines())
        if entry["action"] == "decision.recorded"
    }
    assert stored == set(received)
    assert set(received) <= chained

    # the server's own log: kojin's access lines with route templates, no raw requests
    text = log.read_text()
    assert '"path":"/api/v1/decisions"' in text
    assert EMAIL not in text
    assert "HTTP/1.1" not in text
    assert "Traceback" not in text
