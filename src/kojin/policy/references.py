"""Checks a schema-valid policy for duplicate ids and references to things it does not define."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kojin.policy.model_base import (
    AnonymizedPublication,
    CategoryScope,
    ForeignConsentItem,
    JointUseItem,
    SecurityControlFamily,
)

if TYPE_CHECKING:
    from kojin.policy.model import Inquiries, Policy

PathPart = str | int
Path = tuple[PathPart, ...]

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True, slots=True)
class Problem:
    """A problem at `path` (keys and list indexes, as in the YAML document)."""

    path: Path
    message: str

    @property
    def dotted(self) -> str:
        return dotted_path(self.path)


def printable(text: str) -> str:
    """`text` with control characters escaped, so that an issue stays on one line."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


def dotted_path(path: Sequence[PathPart]) -> str:
    """``("categories", 1, "id")`` -> ``categories[1].id``; the empty path is ``<document>``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not _PLAIN_KEY.fullmatch(part):
            out += f"[{json.dumps(part, ensure_ascii=False)}]"  # keeps the path on one line
        else:
            out += f".{part}" if out else part
    return out or "<document>"


def _duplicates(
    values: Iterable[str], base: Path, field: str, what: str, where: str = ""
) -> Iterator[Problem]:
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            yield Problem((*base, index, field), f"duplicate {what} '{value}'{where}")
        seen.add(value)


def _missing(
    expected: Iterable[str], present: Iterable[str], path: Path, what: str
) -> Iterator[Problem]:
    lacking = sorted(set(expected) - set(present))
    if lacking:
        yield Problem(path, f"{what} must include: {', '.join(lacking)}")


def find_reference_problems(policy: Policy) -> list[Problem]:
    """Every duplicate id, undefined reference and incomplete promise list, in document order."""
    return [
        *_category_problems(policy),
        *_general_problems(policy),
        *_contact_problems(policy),
        *_scope_problems(policy),
    ]


def _category_problems(policy: Policy) -> Iterator[Problem]:
    yield from _duplicates((c.id for c in policy.categories), ("categories",), "id", "category id")
    for index, category in enumerate(policy.categories):
        yield from _duplicates(
            (p.id for p in category.purposes),
            ("categories", index, "purposes"),
            "id",
            "purpose id",
            f" in category '{category.id}'",
        )
    yield from _duplicates((c.id for c in policy.contacts), ("contacts",), "id", "contact id")
    basic = policy.basic_policy
    yield from _duplicates(
        (p.id for p in basic.principles), ("basic_policy", "principles"), "id", "principle id"
    )
    yield from _duplicates(
        (c.family for c in basic.security.controls),
        ("basic_policy", "security", "controls"),
        "family",
        "security-control family",
    )
    yield from _missing(
        SecurityControlFamily,
        (c.family for c in basic.security.controls),
        ("basic_policy", "security", "controls"),
        "the security controls (R-SEC-2)",
    )


def _category_ref(policy: Policy, category_id: str, path: Path) -> Iterator[Problem]:
    if policy.category(category_id) is None:
        yield Problem(path, f"undefined category '{category_id}'")


def _purpose_refs(
    policy: Policy, category_ids: Sequence[str], purposes: Sequence[str], base: Path
) -> Iterator[Problem]:
    known = {
        purpose.id
        for category_id in category_ids
        if (category := policy.category(category_id)) is not None
        for purpose in category.purposes
    }
    names = ", ".join(f"'{c}'" for c in category_ids)
    for index, purpose in enumerate(purposes):
        if purpose not in known:
            yield Problem((*base, index), f"undefined purpose '{purpose}' for category {names}")


def _general_problems(policy: Policy) -> Iterator[Problem]:
    general = policy.general
    tpp = ("general", "third_party_provision", "exceptions")
    yield from _duplicates(
        (e.id for e in general.third_party_provision.exceptions), tpp, "id", "exception"
    )

    joint = ("general", "joint_use")
    yield from _duplicates(
        (n.item for n in general.joint_use.published_items),
        (*joint, "published_items"),
        "item",
        "item",
    )
    yield from _missing(
        JointUseItem,
        (n.item for n in general.joint_use.published_items),
        (*joint, "published_items"),
        "the joint-use notice (R-TP-NT-1)",
    )
    arrangements = general.joint_use.arrangements
    yield from _duplicates(
        (a.id for a in arrangements), (*joint, "arrangements"), "id", "arrangement id"
    )
    for index, arrangement in enumerate(arrangements):
        base = (*joint, "arrangements", index)
        for position, category_id in enumerate(arrangement.categories):
            yield from _category_ref(policy, category_id, (*base, "categories", position))
        yield from _purpose_refs(
            policy, arrangement.categories, arrangement.purposes, (*base, "purposes")
        )
        for position, category_id in enumerate(arrangement.categories):
            category = policy.category(category_id)
            if category is not None and category.scope is CategoryScope.SPECIFIC_PERSONAL:
                yield Problem(
                    (*base, "categories", position),
                    f"category '{category_id}' holds specific personal information, which may not "
                    "be jointly used (MNA Art. 19, R-MN-5)",
                )
        yield from _duplicates((i.id for i in arrangement.items), (*base, "items"), "id", "item id")
        yield from _duplicates(
            (m.id for m in arrangement.members), (*base, "members"), "id", "joint user id"
        )
        for field, what in arrangement.missing:
            yield Problem(
                (*base, *field.split(".")),
                f"the arrangement does not publish {what}, so it is not joint use until it does "
                "(R-TP-NT-1, R-TP-NT-3(a))",
            )
    yield from _opt_out_problems(policy)

    if general.anonymized is not None:
        anonymized = ("general", "anonymized", "published_items")
        published = [n.item for n in general.anonymized.published_items]
        yield from _duplicates(published, anonymized, "item", "item")
        yield from _missing(
            AnonymizedPublication,
            published,
            anonymized,
            "the anonymized-information notice (R-AN-3, R-AN-4)",
        )

    foreign = general.foreign_provision
    consent = ("general", "foreign_provision", "consent", "items")
    yield from _duplicates((n.item for n in foreign.consent.items), consent, "item", "item")
    yield from _missing(
        ForeignConsentItem,
        (n.item for n in foreign.consent.items),
        consent,
        "the consent items (R-TP-FX-2)",
    )
    for index, category_id in enumerate(foreign.categories):
        yield from _category_ref(
            policy, category_id, ("general", "foreign_provision", "categories", index)
        )

    yield from _storage_problems(policy)
    yield from _inquiry_problems(general.inquiries, ("general", "inquiries"))
    if policy.specific_personal is not None:
        yield from _inquiry_problems(
            policy.specific_personal.inquiries, ("specific_personal", "inquiries")
        )


def _opt_out_problems(policy: Policy) -> Iterator[Problem]:
    provision = policy.general.third_party_provision
    base: Path = ("general", "third_party_provision")
    opt_out = provision.opt_out
    if opt_out is None:
        if provision.opt_out_filed:
            yield Problem(
                (*base, "opt_out_filed"),
                "opt-out is declared but the policy does not give the Rule 11 items: add "
                "'opt_out' with the categories, purpose, items, acquisition_method, "
                "provision_method, stop_on_request, request_method, update_method and start_date "
                "(R-TP-OO-1)",
            )
        return
    here = (*base, "opt_out")
    if provision.opt_out_filed and opt_out.filed_on is None:
        yield Problem(
            (*here, "filed_on"), "opt-out is declared filed: give the date it was filed (R-TP-OO-1)"
        )
    for position, category_id in enumerate(opt_out.categories):
        yield from _category_ref(policy, category_id, (*here, "categories", position))
        category = policy.category(category_id)
        if category is not None and category.scope is CategoryScope.SPECIFIC_PERSONAL:
            yield Problem(
                (*here, "categories", position),
                f"category '{category_id}' holds specific personal information, which is never "
                "provided by opt-out (MNA Art. 19, R-MN-5)",
            )
    seen: set[str] = set()
    for position, category_id in enumerate(opt_out.categories):
        if category_id in seen:
            yield Problem((*here, "categories", position), f"duplicate category '{category_id}'")
        seen.add(category_id)


def _storage_problems(policy: Policy) -> Iterator[Problem]:
    env = policy.general.external_environment
    base: Path = ("general", "external_environment")
    systems = [s.country for s in env.country_systems]
    yield from _duplicates(systems, (*base, "country_systems"), "country", "country")
    for index, storage in enumerate(env.storage):
        here = (*base, "storage", index)
        yield from _category_ref(policy, storage.category, (*here, "category"))
        yield from _purpose_refs(policy, [storage.category], storage.purposes, (*here, "purposes"))
        for position, country in enumerate(storage.countries):
            if country not in systems:
                yield Problem(
                    (*here, "countries", position),
                    f"country '{country}' has no entry in country_systems: the policy must say "
                    "what is known of its system (R-SEC-2 external environment, R-TP-FX-2)",
                )


def _inquiry_problems(inquiries: Inquiries, base: Path) -> Iterator[Problem]:
    yield from _duplicates(
        (f.request_type for f in inquiries.fees), (*base, "fees"), "request_type", "fee"
    )
    yield from _duplicates(
        (r.ground for r in inquiries.refusal_grounds),
        (*base, "refusal_grounds"),
        "ground",
        "ground",
    )
    yield from _duplicates(
        (d.id for d in inquiries.required_documents), (*base, "required_documents"), "id", "id"
    )
    needed = {"documents": bool(inquiries.required_documents), "fee": bool(inquiries.fees)}
    for lang in ("en", "ja"):
        text = inquiries.procedure.get(lang)
        found = set(_PLACEHOLDER.findall(text))
        for name in sorted(found - set(needed)):
            yield Problem((*base, "procedure", lang), f"unknown placeholder '{{{name}}}'")
        for name, wanted in needed.items():
            if wanted and name not in found:
                yield Problem(
                    (*base, "procedure", lang), f"must contain the placeholder '{{{name}}}'"
                )
            if not wanted and name in found:
                yield Problem(
                    (*base, "procedure", lang), f"'{{{name}}}' is used but no {name} is declared"
                )


def _contact_problems(policy: Policy) -> Iterator[Problem]:
    refs: list[tuple[str, Path]] = [
        (policy.general.inquiries.contact, ("general", "inquiries", "contact"))
    ]
    if policy.specific_personal is not None:
        refs.append(
            (
                policy.specific_personal.inquiries.contact,
                ("specific_personal", "inquiries", "contact"),
            )
        )
    if policy.retired_employees is not None:
        refs.append((policy.retired_employees.contact, ("retired_employees", "contact")))
    for contact_id, path in refs:
        if policy.contact(contact_id) is None:
            yield Problem(path, f"undefined contact '{contact_id}'")


def _scope_problems(policy: Policy) -> Iterator[Problem]:
    sections = {
        CategoryScope.SPECIFIC_PERSONAL: ("specific_personal", policy.specific_personal),
        CategoryScope.RETIRED_EMPLOYEE: ("retired_employees", policy.retired_employees),
    }
    for index, category in enumerate(policy.categories):
        entry = sections.get(category.scope)
        if entry is not None and entry[1] is None:
            yield Problem(
                ("categories", index, "scope"),
                f"scope '{category.scope}' needs a '{entry[0]}' section in the policy",
            )
    for scope, (name, section) in sections.items():
        if section is not None and not policy.categories_in(scope):
            yield Problem((name,), f"the section needs at least one category with scope '{scope}'")
    if not policy.categories_in(CategoryScope.GENERAL):
        yield Problem(("categories",), "at least one category must have scope 'general'")
