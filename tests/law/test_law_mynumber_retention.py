"""Retention of documents holding a number and the disposal due date (R-MN-7)."""

from __future__ import annotations

from calendar import isleap
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kojin.law.mynumber_rules import (
    STATUTORY_RETENTION,
    RetentionRule,
    RetentionStart,
    disposal_due,
    retention_until,
)
from kojin.law.mynumber_vocabulary import RetentionDocument as Doc

DEPENDANTS = STATUTORY_RETENTION[Doc.DEPENDANTS_DEDUCTION_FORM]
PAYMENT = STATUTORY_RETENTION[Doc.PAYMENT_RECORD]
INSURANCE = STATUTORY_RETENTION[Doc.HEALTH_PENSION_INSURANCE]
EMPLOYMENT = STATUTORY_RETENTION[Doc.EMPLOYMENT_INSURANCE]
LABOUR = STATUTORY_RETENTION[Doc.LABOUR_RECORDS]


def rule(years: int, start: RetentionStart) -> RetentionRule:
    return RetentionRule("custom", years, start, "company rule", False, ("Custom", "独自"))


@pytest.mark.parametrize(
    ("document", "years", "start", "confirmed"),
    [
        (Doc.DEPENDANTS_DEDUCTION_FORM, 7, RetentionStart.JANUARY_11_AFTER_DEADLINE_YEAR, True),
        (Doc.PAYMENT_RECORD, 7, RetentionStart.FILING_DEADLINE, False),
        (Doc.HEALTH_PENSION_INSURANCE, 2, RetentionStart.DOCUMENT_DATE, False),
        (Doc.EMPLOYMENT_INSURANCE, 4, RetentionStart.DOCUMENT_DATE, False),
        (Doc.LABOUR_RECORDS, 5, RetentionStart.DOCUMENT_DATE, True),
    ],
)
def test_statutory_retention_table(
    document: Doc, years: int, start: RetentionStart, confirmed: bool
) -> None:
    built_in = STATUTORY_RETENTION[document.value]
    assert built_in.document == document.value
    assert built_in.years == years
    assert built_in.start is start
    assert built_in.confirmed is confirmed
    assert all(text.strip() for text in built_in.label)
    assert built_in.citation.strip()
    assert ("unconfirmed" in built_in.citation) is not confirmed


def test_every_document_kind_has_a_statutory_rule() -> None:
    assert set(STATUTORY_RETENTION) == {d.value for d in Doc}


def test_the_labour_records_rule_notes_the_transitional_three_years() -> None:
    assert "3 years for the time being" in LABOUR.citation
    assert "LSA Art. 143(1)" in LABOUR.citation
    assert "当分の間は3年" in LABOUR.label[1]


def test_the_dependants_form_rule_cites_its_regulation() -> None:
    assert DEPENDANTS.citation.startswith("ITA Regs Art. 76-3")
    assert DEPENDANTS.label[1] == "給与所得者の扶養控除等（異動）申告書"


@pytest.mark.parametrize(
    ("retention", "reference", "until"),
    [
        # dependants' deduction form: from 11 January after the deadline's year, 7 years
        pytest.param(DEPENDANTS, date(2024, 1, 24), date(2032, 1, 10), id="form-2024"),
        pytest.param(DEPENDANTS, date(2024, 1, 1), date(2032, 1, 10), id="form-new-year"),
        pytest.param(DEPENDANTS, date(2024, 12, 31), date(2032, 1, 10), id="form-year-end"),
        pytest.param(DEPENDANTS, date(2024, 2, 29), date(2032, 1, 10), id="form-leap-day"),
        pytest.param(DEPENDANTS, date(2023, 6, 30), date(2031, 1, 10), id="form-mid-year-hire"),
        # the filer's copy of a payment record: 7 years from the filing deadline
        pytest.param(PAYMENT, date(2025, 1, 31), date(2032, 1, 31), id="payment-record"),
        pytest.param(PAYMENT, date(2027, 2, 1), date(2034, 2, 1), id="payment-moved-deadline"),
        # documents dated by their completion
        pytest.param(INSURANCE, date(2024, 3, 31), date(2026, 3, 31), id="insurance"),
        pytest.param(INSURANCE, date(2024, 12, 31), date(2026, 12, 31), id="insurance-year-end"),
        pytest.param(INSURANCE, date(2025, 1, 1), date(2027, 1, 1), id="insurance-new-year"),
        pytest.param(INSURANCE, date(2024, 2, 29), date(2026, 2, 28), id="insurance-leap-day"),
        pytest.param(EMPLOYMENT, date(2024, 2, 29), date(2028, 2, 29), id="employment-leap"),
        pytest.param(EMPLOYMENT, date(2024, 2, 28), date(2028, 2, 28), id="employment-feb-28"),
        pytest.param(LABOUR, date(2020, 2, 29), date(2025, 2, 28), id="labour-leap-day"),
        pytest.param(LABOUR, date(2019, 2, 28), date(2024, 2, 29), id="labour-feb-end-to-leap"),
        pytest.param(LABOUR, date(2021, 3, 1), date(2026, 3, 1), id="labour-march"),
        # company rules with the other starts
        pytest.param(
            rule(1, RetentionStart.AFFAIRS_ENDED), date(2024, 2, 28), date(2025, 2, 28), id="a"
        ),
        pytest.param(
            rule(1, RetentionStart.AFFAIRS_ENDED), date(2023, 2, 28), date(2024, 2, 29), id="b"
        ),
        pytest.param(
            rule(0, RetentionStart.AFFAIRS_ENDED), date(2024, 2, 29), date(2024, 2, 29), id="c"
        ),
        pytest.param(
            rule(0, RetentionStart.JANUARY_11_AFTER_DEADLINE_YEAR),
            date(2024, 5, 5),
            date(2025, 1, 10),
            id="zero-years-after-deadline",
        ),
        pytest.param(
            rule(3, RetentionStart.DOCUMENT_DATE), date(2025, 12, 31), date(2028, 12, 31), id="d"
        ),
    ],
)
def test_retention_until(retention: RetentionRule, reference: date, until: date) -> None:
    assert retention_until(retention, reference=reference) == until


def _last_of_february(day: date) -> bool:
    return day.month == 2 and day.day == (29 if isleap(day.year) else 28)


references = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))
counted_starts = st.sampled_from(
    [RetentionStart.FILING_DEADLINE, RetentionStart.DOCUMENT_DATE, RetentionStart.AFFAIRS_ENDED]
)


@given(references, st.integers(min_value=0, max_value=12), counted_starts)
def test_a_counted_period_ends_on_the_same_day_of_year(
    reference: date, years: int, start: RetentionStart
) -> None:
    until = retention_until(rule(years, start), reference=reference)
    assert until.year == reference.year + years
    if _last_of_february(reference):
        assert _last_of_february(until)
    else:
        assert (until.month, until.day) == (reference.month, reference.day)
    # the period is the Civil Code's: the day after `until` is the corresponding day of the
    # first day, or the first of March when that day does not exist
    first_day = reference + timedelta(days=1)
    after = until + timedelta(days=1)
    assert (after.month, after.day) == (first_day.month, first_day.day) or (
        (first_day.month, first_day.day) == (2, 29) and (after.month, after.day) == (3, 1)
    )


@given(references, st.integers(min_value=0, max_value=12))
def test_after_the_deadline_year_only_the_year_counts(reference: date, years: int) -> None:
    until = retention_until(
        rule(years, RetentionStart.JANUARY_11_AFTER_DEADLINE_YEAR), reference=reference
    )
    assert until == date(reference.year + 1 + years, 1, 10)


@given(references, references, st.integers(min_value=0, max_value=12), counted_starts)
def test_a_later_reference_never_ends_earlier(
    first: date, second: date, years: int, start: RetentionStart
) -> None:
    earlier, later = sorted((first, second))
    retention = rule(years, start)
    assert retention_until(retention, reference=earlier) <= retention_until(
        retention, reference=later
    )


def test_a_rule_is_checked_when_made() -> None:
    with pytest.raises(ValueError, match="not negative"):
        rule(-1, RetentionStart.DOCUMENT_DATE)
    with pytest.raises(ValueError, match="names its document"):
        replace(rule(1, RetentionStart.DOCUMENT_DATE), document="")


@pytest.mark.parametrize(
    ("ends", "affairs_ended_on", "due"),
    [
        pytest.param([date(2032, 1, 10)], None, None, id="affairs-continue"),
        pytest.param([], None, None, id="affairs-continue-no-documents"),
        pytest.param([], date(2025, 3, 31), date(2025, 3, 31), id="no-documents"),
        pytest.param(
            [date(2032, 1, 10), date(2026, 3, 31)],
            date(2025, 3, 31),
            date(2032, 1, 10),
            id="retention-outlasts-affairs",
        ),
        pytest.param(
            [date(2024, 1, 10)], date(2025, 12, 31), date(2025, 12, 31), id="affairs-outlast"
        ),
        pytest.param([date(2025, 12, 31)], date(2025, 12, 31), date(2025, 12, 31), id="same-day"),
        pytest.param(
            (d for d in [date(2028, 2, 29), date(2027, 1, 10)]),
            date(2024, 2, 29),
            date(2028, 2, 29),
            id="a-generator-of-ends",
        ),
    ],
)
def test_disposal_due(ends: list[date], affairs_ended_on: date | None, due: date | None) -> None:
    assert disposal_due(retention_ends=ends, affairs_ended_on=affairs_ended_on) == due


@given(st.lists(references, max_size=5), references)
def test_disposal_is_due_at_the_latest_of_the_ends_and_the_affairs(
    ends: list[date], affairs_ended_on: date
) -> None:
    due = disposal_due(retention_ends=ends, affairs_ended_on=affairs_ended_on)
    assert due == max([affairs_ended_on, *ends])
    assert disposal_due(retention_ends=ends, affairs_ended_on=None) is None


def test_a_dependants_form_schedule_from_hire_to_disposal() -> None:
    """An employee hired in 2020 who left on 31 March 2025: the last form (due in 2025) keeps
    the number until 10 January 2033; the 2020 form's own retention ended in 2028."""
    ends = [retention_until(DEPENDANTS, reference=date(y, 1, 24)) for y in range(2020, 2026)]
    assert ends[0] == date(2028, 1, 10)
    assert disposal_due(retention_ends=ends, affairs_ended_on=date(2025, 3, 31)) == date(
        2033, 1, 10
    )
