"""What a fulfilment job carries: its working data (encrypted while the job runs, emptied when it
ends) and its result (encrypted, kept for the request until its personal data is purged).
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from kojin.datamap.model import LocalText
from kojin.fulfilment.cessation import NotifyList
from kojin.fulfilment.identities import Identities
from kojin.fulfilment.locate import Located
from kojin.fulfilment.plans import FulfilmentPlan, ItemChange
from kojin.policy.model_base import Lang
from kojin.registry.provisions.schemas import ProvisionOut
from kojin.requests.disclosure_record import DisclosedStoreCollection

#: the stages of a fulfilment job: find the rows (and plan), then apply per collection
LOCATE_STAGE = "locate"
APPLY_STAGE = "apply"
#: the name of the locate task (it covers every store of the map)
ALL_STORES = "all stores"


class WorkPayload(BaseModel):
    """The job's working data: set when the job is created, completed by the locate task."""

    lang: Lang
    #: the day holds are counted against (Tokyo), fixed when the job was created
    today: date
    identities: Identities
    #: the items to correct (correction requests)
    changes: list[ItemChange] = Field(default_factory=list)
    #: the subject's records of provision (cessation: the recipients to notify)
    provisions: list[ProvisionOut] = Field(default_factory=list)
    located: Located | None = None
    #: what the apply tasks do (erasure, correction)
    plan: FulfilmentPlan | None = None


class HeldCollection(BaseModel):
    """Rows of one collection kept under a legal retention duty, as the person is told."""

    address: str
    count: int
    until: date
    reason: LocalText
    citation: str | None = None


class FulfilmentResult(BaseModel):
    """What the job produced for the request."""

    #: collections searched, rows found and queries issued (figures for staff)
    collections_searched: int = 0
    rows_found: int = 0
    queries: int = 0
    #: access: the person's rows, in their language
    stores: list[DisclosedStoreCollection] = Field(default_factory=list)
    #: erasure: what is kept and until when
    held: list[HeldCollection] = Field(default_factory=list)
    #: erasure and correction: rows to delete or change per collection (planned)
    planned: dict[str, int] = Field(default_factory=dict)
    #: cessation: the systems to stop and the recipients to notify
    notify: NotifyList | None = None


def held_of(plan: FulfilmentPlan) -> list[HeldCollection]:
    """The held rows of `plan`, one entry per collection and reason."""
    return [
        HeldCollection(
            address=collection.address,
            count=held.count,
            until=held.until,
            reason=held.reason,
            citation=held.citation,
        )
        for collection in plan.collections
        for held in collection.held
    ]
