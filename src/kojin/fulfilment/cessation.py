"""Whom to tell when a person asks kojin to stop using or providing their data (Art. 35(1),
(3), (5); R-RT-6).

The subject's stop flags already make kojin's own decisions refuse further use and provision.
What the company must also do by hand is tell the departments running the systems that hold
the person's data to stop using it (cessation of use), and stop providing it to the third
parties it went to (cessation of provision). The notify list gives both: the systems with the
person's rows (from the located rows and the data map: name in the person's language,
department, collections, row count) and the recipients of the subject's provision records
(one entry per recipient and country, with the last provision, how many records and which
items).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import datetime
from typing import Final

from pydantic import BaseModel, Field

from kojin.datamap.model import DataMap
from kojin.errors import ConfigurationError
from kojin.fulfilment.locate import Located
from kojin.policy.model_base import Lang
from kojin.registry.provisions.schemas import ProvisionOut

#: what the list answers: cessation of use and of provision, and the 2022 grounds
CITATIONS: Final = ("APPI Art. 35(1)", "APPI Art. 35(3)", "APPI Art. 35(5)", "R-RT-6")


class NotifySystem(BaseModel):
    """A system holding the person's data: its department must stop using it."""

    system: str
    #: the system's name in the person's language, else its key
    name: str
    department: str | None
    #: ``dataset.collection`` of each collection with the person's rows, in map order
    collections: list[str]
    #: the person's rows in the system
    rows: int


class NotifyRecipient(BaseModel):
    """A third party the person's data was provided to: provision must stop."""

    #: as the latest record names it (None: the record names no recipient)
    name: str | None
    country: str
    last_provided_at: datetime
    #: provision records to this recipient
    count: int
    #: the data items provided, as the records list them (first seen first)
    items: list[str] = Field(default_factory=list)


class NotifyList(BaseModel):
    systems: list[NotifySystem]
    recipients: list[NotifyRecipient]
    citations: list[str] = Field(default_factory=lambda: list(CITATIONS))


def _recipient_key(record: ProvisionOut) -> tuple[str, str]:
    name = record.recipient_name or ""
    return (
        "".join(unicodedata.normalize("NFKC", name).casefold().split()),
        record.recipient_country.upper(),
    )


def notify_list(
    *, datamap: DataMap, located: Located, provisions: Sequence[ProvisionOut], lang: Lang
) -> NotifyList:
    """The systems and recipients to notify (module docstring). Recipients are the same when
    their names match ignoring case, width and spaces and the country is the same; the list
    puts the most recent provision first."""
    systems: dict[str, NotifySystem] = {}
    for found in located.collections:
        loc = datamap.find(found.dataset, found.collection)
        if loc is None:
            raise ConfigurationError(f"{found.address} was located but is not in the data map")
        system = loc.system
        if system.key not in systems:
            name = system.key
            if system.name is not None:
                name = system.name.en if lang == "en" else system.name.ja
            systems[system.key] = NotifySystem(
                system=system.key,
                name=name,
                department=system.department,
                collections=[],
                rows=0,
            )
        entry = systems[system.key]
        entry.collections.append(found.address)
        entry.rows += len(found.rows)
    recipients: dict[tuple[str, str], NotifyRecipient] = {}
    for record in sorted(provisions, key=lambda r: (r.provided_at, r.id)):
        key = _recipient_key(record)
        entry_r = recipients.get(key)
        if entry_r is None:
            entry_r = recipients[key] = NotifyRecipient(
                name=record.recipient_name,
                country=record.recipient_country,
                last_provided_at=record.provided_at,
                count=0,
            )
        entry_r.name = record.recipient_name
        entry_r.last_provided_at = record.provided_at
        entry_r.count += 1
        for item in record.items:
            if item not in entry_r.items:
                entry_r.items.append(item)
    by_name = sorted(recipients.values(), key=lambda r: (r.name or "", r.country))
    ordered = sorted(by_name, key=lambda r: r.last_provided_at, reverse=True)
    order = {s.key: i for i, s in enumerate(datamap.systems)}
    return NotifyList(
        systems=sorted(systems.values(), key=lambda s: order[s.system]), recipients=ordered
    )
