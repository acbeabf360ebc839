"""The fulfilment handlers: what a job's tasks do in the company's stores.

``locate`` (one task for every store): find the person's rows from the identities the request
verified and, by the job's kind, produce the result (access: the rows to disclose; cessation:
the systems and recipients to notify) or a plan with one ``apply`` task per collection to write
(erasure, correction), which waits for staff to approve the preview.

``apply`` (one task per collection): carry out that collection's part of the plan. The plan was
fixed before approval (row keys and the exact new values, tokens included), and the connectors
only write rows that do not hold those values yet, so running a task again after a worker died
changes nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

from kojin.connectors.base import Connector
from kojin.connectors.open import open_connectors
from kojin.crypto import FieldCipher, load_keyring
from kojin.datamap.load import load_datamap
from kojin.datamap.model import DataMap
from kojin.errors import ConfigurationError
from kojin.fulfilment.access import access_collections
from kojin.fulfilment.apply import apply_collection
from kojin.fulfilment.cessation import notify_list
from kojin.fulfilment.job_schemas import JobKind, TaskSpec
from kojin.fulfilment.locate import locate
from kojin.fulfilment.plans import FulfilmentPlan, plan_correction, plan_erasure
from kojin.fulfilment.runner import JobContext, TaskContext, TaskHandler, TaskResult
from kojin.fulfilment.work import (
    APPLY_STAGE,
    LOCATE_STAGE,
    FulfilmentResult,
    WorkPayload,
    held_of,
)
from kojin.policy import load_policy
from kojin.policy.model import Policy
from kojin.settings import Settings

#: hex digits of the keyed HMAC kept in an erasure token: 64 bits, short enough for the narrow
#: identifier columns companies have (a VARCHAR(16) customer number), distinct enough that two
#: values of one store never meet (about 1 in 36 million for a million values)
TOKEN_HEX: Final = 16


def erasure_token(cipher: FieldCipher) -> Callable[[str, str], str]:
    """The keyed HMAC token of a value: the same value gives the same token in every field of
    every store, so a reference whose both ends are tokenised still joins; the key stays in
    kojin's key folder and nothing can be read back."""

    def token(field_address: str, value: str) -> str:
        del field_address  # one token per value, whichever field holds it
        digest = cipher.blind_index(field="erasure", value=value)
        return digest[:TOKEN_HEX]

    return token


@dataclass
class Stores:
    """What the handlers need from the outside world, built once per worker."""

    settings: Settings
    cipher: FieldCipher
    policy: Policy

    def datamap(self) -> DataMap:
        """The data map, read for each task (an edit of the map applies to the next job)."""
        if self.settings.datamap_file is None:
            raise ConfigurationError(
                "no data map is configured (KOJIN_DATAMAP_FILE): there are no stores to search"
            )
        return load_datamap(self.settings.datamap_file, policy=self.policy)

    def connectors(self, datamap: DataMap) -> dict[str, Connector]:
        return open_connectors(datamap, self.settings)


def _payload(job: JobContext) -> WorkPayload:
    if job.payload is None:
        raise ConfigurationError("the job has no working data (it was purged or never set)")
    return WorkPayload.model_validate_json(job.payload)


def _close(connectors: Mapping[str, Connector]) -> None:
    for connector in connectors.values():
        connector.close()


@dataclass
class LocateHandler:
    stores: Stores

    def __call__(self, *, job: JobContext, task: TaskContext) -> TaskResult:
        work = _payload(job)
        datamap = self.stores.datamap()
        connectors = self.stores.connectors(datamap)
        try:
            located = locate(datamap=datamap, connectors=connectors, identities=work.identities)
        finally:
            _close(connectors)
        result = FulfilmentResult(
            collections_searched=len(datamap.locations()),
            rows_found=located.rows,
            queries=located.queries,
        )
        plan: FulfilmentPlan | None = None
        if job.kind is JobKind.ACCESS:
            result.stores = access_collections(
                datamap=datamap, located=located, policy=self.stores.policy, lang=work.lang
            )
        elif job.kind in (JobKind.STOP_USE, JobKind.STOP_PROVISION):
            result.notify = notify_list(
                datamap=datamap, located=located, provisions=work.provisions, lang=work.lang
            )
        elif job.kind is JobKind.ERASURE:
            plan = plan_erasure(
                datamap=datamap,
                located=located,
                today=work.today,
                token=erasure_token(self.stores.cipher),
            )
        else:
            plan = plan_correction(datamap=datamap, located=located, changes=work.changes)
        if plan is None:
            return TaskResult(rows_planned=located.rows, result=_dump(result))
        result.held = held_of(plan)
        result.planned = {c.address: c.rows_planned for c in plan.collections if c.rows_planned}
        work.located, work.plan = located, plan
        tasks = [TaskSpec(stage=APPLY_STAGE, name=address) for address in result.planned]
        # the apply tasks carry the rows planned (the job's totals add the tasks up)
        return TaskResult(
            payload=work.model_dump_json().encode(),
            result=_dump(result),
            new_tasks=tasks,
            approval_stage=APPLY_STAGE if tasks else None,
        )


@dataclass
class ApplyHandler:
    stores: Stores

    def __call__(self, *, job: JobContext, task: TaskContext) -> TaskResult:
        work = _payload(job)
        if work.plan is None:
            raise ConfigurationError("the job has no plan to apply")
        found = next((c for c in work.plan.collections if c.address == task.name), None)
        if found is None:
            raise ConfigurationError(f"the plan has nothing for {task.name}")
        datamap = self.stores.datamap()
        system = next((s for s in datamap.systems if s.key == found.system), None)
        if system is None:
            raise ConfigurationError(f"system {found.system!r} is not in the data map")
        # only the store this task writes to
        connectors = self.stores.connectors(datamap.model_copy(update={"systems": (system,)}))
        try:
            written = apply_collection(
                datamap=datamap, connector=connectors[found.system], plan=found
            )
        finally:
            _close(connectors)
        return TaskResult(rows_planned=found.rows_planned, rows_written=written)


def _dump(result: FulfilmentResult) -> bytes:
    return result.model_dump_json().encode()


def handlers_for(stores: Stores) -> dict[str, TaskHandler]:
    """The handlers by stage."""
    return {LOCATE_STAGE: LocateHandler(stores), APPLY_STAGE: ApplyHandler(stores)}


def build_handlers(settings: Settings) -> Mapping[str, TaskHandler]:
    """The handlers for `settings`: cheap, and fine without a data map (a job then fails with
    a message saying the map is missing)."""
    stores = Stores(
        settings=settings,
        cipher=FieldCipher(load_keyring(settings)),
        policy=load_policy(settings.policy_file),
    )
    return handlers_for(stores)
