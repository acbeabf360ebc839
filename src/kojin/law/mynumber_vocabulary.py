"""The closed vocabularies of the My Number vault (R-MN-4, R-MN-5, R-MN-7), as StrEnums.

Values are stable identifiers used in requests, records and configuration; the rules that give
them meaning live in :mod:`kojin.law.mynumber_rules` (identity verification, Art. 19 items,
retention) and :mod:`kojin.law.payment_records` (statutory payment records).
"""

from __future__ import annotations

from enum import StrEnum


class Article19Item(StrEnum):
    """The items of MNA Art. 19 a private business can rely on: a closed list (R-MN-5).

    The value is the item's number as the Act writes it (``"6"`` is Art. 19(6)); items that
    concern only government systems are not listed, so a request cannot invoke them.
    """

    #: (1) an implementer of number-use affairs provides to the person or a related implementer
    USE_AFFAIRS = "1"
    #: (2) an implementer of number-related affairs provides as the affairs need (employer ->
    #: tax office, insurers)
    RELATED_AFFAIRS = "2"
    #: (3) the person or their agent provides to an implementer
    PERSON_OR_AGENT = "3"
    #: (4) a former employer provides to the new one, with the employee's consent
    FORMER_EMPLOYER = "4"
    #: (6) with an entrustment of the affairs or a business succession
    ENTRUSTMENT_OR_SUCCESSION = "6"
    #: (13) to the Personal Information Protection Commission on its request
    PPC_REQUEST = "13"
    #: (15) Diet investigations, court proceedings, criminal and tax investigations, the Board
    #: of Audit, other public-interest cases the Cabinet Order names
    PUBLIC_INTEREST = "15"
    #: (16) protecting life, body or property, with consent or where consent is difficult
    LIFE_BODY_PROPERTY = "16"
    #: (17) other cases the Commission's rules name
    PPC_RULES = "17"


class VerificationRoute(StrEnum):
    """How the number and the person's identity were checked on receipt (MNA Art. 16; R-MN-4)."""

    #: (a) the My Number Card presented: number and identity in one document
    MY_NUMBER_CARD = "my_number_card"
    #: (b) the card-substitute electronic record, verified with the approved program
    CARD_SUBSTITUTE_RECORD = "card_substitute_record"
    #: (c) a number document plus an identity document
    NUMBER_AND_IDENTITY_DOCUMENTS = "number_and_identity_documents"
    #: online: the card's IC chip read, or an electronic signature, or J-LIS confirmation
    ONLINE_IC_CHIP = "online_ic_chip"
    #: an agent: proof of authority, the agent's identity, and the person's number document
    AGENT = "agent"
    #: received from a former employer under Art. 19(4): no Art. 16 check is needed
    FORMER_EMPLOYER = "former_employer"


class IdentityDocument(StrEnum):
    """Documents shown or copied for the Art. 16 check. Which proves what is in the rules."""

    MY_NUMBER_CARD = "my_number_card"
    #: abolished 2020-05-25; still number proof while its details are unchanged
    NOTIFICATION_CARD = "notification_card"
    RESIDENT_RECORD_WITH_NUMBER = "resident_record_with_number"
    RESIDENT_RECORD_CERTIFICATE_WITH_NUMBER = "resident_record_certificate_with_number"
    DRIVERS_LICENSE = "drivers_license"
    PASSPORT = "passport"
    RESIDENCE_CARD = "residence_card"
    HEALTH_INSURANCE_CARD = "health_insurance_card"
    PENSION_BOOK = "pension_book"
    POWER_OF_ATTORNEY = "power_of_attorney"
    AGENT_IDENTITY_DOCUMENT = "agent_identity_document"
    ELECTRONIC_SIGNATURE = "electronic_signature"
    JLIS_CONFIRMATION = "jlis_confirmation"


class RetentionDocument(StrEnum):
    """Documents that hold a number and set how long it must be kept (R-MN-7).

    The statutory periods are built in (:mod:`kojin.law.mynumber_rules`); a company's
    configuration may change them or add its own kinds by name.
    """

    #: 給与所得者の扶養控除等（異動）申告書: 7 years from the day after 10 January of the year
    #: after the submission deadline's year (ITA Regs 76-3, per GL-MN)
    DEPENDANTS_DEDUCTION_FORM = "dependants_deduction_form"
    #: the filer's copy of a statutory payment record (支払調書) and its working papers
    PAYMENT_RECORD = "payment_record"
    #: health and pension insurance filings
    HEALTH_PENSION_INSURANCE = "health_pension_insurance"
    #: employment-insurance insured records
    EMPLOYMENT_INSURANCE = "employment_insurance"
    #: labour records (LSA Art. 109; 3 years for the time being, Art. 143)
    LABOUR_RECORDS = "labour_records"


class PaymentRecordKind(StrEnum):
    """The four statutory payment records (法定調書) of the seed policy's affairs."""

    #: 報酬、料金、契約金及び賞金の支払調書
    REMUNERATION = "remuneration"
    #: 不動産の使用料等の支払調書
    REAL_ESTATE_USAGE = "real_estate_usage"
    #: 不動産等の譲受けの対価の支払調書
    REAL_ESTATE_TRANSFER = "real_estate_transfer"
    #: 不動産等の売買又は貸付けのあっせん手数料の支払調書
    REAL_ESTATE_BROKERAGE = "real_estate_brokerage"
