"""Decision-table rows for the other forms (person-related, pseudonymized, anonymized) and for
My Number."""

from __future__ import annotations

from typing import Any

from law_cases_common import (
    ANNOUNCE,
    CONSENT,
    CONSENT_FX,
    FREE_TEXT,
    INFORM_PS,
    JOINT_ITEMS,
    JOINT_PUBLISHED,
    PERIODIC,
    PUBLISH_AN,
    RECORD_PRI,
    STATE,
    SUPERVISE,
    UNDERSTAND,
    VERIFY,
    case,
    joint,
    r,
    to,
)

PRI = [
    case("R-PRI-1", r("provide", form="person_related", recipient=to()), True, id="pri-no-link"),
    case(
        "R-PRI-2",
        r("provide", form="person_related", recipient=to(will_identify=True)),
        False,
        id="pri-link-no-consent",
    ),
    case(
        "R-PRI-3",
        r("provide", form="person_related", recipient=to(will_identify=True), consent=CONSENT),
        True,
        (RECORD_PRI,),
        id="pri-link-consent",
    ),
    case(
        "R-PRI-2",
        r(
            "provide",
            form="person_related",
            recipient=to("US", will_identify=True),
            consent=CONSENT,
        ),
        False,
        id="pri-us-no-foreign-information",
    ),
    case(
        "R-PRI-3",
        r(
            "provide",
            form="person_related",
            recipient=to("US", will_identify=True),
            consent=CONSENT_FX,
        ),
        True,
        (RECORD_PRI,),
        id="pri-us-consent",
    ),
    case(
        "R-PRI-2",
        r(
            "provide",
            form="person_related",
            recipient=to("US", will_identify=True, equivalent_measures=True),
            consent=CONSENT,
        ),
        True,
        (RECORD_PRI, PERIODIC),
        id="pri-rule16",
    ),
    case(
        "R-PRI-2",
        r(
            "provide",
            form="person_related",
            recipient=to("DE", will_identify=True),
            consent=CONSENT,
        ),
        True,
        (RECORD_PRI,),
        id="pri-eu",
    ),
    case(
        "R-PRI-2",
        r("provide", form="person_related", recipient=to(will_identify=True), exception="law"),
        True,
        id="pri-law",
    ),
    case(
        "R-PRI-1",
        r("provide", form="person_related", recipient=to("US", "entrustee")),
        True,
        id="pri-us-no-link",
    ),
    case("R-DEF-8", r("use", form="person_related", purpose=FREE_TEXT), True, id="pri-use"),
    case("R-DEF-8", r("acquire", form="person_related"), True, id="pri-acquire"),
    case("R-PRI-2", r("reidentify", form="person_related"), False, id="pri-link-own"),
    case(
        "R-PRI-2",
        r("reidentify", form="person_related", consent=CONSENT),
        True,
        id="pri-link-own-consent",
    ),
]

PSEUDONYMIZED = [
    case("R-PS-1", r("acquire", form="pseudonymized"), True, id="ps-create"),
    case("R-PS-3", r("use", form="pseudonymized", purpose="develop_services"), True, id="ps-use"),
    case(
        "R-PS-3",
        r("use", form="pseudonymized", purpose=FREE_TEXT),
        True,
        (ANNOUNCE,),
        id="ps-purpose-change",
    ),
    case(
        "R-PS-3", r("contact", form="pseudonymized", purpose="provide_services"), False, id="ps-c"
    ),
    case(
        "R-PS-3",
        r("contact", form="pseudonymized", purpose="provide_services", consent=CONSENT),
        False,
        id="ps-contact-consent",
    ),
    case("R-PS-3", r("reidentify", form="pseudonymized"), False, id="ps-reidentify"),
    case(
        "R-PS-3",
        r("provide", form="pseudonymized", recipient=to(), consent=CONSENT),
        False,
        id="ps-tp-consent",
    ),
    case(
        "R-PS-3",
        r("provide", form="pseudonymized", recipient=to(), exception="law"),
        True,
        id="ps-tp-law",
    ),
    case(
        "R-PS-3",
        r("provide", form="pseudonymized", recipient=to(relation="entrustee")),
        True,
        (SUPERVISE, INFORM_PS),
        id="ps-entrustee",
    ),
    case(
        "R-PS-3",
        r("provide", form="pseudonymized", recipient=to(relation="successor")),
        True,
        id="ps-successor",
    ),
    case(
        "R-PS-3",
        r("provide", form="pseudonymized", recipient=to(relation="joint_user")),
        False,
        id="ps-joint-unpublished",
    ),
    case(
        "R-PS-3",
        r(
            "provide",
            form="pseudonymized",
            purpose="research_feedback",
            recipient=joint(),
            items=JOINT_ITEMS,
        ),
        True,
        policy=JOINT_PUBLISHED,
        id="ps-joint-published",
    ),
    case(
        "R-PS-3",
        r("provide", form="pseudonymized", recipient=to("US", "entrustee")),
        True,
        (SUPERVISE, INFORM_PS, UNDERSTAND),
        id="ps-us-entrustee",
    ),
    case(
        "R-PS-3",
        r("use", "commissioned", form="pseudonymized", purpose=FREE_TEXT),
        False,
        id="ps-commissioned",
    ),
    case(
        "R-SEC-2",
        r("store_abroad", form="pseudonymized", recipient=to("US")),
        True,
        (UNDERSTAND,),
        id="ps-store",
    ),
]

ANONYMIZED = [
    case("R-AN-3", r("acquire", form="anonymized"), True, (PUBLISH_AN,), id="an-create"),
    case("R-AN-4", r("provide", form="anonymized", recipient=to()), True, (PUBLISH_AN,), id="an"),
    case(
        "R-AN-4",
        r("provide", form="anonymized", recipient=to("US")),
        True,
        (PUBLISH_AN,),
        id="an-abroad",
    ),
    case("R-AN-5", r("reidentify", form="anonymized"), False, id="an-reidentify"),
    case(
        "R-AN-5",
        r("reidentify", form="anonymized", exception="law", consent=CONSENT),
        False,
        id="an-reidentify-never",
    ),
    case("R-AN-6", r("use", form="anonymized", purpose=FREE_TEXT), True, id="an-use"),
    case("R-AN-5", r("contact", form="anonymized"), False, id="an-contact"),
    case("R-AN-6", r("store_abroad", form="anonymized", recipient=to("CN")), True, id="an-store"),
]

SP = "specific_personal"
MY_NUMBER = [
    case("R-MN-1", r("use", SP, purpose="remuneration_payment_records"), True, id="mn-use"),
    case(
        "R-MN-1",
        r("use", SP, purpose="customer id", consent=CONSENT),
        False,
        id="mn-consent-does-not-widen",
    ),
    case("R-MN-1", r("use", SP, purpose=FREE_TEXT, exception="law"), False, id="mn-use-law"),
    case(
        "R-MN-1",
        r("use", SP, purpose=FREE_TEXT, exception="life_body_property", consent=CONSENT),
        True,
        id="mn-life-consent",
    ),
    case(
        "R-MN-1",
        r("use", SP, purpose=FREE_TEXT, exception="life_body_property", consent_difficult=True),
        True,
        id="mn-life-difficult",
    ),
    case("R-MN-1", r("use", SP, purpose="provide_services"), False, id="mn-other-category-id"),
    case("R-MN-1", r("contact", SP, purpose=FREE_TEXT), False, id="mn-contact"),
    case(
        "R-MN-4",
        r("acquire", SP, purpose="real_estate_fee_records"),
        True,
        (VERIFY,),
        id="mn-acquire",
    ),
    case(
        "R-MN-4",
        r("acquire", SP, purpose="real_estate_fee_records", acquisition_method="written_direct"),
        True,
        (VERIFY, STATE),
        id="mn-acquire-written",
    ),
    case(
        "R-MN-3",
        r("acquire", SP, purpose=FREE_TEXT, consent=CONSENT),
        False,
        id="mn-acquire-outside-affairs",
    ),
    case("R-MN-5", r("provide", SP, recipient=to(), consent=CONSENT), False, id="mn-tp-consent"),
    case(
        "R-MN-5",
        r("provide", SP, recipient=to(), exception="mna_19", mna_19_item="2"),
        True,
        id="mn-tp-art19",
    ),
    case("R-MN-5", r("provide", SP, recipient=to(), exception="law"), False, id="mn-tp-law"),
    case(
        "R-MN-5",
        r("provide", SP, recipient=to(), exception="life_body_property", consent_difficult=True),
        True,
        id="mn-tp-life",
    ),
    case(
        "R-MN-5",
        r("provide", SP, recipient=to(relation="joint_user"), exception="mna_19", consent=CONSENT),
        False,
        id="mn-never-joint-use",
    ),
    case(
        "R-MN-8",
        r(
            "provide",
            SP,
            purpose="remuneration_payment_records",
            recipient=to(relation="entrustee"),
        ),
        True,
        (SUPERVISE,),
        id="mn-entrustee",
    ),
    case("R-MN-5", r("provide", SP, recipient=to(relation="successor")), True, id="mn-successor"),
    case(
        "R-MN-5",
        r("provide", SP, recipient=to("US"), exception="mna_19", mna_19_item="2"),
        True,
        id="mn-art19-abroad",
    ),
    case(
        "R-RT-6",
        r("provide", SP, recipient=to(), exception="mna_19", mna_19_item="15"),
        True,
        facts={"stop_provision": True},
        id="mn-art19-prevails-over-stop",
    ),
    case(
        "R-RT-6",
        r("use", SP, purpose="remuneration_payment_records"),
        False,
        facts={"stop_use": True},
        id="mn-stop-use",
    ),
    case("R-MN-5", r("provide", SP, recipient=to(), exception="mna_19"), False, id="mn-19-no-item"),
    case(
        "R-MN-5",
        r("provide", SP, recipient=to(), exception="mna_19", mna_19_item="4"),
        False,
        id="mn-19-4-without-consent",
    ),
    case(
        "R-MN-5",
        r("provide", SP, recipient=to(), exception="mna_19", mna_19_item="4", consent=CONSENT),
        True,
        id="mn-19-4-with-consent",
    ),
    case(
        "R-MN-5",
        r("provide", SP, recipient=to(), exception="mna_19", mna_19_item="16"),
        False,
        id="mn-19-16-neither",
    ),
    case(
        "R-MN-5",
        r("provide", SP, recipient=to(), exception="mna_19", mna_19_item="6"),
        False,
        id="mn-19-6-third-party",
    ),
    case(
        "R-MN-5",
        r("provide", SP, recipient=to(group_company=True), consent=CONSENT),
        False,
        id="mn-group-company-consent",
    ),
    case(
        "R-MN-5",
        r("provide", SP, recipient=to(relation="joint_user", group_company=True)),
        False,
        id="mn-group-company-joint-use",
    ),
    case(
        "R-MN-5",
        r(
            "provide",
            SP,
            purpose="remuneration_payment_records",
            recipient=to(relation="entrustee", group_company=True),
        ),
        True,
        (SUPERVISE,),
        id="mn-group-company-entrusted-payroll",
    ),
]


FORM_CASES: list[Any] = PRI + PSEUDONYMIZED + ANONYMIZED + MY_NUMBER
