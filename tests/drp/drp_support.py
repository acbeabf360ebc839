"""Helpers for the protocol tests: an agent with a real Ed25519 key that signs messages as the
protocol says (libsodium combined mode, base64), and an HTTP server on 127.0.0.1 that receives
status callbacks."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import httpx
from nacl.signing import SigningKey

from kojin.drp.directory import AgentDirectory, TrustedAgent

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

BUSINESS_ID = "KOJIN_TEST_CB"
BASE = "/drp/v1"

#: the person the tests submit for; none of these values may reach a log or the audit chain
PERSON: dict[str, Any] = {
    "name": "Yamada Hanako",
    "email": "hanako.yamada@example.jp",
    "email_verified": True,
    "phone_number": "+819012345678",
    "phone_number_verified": True,
    "address": {
        "street_address": "1-2-3 Chiyoda",
        "locality": "Chiyoda-ku",
        "region": "Tokyo",
        "postal_code": "100-0001",
        "country": "JP",
    },
    "address_verified": False,
}
#: strings that must never appear outside the encrypted columns
PERSONAL_VALUES = ("Yamada", "Hanako", "hanako.yamada", "9012345678", "1-2-3 Chiyoda", "100-0001")


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


@dataclass
class Agent:
    """An authorized agent with its own key, as the trusted directory lists it."""

    agent_id: str
    key: SigningKey = field(default_factory=SigningKey.generate)
    token: str | None = None

    @property
    def trusted(self) -> TrustedAgent:
        verify = base64.b64encode(bytes(self.key.verify_key)).decode()
        return TrustedAgent(
            agent_id=self.agent_id, name=f"Agent {self.agent_id}", verify_key=verify
        )

    def sign(self, claims: dict[str, Any], *, key: SigningKey | None = None) -> bytes:
        """The body of a signed message: base64 of signature + JSON."""
        signed = (key or self.key).sign(json.dumps(claims).encode())
        return base64.b64encode(bytes(signed))

    def envelope(
        self,
        *,
        business_id: str = BUSINESS_ID,
        issued: datetime | None = None,
        lifetime: timedelta = timedelta(minutes=10),
    ) -> dict[str, Any]:
        issued = issued or datetime.now(UTC)
        return {
            "agent-id": self.agent_id,
            "business-id": business_id,
            "issued-at": iso(issued),
            "expires-at": iso(issued + lifetime),
            "drp.version": "1.0",
        }

    def request(self, exercise: str = "access", **extra: Any) -> dict[str, Any]:
        """A Data Rights Exercise message for :data:`PERSON`."""
        return {
            **self.envelope(),
            "exercise": exercise,
            "regime": "ccpa",
            "relationships": ["customer"],
            **PERSON,
            **extra,
        }

    @property
    def auth(self) -> dict[str, str]:
        assert self.token is not None, "register the agent first"
        return {"Authorization": f"Bearer {self.token}", "Content-Type": "text/plain"}

    def register(self, client: TestClient) -> str:
        response = client.post(
            f"{BASE}/agent/{self.agent_id}",
            content=self.sign(self.envelope()),
            headers={"Content-Type": "text/plain"},
        )
        assert response.status_code == 200, response.text
        self.token = str(response.json()["token"])
        return self.token

    def submit(self, client: TestClient, claims: dict[str, Any]) -> httpx.Response:
        response: httpx.Response = client.post(
            f"{BASE}/data-rights-request", content=self.sign(claims), headers=self.auth
        )
        return response


class Directory:
    """The trusted directory as the business's copy holds it; tests add and remove agents."""

    def __init__(self, agents: list[Agent]) -> None:
        self.agents = list(agents)

    def current(self) -> AgentDirectory:
        return AgentDirectory(agent.trusted for agent in self.agents)


@dataclass(frozen=True, slots=True)
class Received:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class CallbackServer:
    """A real HTTP server on 127.0.0.1 that keeps every POST and answers `status`."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.status = 200
        self._arrived = threading.Condition()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                with outer._arrived:
                    outer.received.append(Received(self.path, dict(self.headers), body))
                    outer._arrived.notify_all()
                self.send_response(outer.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str = "/drp/status", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    @contextmanager
    def running(self) -> Iterator[CallbackServer]:
        self._thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
