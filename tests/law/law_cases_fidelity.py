"""Decision-table rows for the readings an expert review asked for: what a published joint use
covers (R-TP-NT-3(a)), data held as an entrustee (R-TP-NT-3(b)), pseudonymized data under
Art. 41(6) (R-PS-3), My Number entrustment (R-MN-8), special-care information handed over by the
person (R-ACQ-2) and the opt-out exclusions (R-TP-OO-1, R-TP-OO-2). Each rule in several
variations: the case that holds and the cases that fall just outside it."""

from __future__ import annotations

from typing import Any

from law_cases_common import (
    CONSENT,
    CONSENT_FX,
    FREE_TEXT,
    INFORM_PS,
    JOINT_ITEMS,
    JOINT_PERSONAL_ONLY,
    JOINT_PUBLISHED,
    NO_ENTRUSTMENT,
    OPT_OUT,
    PUBLISH_AN,
    RECORD,
    STATE,
    SUPERVISE,
    UNDERSTAND,
    case,
    joint,
    r,
    to,
)

SURVEYS = "satisfaction_surveys"


def _joint(**fields: Any) -> dict[str, Any]:
    """A joint-use provision of customer data that the published arrangement covers."""
    body = r("provide", purpose=SURVEYS, recipient=joint(), items=JOINT_ITEMS)
    body.update(fields)
    return body


JOINT_USE = [
    case("R-TP-NT-3", _joint(), True, policy=JOINT_PUBLISHED, id="ju-covered"),
    case(
        "R-TP-NT-3",
        _joint(recipient=joint(name="ｇｒｏｕｐ　ＲＥＳＥＡＲＣＨ　ｃｏ")),
        True,
        policy=JOINT_PUBLISHED,
        id="ju-covered-full-width-name",
    ),
    case(
        "R-TP-NT-3",
        _joint(recipient=joint(name="グループ研究株式会社")),
        True,
        policy=JOINT_PUBLISHED,
        id="ju-covered-japanese-name",
    ),
    case(
        "R-TP-NT-3",
        _joint(items=["name"]),
        True,
        policy=JOINT_PUBLISHED,
        id="ju-covered-fewer-items",
    ),
    case(
        "R-TP-NT-3",
        _joint(purpose="provide_services"),
        False,
        policy=JOINT_PUBLISHED,
        id="ju-purpose-outside-arrangement",
    ),
    case(
        "R-TP-NT-3",
        _joint(purpose=FREE_TEXT),
        False,
        policy=JOINT_PUBLISHED,
        id="ju-undeclared-purpose",
    ),
    case("R-TP-NT-3", _joint(purpose=None), False, policy=JOINT_PUBLISHED, id="ju-no-purpose"),
    case(
        "R-TP-NT-3",
        _joint(recipient=joint(name="Unrelated Marketing KK")),
        False,
        policy=JOINT_PUBLISHED,
        id="ju-recipient-not-a-joint-user",
    ),
    case(
        "R-TP-NT-3",
        _joint(recipient=to(relation="joint_user", name=None)),
        False,
        policy=JOINT_PUBLISHED,
        id="ju-recipient-unnamed",
    ),
    case("R-TP-NT-3", _joint(items=None), False, policy=JOINT_PUBLISHED, id="ju-items-unnamed"),
    case(
        "R-TP-NT-3",
        _joint(items=["name", "annual_income"]),
        False,
        policy=JOINT_PUBLISHED,
        id="ju-items-outside",
    ),
    case(
        "R-TP-REC-1",
        _joint(items=["name", "annual_income"], consent=CONSENT),
        True,
        (RECORD,),
        policy=JOINT_PUBLISHED,
        id="ju-outside-but-consented-is-a-third-party-provision",
    ),
    case(
        "R-TP-NT-1",
        r("provide", "partner_employee", purpose="contract_management", recipient=joint()),
        False,
        policy=JOINT_PUBLISHED,
        id="ju-category-not-covered",
    ),
    case(
        "R-TP-FX-1",
        _joint(recipient=joint("US")),
        False,
        policy=JOINT_PUBLISHED,
        id="ju-abroad-needs-article-28-consent",
    ),
    case(
        "R-TP-FX-1",
        _joint(recipient=joint("US"), consent=CONSENT_FX),
        True,
        (RECORD,),
        policy=JOINT_PUBLISHED,
        id="ju-abroad-with-article-28-consent",
    ),
    case(
        "R-TP-NT-1",
        r(
            "provide",
            "commissioned",
            purpose="commissioned_support",
            recipient=joint(),
            items=JOINT_ITEMS,
        ),
        False,
        policy=JOINT_PUBLISHED,
        id="ju-commissioned-data-never-jointly-used",
    ),
]

PSEUDONYMIZED = [
    case(
        "R-PS-3",
        r("provide", form="pseudonymized", recipient=to("US", "entrustee")),
        True,
        (SUPERVISE, INFORM_PS, UNDERSTAND),
        id="ps41-foreign-entrustee-no-consent",
    ),
    case(
        "R-PS-3",
        r(
            "provide",
            form="pseudonymized",
            recipient=to("CN", "entrustee", equivalent_measures=True),
        ),
        True,
        (SUPERVISE, INFORM_PS, UNDERSTAND),
        id="ps41-foreign-entrustee-rule-16",
    ),
    case(
        "R-PS-3",
        r("provide", form="pseudonymized", recipient=to("SG", "successor")),
        True,
        (UNDERSTAND,),
        id="ps41-foreign-successor-no-consent",
    ),
    case(
        "R-PS-3",
        r("provide", form="pseudonymized", recipient=to(relation="entrustee")),
        True,
        (SUPERVISE, INFORM_PS),
        id="ps41-domestic-entrustee-told-pseudonymized",
    ),
    case(
        "R-PS-3",
        r("provide", form="pseudonymized", recipient=to(relation="entrustee")),
        False,
        policy=NO_ENTRUSTMENT,
        id="ps41-entrustment-not-allowed",
    ),
    case(
        "R-PS-3",
        r("provide", form="pseudonymized", recipient=to("US"), consent=CONSENT_FX),
        False,
        id="ps41-foreign-third-party-consent-does-not-help",
    ),
    case(
        "R-PS-3",
        r("provide", form="pseudonymized", recipient=to("US"), exception="law"),
        True,
        id="ps41-foreign-third-party-by-law",
    ),
    case(
        "R-PS-3",
        r(
            "provide",
            form="pseudonymized",
            recipient=to(),
            exception="life_body_property",
            consent_difficult=True,
        ),
        False,
        id="ps41-only-law-not-other-exceptions",
    ),
    case(
        "R-PS-3",
        _joint(form="pseudonymized", recipient=joint("US")),
        True,
        (UNDERSTAND,),
        policy=JOINT_PUBLISHED,
        id="ps41-foreign-joint-user-published",
    ),
    case(
        "R-PS-3",
        _joint(form="pseudonymized"),
        False,
        policy=JOINT_PERSONAL_ONLY,
        id="ps41-joint-use-not-published-for-pseudonymized",
    ),
    case(
        "R-TP-NT-3",
        _joint(form="pseudonymized", items=["name", "annual_income"]),
        False,
        policy=JOINT_PUBLISHED,
        id="ps41-joint-use-items-outside",
    ),
]

MY_NUMBER_ENTRUSTMENT = [
    case(
        "R-MN-5",
        r(
            "provide",
            "specific_personal",
            purpose="remuneration_payment_records",
            recipient=to(relation="entrustee"),
        ),
        True,
        ("supervise_entrustee",),
        id="mn8-entrust-the-affair",
    ),
    case(
        "R-MN-8",
        r(
            "provide",
            "specific_personal",
            purpose="marketing_analysis",
            recipient=to(relation="entrustee"),
        ),
        False,
        id="mn8-contractor-for-another-purpose",
    ),
    case(
        "R-MN-8",
        r(
            "provide",
            "specific_personal",
            purpose="provide_services",
            recipient=to(relation="entrustee"),
            exception="mna_19",
            consent=CONSENT,
        ),
        False,
        id="mn8-other-purpose-whatever-the-request-says",
    ),
    case(
        "R-MN-8",
        r("provide", "specific_personal", recipient=to(relation="entrustee")),
        False,
        id="mn8-no-purpose",
    ),
    case(
        "R-MN-8",
        r(
            "provide",
            "specific_personal",
            purpose="real_estate_fee_records",
            recipient=to(relation="entrustee"),
        ),
        False,
        policy=NO_ENTRUSTMENT,
        id="mn8-entrustment-not-allowed",
    ),
]

SPECIAL_CARE_FROM_PERSON = [
    case(
        "R-ACQ-2",
        r(
            "acquire",
            purpose="provide_services",
            special_care=True,
            acquisition_method="written_direct",
        ),
        True,
        (STATE,),
        id="acq2-handed-over-in-writing",
    ),
    case(
        "R-ACQ-2",
        r(
            "acquire",
            purpose="provide_services",
            special_care=True,
            acquisition_method="oral_direct",
        ),
        True,
        id="acq2-handed-over-orally",
    ),
    case(
        "R-PUR-3",
        r("acquire", purpose=FREE_TEXT, special_care=True, acquisition_method="oral_direct"),
        False,
        id="acq2-handed-over-for-an-undeclared-purpose",
    ),
    case(
        "R-ACQ-2",
        r("acquire", purpose="provide_services", special_care=True, acquisition_method="indirect"),
        False,
        id="acq2-from-another-source-needs-consent",
    ),
    case(
        "R-ACQ-2",
        r(
            "acquire",
            "retired_employee",
            purpose="personnel_records",
            special_care=True,
            acquisition_method="written_direct",
        ),
        True,
        (STATE,),
        id="acq2-retired-employee-in-writing",
    ),
]

ENTRUSTED_DATA = [
    case(
        "R-TP-NT-3",
        r("acquire", "commissioned", form="pseudonymized", purpose=FREE_TEXT),
        False,
        id="nt3b-pseudonymize-for-itself",
    ),
    case(
        "R-TP-NT-3",
        r("acquire", "commissioned", form="anonymized", purpose=FREE_TEXT, consent=CONSENT),
        False,
        id="nt3b-anonymize-for-itself-consent-does-not-help",
    ),
    case(
        "R-TP-NT-3",
        r("acquire", "commissioned", form="anonymized"),
        False,
        id="nt3b-anonymize-no-purpose",
    ),
    case(
        "R-PS-1",
        r("acquire", "commissioned", form="pseudonymized", purpose="commissioned_support"),
        True,
        id="nt3b-pseudonymize-for-the-client-task",
    ),
    case(
        "R-AN-3",
        r("acquire", "commissioned", form="anonymized", purpose="contract_performance"),
        True,
        (PUBLISH_AN,),
        id="nt3b-anonymize-for-the-client-task",
    ),
    case(
        "R-TP-NT-1",
        r("use", "commissioned", purpose=FREE_TEXT, consent=CONSENT),
        False,
        id="nt3b-own-use-with-consent",
    ),
    case(
        "R-AN-3",
        r("acquire", form="anonymized", purpose=FREE_TEXT),
        True,
        (PUBLISH_AN,),
        id="nt3b-own-customer-data-may-be-anonymized",
    ),
]

OPT_OUT_CASES = [
    case("R-TP-OO-1", r("provide", recipient=to()), True, (RECORD,), policy=OPT_OUT, id="oo"),
    case(
        "R-TP-OO-2",
        r("provide", recipient=to(), acquired_improperly=True),
        False,
        policy=OPT_OUT,
        id="oo-acquired-improperly",
    ),
    case(
        "R-TP-OO-2",
        r("provide", recipient=to(), received_by_opt_out=True),
        False,
        policy=OPT_OUT,
        id="oo-received-by-opt-out",
    ),
    case(
        "R-TP-OO-2",
        r("provide", recipient=to(), special_care=True, received_by_opt_out=True),
        False,
        policy=OPT_OUT,
        id="oo-special-care-and-received",
    ),
    case(
        "R-TP-OO-1",
        r("provide", "partner_employee", recipient=to()),
        False,
        policy=OPT_OUT,
        id="oo-category-not-declared",
    ),
    case(
        "R-TP-1",
        r("provide", recipient=to(), received_by_opt_out=True, consent=CONSENT),
        True,
        (RECORD,),
        policy=OPT_OUT,
        id="oo-excluded-but-consented",
    ),
    case("R-TP-1", r("provide", recipient=to()), False, id="oo-not-filed"),
    case(
        "R-TP-FX-1",
        r("provide", recipient=to("US")),
        False,
        policy=OPT_OUT,
        id="oo-never-abroad",
    ),
]

FIDELITY_CASES: list[Any] = (
    JOINT_USE
    + PSEUDONYMIZED
    + MY_NUMBER_ENTRUSTMENT
    + SPECIAL_CARE_FROM_PERSON
    + ENTRUSTED_DATA
    + OPT_OUT_CASES
)
