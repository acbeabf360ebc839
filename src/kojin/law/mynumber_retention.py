"""How long documents holding an individual number are kept, and when a number is due for
disposal (R-MN-7; GL-MN 4-3-(3)B).

A number is kept while the number-related affairs need it; once they no longer do **and** every
document's statutory retention has expired, it is disposed of as soon as possible,
irrecoverably. Retention is per document kind: the statutory periods are built in
(:data:`STATUTORY_RETENTION`) and a company's configuration may change them or add its own
kinds. Periods the specification has not verified in a primary text are marked
``confirmed=False``: product assumptions that need legal sign-off (APPI-SPEC §15 item 3).

Dates are counted as the Civil Code counts periods of years: a period that runs *from* a day
starts on the following day (Art. 140, the first day is not counted) and ends on the day before
the corresponding day of its last year (Art. 143(2)), or at the end of that month when the
last year has no corresponding day (a start on 29 February).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType

from kojin.law.mynumber_vocabulary import RetentionDocument

_DAY = timedelta(days=1)


class RetentionStart(StrEnum):
    """Where a retention period starts, and so what the `reference` date of
    :func:`retention_until` is."""

    #: the day after 10 January of the year after the document's submission deadline falls
    #: (ITA Regs Art. 76-3: the dependants' deduction form); reference: the submission deadline
    #: (only its year counts)
    JANUARY_11_AFTER_DEADLINE_YEAR = "january_11_after_deadline_year"
    #: the filing deadline of the document; reference: that deadline (a payment record's is
    #: 31 January of the year after the payments)
    FILING_DEADLINE = "filing_deadline"
    #: the document's own date: the day it was completed (完結の日: its last entry, or for a
    #: register of workers the worker's retirement or death); reference: that day
    DOCUMENT_DATE = "document_date"
    #: the day the number-related affairs for the person ended; reference: that day
    AFFAIRS_ENDED = "affairs_ended"


@dataclass(frozen=True, slots=True)
class RetentionRule:
    """How long one kind of document must be kept."""

    #: the document kind: a :class:`RetentionDocument` value, or a company's own name
    document: str
    #: the length of the period in years (0: nothing beyond the start)
    years: int
    start: RetentionStart
    #: the provision the period rests on (free text: tax and labour statutes are not cited in
    #: the engine's ``APPI``/``MNA`` form)
    citation: str
    #: the period was verified in a primary text; False marks a product assumption
    confirmed: bool
    #: the document's name in English and Japanese
    label: tuple[str, str]

    def __post_init__(self) -> None:
        if not self.document:
            raise ValueError("a retention rule names its document kind")
        if self.years < 0:
            raise ValueError("a retention period is not negative")


def _years_from(first_day: date, years: int) -> date:
    """The last day of a period of `years` whose first day is `first_day` (Civil Code Art.
    143(2)): the day before the corresponding day, or the month's end when there is none."""
    year = first_day.year + years
    try:
        corresponding = first_day.replace(year=year)
    except ValueError:  # 29 February in a common year: the period ends at the month's end
        return date(year, 2, 28)
    return corresponding - _DAY


def retention_until(rule: RetentionRule, *, reference: date) -> date:
    """The last day a document under `rule` must be kept; from the next day it may (and, once
    the affairs no longer need it, must) be disposed of.

    `reference` by ``rule.start``:

    - ``JANUARY_11_AFTER_DEADLINE_YEAR``: the document's submission deadline; only its year Y
      counts. The period starts on 11 January of Y + 1 and ends on 10 January of
      Y + 1 + years (the dependants' deduction form due in 2024 is kept until 10 January
      2032).
    - ``FILING_DEADLINE``, ``DOCUMENT_DATE``, ``AFFAIRS_ENDED``: the deadline, the document's
      completion, the affairs' last day. The period runs from the next day and ends on the
      same month and day `years` later (a deadline of 31 January 2025 kept 7 years: until 31
      January 2032); from the last day of February, on the last day of February (29 February
      2024 + 7 years: 28 February 2031; 28 February 2023 + 1 year: 29 February 2024).
    """
    if rule.start is RetentionStart.JANUARY_11_AFTER_DEADLINE_YEAR:
        first_day = date(reference.year + 1, 1, 11)
    else:
        first_day = reference + _DAY
    return _years_from(first_day, rule.years)


def disposal_due(*, retention_ends: Iterable[date], affairs_ended_on: date | None) -> date | None:
    """The last day a person's number may still be kept, or None while the affairs continue.

    Once the affairs have ended, the number is kept until the last of its documents' retention
    ends (:func:`retention_until`) and disposed of as soon as possible after that: the due day
    is the latest of those ends and the affairs' last day. Disposal is overdue when the day
    has passed (``today > due``).
    """
    if affairs_ended_on is None:
        return None
    return max([affairs_ended_on, *retention_ends])


_D = RetentionDocument

#: the statutory retention of each built-in document kind, by its :class:`RetentionDocument`
#: value
STATUTORY_RETENTION: Mapping[str, RetentionRule] = MappingProxyType(
    {
        rule.document: rule
        for rule in (
            RetentionRule(
                document=_D.DEPENDANTS_DEDUCTION_FORM.value,
                years=7,
                start=RetentionStart.JANUARY_11_AFTER_DEADLINE_YEAR,
                citation="ITA Regs Art. 76-3 (GL-MN 4-3-(3)B)",
                confirmed=True,
                label=(
                    "Salary earner's dependants' deduction declaration",
                    "給与所得者の扶養控除等（異動）申告書",
                ),
            ),
            RetentionRule(
                document=_D.PAYMENT_RECORD.value,
                years=7,
                start=RetentionStart.FILING_DEADLINE,
                citation=(
                    "unconfirmed: no statutory duty to keep the filer's copy; 7 years is the "
                    "longest reach of tax assessments (R-MN-7) and the company may shorten it"
                ),
                confirmed=False,
                label=(
                    "Filer's copy of a statutory payment record",
                    "支払調書の控え",
                ),
            ),
            RetentionRule(
                document=_D.HEALTH_PENSION_INSURANCE.value,
                years=2,
                start=RetentionStart.DOCUMENT_DATE,
                citation=(
                    "unconfirmed: Health Insurance Act Regs Art. 34 and Employees' Pension "
                    "Insurance Act Regs Art. 28, 2 years from completion (R-MN-7)"
                ),
                confirmed=False,
                label=(
                    "Health and pension insurance documents",
                    "健康保険・厚生年金保険に関する書類",
                ),
            ),
            RetentionRule(
                document=_D.EMPLOYMENT_INSURANCE.value,
                years=4,
                start=RetentionStart.DOCUMENT_DATE,
                citation=(
                    "unconfirmed: Employment Insurance Act Regs Art. 143, insured persons' "
                    "records 4 years from completion (R-MN-7)"
                ),
                confirmed=False,
                label=(
                    "Employment insurance insured persons' records",
                    "雇用保険の被保険者に関する書類",
                ),
            ),
            RetentionRule(
                document=_D.LABOUR_RECORDS.value,
                years=5,
                start=RetentionStart.DOCUMENT_DATE,
                citation=(
                    "LSA Art. 109 (5 years; 3 years for the time being under LSA Art. 143(1)); "
                    "the start day per record kind in LSA Regs Art. 56"
                ),
                confirmed=True,
                label=(
                    "Labour records (register of workers, wage ledger and others; 3 years for "
                    "the time being)",
                    "労働関係に関する重要な書類（労働者名簿、賃金台帳等。当分の間は3年）",
                ),
            ),
        )
    }
)
