"""Affairs: the purposes of use of a category the policy marks specific personal information.

A number may be acquired, used and provided only for these number-related affairs (R-MN-1,
R-MN-2); a handler is designated for some of them (R-MN-9). Values are policy ids, so errors
may name the declared ones but never repeat what was sent.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from kojin.errors import InputError
from kojin.law.policy_facts import CategoryFacts, PolicyFacts


def specific_categories(policy: PolicyFacts) -> Mapping[str, CategoryFacts]:
    """The categories of specific personal information, by id."""
    return {cid: c for cid, c in policy.categories.items() if c.specific_personal}


def declared_affairs(policy: PolicyFacts) -> frozenset[str]:
    """Every affair of every specific-personal category."""
    return frozenset(p for c in specific_categories(policy).values() for p in c.purposes)


def _declared_list(policy: PolicyFacts) -> str:
    return ", ".join(sorted(declared_affairs(policy))) or "(none)"


def check_affairs(policy: PolicyFacts, affairs: Collection[str], *, field: str = "affairs") -> None:
    """InputError (naming `field`) unless each of `affairs` is a declared affair."""
    known = declared_affairs(policy)
    if not affairs or any(a not in known for a in affairs):
        raise InputError(
            "not an affair the policy declares for specific personal information (the value is "
            f"not repeated here); it declares: {_declared_list(policy)}",
            field=field,
        )


def affairs_category(
    policy: PolicyFacts, category: str, affairs: Collection[str], *, field: str = "affairs"
) -> CategoryFacts:
    """The specific-personal `category`, when every one of `affairs` is a purpose of it;
    InputError (naming `field`) otherwise."""
    facts = specific_categories(policy).get(category)
    if facts is None or not affairs or any(a not in facts.purposes for a in affairs):
        raise InputError(
            "not an affair the policy declares for this person's category (the value is not "
            f"repeated here); it declares: {_declared_list(policy)}",
            field=field,
        )
    return facts
