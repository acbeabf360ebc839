"""The four statutory payment records (法定調書) the seed policy's My Number affairs prepare.

Each :class:`PaymentRecordSpec` says what the tax filing needs: the record's title, its columns
(the payee, the kind-specific fields, the payer) with Japanese and English labels, the amount
above which a payee's record is filed, the deadline, and the retention document the filer's copy
becomes. The vault's filing service builds its CSV export from these columns.

Sources: Income Tax Act (ITA) Art. 225(1) (item iii for remuneration; item ix for the real
estate records, as quoted by tax commentaries) and the National Tax Agency's Tax Answer pages
(No. 7431 remuneration, 7441 real estate usage, 7442 transfer, 7443 brokerage) for the filing
thresholds and the columns. The thresholds were not read in ITA Regs Arts. 84 and 90 themselves:
they are marked ``threshold_confirmed=False``. Every threshold is "more than" the amount
(超える), counted per payee over the calendar year, tax included unless shown separately.

Only the general case of each record is modelled: within the remuneration record, the fees of
sales agents, collectors, meter readers and boxers, hostesses' fees, advertising prizes and
medical fees paid by the Social Insurance Medical Fee Payment Fund are filed above 500,000 yen,
and a racehorse owner's prizes when one payment exceeds 750,000 yen; real estate usage fees
paid to a corporation are filed only for key money, renewal fees and the like. Filers with
those payments check them themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType

from kojin.law.mynumber_vocabulary import PaymentRecordKind as Kind
from kojin.law.mynumber_vocabulary import RetentionDocument

#: the column every kind has: the amount paid, which the filing threshold counts
AMOUNT_KEY = "amount_yen"
#: the statutory deadline: 31 January of the year after the payments (ITA Art. 225(1))
DEADLINE_MONTH_DAY = (1, 31)
_SATURDAY = 5


class ColumnSource(StrEnum):
    """Where a column's value comes from."""

    #: the payee: a registry subject (name, address) and the vault (the individual number)
    PAYEE = "payee"
    #: the payments recorded for the payee and the year (kind-specific fields)
    PAYMENT = "payment"
    #: the filing company itself
    PAYER = "payer"


class ColumnType(StrEnum):
    TEXT = "text"
    #: whole yen
    YEN = "yen"
    #: an ISO date
    DATE = "date"
    #: one of the column's `choices`
    CHOICE = "choice"
    #: the payee's individual number (12 digits): only in the export file
    INDIVIDUAL_NUMBER = "individual_number"
    #: a corporate number (13 digits) or, for an individual, left to the filer
    CORPORATE_NUMBER = "corporate_number"


@dataclass(frozen=True, slots=True)
class PaymentColumn:
    """One CSV column: its key (the CSV header), its labels, where its value comes from."""

    key: str
    ja: str
    en: str
    source: ColumnSource
    type: ColumnType = ColumnType.TEXT
    #: the filing cannot be made without it
    required: bool = True
    #: the allowed values of a CHOICE column
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PaymentRecordSpec:
    """What one kind of payment record needs, and when it is filed."""

    kind: Kind
    #: the record's title in English and Japanese
    title: tuple[str, str]
    #: the CSV columns in the order of the form: payee, kind-specific fields, payer
    columns: tuple[PaymentColumn, ...]
    #: a payee's record is filed when the year's total paid to them exceeds this
    threshold_yen: int
    #: where the threshold comes from
    threshold_source: str
    #: the threshold was read in the regulation's text (False: from NTA guidance only)
    threshold_confirmed: bool
    #: the document the filer's copy becomes, for its retention (R-MN-7)
    retention_document: RetentionDocument = RetentionDocument.PAYMENT_RECORD

    def deadline(self, year: int) -> date:
        """The statutory deadline for payments made in `year`: 31 January of the next year."""
        month, day = DEADLINE_MONTH_DAY
        return date(year + 1, month, day)

    def last_filing_day(self, year: int) -> date:
        """The deadline moved past a weekend (Act on General Rules for National Taxes Art.
        10(2)); no national holiday falls between 31 January and 2 February."""
        deadline = self.deadline(year)
        weekday = deadline.weekday()
        if weekday >= _SATURDAY:
            return deadline + timedelta(days=7 - weekday)
        return deadline

    def filing_required(self, annual_total_yen: int) -> bool:
        """Whether a payee's record is filed, given the year's total paid to them."""
        return annual_total_yen > self.threshold_yen

    @property
    def payment_columns(self) -> tuple[PaymentColumn, ...]:
        """The kind-specific columns, which the recorded payments supply."""
        return tuple(c for c in self.columns if c.source is ColumnSource.PAYMENT)


def _payee() -> tuple[PaymentColumn, ...]:
    src = ColumnSource.PAYEE
    return (
        PaymentColumn("payee_address", "支払を受ける者の住所（居所）", "Payee's address", src),
        PaymentColumn("payee_name", "支払を受ける者の氏名", "Payee's name", src),
        PaymentColumn(
            "payee_individual_number",
            "支払を受ける者の個人番号",
            "Payee's individual number",
            src,
            ColumnType.INDIVIDUAL_NUMBER,
        ),
    )


def _payer() -> tuple[PaymentColumn, ...]:
    src = ColumnSource.PAYER
    return (
        PaymentColumn("payer_address", "支払者の住所（居所）又は所在地", "Payer's address", src),
        PaymentColumn("payer_name", "支払者の氏名又は名称", "Payer's name", src),
        PaymentColumn(
            "payer_corporate_number",
            "支払者の法人番号",
            "Payer's corporate number",
            src,
            ColumnType.CORPORATE_NUMBER,
        ),
        PaymentColumn("payer_phone", "支払者の電話番号", "Payer's telephone", src, required=False),
    )


def _pay(
    key: str,
    ja: str,
    en: str,
    type: ColumnType = ColumnType.TEXT,
    *,
    required: bool = True,
    choices: tuple[str, ...] = (),
) -> PaymentColumn:
    return PaymentColumn(key, ja, en, ColumnSource.PAYMENT, type, required, choices)


_REMARKS = _pay("remarks", "摘要", "Remarks", required=False)
_AMOUNT = _pay(AMOUNT_KEY, "支払金額", "Amount paid", ColumnType.YEN)
_PROPERTY_KIND = _pay("property_kind", "物件の種類", "Kind of property")
_PROPERTY_LOCATION = _pay("property_location", "物件の所在地", "Location of the property")
_DETAILS = _pay("details", "細目", "Details")
_QUANTITY = _pay("quantity", "数量", "Quantity")
#: the broker of a lease or transfer, when the brokerage record is not filed separately; an
#: individual broker's own individual number is not handled here (it would be another
#: person's specific personal information)
_BROKER = (
    _pay(
        "broker_address",
        "あっせんをした者の住所（居所）又は所在地",
        "Broker's address",
        required=False,
    ),
    _pay("broker_name", "あっせんをした者の氏名又は名称", "Broker's name", required=False),
    _pay(
        "broker_corporate_number",
        "あっせんをした者の法人番号",
        "Broker's corporate number",
        ColumnType.CORPORATE_NUMBER,
        required=False,
    ),
)


def _spec(
    kind: Kind,
    title: tuple[str, str],
    fields: tuple[PaymentColumn, ...],
    threshold_yen: int,
    source: str,
) -> PaymentRecordSpec:
    return PaymentRecordSpec(
        kind=kind,
        title=title,
        columns=(*_payee(), *fields, *_payer()),
        threshold_yen=threshold_yen,
        threshold_source=source,
        threshold_confirmed=False,
    )


#: each payment record the vault prepares, by kind
PAYMENT_RECORDS: Mapping[Kind, PaymentRecordSpec] = MappingProxyType(
    {
        Kind.REMUNERATION: _spec(
            Kind.REMUNERATION,
            (
                "Payment record of remuneration, fees, contract money and prize money",
                "報酬、料金、契約金及び賞金の支払調書",
            ),
            (
                _pay("category", "区分", "Category (e.g. manuscript fee, lecture fee)"),
                _DETAILS,
                _AMOUNT,
                _pay("withheld_yen", "源泉徴収税額", "Income tax withheld", ColumnType.YEN),
                _REMARKS,
            ),
            50_000,
            "ITA Art. 225(1)(iii); NTA Tax Answer No. 7431 (general case: more than 50,000 "
            "yen per payee and year; 500,000 or 750,000 yen for the special sub-kinds)",
        ),
        Kind.REAL_ESTATE_USAGE: _spec(
            Kind.REAL_ESTATE_USAGE,
            ("Payment record of real estate usage fees", "不動産の使用料等の支払調書"),
            (
                _PROPERTY_KIND,
                _PROPERTY_LOCATION,
                _DETAILS,
                _pay("calculation_basis", "計算の基礎", "Basis of calculation"),
                _AMOUNT,
                *_BROKER,
                _REMARKS,
            ),
            150_000,
            "ITA Art. 225(1)(ix); NTA Tax Answer No. 7441 (more than 150,000 yen per payee "
            "and year; to a corporation only key money, renewal fees and the like)",
        ),
        Kind.REAL_ESTATE_TRANSFER: _spec(
            Kind.REAL_ESTATE_TRANSFER,
            (
                "Payment record of consideration for the transfer of real estate",
                "不動産等の譲受けの対価の支払調書",
            ),
            (
                _PROPERTY_KIND,
                _PROPERTY_LOCATION,
                _DETAILS,
                _QUANTITY,
                _pay("acquired_on", "取得年月日", "Date acquired", ColumnType.DATE),
                _AMOUNT,
                *_BROKER,
                _REMARKS,
            ),
            1_000_000,
            "ITA Art. 225(1)(ix); NTA Tax Answer No. 7442 (more than 1,000,000 yen per "
            "payee and year)",
        ),
        Kind.REAL_ESTATE_BROKERAGE: _spec(
            Kind.REAL_ESTATE_BROKERAGE,
            (
                "Payment record of brokerage fees for the sale or lease of real estate",
                "不動産等の売買又は貸付けのあっせん手数料の支払調書",
            ),
            (
                _pay(
                    "category",
                    "区分",
                    "Sale or lease",
                    ColumnType.CHOICE,
                    choices=("売買", "貸付"),
                ),
                _PROPERTY_KIND,
                _PROPERTY_LOCATION,
                _DETAILS,
                _QUANTITY,
                _pay("transaction_amount_yen", "取引金額", "Transaction amount", ColumnType.YEN),
                _pay(AMOUNT_KEY, "あっせん手数料", "Brokerage fee paid", ColumnType.YEN),
                _pay("transaction_date", "取引年月日", "Transaction date", ColumnType.DATE),
                _REMARKS,
            ),
            150_000,
            "ITA Art. 225(1)(ix); NTA Tax Answer No. 7443 (more than 150,000 yen per payee "
            "and year)",
        ),
    }
)


def filing_required(kind: Kind, annual_total_yen: int) -> bool:
    """Whether a payee's `kind` record is filed, given the year's total paid to them
    (the general case; see the module's notes on sub-kinds)."""
    return PAYMENT_RECORDS[kind].filing_required(annual_total_yen)
