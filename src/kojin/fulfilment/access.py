"""The person's rows in the company's own stores, as a disclosure shows them (Art. 33; R-RT-3).

Each located collection becomes a :class:`DisclosedStoreCollection`: the system's name in the
person's language, the policy's title of the category the rows are about, the fields the data
map lists (with their descriptions and discovery kinds) and the rows restricted to those fields.
Columns the map does not list are left out: only what the company has mapped and described is
disclosed, so an unmapped technical column (a password hash, an internal flag) never reaches a
package by accident.
"""

from __future__ import annotations

from kojin.datamap.model import DataMap
from kojin.errors import ConfigurationError
from kojin.fulfilment.locate import Located
from kojin.policy.model import Policy
from kojin.policy.model_base import Lang
from kojin.requests.disclosure_record import DisclosedStoreCollection, DisclosedStoreField


def access_collections(
    *, datamap: DataMap, located: Located, policy: Policy, lang: Lang
) -> list[DisclosedStoreCollection]:
    """The located collections, in map order, as the person's disclosure shows them."""
    disclosed: list[DisclosedStoreCollection] = []
    for found in located.collections:
        loc = datamap.find(found.dataset, found.collection)
        if loc is None:
            raise ConfigurationError(f"{found.address} was located but is not in the data map")
        system = loc.system
        if system.name is None:
            system_name = system.key
        else:
            system_name = system.name.en if lang == "en" else system.name.ja
        category = policy.category(loc.category) if loc.category is not None else None
        fields = loc.collection.fields
        disclosed.append(
            DisclosedStoreCollection(
                system=system.key,
                system_name=system_name,
                dataset=loc.dataset.key,
                collection=loc.collection.name,
                description=loc.collection.description,
                category=loc.category,
                category_title=category.title.get(lang) if category is not None else None,
                fields=[
                    DisclosedStoreField(
                        name=field.name, description=field.description, kinds=list(field.kinds)
                    )
                    for field in fields
                ],
                rows=[{field.name: row.get(field.name) for field in fields} for row in found.rows],
            )
        )
    return disclosed
