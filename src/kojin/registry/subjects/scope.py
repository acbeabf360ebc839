"""Which subjects a caller may see, and the policy checks on the codes the registry stores.

Subjects of a category the policy marks specific personal information (My Number; MNA Art. 2(8))
are handled only by designated handlers (R-MN-9): a caller with My Number authority sees those
subjects and no others, every other caller sees every subject except those. An invisible subject
is answered exactly as an unknown one, so no lookup tells whether it exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement

from kojin.errors import InputError, PermissionDeniedError
from kojin.law.policy_facts import CategoryFacts, PolicyFacts
from kojin.registry.subjects.models import Subject


@dataclass(frozen=True, slots=True)
class SubjectScope:
    """The subjects one caller sees: of the specific-personal categories, or of all others."""

    #: the categories the policy marks specific personal information
    specific_categories: frozenset[str]
    #: the caller is a designated handler of specific personal information (R-MN-9)
    mynumber_authority: bool

    @classmethod
    def for_policy(cls, policy: PolicyFacts, *, mynumber_authority: bool) -> SubjectScope:
        specific = frozenset(c.id for c in policy.categories.values() if c.specific_personal)
        return cls(specific_categories=specific, mynumber_authority=mynumber_authority)

    def sees(self, category: str) -> bool:
        """Whether subjects (and records) of `category` are visible to this caller."""
        return (category in self.specific_categories) == self.mynumber_authority

    def condition(self) -> ColumnElement[bool]:
        """The SQL condition selecting the visible subjects."""
        specific = sorted(self.specific_categories)
        if self.mynumber_authority:
            return Subject.category.in_(specific)
        return Subject.category.not_in(specific)

    def require(self, category: str, *, field: str = "category") -> None:
        """PermissionDeniedError unless this caller may handle records of `category`.

        Depends on the category alone (a policy fact), never on what is stored.
        """
        if self.sees(category):
            return
        if self.mynumber_authority:
            raise PermissionDeniedError(
                f"{field}: a My Number authority handles only specific personal information"
            )
        raise PermissionDeniedError(
            f"{field}: specific personal information (My Number) is handled only by a "
            "mynumber_handler token (R-MN-9)"
        )


def declared_category(
    policy: PolicyFacts, category: str, *, field: str = "category"
) -> CategoryFacts:
    """The policy's declaration of `category`; InputError (naming `field`, not the value) when
    the policy does not declare it."""
    facts = policy.categories.get(category)
    if facts is None:
        raise InputError(
            "not a category the policy declares (the value is not repeated here); the policy "
            "declares: " + ", ".join(sorted(policy.categories)),
            field=field,
        )
    return facts


def check_purpose(category: CategoryFacts, purpose: str, *, field: str = "purpose") -> None:
    """InputError (naming `field`, not the value) unless `category` declares `purpose`."""
    if purpose not in category.purposes:
        raise InputError(
            f"not a purpose the policy declares for category '{category.id}' (the value is not "
            "repeated here); it declares: " + ", ".join(sorted(category.purposes)),
            field=field,
        )
