"""Affairs that prepare a statutory payment record, as the policy declares them, and the
handler's scope the filing services check.

An affair is a purpose id of a category the policy marks specific personal information; the
policy marks the purposes that prepare a payment record with the record's kind (CategoryFacts
``payment_records``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from kojin.errors import InputError, PermissionDeniedError
from kojin.law.mynumber_vocabulary import PaymentRecordKind
from kojin.law.policy_facts import PolicyFacts


class AffairScope(Protocol):
    """What a designated handler may handle (:class:`kojin.mynumber.handlers.HandlerScope`)."""

    @property
    def affairs(self) -> frozenset[str]: ...

    @property
    def subject_ids(self) -> frozenset[str] | None: ...

    def allows(self, *, affair: str, subject_id: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class FilingAffair:
    """An affair that prepares a payment record."""

    #: the purpose id
    id: str
    #: the specific-personal category declaring it
    category: str
    kind: PaymentRecordKind
    #: the purpose's text (English, Japanese)
    title: tuple[str, str]


def filing_affairs(policy: PolicyFacts) -> dict[str, FilingAffair]:
    """Every affair of the policy that prepares a payment record, by purpose id."""
    found: dict[str, FilingAffair] = {}
    for category in policy.categories.values():
        if not category.specific_personal:
            continue
        for purpose, kind in category.payment_records.items():
            title = category.purpose_titles.get(purpose, (purpose, purpose))
            found[purpose] = FilingAffair(purpose, category.id, kind, title)
    return found


def specific_affairs(policy: PolicyFacts) -> dict[str, tuple[str, tuple[str, str]]]:
    """Every number-related affair (purpose of a specific-personal category), with or without
    a payment record: its category and its title, by purpose id."""
    found: dict[str, tuple[str, tuple[str, str]]] = {}
    for category in policy.categories.values():
        if category.specific_personal:
            for purpose in sorted(category.purposes):
                title = category.purpose_titles.get(purpose, (purpose, purpose))
                found[purpose] = (category.id, title)
    return found


def filing_affair(policy: PolicyFacts, affair: str, *, field: str = "affair") -> FilingAffair:
    """The affair `affair`; InputError naming `field` (not the value) when the policy declares
    no such affair with a payment record."""
    affairs = filing_affairs(policy)
    found = affairs.get(affair)
    if found is None:
        raise InputError(
            "not an affair that prepares a payment record (the value is not repeated here); "
            "the policy declares: " + (", ".join(sorted(affairs)) or "none"),
            field=field,
        )
    return found


def require_affair(scope: AffairScope | None, affair: str) -> None:
    """PermissionDeniedError unless `scope` (the actor's designation; None: not designated)
    covers `affair` (R-MN-9)."""
    if scope is None:
        raise PermissionDeniedError(
            "only a designated person in charge of specific personal information may do this "
            "(R-MN-9)"
        )
    if affair not in scope.affairs:
        raise PermissionDeniedError(
            f"the designation does not cover the affair '{affair}' (R-MN-9)"
        )
