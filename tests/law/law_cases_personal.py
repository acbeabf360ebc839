"""Decision-table rows for personal information under APPI (purpose, acquisition, provision,
foreign provision and storage, stop requests)."""

from __future__ import annotations

from typing import Any

from law_cases_common import (
    ACADEMIC,
    CONSENT,
    CONSENT_FX,
    FREE_TEXT,
    JOINT_PUBLISHED,
    NO_ENTRUSTMENT,
    NOT_PUBLISHED,
    NOTIFY,
    OPT_OUT,
    PERIODIC,
    RECORD,
    STATE,
    SUPERVISE,
    UNDERSTAND,
    case,
    r,
    to,
)

PURPOSE = [
    case("R-PUR-3", r("use", purpose="provide_services"), True, id="use-declared"),
    case("R-PUR-3", r("use", purpose=FREE_TEXT), False, id="use-undeclared-no-consent"),
    case(
        "R-PUR-3", r("use", purpose=FREE_TEXT, consent=CONSENT), True, id="use-undeclared-consent"
    ),
    case("R-PUR-1", r("use"), False, id="use-no-purpose"),
    case("R-PUR-4", r("use", purpose=FREE_TEXT, exception="law"), True, id="use-e1-law"),
    case(
        "R-PUR-4",
        r("use", purpose=FREE_TEXT, exception="life_body_property"),
        False,
        id="use-e2-consent-not-difficult",
    ),
    case(
        "R-PUR-4",
        r("use", purpose=FREE_TEXT, exception="life_body_property", consent_difficult=True),
        True,
        id="use-e2",
    ),
    case(
        "R-PUR-4",
        r("use", purpose=FREE_TEXT, exception="public_health_children", consent_difficult=True),
        True,
        id="use-e3",
    ),
    case(
        "R-PUR-4",
        r("use", purpose=FREE_TEXT, exception="government_cooperation", consent_difficult=True),
        True,
        id="use-e4",
    ),
    case(
        "R-PUR-4",
        r("use", purpose=FREE_TEXT, exception="academic_publication"),
        False,
        id="use-academic-publication-not-institution",
    ),
    case(
        "R-PUR-4",
        r("use", purpose=FREE_TEXT, exception="academic_publication"),
        True,
        policy=ACADEMIC,
        id="use-academic-publication-institution",
    ),
    case(
        "R-PUR-4",
        r("use", purpose=FREE_TEXT, exception="academic_joint_research"),
        True,
        policy=ACADEMIC,
        id="use-academic-joint-research",
    ),
    case(
        "R-PUR-4",
        r("use", purpose=FREE_TEXT, exception="academic_institution_research"),
        True,
        id="use-provide-to-academic-institution",
    ),
    case(
        "R-PUR-4", r("use", purpose=FREE_TEXT, exception="mna_19"), False, id="use-mna19-not-appi"
    ),
    # seed: commissioned data is used solely for fulfilling the contract
    case(
        "R-TP-NT-1",
        r("use", "commissioned", purpose=FREE_TEXT, consent=CONSENT),
        False,
        id="commissioned-beyond-contract-even-with-consent",
    ),
    case(
        "R-PUR-3", r("use", "commissioned", purpose="contract_performance"), True, id="commissioned"
    ),
    case(
        "R-PUR-4",
        r("use", "commissioned", purpose=FREE_TEXT, exception="law"),
        True,
        id="commissioned-law",
    ),
    # seed: retired employees' data beyond the listed purposes needs notice and consent
    case(
        "R-PUR-2",
        r("use", "retired_employee", purpose=FREE_TEXT, consent=CONSENT),
        True,
        (NOTIFY,),
        id="retired-beyond-with-consent-needs-notice",
    ),
    case(
        "R-PUR-3",
        r("use", "retired_employee", purpose=FREE_TEXT),
        False,
        id="retired-beyond-without-consent",
    ),
    case(
        "R-PUR-3",
        r("use", "retired_employee", purpose="personnel_records"),
        True,
        id="retired-declared",
    ),
    case("R-PUR-3", r("use", "partner_employee", purpose="skill_check"), True, id="partner"),
    case(
        "R-PUR-3",
        r("use", purpose="retiree_inquiries"),
        False,
        id="purpose-of-another-category-is-undeclared",
    ),
    case("R-PUR-3", r("contact", purpose="satisfaction_surveys"), True, id="contact-declared"),
    case("R-PUR-3", r("contact", purpose=FREE_TEXT), False, id="contact-undeclared"),
    case("R-PUR-3", r("reidentify", purpose="develop_services"), True, id="reidentify-personal"),
]

STOPS = [
    case(
        "R-RT-6",
        r("use", purpose="provide_services"),
        False,
        facts={"stop_use": True},
        id="stop-use",
    ),
    case(
        "R-RT-6",
        r("use", purpose="provide_services", exception="law"),
        True,
        facts={"stop_use": True},
        id="stop-use-law",
    ),
    case(
        "R-RT-6",
        r("contact", purpose="satisfaction_surveys"),
        False,
        facts={"stop_use": True},
        id="stop-use-contact",
    ),
    case(
        "R-RT-6",
        r("provide", recipient=to(), consent=CONSENT),
        False,
        facts={"stop_provision": True},
        id="stop-provision",
    ),
    case(
        "R-RT-6",
        r("provide", recipient=to(), exception="law"),
        True,
        facts={"stop_provision": True},
        id="stop-provision-law",
    ),
    case(
        "R-TP-NT-1",
        r("provide", purpose="provide_services", recipient=to(relation="entrustee")),
        True,
        (SUPERVISE,),
        facts={"stop_provision": True},
        id="stop-provision-not-entrustment",
    ),
    case(
        "R-CH-6",
        r("use", purpose=FREE_TEXT, consent=CONSENT),
        False,
        facts={"consent_withdrawn": True},
        id="withdrawn-use",
    ),
    case(
        "R-CH-6",
        r("provide", recipient=to(), consent=CONSENT),
        False,
        facts={"consent_withdrawn": True},
        id="withdrawn-provide",
    ),
    case(
        "R-PUR-3",
        r("use", purpose="provide_services"),
        True,
        facts={"consent_withdrawn": True},
        id="withdrawn-within-purpose",
    ),
    case(
        "R-TP-REC-1",
        r("provide", recipient=to()),
        True,
        (RECORD,),
        facts={"consent_given": True},
        id="recorded-consent",
    ),
]

ACQUIRE = [
    case(
        "R-ACQ-4",
        r("acquire", purpose="provide_services", acquisition_method="written_direct"),
        True,
        (STATE,),
        id="written-direct",
    ),
    case(
        "R-ACQ-1",
        r("acquire", purpose="provide_services", acquisition_method="indirect"),
        True,
        id="indirect-published",
    ),
    case(
        "R-ACQ-3",
        r("acquire", purpose="provide_services", acquisition_method="indirect"),
        True,
        (NOTIFY,),
        policy=NOT_PUBLISHED,
        id="indirect-not-published",
    ),
    case(
        "R-ACQ-3",
        r("acquire", purpose=FREE_TEXT, consent=CONSENT, acquisition_method="indirect"),
        True,
        (NOTIFY,),
        id="undeclared-with-consent",
    ),
    case("R-PUR-3", r("acquire", purpose=FREE_TEXT), False, id="undeclared-no-consent"),
    case("R-PUR-1", r("acquire"), False, id="acquire-no-purpose"),
    case(
        "R-ACQ-2",
        r("acquire", purpose="provide_services", special_care=True),
        False,
        id="special-care-no-consent",
    ),
    case(
        "R-ACQ-2",
        r("acquire", purpose="provide_services", special_care=True, consent=CONSENT),
        True,
        id="special-care-consent",
    ),
    case(
        "R-ACQ-2",
        r("acquire", purpose="provide_services", special_care=True, acquisition_method="public"),
        True,
        id="special-care-public",
    ),
    case(
        "R-ACQ-2",
        r("acquire", purpose="provide_services", special_care=True, exception="law"),
        True,
        id="special-care-law",
    ),
    case(
        "R-ACQ-2",
        r("acquire", purpose="provide_services", special_care=True, exception="life_body_property"),
        False,
        id="special-care-e2-not-difficult",
    ),
    case(
        "R-ACQ-2",
        r(
            "acquire",
            purpose="provide_services",
            special_care=True,
            exception="academic_joint_research",
        ),
        True,
        id="special-care-joint-research",
    ),
    case(
        "R-ACQ-2",
        r("acquire", "commissioned", purpose="commissioned_support", special_care=True),
        True,
        id="special-care-entrusted",
    ),
    case(
        "R-ACQ-4",
        r(
            "acquire",
            purpose="provide_services",
            acquisition_method="written_direct",
            exception="life_body_property",
        ),
        True,
        (NOTIFY,),
        id="written-direct-urgent",
    ),
]

PROVIDE = [
    case("R-TP-1", r("provide", recipient=to()), False, id="tp-no-consent"),
    case("R-TP-1", r("provide"), False, id="tp-default-recipient"),
    case("R-TP-REC-1", r("provide", recipient=to(), consent=CONSENT), True, (RECORD,), id="tp"),
    case(
        "R-TP-REC-1",
        r("provide", recipient=to(government=True), consent=CONSENT),
        True,
        id="tp-government-no-record",
    ),
    case("R-TP-1", r("provide", recipient=to(), exception="law"), True, id="tp-law"),
    case(
        "R-TP-1",
        r("provide", recipient=to(), exception="life_body_property", consent_difficult=True),
        True,
        id="tp-e2",
    ),
    case(
        "R-TP-1",
        r("provide", recipient=to(), exception="life_body_property"),
        False,
        id="tp-e2-not-difficult",
    ),
    case(
        "R-TP-1",
        r("provide", recipient=to(), exception="public_health_children", consent_difficult=True),
        True,
        id="tp-e3",
    ),
    case(
        "R-TP-1",
        r("provide", recipient=to(), exception="government_cooperation", consent_difficult=True),
        True,
        id="tp-e4",
    ),
    case(
        "R-TP-1",
        r("provide", recipient=to(), exception="academic_publication"),
        False,
        id="tp-academic-publication-not-institution",
    ),
    case(
        "R-TP-1",
        r("provide", recipient=to(), exception="academic_joint_research"),
        True,
        policy=ACADEMIC,
        id="tp-academic-joint",
    ),
    case(
        "R-TP-1",
        r("provide", recipient=to(), exception="academic_institution_research"),
        True,
        id="tp-to-academic-institution",
    ),
    case("R-TP-1", r("provide", recipient=to(), exception="mna_19"), False, id="tp-mna19-not-appi"),
    case(
        "R-TP-NT-1",
        r("provide", purpose="develop_services", recipient=to(relation="entrustee")),
        True,
        (SUPERVISE,),
        id="entrustee",
    ),
    case(
        "R-TP-NT-1",
        r("provide", purpose=FREE_TEXT, recipient=to(relation="entrustee")),
        False,
        id="entrustee-beyond-purpose",
    ),
    case(
        "R-PUR-2",
        r(
            "provide",
            "retired_employee",
            purpose=FREE_TEXT,
            consent=CONSENT,
            recipient=to(relation="entrustee"),
        ),
        True,
        (SUPERVISE, NOTIFY),
        id="retired-entrustee-beyond-purpose-with-consent",
    ),
    case(
        "R-TP-NT-1",
        r("provide", recipient=to(relation="entrustee")),
        False,
        policy=NO_ENTRUSTMENT,
        id="entrustment-not-allowed",
    ),
    case("R-TP-NT-1", r("provide", recipient=to(relation="successor")), True, id="successor"),
    case(
        "R-TP-NT-1",
        r("provide", recipient=to(relation="joint_user")),
        False,
        id="joint-use-not-published",
    ),
    case(
        "R-TP-NT-1",
        r("provide", recipient=to(relation="joint_user")),
        True,
        policy=JOINT_PUBLISHED,
        id="joint-use-published",
    ),
    case(
        "R-TP-REC-1",
        r("provide", recipient=to(relation="joint_user"), consent=CONSENT),
        True,
        (RECORD,),
        id="joint-use-unpublished-consent",
    ),
    case(
        "R-TP-NT-1",
        r("provide", "commissioned", recipient=to(), consent=CONSENT),
        False,
        id="commissioned-tp-even-with-consent",
    ),
    case(
        "R-TP-NT-1",
        r(
            "provide",
            "commissioned",
            purpose="commissioned_support",
            recipient=to(relation="entrustee"),
        ),
        True,
        (SUPERVISE,),
        id="commissioned-subcontractor",
    ),
    case(
        "R-TP-NT-1",
        r("provide", "commissioned", recipient=to(relation="joint_user")),
        False,
        policy=JOINT_PUBLISHED,
        id="commissioned-joint-use",
    ),
    case("R-TP-OO-1", r("provide", recipient=to()), True, (RECORD,), policy=OPT_OUT, id="opt-out"),
    case(
        "R-TP-OO-2",
        r("provide", recipient=to(), special_care=True),
        False,
        policy=OPT_OUT,
        id="opt-out-excludes-special-care",
    ),
]

FOREIGN = [
    case("R-TP-FX-1", r("provide", recipient=to("US")), False, id="us-no-consent"),
    case(
        "R-TP-FX-2",
        r("provide", recipient=to("US"), consent=CONSENT),
        False,
        id="us-consent-without-foreign-information",
    ),
    case(
        "R-TP-FX-1",
        r("provide", recipient=to("US"), consent=CONSENT_FX),
        True,
        (RECORD,),
        id="us-consent",
    ),
    case(
        "R-TP-FX-1",
        r("provide", purpose="provide_services", recipient=to("US", "entrustee")),
        False,
        id="us-entrustee-no-bypass",
    ),
    case(
        "R-TP-FX-1",
        r(
            "provide",
            purpose="provide_services",
            recipient=to("US", "entrustee"),
            consent=CONSENT_FX,
        ),
        True,
        (RECORD, SUPERVISE, UNDERSTAND),
        id="us-entrustee-consent",
    ),
    case("R-TP-FX-1", r("provide", recipient=to("US", "joint_user")), False, id="us-joint-user"),
    case("R-TP-FX-1", r("provide", recipient=to("US", "successor")), False, id="us-successor"),
    case(
        "R-TP-FX-1",
        r("provide", recipient=to("DE"), consent=CONSENT),
        True,
        (RECORD,),
        id="eu-art27-consent",
    ),
    case("R-TP-1", r("provide", recipient=to("FR")), False, id="eu-art27-no-consent"),
    case("R-TP-FX-1", r("provide", recipient=to("NO"), consent=CONSENT), True, (RECORD,), id="eea"),
    case(
        "R-TP-NT-1",
        r("provide", purpose="provide_services", recipient=to("GB", "entrustee")),
        True,
        (SUPERVISE,),
        id="uk-entrustee",
    ),
    case(
        "R-TP-FX-3",
        r("provide", recipient=to("US", equivalent_measures=True), consent=CONSENT),
        True,
        (RECORD, PERIODIC),
        id="rule16-consent",
    ),
    case(
        "R-TP-FX-3",
        r(
            "provide",
            purpose="provide_services",
            recipient=to("SG", "entrustee", equivalent_measures=True),
        ),
        True,
        (SUPERVISE, PERIODIC),
        id="rule16-entrustee",
    ),
    case("R-TP-FX-1", r("provide", recipient=to("US"), exception="law"), True, id="us-law"),
    case(
        "R-TP-FX-1",
        r("provide", recipient=to("US"), exception="life_body_property"),
        False,
        id="us-e2-not-difficult",
    ),
    case(
        "R-RT-6",
        r("provide", recipient=to("US", "entrustee"), consent=CONSENT_FX),
        False,
        facts={"stop_provision": True},
        id="us-entrustee-stop-provision",
    ),
]

STORAGE = [
    case("R-SEC-2", r("store_abroad", recipient=to("US")), True, (UNDERSTAND,), id="store-us"),
    case("R-SEC-2", r("store_abroad", recipient=to("CN")), False, id="store-undeclared-country"),
    case("R-SEC-2", r("store_abroad", "retired_employee", recipient=to("US")), False, id="retired"),
    case(
        "R-SEC-2",
        r("store_abroad", "partner_employee", recipient=to("US")),
        True,
        (UNDERSTAND,),
        id="partner-us",
    ),
    case("R-SEC-2", r("store_abroad", "specific_personal", recipient=to("US")), False, id="mn-us"),
    case("R-SEC-2", r("store_abroad"), True, id="store-in-japan"),
]


PERSONAL_CASES: list[Any] = PURPOSE + STOPS + ACQUIRE + PROVIDE + FOREIGN + STORAGE
