"""A map's systems and datasets as read, each with the site it was written at.

A dataset written in Fides' format keeps its attributes elsewhere (``fides_meta.primary_key``
rather than ``primary_key``) and may leave collections out (``skip_processing``); the sites
here translate kojin's attribute names into the place they were written in either format.
"""

from __future__ import annotations

from dataclasses import dataclass

from kojin.datamap.issues import PathPart, Site
from kojin.datamap.model import Dataset, System

#: where a field's kojin attribute is in a Fides field (under its ``fides_meta``)
_FIDES_FIELD_META = {
    "primary_key": "primary_key",
    "identity": "identity",
    "references": "references",
    "data_type": "data_type",
    "erasure": "masking_strategy_override",
}


@dataclass(frozen=True)
class DatasetPart:
    """A dataset and where it was written; `rows` are the file indexes of its collections
    when some were left out (Fides' ``skip_processing``)."""

    dataset: Dataset
    site: Site
    fides: bool = False
    rows: tuple[int, ...] | None = None

    def collection_site(self, c: int, *attr: PathPart) -> Site:
        base = self.site.at("collections", self.rows[c] if self.rows is not None else c)
        if self.fides and attr[:1] == ("erasure",):
            return base.at("fides_meta", "masking_strategy_override", *attr[1:])
        return base.at(*attr)

    def field_site(self, c: int, f: int, *attr: PathPart) -> Site:
        base = self.collection_site(c).at("fields", f)
        if self.fides and attr and attr[0] in _FIDES_FIELD_META:
            meta = "fidesops_meta" if base.written("fidesops_meta") else "fides_meta"
            return base.at(meta, _FIDES_FIELD_META[str(attr[0])], *attr[1:])
        return base.at(*attr)


@dataclass(frozen=True)
class SystemPart:
    """A system, where it was written, and its datasets with theirs; `named_by_file` for the
    system of a Fides file read on its own (its key is the file's name)."""

    system: System
    site: Site
    datasets: tuple[DatasetPart, ...]
    named_by_file: bool = False

    @property
    def key_site(self) -> Site:
        return self.site if self.named_by_file else self.site.at("key")
