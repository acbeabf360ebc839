"""The kind-specific fields of a payment, one model per statutory payment record.

Each payment record (支払調書) asks for its own facts beside the payee, the amount and (for
remuneration) the tax withheld: the 区分 and 細目 of remuneration, the property's location and
the calculation basis of a rent, the kind and acquisition date of a property bought, the date a
brokerage commission was fixed. A payment's ``details`` are validated against its kind's model
(unknown fields refused), and `GROUP_FIELDS` says which of them split a payee's annual totals
into separate lines of the record (one line per 区分 and 細目, per property...).

No field may hold an individual number: the payee's number comes from the vault at export, and a
broker is named by a corporate number only (an individual broker's number is left to the
filing software).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Final

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kojin.errors import InputError
from kojin.law.mynumber_vocabulary import PaymentRecordKind
from kojin.mynumber.filing.text import CorporateNumber, FilingNote, FilingText

#: the largest amount kojin takes for one payment or one field (one trillion yen)
MAX_YEN: Final = 10**12
Yen = Annotated[int, Field(ge=0, le=MAX_YEN, strict=False)]


class _Details(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    #: 摘要: the summary the record prints (e.g. a contract, an undertaking)
    notes: FilingNote | None = None


class _Brokered(_Details):
    """あっせんをした者: the broker of a real-estate deal, when there was one."""

    broker_name: FilingText | None = None
    broker_address: FilingText | None = None
    broker_corporate_number: CorporateNumber | None = None
    #: あっせん手数料
    brokerage_fee_yen: Yen | None = None


class RemunerationDetails(_Details):
    """報酬、料金、契約金及び賞金の支払調書."""

    #: 区分 (e.g. 原稿料, 講演料, 弁護士報酬)
    category: FilingText
    #: 細目 (e.g. 原稿, 講演)
    subcategory: FilingText | None = None
    #: 未払金額: the part of the amount not yet paid at the year end
    unpaid_yen: Yen | None = None
    #: 未徴収税額: the part of the tax not yet withheld
    unwithheld_yen: Yen | None = None


class RealEstateUsageDetails(_Brokered):
    """不動産の使用料等の支払調書."""

    #: 区分 (地代, 家賃, 権利金, 更新料...)
    category: FilingText
    #: 物件の所在地
    property_location: FilingText
    #: 物件の種類 / 細目 (宅地, 事務所, 駐車場...)
    property_type: FilingText | None = None
    #: 数量 (an area, a count)
    quantity: FilingText | None = None
    #: 計算の基礎 (e.g. 月額100,000円×12か月)
    calculation_basis: FilingNote | None = None
    #: 契約期間 or 契約年月日
    contract_date: date | None = None


class RealEstateTransferDetails(_Brokered):
    """不動産等の譲受けの対価の支払調書."""

    #: 物件の種類 (土地, 建物...)
    property_type: FilingText
    #: 物件の所在地
    property_location: FilingText
    #: 細目 (宅地, 木造住宅...)
    subcategory: FilingText | None = None
    #: 数量 (an area, a count)
    quantity: FilingText | None = None
    #: 取得年月日
    acquired_on: date


class RealEstateBrokerageDetails(_Details):
    """不動産等の売買又は貸付けのあっせん手数料の支払調書."""

    #: 区分 (売買, 貸付け)
    category: FilingText
    #: 支払確定年月日
    confirmed_on: date
    #: 取引金額: the price or rent of the deal brokered
    transaction_amount_yen: Yen | None = None


PaymentDetails = (
    RemunerationDetails
    | RealEstateUsageDetails
    | RealEstateTransferDetails
    | RealEstateBrokerageDetails
)

#: the details model of each payment record
DETAILS_MODELS: Final[dict[PaymentRecordKind, type[PaymentDetails]]] = {
    PaymentRecordKind.REMUNERATION: RemunerationDetails,
    PaymentRecordKind.REAL_ESTATE_USAGE: RealEstateUsageDetails,
    PaymentRecordKind.REAL_ESTATE_TRANSFER: RealEstateTransferDetails,
    PaymentRecordKind.REAL_ESTATE_BROKERAGE: RealEstateBrokerageDetails,
}

#: the fields whose values split a payee's payments into separate lines of the record
GROUP_FIELDS: Final[dict[PaymentRecordKind, tuple[str, ...]]] = {
    PaymentRecordKind.REMUNERATION: ("category", "subcategory"),
    PaymentRecordKind.REAL_ESTATE_USAGE: (
        "category",
        "property_location",
        "property_type",
        "quantity",
        "contract_date",
        "broker_name",
        "broker_address",
        "broker_corporate_number",
    ),
    PaymentRecordKind.REAL_ESTATE_TRANSFER: (
        "property_type",
        "property_location",
        "subcategory",
        "quantity",
        "acquired_on",
        "broker_name",
        "broker_address",
        "broker_corporate_number",
    ),
    PaymentRecordKind.REAL_ESTATE_BROKERAGE: ("category", "confirmed_on"),
}

#: yen fields summed over a line's payments (beside the amount and the tax withheld)
SUMMED_FIELDS: Final = (
    "unpaid_yen",
    "unwithheld_yen",
    "brokerage_fee_yen",
    "transaction_amount_yen",
)
#: text fields whose distinct values a line joins with "; "
JOINED_FIELDS: Final = ("notes", "calculation_basis")

#: kinds whose record has a withholding-tax column (the others take no tax withheld)
WITHHOLDING_KINDS: Final = frozenset({PaymentRecordKind.REMUNERATION})


def details_fields(kind: PaymentRecordKind) -> tuple[str, ...]:
    """The field names of `kind`'s details, in declaration order."""
    return tuple(DETAILS_MODELS[kind].model_fields)


def problem_text(error: Any) -> str:
    """One pydantic error as ``field: message`` (the message never holds the input)."""
    where = ".".join(str(part) for part in error["loc"])
    message = error["msg"]
    if error["type"] == "extra_forbidden":
        message = "not a field of this payment record"
    if error["type"] == "value_error":
        message = str(error["ctx"]["error"]) if "ctx" in error else message
    return f"{where}: {message}" if where else message


def validate_details(kind: PaymentRecordKind, data: object) -> PaymentDetails:
    """`data` as `kind`'s details; InputError (field ``details``) listing every problem by
    field name, never by value."""
    try:
        return DETAILS_MODELS[kind].model_validate(data)
    except ValidationError as exc:
        problems = [problem_text(e) for e in exc.errors(include_url=False, include_input=False)]
        raise InputError(
            f"details of a {kind.value} payment: " + "; ".join(problems), field="details"
        ) from None
