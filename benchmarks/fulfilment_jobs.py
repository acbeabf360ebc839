"""The fulfilment benchmark's job rows: a request fulfilled the way kojin runs it.

For each person: a data-subject request in review is put in a kojin registry (a SQLite file, as
the embedded default; migrated and keyed before timing), then, timed:

* **access**: ``start_fulfilment`` (the job, its encrypted working data, the audit entry,
  committed), the job run by a ``JobRunner`` with kojin's own handlers (claiming the lease,
  reading the data map file, opening the store, locating, the result encrypted and committed,
  every step chained), reading the result back and building the electronic ZIP package;
* **erasure**: ``start_fulfilment``, the run up to the preview (locate and plan), the approval
  (committed), and the run of one apply task per collection, each with its own store
  transaction and its own registry commit and chain entries.

Imported by ``benchmarks/fulfilment.py``; not a script of its own.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from kojin.crypto import FieldCipher
from kojin.crypto.keyring import Keyring, keyring_path
from kojin.datamap.dump import dump_datamap
from kojin.datamap.model import DataMap
from kojin.db.base import utcnow
from kojin.db.migrate import upgrade
from kojin.db.uow import Database
from kojin.fulfilment.handlers import build_handlers
from kojin.fulfilment.job_schemas import JobState
from kojin.fulfilment.runner import JobRunner
from kojin.fulfilment.service import access_result, approve_fulfilment, start_fulfilment
from kojin.requests import records
from kojin.requests.disclosure_package import build_package
from kojin.requests.disclosure_record import DisclosureRecord
from kojin.requests.kinds import DisclosureMethod
from kojin.requests.models import DataRequest
from kojin.requests.states import RequestState
from kojin.settings import Settings


@dataclass
class JobRun:
    seconds: float
    rows: int
    written: int = 0


class Registry:
    """A migrated SQLite registry with a key ring and the data map written as YAML."""

    def __init__(self, datamap: DataMap, store_url: str, system: str) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="kojin-bench-registry-"))
        map_file = self.folder / "datamap.yaml"
        map_file.write_text(dump_datamap(datamap), encoding="utf-8")
        url = f"sqlite:///{self.folder / 'kojin.sqlite3'}"
        self.settings = Settings(
            home=self.folder / "home",
            database_url=url,
            datamap_file=map_file,
            store_urls={system: SecretStr(store_url)},
        )
        keyring = Keyring.generate(path=keyring_path(self.settings))
        keyring.save()
        upgrade(url)
        self.database = Database.from_url(url)
        self.cipher = FieldCipher(keyring)
        self.runner = JobRunner(
            session_factory=self.database.uow,
            cipher=self.cipher,
            handlers=build_handlers(self.settings),
            reader=self.database.read,
        )

    def close(self) -> None:
        self.database.dispose()
        shutil.rmtree(self.folder, ignore_errors=True)

    def request(self, kind: str, email: str) -> str:
        """A request of `kind` in review (identity verified) from `email`."""
        request_id = uuid.uuid4().hex
        with self.database.uow() as session:
            row = DataRequest(
                id=request_id,
                reference_bidx=uuid.uuid4().hex,
                kind=kind,
                state=RequestState.IN_REVIEW.value,
                lang="ja",
                submission_key_hash=uuid.uuid4().hex,
                submitted_at=utcnow(),
                received_at=utcnow(),
                key_id=self.cipher.current_key_id,
            )
            session.add(row)
            session.flush()
            records.put(self.cipher, row, "email", email)
        return request_id

    def _start(self, request_id: str) -> str:
        with self.database.uow() as session:
            return start_fulfilment(
                session=session,
                cipher=self.cipher,
                settings=self.settings,
                request_id=request_id,
                actor="staff:bench",
            ).id

    def access(self, email: str, record: Callable[[list[object]], DisclosureRecord]) -> JobRun:
        request_id = self.request("disclosure", email)
        start = time.perf_counter()
        job_id = self._start(request_id)
        done = self.runner.run(job_id, worker_id="bench")
        if done.state is not JobState.DONE:
            raise SystemExit(f"access job ended {done.state.value}: {done.error}")
        with self.database.read() as session:
            result = access_result(session=session, cipher=self.cipher, request_id=request_id)
        assert result is not None
        build_package(record(list(result.stores)), method=DisclosureMethod.ELECTRONIC, lang="ja")
        return JobRun(time.perf_counter() - start, result.rows_found)

    def erasure(self, email: str) -> JobRun:
        request_id = self.request("erasure", email)
        start = time.perf_counter()
        job_id = self._start(request_id)
        waiting = self.runner.run(job_id, worker_id="bench")
        if waiting.state is JobState.AWAITING_APPROVAL:
            with self.database.uow() as session:
                approve_fulfilment(session=session, job_id=job_id, actor="staff:bench")
            done = self.runner.run(job_id, worker_id="bench")
        else:
            done = waiting
        if done.state is not JobState.DONE:
            raise SystemExit(f"erasure job ended {done.state.value}: {done.error}")
        return JobRun(time.perf_counter() - start, done.rows_planned, done.rows_written)
