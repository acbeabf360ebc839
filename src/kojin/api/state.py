"""What one application instance holds for its lifetime: settings, the database, the policy."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection

from kojin.crypto import FieldCipher, load_keyring
from kojin.db.uow import Database
from kojin.errors import ConfigurationError
from kojin.law.policy_facts import PolicyFacts
from kojin.mynumber.vault import Vault
from kojin.policy.model import Policy
from kojin.settings import Settings

if TYPE_CHECKING:
    from kojin.api.job_dispatch import JobDispatch
    from kojin.api.security import TokenCache
    from kojin.registry.decisions.recorder import DecisionRecorder


@dataclass(slots=True)
class AppState:
    """One per process: the engine (and its pool) is created once, never per request."""

    settings: Settings
    database: Database
    policy: Policy
    facts: PolicyFacts
    token_cache: TokenCache = field(repr=False)
    decisions: DecisionRecorder = field(repr=False)
    _cipher: FieldCipher | None = field(default=None, repr=False)
    #: where fulfilment jobs go once committed (set while the application runs)
    jobs: JobDispatch | None = field(default=None, repr=False)
    _vault: Vault | None = field(default=None, repr=False)
    _vault_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def enqueue_job(self, job_id: str) -> None:
        """Hand a committed fulfilment job to the workers (a no-op outside the lifespan)."""
        if self.jobs is not None:
            self.jobs.enqueue(job_id)

    def cipher(self) -> FieldCipher:
        """The field cipher, built from the keyring on first use (raises ConfigurationError)."""
        if self._cipher is None:
            self._cipher = FieldCipher(load_keyring(self.settings))
        return self._cipher

    def vault(self) -> Vault:
        """The My Number vault, opened on first use (its database migrated, its keys folder
        opened); raises ConfigurationError when its keys cannot be used."""
        with self._vault_lock:
            if self._vault is None:
                self._vault = Vault.open(
                    settings=self.settings, registry=self.database, policy=self.facts
                )
            return self._vault

    def close_vault(self) -> None:
        """Close the vault's own database connections, if it was opened."""
        with self._vault_lock:
            if self._vault is not None:
                self._vault.close()
                self._vault = None

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A write transaction, committed before the block exits (so before any response)."""
        with self.database.uow() as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction."""
        with self.database.read() as session:
            yield session


STATE_ATTRIBUTE = "kojin"


def app_state(connection: HTTPConnection) -> AppState:
    return state_of(connection.app)


def state_of(app: Any) -> AppState:
    """The state :func:`kojin.api.create_app` attached to `app`."""
    state = getattr(app.state, STATE_ATTRIBUTE, None)
    if not isinstance(state, AppState):  # pragma: no cover - create_app always sets it
        raise ConfigurationError("the API application was not built by kojin.api.create_app")
    return state
