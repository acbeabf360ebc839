"""The kinds of request a person may make, and the choices a request form carries.

The six rights requests of APPI Arts. 32-35 (R-RT-2..6) need an identity document (Art. 37,
R-RT-8); complaints and inquiries (Art. 40, R-RT-11) do not.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Final

from kojin.policy.model import Policy
from kojin.policy.model_base import RequestType


class RequestKind(StrEnum):
    """What a person asks for."""

    #: Art. 32(2): notification of the purposes of use (R-RT-2)
    PURPOSE_NOTIFICATION = "purpose_notification"
    #: Art. 33(1), (5): disclosure, including the records of provision to third parties (R-RT-3/4)
    DISCLOSURE = "disclosure"
    #: Art. 34: correction, addition or deletion (R-RT-5)
    CORRECTION = "correction"
    #: Art. 35(1), (5): cessation of use (R-RT-6)
    STOP_USE = "stop_use"
    #: Art. 35(1), (5): erasure (R-RT-6)
    ERASURE = "erasure"
    #: Art. 35(3), (5): cessation of provision to third parties (R-RT-6)
    STOP_PROVISION = "stop_provision"
    #: Art. 40: a complaint about the handling (R-RT-11)
    COMPLAINT = "complaint"
    #: a question about the handling
    INQUIRY = "inquiry"


#: the six rights requests: each needs an identity document (Art. 37; R-RT-8)
RIGHTS_KINDS: Final[frozenset[RequestKind]] = frozenset(
    {
        RequestKind.PURPOSE_NOTIFICATION,
        RequestKind.DISCLOSURE,
        RequestKind.CORRECTION,
        RequestKind.STOP_USE,
        RequestKind.ERASURE,
        RequestKind.STOP_PROVISION,
    }
)


class DisclosureMethod(StrEnum):
    """How the person chose to receive a disclosure (Art. 33(1); R-RT-3)."""

    ELECTRONIC = "electronic"
    PAPER = "paper"


class DocumentPurpose(StrEnum):
    """Why a document was uploaded with a request."""

    #: proves the applicant is the person (or the agent) (Art. 37; R-RT-8)
    IDENTITY = "identity"
    #: proves an agent's authority: power of attorney, guardianship certificate (R-RT-8)
    AUTHORITY = "authority"


class AgentRelation(StrEnum):
    """Who may act for the person (Art. 37(3); CO Art. 13; R-RT-8)."""

    LEGAL_REPRESENTATIVE = "legal_representative"
    AUTHORISED_AGENT = "authorised_agent"


#: the kinds that may rest on a ground of APPI Art. 35 (``StopGround``) and name an incident
STOP_KINDS: Final[frozenset[RequestKind]] = frozenset(
    {RequestKind.STOP_USE, RequestKind.ERASURE, RequestKind.STOP_PROVISION}
)

#: an incident's public reference, as notices print it: ``INC-2026-0001``
INCIDENT_REFERENCE: Final = re.compile(r"INC-[0-9]{4}-[0-9]{4,6}")

#: the request kinds that carry the disclosure method the person chose (Art. 33(1); R-RT-3)
METHOD_KINDS: Final[frozenset[RequestKind]] = frozenset(
    {RequestKind.PURPOSE_NOTIFICATION, RequestKind.DISCLOSURE}
)


def fee_for(kind: RequestKind, policy: Policy) -> int | None:
    """The fee in yen the policy sets for `kind` (``general.inquiries.fees``), or None.

    Only purpose notification and disclosure may carry one (Art. 38; R-RT-9). A disclosure's
    fee covers the records of provision to third parties as well (Art. 33(5); R-RT-4): when the
    policy sets no disclosure fee but one for third-party-record disclosure, that one applies.
    """
    if kind not in METHOD_KINDS:
        return None
    fees = {fee.request_type: fee.amount_yen for fee in policy.general.inquiries.fees}
    amount = fees.get(RequestType(kind.value))
    if amount is None and kind is RequestKind.DISCLOSURE:
        amount = fees.get(RequestType.THIRD_PARTY_RECORD_DISCLOSURE)
    return amount
