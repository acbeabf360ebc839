"""Pydantic schemas of filing and retention: what the API takes and answers. None of them
carries an individual number, and the payee's name or address appears only in the
payment-record file."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from kojin.mynumber.filing.csv_file import HeaderStyle
from kojin.mynumber.filing.payment_fields import MAX_YEN
from kojin.registry.subjects.text import PolicyId, RowId

#: the most kind-specific fields a payment may name
MAX_FIELDS = 20


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PaymentIn(_In):
    """A payment to a person for a number-related affair."""

    #: the payee: a subject of a specific personal information category
    subject_id: RowId
    #: the affair (a purpose id the policy marks with a payment record)
    affair: PolicyId
    paid_on: date
    amount_yen: Annotated[int, Field(ge=1, le=MAX_YEN)]
    #: 源泉徴収税額 (on records that have it; must not exceed the amount)
    withheld_yen: Annotated[int, Field(ge=0, le=MAX_YEN)] = 0
    #: the kind-specific fields (see :mod:`kojin.mynumber.filing.payment_fields`)
    fields: Annotated[dict[str, Any], Field(max_length=MAX_FIELDS)] = Field(default_factory=dict)


class PaymentOut(BaseModel):
    """A stored payment, its fields decrypted."""

    id: str
    subject_id: str
    affair: str
    kind: str
    paid_on: date
    amount_yen: int
    withheld_yen: int
    fields: dict[str, Any]
    created_at: datetime
    created_by: str


class PaymentImportResult(BaseModel):
    """What an import stored: the number of payments, per affair."""

    created: int
    by_affair: dict[str, int]


class ExportOut(BaseModel):
    """A payment-record file handed out (never its content)."""

    id: str
    year: int
    affair: str
    kind: str
    rows: int
    payees: int
    below_threshold: int
    file_name: str
    sha256: str
    exported_by: str
    exported_at: datetime
    deleted_at: datetime | None
    deleted_by: str | None


class RetentionItemIn(_In):
    """A document holding a record's number, kept until its retention ends (R-MN-7)."""

    record_id: RowId
    #: the document kind: a built-in one or one the retention file adds
    document: PolicyId
    #: the date the document's rule counts from (e.g. a form's submission date)
    reference_date: date
    #: the affair the document serves, if any
    affair: PolicyId | None = None


class RetentionItemOut(BaseModel):
    id: str
    record_id: str
    document: str
    affair: str | None
    reference_date: date
    #: the end of retention under the rules in force now
    retention_until: date
    #: the end of retention as computed when the item was recorded
    recorded_until: date
    source: str
    export_id: str | None
    created_at: datetime
    created_by: str


class ExportIn(_In):
    """Which payment record to export, and how the file is made."""

    year: Annotated[int, Field(ge=1900, le=9998)]
    #: the affair (a purpose id the policy marks with a payment record)
    affair: PolicyId
    #: also list payees whose annual total does not exceed the filing threshold
    include_below_threshold: bool = False
    #: start the file with a UTF-8 byte order mark (for Excel); false for plain UTF-8
    bom: bool = True
    #: the header row: the form's Japanese labels (ja), English labels (en), or column keys
    header: HeaderStyle = HeaderStyle.JA


class DisposeDueIn(_In):
    """Confirmation of an irrecoverable disposal of every overdue record."""

    confirm: Literal[True]


class RetentionRuleOut(BaseModel):
    """A document kind's retention rule in force."""

    document: str
    years: int
    start: str
    citation: str
    confirmed: bool
    label_en: str
    label_ja: str
    #: set or changed by the retention file (else built in)
    configured: bool
