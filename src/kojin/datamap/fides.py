"""Fides dataset YAML (``dataset:`` a list), validated with fideslang and read as kojin's model.

Each Fides dataset becomes a :class:`~kojin.datamap.model.Dataset` keyed by its ``fides_key``;
fields keep their ``data_categories`` and gain the discovery kinds those name
(:mod:`kojin.datamap.fides_kinds`); ``fides_meta`` gives ``identity``, ``primary_key``,
``references`` (``field: collection.field``; no ``direction`` means both ways) and
``data_type``. Masking overrides become erasure strategies; ``read_only`` fields are kept.
Collections marked ``skip_processing`` are left out, as Fides leaves them out of requests, and
references to them are dropped. Nested fields (documents) are refused: kojin's stores are
tables and files. fideslang sorts collections and fields by name; this module keeps the order
they were written in, so that every problem points at its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from fideslang.models import Dataset as FidesDataset
from fideslang.models import DatasetCollection, DatasetField
from pydantic import ValidationError

from kojin.datamap.fides_kinds import MASKING_STRATEGIES, identity_of, kinds_of
from kojin.datamap.issues import DataMapIssue, Site, schema_issues
from kojin.datamap.model import (
    Collection,
    Dataset,
    Direction,
    Erasure,
    MapField,
    Reference,
    Strategy,
)
from kojin.datamap.parts import DatasetPart

_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]{0,127}$")
_KEY_RULE = "kojin needs names of letters, digits, '_' and '-', starting with a letter or '_'"
NESTED_MESSAGE = "nested fields are not supported: kojin's stores are tables and files"


def system_key_of(source: str) -> str:
    """The system key of a Fides file read on its own: its file name's stem, with every
    character a key does not allow as ``_``."""
    stem = re.sub(r"[^A-Za-z0-9_\-]", "_", PurePath(source).stem)[:128]
    return stem if _KEY.match(stem) else f"_{stem}"[:128]


@dataclass
class FidesDocument:
    """The datasets of one Fides file, and the collections it leaves out (``d.c``)."""

    site: Site | None = None
    datasets: list[DatasetPart] = field(default_factory=list)
    skipped: set[str] = field(default_factory=set)
    issues: list[DataMapIssue] = field(default_factory=list)


def read_fides(data: dict[str, Any], site: Site) -> FidesDocument:
    """Validate a Fides document (`data` has a ``dataset`` key; other Fides resources in the
    same file are ignored)."""
    doc = FidesDocument(site=site)
    items = data.get("dataset")
    if not isinstance(items, list) or not items:
        doc.issues.append(site.at("dataset").issue("must be a list of one or more datasets"))
        return doc
    for i, raw in enumerate(items):
        at = site.at("dataset", i)
        if not isinstance(raw, dict):
            doc.issues.append(at.issue("a dataset is a mapping (fides_key, collections...)"))
            continue
        try:
            fides = FidesDataset.model_validate(raw)
        except ValidationError as exc:
            doc.issues.extend(schema_issues(exc, at))
            continue
        _Reader(doc, at).dataset(fides, raw)
    return doc


class _Reader:
    def __init__(self, doc: FidesDocument, site: Site) -> None:
        self.doc = doc
        self.site = site
        self.ok = True

    def problem(self, site: Site, message: str) -> None:
        self.doc.issues.append(site.issue(message))
        self.ok = False

    def key(self, value: str, site: Site) -> bool:
        if _KEY.match(value):
            return True
        self.problem(site, _KEY_RULE)
        return False

    def dataset(self, fides: FidesDataset, raw: dict[str, Any]) -> None:
        self.key(fides.fides_key, self.site.at("fides_key"))
        by_name = {c.name: c for c in fides.collections}
        collections: list[Collection] = []
        rows: list[int] = []
        for c, raw_collection in enumerate(raw["collections"]):
            fides_collection = by_name[raw_collection["name"]]
            where = self.site.at("collections", c)
            meta = fides_collection.fides_meta
            if meta is not None and meta.skip_processing:
                self.doc.skipped.add(f"{fides.fides_key}.{fides_collection.name}")
                continue
            collection = self.collection(fides.fides_key, fides_collection, raw_collection, where)
            if collection is not None:
                collections.append(collection)
                rows.append(c)
        namespace = (fides.fides_meta.namespace or {}) if fides.fides_meta else {}
        schema = namespace.get("schema")
        if not self.ok:
            return
        dataset = Dataset(
            key=fides.fides_key,
            name=_clip(fides.name, 200),
            description=_clip(fides.description, 1000),
            schema_name=schema if isinstance(schema, str) and _KEY.match(schema) else None,
            collections=tuple(collections),
        )
        self.doc.datasets.append(DatasetPart(dataset, self.site, fides=True, rows=tuple(rows)))

    def collection(
        self, dataset: str, fides: DatasetCollection, raw: dict[str, Any], site: Site
    ) -> Collection | None:
        self.key(fides.name, site.at("name"))
        by_name = {f.name: f for f in fides.fields}
        fields = [
            self.field(dataset, by_name[raw_field["name"]], site.at("fields", f))
            for f, raw_field in enumerate(raw["fields"])
        ]
        override = fides.fides_meta.masking_strategy_override if fides.fides_meta else None
        if not self.ok:
            return None
        erasure = Strategy.DELETE_ROW if override is not None else None
        kept = [f for f in fields if f is not None]
        if erasure is Strategy.DELETE_ROW:  # the row goes: Fides ignores the fields' masking
            kept = [f.model_copy(update={"erasure": None}) for f in kept]
        erased = any(f.erasure and f.erasure.strategy is not Strategy.KEEP for f in kept)
        if erasure is None and not erased and not any(f.primary_key for f in kept):
            # Fides masks no collection without a primary key: kojin says so in the map
            erasure = Strategy.KEEP
        return Collection(
            name=fides.name,
            description=_clip(fides.description, 1000),
            erasure=erasure,
            fields=tuple(kept),
        )

    def field(self, dataset: str, fides: DatasetField, site: Site) -> MapField | None:
        named = self.key(fides.name, site.at("name"))
        if fides.fields:
            self.problem(site.at("fields"), NESTED_MESSAGE)
        meta = fides.fides_meta
        meta_key = "fidesops_meta" if site.written("fidesops_meta") else "fides_meta"
        references: list[Reference] = []
        erasure: Erasure | None = None
        if meta is not None:
            for r, ref in enumerate(meta.references or []):
                parts = ref.field.split(".")
                if len(parts) != 2:
                    self.problem(
                        site.at(meta_key, "references", r, "field"),
                        "a reference names 'collection.field' of its dataset; " + NESTED_MESSAGE,
                    )
                    continue
                direction = Direction(ref.direction.value) if ref.direction else Direction.BOTH
                references.append(
                    Reference(
                        dataset=ref.dataset,
                        collection=parts[0],
                        field=parts[1],
                        direction=direction,
                    )
                )
            erasure = self.erasure(meta, site.at(meta_key, "masking_strategy_override"))
        categories = tuple(fides.data_categories or ())
        if not named:
            return None
        try:
            return MapField(
                name=fides.name,
                description=_clip(fides.description, 1000),
                kinds=kinds_of(categories),
                data_categories=categories,
                identity=identity_of(meta.identity if meta else None),
                primary_key=bool(meta and meta.primary_key),
                references=tuple(references),
                erasure=erasure,
                data_type=meta.data_type if meta else None,
            )
        except ValidationError as exc:
            self.doc.issues.extend(schema_issues(exc, site))
            self.ok = False
            return None

    def erasure(self, meta: Any, site: Site) -> Erasure | None:
        override = meta.masking_strategy_override
        if override is None:
            return Erasure(strategy=Strategy.KEEP) if meta.read_only else None
        strategy = MASKING_STRATEGIES.get(override.strategy)
        if strategy is None:
            known = ", ".join(MASKING_STRATEGIES)
            self.problem(
                site.at("strategy"),
                f"masking strategy '{override.strategy}' has no kojin equivalent ({known})",
            )
            return None
        if strategy is Strategy.FIXED:
            value = (override.configuration or {}).get("rewrite_value")
            if not isinstance(value, (str, int)) or isinstance(value, bool):
                self.problem(site.at("configuration"), "string_rewrite needs a 'rewrite_value'")
                return None
            return Erasure(strategy=strategy, value=value)
        return Erasure(strategy=strategy)


def _clip(text: str | None, limit: int) -> str | None:
    """Descriptions are for people: a longer one than kojin keeps is cut, not refused."""
    return text[:limit] if text else None
