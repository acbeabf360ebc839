"""The breach classifier and its clocks (R-BR-0..8, R-BR-MN-1, R-BR-IMPL): a table of scenarios
across year ends and holidays with the categories, reportability and dates expected."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from kojin.law import KNOWN_RULE_IDS
from kojin.law.breach import BreachFacts, assess_breach
from kojin.law.breach_clock import (
    final_report_due,
    is_filing_day,
    next_filing_day,
    nth_day,
    preliminary_window,
)
from kojin.law.breach_report import ITEM_NUMBER, NOTICE_ITEMS, REPORT_ITEMS, ReportItem
from kojin.law.breach_vocabulary import (
    AppiBreachCategory as A,
)
from kojin.law.breach_vocabulary import (
    BreachRole,
    IncidentKind,
)
from kojin.law.breach_vocabulary import (
    MyNumberBreachCategory as M,
)


@dataclass(frozen=True)
class Scenario:
    name: str
    facts: dict[str, Any]
    appi: tuple[A, ...]
    mn: tuple[M, ...] = ()
    must_report: bool = True
    final_due: date | None = None
    final_days: int | None = None
    preliminary_by: date | None = None
    notify: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict)


L = IncidentKind.LEAKAGE
SCENARIOS = [
    Scenario(
        "1,200 customers' e-mail addresses sent by mistake, known 1 Dec 2026: day 30 is 30 Dec, "
        "inside the year-end closure, so 4 Jan 2027",
        {"kind": L, "persons": 1200, "known_on": date(2026, 12, 1)},
        (A.OVER_1000,),
        final_due=date(2027, 1, 4),
        final_days=30,
        preliminary_by=date(2026, 12, 5),
    ),
    Scenario(
        "exactly 1,000 persons is not more than 1,000: not reportable",
        {"kind": L, "persons": 1000, "known_on": date(2026, 12, 1)},
        (),
        must_report=False,
        notify=False,
    ),
    Scenario(
        "the count is unknown but may reach 5,000: the maximum counts",
        {"kind": L, "persons": 20, "persons_upper": 5000, "known_on": date(2027, 4, 1)},
        (A.OVER_1000,),
        final_due=date(2027, 4, 30),  # day 29 is Showa Day, day 30 a Friday
        final_days=30,
    ),
    Scenario(
        "ransomware (wrongful purpose) known 4 Nov 2026: day 60 is 2 Jan 2027, so 4 Jan",
        {"kind": IncidentKind.DAMAGE, "wrongful_purpose": True, "known_on": date(2026, 11, 4)},
        (A.WRONGFUL_PURPOSE,),
        final_due=date(2027, 1, 4),
        final_days=60,
        preliminary_by=date(2026, 11, 8),
    ),
    Scenario(
        "wrongful purpose combined with special-care data: 60 days still",
        {
            "kind": L,
            "wrongful_purpose": True,
            "special_care": True,
            "persons": 3,
            "known_on": date(2026, 10, 6),
        },
        (A.SPECIAL_CARE, A.WRONGFUL_PURPOSE),
        final_due=date(2026, 12, 4),
        final_days=60,
    ),
    Scenario(
        "one patient's record (special care) misdirected, known 4 Dec 2025: day 30 is 2 Jan, "
        "then a weekend: 5 Jan 2026",
        {"kind": L, "special_care": True, "persons": 1, "known_on": date(2025, 12, 4)},
        (A.SPECIAL_CARE,),
        final_due=date(2026, 1, 5),
        final_days=30,
    ),
    Scenario(
        "card numbers skimmed known 3 Apr 2026: day 30 is Sat 2 May, Golden Week and its "
        "substitute holiday follow: 7 May (60 days, wrongful purpose too? no: negligence)",
        {"kind": L, "property_damage_risk": True, "persons": 40, "known_on": date(2026, 4, 3)},
        (A.PROPERTY_DAMAGE,),
        final_due=date(2026, 5, 7),
        final_days=30,
    ),
    Scenario(
        "known 23 Aug 2026: day 30 is Respect for the Aged Day, then a citizens' holiday and "
        "the equinox: 24 Sep",
        {"kind": L, "special_care": True, "persons": 2, "known_on": date(2026, 8, 23)},
        (A.SPECIAL_CARE,),
        final_due=date(2026, 9, 24),
        final_days=30,
    ),
    Scenario(
        "known on New Year's Eve 2026: the clock runs through the closure; day 30 is Fri 29 Jan",
        {"kind": L, "special_care": True, "known_on": date(2026, 12, 31)},
        (A.SPECIAL_CARE,),
        final_due=date(2027, 1, 29),
        final_days=30,
        preliminary_by=date(2027, 1, 4),
    ),
    Scenario(
        "tampered input form (acquisition stage) in 2026: wrongful purpose, reportable",
        {
            "kind": L,
            "wrongful_purpose": True,
            "acquisition_stage": True,
            "persons": 5,
            "occurred_on": date(2026, 2, 1),
            "known_on": date(2026, 2, 23),  # Emperor's Birthday; day 60 is Thu 23 Apr
        },
        (A.WRONGFUL_PURPOSE,),
        final_due=date(2026, 4, 23),
        final_days=60,
    ),
    Scenario(
        "a tampered form before 1 April 2024 was not covered",
        {
            "kind": L,
            "wrongful_purpose": True,
            "acquisition_stage": True,
            "persons": 5000,
            "occurred_on": date(2024, 3, 1),
            "known_on": date(2024, 3, 5),
        },
        (),
        must_report=False,
    ),
    Scenario(
        "a misdirected envelope retrieved unopened is no leakage, even of special-care data",
        {"kind": L, "special_care": True, "retrieved_unseen": True, "known_on": date(2026, 6, 1)},
        (),
        must_report=False,
        extra={"incident": False},
    ),
    Scenario(
        "a disposed file with a backup copy is no loss",
        {"kind": IncidentKind.LOSS, "persons": 9000, "intact_copy_exists": True},
        (),
        must_report=False,
        extra={"incident": False},
    ),
    Scenario(
        "a stolen laptop with full-disk encryption, justified: exempt",
        {
            "kind": L,
            "persons": 3000,
            "encrypted": True,
            "encryption_justification": "AES-256 full-disk encryption; the key was not taken",
            "known_on": date(2026, 6, 1),
        },
        (A.OVER_1000,),
        must_report=False,
        notify=False,
        extra={"exempt_by_encryption": True, "opens_article_35_5": False},
    ),
    Scenario(
        "encryption claimed without a justification is not an exemption",
        {"kind": L, "persons": 3000, "encrypted": True, "known_on": date(2026, 6, 1)},
        (A.OVER_1000,),
        final_due=date(2026, 6, 30),
        final_days=30,
        extra={"exempt_by_encryption": False},
    ),
    Scenario(
        "My Numbers of 150 employees leaked: reportable under the My Number rules only",
        {"kind": L, "my_number": True, "persons": 150, "known_on": date(2026, 7, 1)},
        (),
        (M.OVER_100,),
        final_due=date(2026, 7, 30),
        final_days=30,
        extra={"reportable_appi": False, "reportable_mn": True, "opens_article_35_5": False},
    ),
    Scenario(
        "a clerk looks up addresses by My Number for private reasons: wrongful use, 60 days",
        {
            "kind": IncidentKind.UNLAWFUL_USE,
            "my_number": True,
            "wrongful_purpose": True,
            "persons": 1,
            "known_on": date(2026, 7, 1),
        },
        (),
        (M.WRONGFUL_PURPOSE,),
        final_due=date(2026, 8, 31),  # day 60 is Sun 30 Aug
        final_days=60,
    ),
    Scenario(
        "My Numbers used as customer ids for 120 people: use against Art. 9",
        {"kind": IncidentKind.UNLAWFUL_USE, "my_number": True, "persons": 120},
        (),
        (M.OVER_100,),
    ),
    Scenario(
        "payroll file with My Numbers of 1,500 posted on a public site: both regimes",
        {
            "kind": L,
            "my_number": True,
            "unspecified_exposure": True,
            "persons": 1500,
            "known_on": date(2026, 12, 28),
        },
        (A.OVER_1000,),
        (M.UNSPECIFIED_EXPOSURE, M.OVER_100),
        final_due=date(2027, 1, 26),
        final_days=30,
        extra={"reportable_appi": True, "reportable_mn": True},
    ),
    Scenario(
        "a non-reportable My Number incident: report anyway (effort)",
        {"kind": L, "my_number": True, "persons": 3, "known_on": date(2026, 7, 1)},
        (),
        (),
        must_report=False,
        extra={"voluntary_report_advised": True},
    ),
    Scenario(
        "an entrustee that told its entruster on day 3 is released",
        {
            "kind": L,
            "special_care": True,
            "role": BreachRole.ENTRUSTEE,
            "known_on": date(2026, 12, 1),
            "entruster_notified_on": date(2026, 12, 3),
        },
        (A.SPECIAL_CARE,),
        must_report=False,
        notify=False,
        extra={"entrustee_release": True, "reportable_appi": True, "opens_article_35_5": False},
    ),
    Scenario(
        "an entrustee that told its entruster on day 10 is not released",
        {
            "kind": L,
            "special_care": True,
            "role": BreachRole.ENTRUSTEE,
            "known_on": date(2026, 12, 1),
            "entruster_notified_on": date(2026, 12, 10),
        },
        (A.SPECIAL_CARE,),
        final_due=date(2027, 1, 4),
        extra={"entrustee_release": False},
    ),
    Scenario(
        "an entruster learns from its entrustee's notice: the clock starts on its arrival",
        {
            "kind": L,
            "persons": 2000,
            "role": BreachRole.ENTRUSTER,
            "entrustee_notice_received_on": date(2027, 4, 9),
        },
        (A.OVER_1000,),
        final_due=date(2027, 5, 10),
        final_days=30,
        extra={"clock_start": date(2027, 4, 9)},
    ),
    Scenario(
        "an entruster whose own department knew earlier: the earlier day counts",
        {
            "kind": L,
            "persons": 2000,
            "role": BreachRole.ENTRUSTER,
            "known_on": date(2027, 4, 1),
            "entrustee_notice_received_on": date(2027, 4, 9),
        },
        (A.OVER_1000,),
        final_due=date(2027, 4, 30),
        extra={"clock_start": date(2027, 4, 1)},
    ),
    Scenario(
        "reportable but no knowledge date recorded yet: no clock",
        {"kind": L, "special_care": True},
        (A.SPECIAL_CARE,),
        final_due=None,
        extra={"clock_start": None, "preliminary_by": None},
    ),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name[:60])
def test_scenario(scenario: Scenario) -> None:
    result = assess_breach(BreachFacts(**scenario.facts))
    assert result.appi_categories == scenario.appi
    assert result.mn_categories == scenario.mn
    assert result.must_report is scenario.must_report
    if scenario.must_report:
        assert result.final_due == scenario.final_due
        if scenario.final_days is not None:
            assert result.final_days == scenario.final_days
    else:
        assert result.final_due is None
    if scenario.preliminary_by is not None:
        assert result.preliminary_by == scenario.preliminary_by
    if scenario.notify is not None:
        assert result.notify_individuals is scenario.notify
    else:
        assert result.notify_individuals is result.must_report
    for name, expected in scenario.extra.items():
        assert getattr(result, name) == expected, name
    for finding in result.findings:
        assert finding.rule in KNOWN_RULE_IDS
        assert finding.en
        assert finding.ja
        assert finding.citation


def test_crossing_1000_makes_it_reportable() -> None:
    """Re-evaluated as the count grows: 1,000 is not reportable, 1,001 is."""
    base: dict[str, Any] = {"kind": L, "known_on": date(2026, 3, 2)}
    before = assess_breach(BreachFacts(**base, persons=1000))
    after = assess_breach(BreachFacts(**base, persons=1001))
    assert not before.must_report
    assert not before.opens_article_35_5
    assert after.must_report
    assert after.opens_article_35_5
    assert after.final_due == date(2026, 3, 31)


def test_my_number_threshold_is_100() -> None:
    base: dict[str, Any] = {"kind": L, "my_number": True, "known_on": date(2026, 3, 2)}
    assert not assess_breach(BreachFacts(**base, persons=100)).reportable_mn
    assert assess_breach(BreachFacts(**base, persons=101)).reportable_mn


def test_encryption_does_not_excuse_wrongful_use() -> None:
    result = assess_breach(
        BreachFacts(
            kind=IncidentKind.UNLAWFUL_PROVISION,
            my_number=True,
            wrongful_purpose=True,
            encrypted=True,
            encryption_justification="sent in an encrypted archive",
        )
    )
    assert result.reportable_mn
    assert not result.exempt_by_encryption
    assert any("Encryption does not exempt" in f.en for f in result.findings)


def test_unlawful_use_is_no_appi_leakage() -> None:
    result = assess_breach(
        BreachFacts(kind=IncidentKind.UNLAWFUL_USE, my_number=True, persons=5000)
    )
    assert result.appi_categories == ()
    assert not result.reportable_appi


@pytest.mark.parametrize(
    "bad",
    [
        {"kind": L, "persons": -1},
        {"kind": L, "persons": 10, "persons_upper": 5},
        {"kind": L, "entruster_notified_on": date(2026, 1, 1)},
        {"kind": L, "entrustee_notice_received_on": date(2026, 1, 1)},
        {"kind": "spill"},
        {"kind": L, "colour": "red"},
    ],
)
def test_bad_facts_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        BreachFacts(**bad)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 12, 28), date(2026, 12, 28)),  # Monday
        (date(2026, 12, 29), date(2027, 1, 4)),
        (date(2027, 1, 3), date(2027, 1, 4)),
        (date(2027, 12, 29), date(2028, 1, 4)),  # 4 Jan 2028 is a Tuesday
        (date(2027, 1, 9), date(2027, 1, 12)),  # Sat, Sun, Coming of Age Day
        (date(2026, 5, 3), date(2026, 5, 7)),  # Constitution Day ... substitute holiday
        (date(2019, 4, 27), date(2019, 5, 7)),  # the 2019 ten-day Golden Week
    ],
)
def test_next_filing_day(day: date, expected: date) -> None:
    assert next_filing_day(day) == expected


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31)), st.booleans())
def test_final_due_is_a_filing_day_on_or_after_day_n(known_on: date, wrongful: bool) -> None:
    due = final_report_due(known_on, wrongful_purpose=wrongful)
    day_n = nth_day(known_on, 60 if wrongful else 30)
    assert due >= day_n
    assert is_filing_day(due)
    # no filing day is skipped between day N and the due date
    assert due == day_n or not any(
        is_filing_day(nth_day(day_n, k)) for k in range(1, (due - day_n).days + 1)
    )
    first, last = preliminary_window(known_on)
    assert (first - known_on).days == 2
    assert (last - known_on).days == 4


def test_report_items() -> None:
    assert len(REPORT_ITEMS) == 9
    assert [ITEM_NUMBER[item] for item in NOTICE_ITEMS] == [1, 2, 4, 5, 9]
    assert {item for item, _, _ in REPORT_ITEMS} == set(ReportItem)


@pytest.mark.parametrize(
    ("facts", "clock", "notice"),
    [
        (
            {"kind": L, "persons": 1500},
            "PPC Rules Art. 8",
            "APPI Art. 26(2); PPC Rules Art. 10",
        ),
        (
            {"kind": L, "my_number": True, "persons": 150},
            "MN-Rules Art. 3",
            "MNA Art. 29-4(2); MN-Rules Art. 5",
        ),
        (
            {"kind": L, "my_number": True, "persons": 1500},
            "PPC Rules Art. 8; MN-Rules Art. 3",
            "APPI Art. 26(2); PPC Rules Art. 10; MNA Art. 29-4(2); MN-Rules Art. 5",
        ),
    ],
)
def test_clock_and_notice_cite_the_act_that_requires_them(
    facts: dict[str, Any], clock: str, notice: str
) -> None:
    result = assess_breach(BreachFacts(**facts, known_on=date(2026, 7, 1)))
    cited = {finding.rule: finding.citation for finding in result.findings}
    assert cited["R-BR-5"] == clock
    assert cited["R-BR-6"] == notice
