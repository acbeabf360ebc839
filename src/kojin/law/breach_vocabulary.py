"""The words of breach reporting (APPI Art. 26; Rules 7-10; MNA Art. 29-4; MN-Rules 2-5) and of
the stop requests a breach opens (APPI Art. 35; R-RT-6, R-BR-8).
"""

from __future__ import annotations

from enum import StrEnum


class IncidentKind(StrEnum):
    """What happened to the data (R-BR-0, R-BR-MN-1)."""

    #: outflow: misdirected mail or e-mail, exposure by misconfiguration, stolen media, hacking
    LEAKAGE = "leakage"
    #: the data is gone, e.g. disposed of by mistake
    LOSS = "loss"
    #: tampered with, or unusable (lost keys, ransomware)
    DAMAGE = "damage"
    #: a My Number used outside the affairs MNA Art. 9 allows (e.g. as a customer id)
    UNLAWFUL_USE = "unlawful_use"
    #: a My Number provided outside MNA Art. 19 (e.g. unmasked numbers sent to a contractor)
    UNLAWFUL_PROVISION = "unlawful_provision"


#: the kinds that are "leakage etc." (R-BR-0): the only ones APPI Art. 26 is about
LEAKAGE_ETC: frozenset[IncidentKind] = frozenset(
    {IncidentKind.LEAKAGE, IncidentKind.LOSS, IncidentKind.DAMAGE}
)


class Certainty(StrEnum):
    """Whether the situation is established (Rule 7: "occurred or is suspected")."""

    SUSPECTED = "suspected"
    CONFIRMED = "confirmed"


class AppiBreachCategory(StrEnum):
    """The reportable situations of Rule 7 (R-BR-2)."""

    #: (i) special-care personal data
    SPECIAL_CARE = "special_care"
    #: (ii) data whose misuse may cause property damage (card numbers, payment logins)
    PROPERTY_DAMAGE = "property_damage"
    #: (iii) an act against the operator possibly for a wrongful purpose
    WRONGFUL_PURPOSE = "wrongful_purpose"
    #: (iv) more than 1,000 persons
    OVER_1000 = "over_1000"


class MyNumberBreachCategory(StrEnum):
    """The reportable situations of MN-Rules 2 (R-BR-MN-1)."""

    #: (i) leakage etc. in the information-provision network system, number-use-affairs
    #: systems or the government's related-affairs systems
    NUMBER_SYSTEMS = "number_systems"
    #: (ii) leakage etc. possibly for a wrongful purpose, or wrongful use or provision
    WRONGFUL_PURPOSE = "wrongful_purpose"
    #: (iii) exposure to an unspecified large number of people by electronic means
    UNSPECIFIED_EXPOSURE = "unspecified_exposure"
    #: (iv) more than 100 persons (leakage etc., use against Art. 9, provision against Art. 19)
    OVER_100 = "over_100"


class BreachRole(StrEnum):
    """Whose data it is from the reporting company's side (R-BR-3)."""

    #: the company handles the data for its own purposes
    OPERATOR = "operator"
    #: the company handles the data on another's behalf; it may notify the entruster instead of
    #: reporting (Art. 26(1) proviso; Rule 9)
    ENTRUSTEE = "entrustee"
    #: an entrustee of the company told it of the incident; the company reports
    ENTRUSTER = "entruster"


class StopGround(StrEnum):
    """Why a person asks for cessation of use, erasure or cessation of provision (APPI Art. 35;
    R-RT-6)."""

    #: Art. 35(1): handled beyond the purposes (Art. 18), improperly (Art. 19) or acquired
    #: improperly (Art. 20)
    UNLAWFUL_HANDLING = "unlawful_handling"
    #: Art. 35(3): provided in breach of Art. 27(1) or 28
    UNLAWFUL_PROVISION = "unlawful_provision"
    #: Art. 35(5): the company no longer needs the data
    NO_LONGER_NEEDED = "no_longer_needed"
    #: Art. 35(5): a reportable breach (Art. 26(1)) occurred on the data (R-BR-8)
    REPORTABLE_BREACH = "reportable_breach"
    #: Art. 35(5): the handling may harm the person's rights or legitimate interests
    HARM_TO_INTERESTS = "harm_to_interests"


#: the grounds of Art. 35(5) (the 2022 amendment): the company may decline only where special
#: circumstances outweigh the person's interest, or take alternative measures
ARTICLE_35_5_GROUNDS: frozenset[StopGround] = frozenset(
    {StopGround.NO_LONGER_NEEDED, StopGround.REPORTABLE_BREACH, StopGround.HARM_TO_INTERESTS}
)
