"""The trusted directory of authorized agents: who may register, and with which key.

The protocol roots trust in an Authorized Agent Service Directory kept by the network's
operators (section 3.05): each agent document carries its ``id``, ``name`` and ``verify_key``
(the base64 Ed25519 public key its messages are signed with). A business keeps a copy of it;
kojin reads that copy from a JSON file, a list of agent documents (or ``{"agents": [...]}``),
other keys of a document ignored::

    [{"id": "CR_AGENT", "name": "Example agent", "verify_key": "mB4f...="}]

:class:`DirectoryFile` reads the file again when it changes, so removing an agent from it stops
that agent at its next request, without a restart.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from kojin.errors import ConfigurationError

#: what kojin accepts as an agent id (the protocol's ``[A-Z_]+`` and the ids agents use in
#: practice: letters, digits, ``_ . : -``)
AGENT_ID: Final = re.compile(r"[A-Za-z0-9_.:-]{1,100}")
#: an Ed25519 public key is 32 bytes
KEY_BYTES: Final = 32


def decode_verify_key(value: object) -> bytes | None:
    """The 32 key bytes of a base64 verify key, or None when it is not one."""
    if not isinstance(value, str):
        return None
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == KEY_BYTES else None


@dataclass(frozen=True, slots=True)
class TrustedAgent:
    """One agent of the directory."""

    agent_id: str
    name: str
    #: base64 of the 32-byte Ed25519 verify key
    verify_key: str

    @property
    def key_bytes(self) -> bytes:
        raw = decode_verify_key(self.verify_key)
        assert raw is not None  # checked when the directory was read
        return raw


class AgentDirectory:
    """The agents a business trusts, by id."""

    __slots__ = ("_agents",)

    def __init__(self, agents: Iterable[TrustedAgent] = ()) -> None:
        self._agents = {agent.agent_id: agent for agent in agents}

    def get(self, agent_id: str) -> TrustedAgent | None:
        return self._agents.get(agent_id)

    def __len__(self) -> int:
        return len(self._agents)

    @classmethod
    def from_documents(cls, documents: object, *, source: str = "directory") -> AgentDirectory:
        """The directory from parsed JSON (a list of agent documents, or an object holding it
        under ``agents``); ConfigurationError naming `source` and the entry that is wrong."""
        if isinstance(documents, Mapping):
            documents = documents.get("agents")
        if not isinstance(documents, list):
            raise ConfigurationError(f"{source}: expected a list of agent documents")
        agents: list[TrustedAgent] = []
        seen: set[str] = set()
        for index, document in enumerate(documents):
            agent = _agent(document, f"{source}: entry {index}")
            if agent.agent_id in seen:
                raise ConfigurationError(f"{source}: entry {index}: the id is listed twice")
            seen.add(agent.agent_id)
            agents.append(agent)
        return cls(agents)


def _agent(document: Any, where: str) -> TrustedAgent:
    if not isinstance(document, Mapping):
        raise ConfigurationError(f"{where}: expected an object")
    agent_id = document.get("id")
    if not isinstance(agent_id, str) or not AGENT_ID.fullmatch(agent_id):
        raise ConfigurationError(f"{where}: id must be letters, digits or _ . : - (1-100)")
    key = document.get("verify_key")
    if decode_verify_key(key) is None:
        raise ConfigurationError(f"{where}: verify_key must be a base64 Ed25519 key (32 bytes)")
    assert isinstance(key, str)
    name = document.get("name")
    shown = name.strip() if isinstance(name, str) and name.strip() else agent_id
    return TrustedAgent(agent_id=agent_id, name=shown[:100], verify_key=key.strip())


class DirectoryFile:
    """The directory in a JSON file, read again whenever the file's modification time or size
    changes; a missing `path` (None) is an empty directory."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._directory = AgentDirectory()

    def current(self) -> AgentDirectory:
        """The directory as the file holds it now (ConfigurationError when it cannot be read)."""
        if self.path is None:
            return self._directory
        try:
            stat = self.path.stat()
        except OSError:
            raise ConfigurationError(
                f"the agent directory {self.path.name} cannot be read"
            ) from None
        stamp = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            if stamp != self._stamp:
                try:
                    documents = json.loads(self.path.read_bytes())
                except (OSError, ValueError):
                    raise ConfigurationError(
                        f"the agent directory {self.path.name} is not readable JSON"
                    ) from None
                self._directory = AgentDirectory.from_documents(documents, source=self.path.name)
                self._stamp = stamp
            return self._directory
