"""Is a leakage, loss or damage reportable, and by when? (APPI Art. 26; Rules 7-10; MNA Art.
29-4; MN-Rules 2-5; R-BR-0..8, R-BR-MN-1, R-BR-IMPL)

:func:`assess_breach` takes the facts known *now* (:class:`BreachFacts`) and returns an
:class:`BreachAssessment`: the Rule 7 categories and the My Number rules' categories that apply,
whether each regime requires a report, the encryption exemption, the entrustee's release, whether
the affected people must be told, and the clocks. One incident may be reportable under both
regimes (GL-MN 3-6): both are evaluated. Call it again whenever a fact changes: a count that
passes 1,000 (or 100 for My Numbers) makes the incident reportable from then on, on the facts
known at that time.

Every finding carries its `R-…` id, its citation and a sentence in English and Japanese.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kojin.law.breach_clock import final_report_due, preliminary_window
from kojin.law.breach_vocabulary import (
    LEAKAGE_ETC,
    AppiBreachCategory,
    BreachRole,
    Certainty,
    IncidentKind,
    MyNumberBreachCategory,
)

#: more than this many persons makes a leakage etc. reportable (Rule 7(iv))
APPI_PERSONS_THRESHOLD: Final = 1000
#: ... of My Numbers (MN-Rules 2(iv))
MN_PERSONS_THRESHOLD: Final = 100
#: Rule 7(iii) covers personal information being acquired from this day (Rules amended
#: 2023-12-27)
ACQUISITION_STAGE_FROM: Final = date(2024, 4, 1)
#: the longest justification of the encryption exemption, in characters
MAX_JUSTIFICATION: Final = 2000


class BreachFacts(BaseModel):
    """What is known of an incident at the time of assessment (Rule 7: "occurred or is
    suspected", judged on the facts known then)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: IncidentKind
    certainty: Certainty = Certainty.SUSPECTED
    #: when it happened (None: not known yet)
    occurred_on: date | None = None
    #: the first day any department of the company learned of it (Tokyo date): day 1
    known_on: date | None = None
    role: BreachRole = BreachRole.OPERATOR
    #: ENTRUSTEE: the day the company told its entruster (Art. 26(1) proviso; Rule 9)
    entruster_notified_on: date | None = None
    #: ENTRUSTER: the day the entrustee's notice arrived (knowledge at the latest then)
    entrustee_notice_received_on: date | None = None
    #: special-care personal data is involved (Rule 7(i))
    special_care: bool = False
    #: data whose misuse may cause property damage: card numbers, payment logins (Rule 7(ii))
    property_damage_risk: bool = False
    #: an act against the company (its entrustees and service providers included) possibly for
    #: a wrongful purpose: hacking, ransomware, theft, exfiltration by staff (Rule 7(iii))
    wrongful_purpose: bool = False
    #: the information was being acquired and was meant to become personal data (tampered
    #: input pages, fake forms, tampered reply envelopes; Rule 7(iii) from 2024-04-01)
    acquisition_stage: bool = False
    #: the persons known to be affected
    persons: int = Field(default=0, ge=0)
    #: the most persons it may affect when the number is not known (R-BR-2: use the maximum)
    persons_upper: int | None = Field(default=None, ge=0)
    #: specific personal information (My Numbers) recorded in a specific personal information
    #: file is involved (MNA Art. 29-4)
    my_number: bool = False
    #: in the information-provision network system, number-use-affairs systems or the
    #: government's related-affairs systems (MN-Rules 2(i))
    number_systems: bool = False
    #: exposed to an unspecified large number of people by electronic means (MN-Rules 2(iii))
    unspecified_exposure: bool = False
    #: protected by advanced encryption or an equivalent measure (Rule 7 proviso)
    encrypted: bool = False
    #: why the encryption counts as advanced (required for the exemption)
    encryption_justification: str | None = Field(default=None, max_length=MAX_JUSTIFICATION)
    #: LEAKAGE: every copy was retrieved before anyone saw it (R-BR-0: no leakage)
    retrieved_unseen: bool = False
    #: LOSS, DAMAGE: an intact copy exists (R-BR-0: no loss or damage)
    intact_copy_exists: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> BreachFacts:
        if self.persons_upper is not None and self.persons_upper < self.persons:
            raise ValueError("persons_upper is below the persons known")
        if self.role is not BreachRole.ENTRUSTEE and self.entruster_notified_on is not None:
            raise ValueError("entruster_notified_on is for an entrustee's incident")
        if self.role is not BreachRole.ENTRUSTER and self.entrustee_notice_received_on is not None:
            raise ValueError("entrustee_notice_received_on is for an entruster's incident")
        return self

    @property
    def effective_persons(self) -> int:
        """The count the thresholds compare: the upper bound when one is given (R-BR-2)."""
        return max(self.persons, self.persons_upper or 0)


class Finding(BaseModel):
    """One reason of the assessment."""

    model_config = ConfigDict(frozen=True)

    rule: str
    citation: str
    en: str
    ja: str


class BreachAssessment(BaseModel):
    """The classifier's answer (R-BR-IMPL)."""

    model_config = ConfigDict(frozen=True)

    #: the situation is a leakage, loss or damage at all (R-BR-0), or a My Number misuse
    incident: bool
    appi_categories: tuple[AppiBreachCategory, ...]
    mn_categories: tuple[MyNumberBreachCategory, ...]
    #: the encryption exemption was claimed with a justification and applies
    exempt_by_encryption: bool
    #: a report to the PPC is required under APPI Art. 26(1) (before the entrustee's release)
    reportable_appi: bool
    #: ... under MNA Art. 29-4(1)
    reportable_mn: bool
    #: the company is an entrustee that promptly told its entruster: released from reporting
    #: and from notifying the people (Art. 26(1) proviso; Rule 9)
    entrustee_release: bool
    #: the company itself must report (some regime requires it and no release applies)
    must_report: bool
    #: the affected people must be told (Art. 26(2); MNA Art. 29-4(2))
    notify_individuals: bool
    #: the people may ask for erasure and cessation of provision on the Art. 35(5) ground
    #: (R-BR-8): a reportable situation occurred on their data
    opens_article_35_5: bool
    #: non-reportable My Number incidents should be reported anyway ([effort], R-BR-MN-1)
    voluntary_report_advised: bool
    #: day 1 of the clocks: the first day any department knew (None: not recorded yet)
    clock_start: date | None
    preliminary_from: date | None
    preliminary_by: date | None
    final_due: date | None
    #: 30 or 60 (None without a clock)
    final_days: int | None
    findings: tuple[Finding, ...]

    @property
    def reportable(self) -> bool:
        return self.reportable_appi or self.reportable_mn


def _f(rule: str, citation: str, en: str, ja: str) -> Finding:
    return Finding(rule=rule, citation=citation, en=en, ja=ja)


_APPI_TEXT: Final[dict[AppiBreachCategory, tuple[str, str, str]]] = {
    AppiBreachCategory.SPECIAL_CARE: (
        "PPC Rules Art. 7(i)",
        "Special-care personal data is involved.",
        "要配慮個人情報が含まれる。",
    ),
    AppiBreachCategory.PROPERTY_DAMAGE: (
        "PPC Rules Art. 7(ii)",
        "Data whose wrongful use may cause property damage is involved.",
        "不正に利用されることにより財産的被害が生じるおそれがある個人データが含まれる。",
    ),
    AppiBreachCategory.WRONGFUL_PURPOSE: (
        "PPC Rules Art. 7(iii)",
        "It may have been caused by an act against the company for a wrongful purpose.",
        "不正の目的をもって行われたおそれがある行為による。",
    ),
    AppiBreachCategory.OVER_1000: (
        "PPC Rules Art. 7(iv)",
        "More than 1,000 persons are or may be affected.",
        "本人の数が1,000人を超える（おそれがある）。",
    ),
}

_MN_TEXT: Final[dict[MyNumberBreachCategory, tuple[str, str, str]]] = {
    MyNumberBreachCategory.NUMBER_SYSTEMS: (
        "MN-Rules Art. 2(i)",
        "It happened in the network system, a number-use-affairs system or a government "
        "related-affairs system.",
        "情報提供ネットワークシステム、個人番号利用事務実施者の使用するシステム等において発生した。",
    ),
    MyNumberBreachCategory.WRONGFUL_PURPOSE: (
        "MN-Rules Art. 2(ii)",
        "My Numbers leaked, or were used or provided, possibly for a wrongful purpose.",
        "不正の目的をもって行われたおそれがある特定個人情報の漏えい等又は利用・提供である。",
    ),
    MyNumberBreachCategory.UNSPECIFIED_EXPOSURE: (
        "MN-Rules Art. 2(iii)",
        "My Numbers were exposed to an unspecified large number of people by electronic means.",
        "特定個人情報が電磁的方法により不特定多数の者に閲覧されたおそれがある。",
    ),
    MyNumberBreachCategory.OVER_100: (
        "MN-Rules Art. 2(iv)",
        "More than 100 persons' My Numbers are or may be affected.",
        "特定個人情報に係る本人の数が100人を超える（おそれがある）。",
    ),
}


def _not_an_incident(facts: BreachFacts) -> Finding | None:
    if facts.kind is IncidentKind.LEAKAGE and facts.retrieved_unseen:
        return _f(
            "R-BR-0",
            "GL-General 3-5-1-1",
            "Every copy was retrieved before anyone saw it: this is not a leakage.",
            "第三者に閲覧される前に全てを回収しており、漏えいに該当しない。",
        )
    if facts.kind in (IncidentKind.LOSS, IncidentKind.DAMAGE) and facts.intact_copy_exists:
        return _f(
            "R-BR-0",
            "GL-General 3-5-1-2, 3-5-1-3",
            "An intact copy of the data exists: this is not a loss or damage.",
            "同じ内容のデータが他に保管されており、滅失・毀損に該当しない。",
        )
    return None


def _appi_categories(facts: BreachFacts, findings: list[Finding]) -> list[AppiBreachCategory]:
    if facts.kind not in LEAKAGE_ETC:
        return []
    found: list[AppiBreachCategory] = []
    if facts.acquisition_stage:
        # only Rule 7(iii) reaches information that was still being acquired
        day = facts.occurred_on or facts.known_on
        if not facts.wrongful_purpose:
            findings.append(
                _f(
                    "R-BR-2",
                    "PPC Rules Art. 7(iii)",
                    "Information still being acquired is reportable only when a wrongful purpose "
                    "may be behind it.",
                    "取得しようとしている個人情報は、不正の目的によるおそれがある場合に限り報告対象となる。",
                )
            )
        elif day is not None and day < ACQUISITION_STAGE_FROM:
            findings.append(
                _f(
                    "R-BR-2",
                    "PPC Rules Art. 7(iii)",
                    "Before 1 April 2024, information still being acquired was not covered.",
                    "2024年4月1日より前は、取得しようとしている個人情報は対象外であった。",
                )
            )
        else:
            found.append(AppiBreachCategory.WRONGFUL_PURPOSE)
        return found
    if facts.special_care:
        found.append(AppiBreachCategory.SPECIAL_CARE)
    if facts.property_damage_risk:
        found.append(AppiBreachCategory.PROPERTY_DAMAGE)
    if facts.wrongful_purpose:
        found.append(AppiBreachCategory.WRONGFUL_PURPOSE)
    if facts.effective_persons > APPI_PERSONS_THRESHOLD:
        found.append(AppiBreachCategory.OVER_1000)
    return found


def _mn_categories(facts: BreachFacts) -> list[MyNumberBreachCategory]:
    if not facts.my_number or facts.acquisition_stage:
        return []
    found: list[MyNumberBreachCategory] = []
    leakage_etc = facts.kind in LEAKAGE_ETC
    if leakage_etc and facts.number_systems:
        found.append(MyNumberBreachCategory.NUMBER_SYSTEMS)
    if facts.wrongful_purpose:
        found.append(MyNumberBreachCategory.WRONGFUL_PURPOSE)
    if facts.kind is IncidentKind.LEAKAGE and facts.unspecified_exposure:
        found.append(MyNumberBreachCategory.UNSPECIFIED_EXPOSURE)
    if facts.effective_persons > MN_PERSONS_THRESHOLD:
        found.append(MyNumberBreachCategory.OVER_100)
    return found


def _encryption(facts: BreachFacts, findings: list[Finding]) -> bool:
    if not facts.encrypted:
        return False
    if facts.kind not in LEAKAGE_ETC:
        findings.append(
            _f(
                "R-BR-MN-1",
                "MN-Rules Art. 2",
                "Encryption does not exempt a wrongful use or provision of My Numbers.",
                "暗号化は、特定個人情報の違法な利用・提供を報告対象から除外しない。",
            )
        )
        return False
    if not (facts.encryption_justification or "").strip():
        findings.append(
            _f(
                "R-BR-2",
                "PPC Rules Art. 7",
                "The encryption exemption is claimed without a justification: it is not applied.",
                "高度な暗号化の除外事由が主張されているが、その根拠が記録されていないため適用しない。",
            )
        )
        return False
    findings.append(
        _f(
            "R-BR-2",
            "PPC Rules Art. 7; MN-Rules Art. 2",
            "The data was protected by advanced encryption or an equivalent measure (justification "
            "recorded): no report is required.",
            "高度な暗号化その他の必要な措置が講じられており（根拠を記録済み）、報告を要しない。",
        )
    )
    return True


def _release(facts: BreachFacts, clock_start: date | None, findings: list[Finding]) -> bool:
    if facts.role is not BreachRole.ENTRUSTEE:
        return False
    notified = facts.entruster_notified_on
    if notified is None:
        findings.append(
            _f(
                "R-BR-3",
                "APPI Art. 26(1); PPC Rules Art. 9",
                "As an entrustee, the company reports itself unless it promptly tells the "
                "entruster (about 3 to 5 days).",
                "委託先として、委託元へ速やかに（3～5日程度）通知しない限り、自ら報告する必要がある。",
            )
        )
        return False
    if clock_start is not None and notified > preliminary_window(clock_start)[1]:
        findings.append(
            _f(
                "R-BR-3",
                "APPI Art. 26(1); PPC Rules Art. 9",
                "The entruster was told after the guide of about 3 to 5 days: the notice may not "
                "count as prompt, so the company reports itself.",
                "委託元への通知が3～5日程度の目安を過ぎており、速やかな通知と認められないおそれがあるため、自ら報告する。",
            )
        )
        return False
    findings.append(
        _f(
            "R-BR-3",
            "APPI Art. 26(1) proviso; PPC Rules Art. 9",
            "As an entrustee, the company promptly told its entruster: it is released from "
            "reporting and from notifying the people.",
            "委託先として委託元に速やかに通知したため、報告及び本人への通知の義務を免れる。",
        )
    )
    return True


def _clock_start(facts: BreachFacts) -> date | None:
    days = [d for d in (facts.known_on, facts.entrustee_notice_received_on) if d is not None]
    return min(days) if days else None


def assess_breach(facts: BreachFacts) -> BreachAssessment:
    """The categories, reportability, release, notice duty and clocks on `facts`."""
    findings: list[Finding] = []
    excluded = _not_an_incident(facts)
    if excluded is not None:
        findings.append(excluded)
        appi: list[AppiBreachCategory] = []
        mn: list[MyNumberBreachCategory] = []
    else:
        appi = _appi_categories(facts, findings)
        mn = _mn_categories(facts)
    for category in appi:
        citation, en, ja = _APPI_TEXT[category]
        findings.append(_f("R-BR-2", citation, en, ja))
    for mn_category in mn:
        citation, en, ja = _MN_TEXT[mn_category]
        findings.append(_f("R-BR-MN-1", citation, en, ja))
    # the exemption's own finding says why a category found does not make a report
    exempt = bool(appi or mn) and _encryption(facts, findings)
    reportable_appi = bool(appi) and not exempt
    reportable_mn = bool(mn) and not exempt
    if not appi and not mn and excluded is None:
        findings.append(
            _f(
                "R-BR-2",
                "APPI Art. 26(1); PPC Rules Art. 7",
                "None of the reportable situations applies on the facts known now; a report may "
                "still be made voluntarily. Re-assess when the facts change.",
                "現時点で判明している事実では報告対象事態に該当しない。任意の報告は可能であり、事実が変われば再評価する。",
            )
        )
    clock_start = _clock_start(facts)
    release = (
        _release(facts, clock_start, findings) if (reportable_appi or reportable_mn) else False
    )
    must_report = (reportable_appi or reportable_mn) and not release
    voluntary = facts.my_number and not reportable_mn and excluded is None
    if voluntary:
        findings.append(
            _f(
                "R-BR-MN-1",
                "GL-MN Annex 2",
                "A My Number incident that is not reportable should still be reported to the "
                "Commission (an effort obligation).",
                "報告対象事態に該当しない特定個人情報の漏えい等も、個人情報保護委員会に報告するよう努める。",
            )
        )
    wrongful = (AppiBreachCategory.WRONGFUL_PURPOSE in appi and reportable_appi) or (
        MyNumberBreachCategory.WRONGFUL_PURPOSE in mn and reportable_mn
    )
    preliminary_from = preliminary_by = final_due = None
    final_days = None
    if must_report and clock_start is not None:
        preliminary_from, preliminary_by = preliminary_window(clock_start)
        final_due = final_report_due(clock_start, wrongful_purpose=wrongful)
        final_days = 60 if wrongful else 30
        findings.append(
            _f(
                "R-BR-5",
                "; ".join(
                    citation
                    for citation, applies in (
                        ("PPC Rules Art. 8", reportable_appi),
                        ("MN-Rules Art. 3", reportable_mn),
                    )
                    if applies
                ),
                f"Preliminary report promptly (guide: by {preliminary_by.isoformat()}); final "
                f"report within {final_days} days, by {final_due.isoformat()}.",
                f"速報は速やかに（目安: {preliminary_by.isoformat()}まで）、"
                f"確報は{final_days}日以内（{final_due.isoformat()}まで）。",
            )
        )
    notify = must_report
    if notify:
        findings.append(
            _f(
                "R-BR-6",
                "; ".join(
                    citation
                    for citation, applies in (
                        ("APPI Art. 26(2); PPC Rules Art. 10", reportable_appi),
                        ("MNA Art. 29-4(2); MN-Rules Art. 5", reportable_mn),
                    )
                    if applies
                ),
                "Tell the affected people promptly; where they cannot be reached, publish the "
                "incident and an inquiry desk instead.",
                "本人へ速やかに通知する。通知が困難な場合は、事案の公表と問合せ窓口の設置等の代替措置をとる。",
            )
        )
    # the people's claim lies against the company whose retained data it is: not an entrustee
    opens = reportable_appi and facts.role is not BreachRole.ENTRUSTEE
    if opens:
        findings.append(
            _f(
                "R-BR-8",
                "APPI Art. 35(5)",
                "The affected people may ask for cessation of use, erasure or cessation of "
                "provision on this ground.",
                "本人は、これを理由として利用停止等又は第三者提供の停止を請求できる。",
            )
        )
    return BreachAssessment(
        incident=excluded is None,
        appi_categories=tuple(appi),
        mn_categories=tuple(mn),
        exempt_by_encryption=exempt,
        reportable_appi=reportable_appi,
        reportable_mn=reportable_mn,
        entrustee_release=release,
        must_report=must_report,
        notify_individuals=notify,
        opens_article_35_5=opens,
        voluntary_report_advised=voluntary,
        clock_start=clock_start,
        preliminary_from=preliminary_from,
        preliminary_by=preliminary_by,
        final_due=final_due,
        final_days=final_days,
        findings=tuple(findings),
    )


__all__ = [
    "ACQUISITION_STAGE_FROM",
    "APPI_PERSONS_THRESHOLD",
    "MN_PERSONS_THRESHOLD",
    "BreachAssessment",
    "BreachFacts",
    "Certainty",
    "Finding",
    "assess_breach",
]
