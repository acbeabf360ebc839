"""The words of the Data Rights Protocol 1.0 and what they mean in kojin.

Pure: no database, no clock. The protocol's rights actions (section 3.01), its request states
and reasons (3.02) and its regimes are spelled exactly as the protocol spells them; kojin's own
additions are namespaced ``kojin:`` (the protocol writes a right as ``<right>[:<qualifier>]``
and names no right ``kojin``, so the prefix cannot clash with a future protocol right).

How a rights action becomes a kojin request (APPI Arts. 32-35, R-RT-2..6):

========================== ===================== ==========================================
exercise                   kojin request kind    reading
========================== ===================== ==========================================
``access``                 disclosure            Art. 33 (the right to know)
``deletion``               erasure               Art. 35 (the right to delete)
``sale:opt-out``           stop_provision        Art. 35(3): a sale is a provision to a
                                                 third party, so opting out of it is asking
                                                 the company to stop providing
``kojin:purpose_notification`` purpose_notification  Art. 32(2)
``kojin:correction``       correction            Art. 34 (what to correct: ``kojin:details``)
``kojin:stop_use``         stop_use              Art. 35(1)
``kojin:stop_provision``   stop_provision        Art. 35(3)
========================== ===================== ==========================================

``sale:opt-in`` (APPI has no request to be provided again: consent is given to the company
directly), ``access:categories`` and ``access:specific`` (whose semantics the protocol has not
declared yet) and any other value are denied with ``claim_not_covered``.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from kojin.policy.model_base import RefusalGround
from kojin.requests.kinds import RequestKind
from kojin.requests.states import RequestState

#: the protocol version kojin speaks (``drp.version``)
DRP_VERSION: Final = "1.0"
#: the prefix of kojin's extensions (rights actions and claims)
EXTENSION_PREFIX: Final = "kojin:"


class DrpStatus(StrEnum):
    """The request states of section 3.02."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    FULFILLED = "fulfilled"
    REVOKED = "revoked"
    DENIED = "denied"
    EXPIRED = "expired"


#: states after which nothing changes any more
FINAL_STATUSES: Final[frozenset[DrpStatus]] = frozenset(
    {DrpStatus.FULFILLED, DrpStatus.REVOKED, DrpStatus.DENIED, DrpStatus.EXPIRED}
)


class DrpReason(StrEnum):
    """The reasons of section 3.02, spelled as the protocol's table and schema spell them."""

    NEED_USER_VERIFICATION = "need_user_verification"
    SUSPECTED_FRAUD = "suspected_fraud"
    INSUF_VERIFICATION = "insuf_verification"
    NO_MATCH = "no_match"
    CLAIM_NOT_COVERED = "claim_not_covered"
    OUTSIDE_JURISDICTION = "outside_jurisdiction"
    TOO_MANY_REQUESTS = "too_many_requests"
    OTHER = "other"


class Regime(StrEnum):
    """The legal regimes kojin accepts; a request without one is taken on a voluntary basis
    (section 2.01) and handled by kojin's APPI procedure like the others."""

    #: the protocol's one regime
    CCPA = "ccpa"
    #: kojin's extension: Japan's Act on the Protection of Personal Information
    APPI = "appi"


#: rights action -> kojin request kind (see the module docstring)
EXERCISES: Final[Mapping[str, RequestKind]] = MappingProxyType(
    {
        "access": RequestKind.DISCLOSURE,
        "deletion": RequestKind.ERASURE,
        "sale:opt-out": RequestKind.STOP_PROVISION,
        "kojin:purpose_notification": RequestKind.PURPOSE_NOTIFICATION,
        "kojin:correction": RequestKind.CORRECTION,
        "kojin:stop_use": RequestKind.STOP_USE,
        "kojin:stop_provision": RequestKind.STOP_PROVISION,
    }
)
#: the protocol's rights actions kojin recognises but does not offer
NOT_OFFERED: Final = frozenset({"sale:opt-in", "access:categories", "access:specific"})

#: a policy refusal ground (Arts. 33(2), 37) -> the protocol's denial reason
REFUSAL_REASONS: Final[Mapping[RefusalGround, DrpReason]] = MappingProxyType(
    {
        RefusalGround.DEFICIENT_PROCEDURE: DrpReason.INSUF_VERIFICATION,
        RefusalGround.NOT_HELD: DrpReason.NO_MATCH,
        RefusalGround.HARM_TO_PERSONS: DrpReason.CLAIM_NOT_COVERED,
        RefusalGround.VIOLATES_LAW: DrpReason.CLAIM_NOT_COVERED,
        RefusalGround.BUSINESS_HINDRANCE: DrpReason.OTHER,
    }
)

#: kojin request state -> (protocol status, reason)
STATE_STATUS: Final[Mapping[RequestState, tuple[DrpStatus, DrpReason | None]]] = MappingProxyType(
    {
        RequestState.EMAIL_UNVERIFIED: (DrpStatus.OPEN, None),
        RequestState.RECEIVED: (DrpStatus.IN_PROGRESS, None),
        RequestState.AWAITING_DOCUMENTS: (
            DrpStatus.IN_PROGRESS,
            DrpReason.NEED_USER_VERIFICATION,
        ),
        RequestState.AWAITING_FEE: (DrpStatus.IN_PROGRESS, None),
        RequestState.IN_REVIEW: (DrpStatus.IN_PROGRESS, None),
        RequestState.COMPLETED: (DrpStatus.FULFILLED, None),
        RequestState.PARTLY_COMPLETED: (DrpStatus.FULFILLED, None),
        RequestState.REFUSED: (DrpStatus.DENIED, DrpReason.OTHER),
        RequestState.WITHDRAWN: (DrpStatus.REVOKED, None),
    }
)


def status_of_state(
    state: RequestState, refusal_ground: RefusalGround | None
) -> tuple[DrpStatus, DrpReason | None]:
    """The protocol's status and reason for a kojin request in `state`; a refusal's reason
    follows its ground (:data:`REFUSAL_REASONS`)."""
    status, reason = STATE_STATUS[state]
    if state is RequestState.REFUSED and refusal_ground is not None:
        reason = REFUSAL_REASONS.get(refusal_ground, DrpReason.OTHER)
    return status, reason


class IntakeDenial(StrEnum):
    """Why kojin denies a well-formed, correctly signed request at once (no kojin request is
    made); each has its protocol reason (:data:`DENIAL_REASONS`)."""

    #: the rights action is one kojin does not offer
    EXERCISE_NOT_OFFERED = "exercise_not_offered"
    #: the regime is one kojin does not handle requests under
    REGIME_NOT_HANDLED = "regime_not_handled"


DENIAL_REASONS: Final[Mapping[IntakeDenial, DrpReason]] = MappingProxyType(
    {
        IntakeDenial.EXERCISE_NOT_OFFERED: DrpReason.CLAIM_NOT_COVERED,
        IntakeDenial.REGIME_NOT_HANDLED: DrpReason.OUTSIDE_JURISDICTION,
    }
)


def kind_for(exercise: str) -> RequestKind | None:
    """The kojin request kind a rights action asks for, or None when kojin does not offer it."""
    return EXERCISES.get(exercise)


def regime_handled(regime: str | None) -> bool:
    """True for no regime (voluntary) and for the regimes of :class:`Regime`."""
    return regime is None or regime in {r.value for r in Regime}
