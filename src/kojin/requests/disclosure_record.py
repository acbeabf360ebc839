"""What a disclosure tells a person: the registry's data about them, and their rows in the
company's own stores found through the data map, as a frozen record.

The record is what the package's ``disclosure.json`` holds, and what its CSVs and report are
drawn from. It carries the policy's texts in the person's language next to the stored codes,
so a reader needs nothing else to understand it. Internal details that would tell a reader how
the data is secured (storage systems, access lists, record counts, where discovery looks) are
left out (R-RT-1 (4)); the statutory items of a provision record are kept (R-RT-4).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from kojin.policy.model_base import Lang


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DisclosedIdentifiers(_Frozen):
    """The identifying attributes the registry holds, in clear (only when asked for)."""

    name: str | None = None
    email: str | None = None
    customer_number: str | None = None
    phone: str | None = None
    address: str | None = None


class DisclosedSubject(_Frozen):
    """The person's entry in the registry: category and the stop flags (Art. 35)."""

    id: str
    category: str
    #: the category's title in the policy, in the record's language
    category_title: str
    registered_at: datetime
    stop_use: bool
    stop_provision: bool
    flags_updated_at: datetime | None = None
    #: None unless identifiers were asked for (see :func:`gather_disclosure`)
    identifiers: DisclosedIdentifiers | None = None


class DisclosedPurpose(_Frozen):
    """One purpose of use the policy declares for the person's category (Art. 21, 32)."""

    id: str
    text: str


class DisclosedLedgerEntry(_Frozen):
    """One kind of personal information held for the category, as the ledger records it."""

    item: str
    purposes: list[str]
    #: the purposes' texts in the record's language (the id where the policy has none)
    purpose_texts: list[str]
    acquisition_method: str
    storage_country: str
    medium: str
    retention_period: str
    disposal_method: str
    special_care: bool


class DisclosedConsent(_Frozen):
    """A consent the person gave, and its withdrawal if any (R-CH-6)."""

    id: str
    category: str
    category_title: str
    purpose: str | None
    purpose_text: str | None
    recipient: str | None
    country: str | None
    notice_version: str
    method: str
    by_representative: bool
    given_at: datetime
    withdrawn_at: datetime | None = None
    withdrawal_method: str | None = None


class DisclosedProvision(_Frozen):
    """The statutory items of a record of provision to a third party (Art. 29; Art. 33(5);
    R-TP-REC-1, R-RT-4): when, to whom, which items, and whether consent was confirmed."""

    id: str
    kind: str
    provided_at: datetime
    category: str
    category_title: str
    purpose: str | None
    recipient_name: str | None
    recipient_country: str
    items: list[str]
    consent_confirmed: bool


#: a value of a row in the company's stores, as the data map's connectors read it
StoreValue = str | int | float | bool | None


class DisclosedStoreField(_Frozen):
    """A field of a collection in the company's own stores, as the person is shown it: its
    name (the column), what it holds, and the discovery kinds of personal data in it."""

    name: str
    description: str | None = None
    kinds: list[str] = []


class DisclosedStoreCollection(_Frozen):
    """The person's rows in one table or file of the company's own stores (the data map's)."""

    system: str
    #: the system's name in the person's language, else its key
    system_name: str
    dataset: str
    collection: str
    description: str | None = None
    #: the policy's person category the rows are about, and its title in the record's language
    category: str | None = None
    category_title: str | None = None
    fields: list[DisclosedStoreField]
    rows: list[dict[str, StoreValue]]

    @property
    def address(self) -> str:
        """``dataset.collection``, as the data map names the collection."""
        return f"{self.dataset}.{self.collection}"

    def columns(self) -> list[str]:
        """The columns to show: the declared fields in order, then any column a row holds that
        the data map does not declare (in the order first met), so nothing found is left out."""
        names = [f.name for f in self.fields]
        seen = set(names)
        for row in self.rows:
            for name in row:
                if name not in seen:
                    seen.add(name)
                    names.append(name)
        return names


class DisclosureRecord(_Frozen):
    """Everything disclosed to one person, in one language, as gathered at `generated_at`."""

    format: int = 1
    lang: Lang
    generated_at: datetime
    #: the operator, in `lang` (Art. 32(1)(i))
    organization: str
    subject: DisclosedSubject
    purposes: list[DisclosedPurpose]
    ledger_entries: list[DisclosedLedgerEntry]
    consents: list[DisclosedConsent]
    #: whether the records of provision to third parties were asked for (Art. 33(5))
    third_party_records_included: bool
    third_party_records: list[DisclosedProvision]
    #: the person's rows in the company's own stores, by collection, in the data map's order
    stores: list[DisclosedStoreCollection] = []
    #: whether the company's stores were searched through a data map: with no `stores`, True
    #: means nothing about the person was found there, False that they were not searched
    stores_searched: bool = False
