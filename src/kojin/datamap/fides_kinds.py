"""How Fides' names become kojin's: data categories to discovery kinds, identities, masking.

Fides labels a field with data categories from its taxonomy (``user.contact.email``); kojin's
discovery names what a value is (``email``). Where a category names one kind of value, the
field gets that kind, so that ``kojin scan`` and corrections by kind (``kind:email``) know it.
Categories that name no single kind (``user.contact.address.city``, ``user.financial``) give
none; the field stays personal through its categories.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import MappingProxyType

from kojin.datamap.model import Identity, Strategy

#: Fides data category -> kojin discovery kind (exact category names)
CATEGORY_KINDS = MappingProxyType(
    {
        "user.contact.email": "email",
        "user.contact.phone_number": "phone_number",
        "user.contact.fax_number": "phone_number",
        "user.contact.address": "address",
        "user.contact.address.street": "address",
        "user.contact.address.postal_code": "postal_code",
        "user.name": "person_name",
        "user.name.first": "person_name",
        "user.name.last": "person_name",
        "user.demographic.date_of_birth": "date_of_birth",
        "user.financial.credit_card": "credit_card",
        "user.financial.bank_account": "bank_account",
        "user.government_id.national_identification_number": "my_number",
        "user.government_id.passport_number": "passport_number",
        "user.government_id.drivers_license_number": "drivers_license",
        "user.health_and_medical.insurance_beneficiary_id": "health_insurance_number",
        "user.device.ip_address": "ip_address",
    }
)

#: Fides identity names kojin's requests carry (kojin's own names are accepted as well)
IDENTITIES = MappingProxyType({identity.value: identity for identity in Identity})

#: Fides field masking strategies -> kojin erasure strategies
MASKING_STRATEGIES = MappingProxyType(
    {
        "null_rewrite": Strategy.SET_NULL,
        "string_rewrite": Strategy.FIXED,
        "hmac": Strategy.HMAC,
        "hash": Strategy.HMAC,
        "random_string_rewrite": Strategy.HMAC,
    }
)


def kinds_of(categories: Iterable[str]) -> tuple[str, ...]:
    """The discovery kinds of Fides `categories`, in order, without repeats."""
    return tuple(dict.fromkeys(k for c in categories if (k := CATEGORY_KINDS.get(c)) is not None))


def identity_of(name: str | None) -> Identity | None:
    """kojin's identity for a Fides ``identity`` name; None for identities a kojin request
    never carries (``user_id``, ``ga_client_id``...): the field is kept, without identity."""
    return IDENTITIES.get(name) if name is not None else None


def is_personal_category(category: str) -> bool:
    return category == "user" or category.startswith("user.")
