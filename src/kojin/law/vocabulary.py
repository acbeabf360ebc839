"""The closed vocabularies of the decision contract, as StrEnums."""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    ACQUIRE = "acquire"
    USE = "use"
    PROVIDE = "provide"
    STORE_ABROAD = "store_abroad"
    CONTACT = "contact"
    REIDENTIFY = "reidentify"


class Form(StrEnum):
    """The legal form the information is in (APPI Art. 2(1), 2(5)-(7))."""

    PERSONAL = "personal"
    PSEUDONYMIZED = "pseudonymized"
    ANONYMIZED = "anonymized"
    PERSON_RELATED = "person_related"


class Relation(StrEnum):
    """Who the recipient is to the operator (APPI Art. 27(5))."""

    THIRD_PARTY = "third_party"
    ENTRUSTEE = "entrustee"
    JOINT_USER = "joint_user"
    SUCCESSOR = "successor"


class LegalException(StrEnum):
    """Statutory exceptions a request may invoke (APPI Arts. 18(3), 27(1); MNA Art. 19)."""

    LAW = "law"
    LIFE_BODY_PROPERTY = "life_body_property"
    PUBLIC_HEALTH_CHILDREN = "public_health_children"
    GOVERNMENT_COOPERATION = "government_cooperation"
    ACADEMIC_PUBLICATION = "academic_publication"
    ACADEMIC_JOINT_RESEARCH = "academic_joint_research"
    ACADEMIC_INSTITUTION_RESEARCH = "academic_institution_research"
    MNA_19 = "mna_19"


class AcquisitionMethod(StrEnum):
    """How the data is acquired: handed over by the person in writing or orally, from another
    source, or from what is public."""

    WRITTEN_DIRECT = "written_direct"
    ORAL_DIRECT = "oral_direct"
    INDIRECT = "indirect"
    PUBLIC = "public"


class Outcome(StrEnum):
    ALLOW = "allow"
    DENY = "deny"


class ObligationCode(StrEnum):
    """Duties a decision creates for the operator."""

    RECORD_PROVISION = "record_provision"
    RECORD_PRI_PROVISION = "record_pri_provision"
    SUPERVISE_ENTRUSTEE = "supervise_entrustee"
    STATE_PURPOSE_IN_ADVANCE = "state_purpose_in_advance"
    NOTIFY_OR_PUBLISH_PURPOSE = "notify_or_publish_purpose"
    VERIFY_IDENTITY_MYNUMBER = "verify_identity_mynumber"
    PUBLISH_ANONYMIZED_ITEMS = "publish_anonymized_items"
    ANNOUNCE_PURPOSE_CHANGE = "announce_purpose_change"
    PERIODIC_CHECK_FOREIGN_RECIPIENT = "periodic_check_foreign_recipient"
    UNDERSTAND_FOREIGN_SYSTEM = "understand_foreign_system"
    INFORM_ENTRUSTEE_PSEUDONYMIZED = "inform_entrustee_pseudonymized"
