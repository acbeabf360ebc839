"""Checks across a whole map, after each file's schema is valid: unique keys, references that
resolve, row keys where rows are erased or looked up, erasure strategies that keep links whole,
files and SQL collections described as their store needs, and (given a policy and the known
discovery kinds) categories and kinds that exist.
"""

from __future__ import annotations

from collections.abc import Collection as AbstractSet
from collections.abc import Iterator

from kojin.datamap.issues import DataMapIssue, Site
from kojin.datamap.model import Collection, Erasure, MapField, StoreKind, Strategy
from kojin.datamap.parts import DatasetPart, SystemPart
from kojin.policy.model import Policy

_LINK_MESSAGE = (
    "erasure '{strategy}' on a {what} would break the links between rows: use keep "
    "(the row's other fields are still erased)"
)


class _Checker:
    def __init__(
        self,
        parts: list[SystemPart],
        *,
        skipped: AbstractSet[str],
        policy: Policy | None,
        kinds: AbstractSet[str] | None,
    ) -> None:
        self.parts = parts
        self.skipped = skipped
        self.policy = policy
        self.kinds = kinds
        self.issues: list[DataMapIssue] = []
        self.fields: dict[str, MapField] = {}
        self.collections: dict[str, Collection] = {}
        self.datasets: set[str] = set()
        for part, _ in self._datasets():
            self.datasets.add(part.dataset.key)
            for collection in part.dataset.collections:
                address = f"{part.dataset.key}.{collection.name}"
                self.collections.setdefault(address, collection)
                for f in collection.fields:
                    self.fields.setdefault(f"{address}.{f.name}", f)
        self.referenced = {
            f"{r.dataset}.{r.collection}.{r.field}"
            for part, _ in self._datasets()
            for collection in part.dataset.collections
            for f in collection.fields
            for r in f.references
        }
        self.targets = {address.rsplit(".", 1)[0] for address in self.referenced}

    def _datasets(self) -> Iterator[tuple[DatasetPart, SystemPart]]:
        for system in self.parts:
            for part in system.datasets:
                yield part, system

    def add(self, site: Site, message: str, *, key: bool = False) -> None:
        self.issues.append(site.issue(message, key=key))

    def run(self) -> list[DataMapIssue]:
        self._unique_systems()
        self._unique_datasets()
        for system in self.parts:
            self._category(system.system.category, system.site.at("category"))
            for part in system.datasets:
                self._dataset(part, system)
        return self.issues

    def _unique_systems(self) -> None:
        first: dict[str, Site] = {}
        for system in self.parts:
            key = system.system.key
            if key in first:
                where = first[key].issue("")
                named = " (a Fides file's system is named after the file)"
                self.add(
                    system.key_site,
                    f"system key '{key}' is used twice (first at {where.file}:{where.line})"
                    + (named if system.named_by_file else ""),
                )
            else:
                first[key] = system.key_site

    def _unique_datasets(self) -> None:
        first: dict[str, Site] = {}
        for part, _ in self._datasets():
            site = part.site.at("fides_key" if part.fides else "key")
            key = part.dataset.key
            if key in first:
                where = first[key].issue("")
                self.add(
                    site,
                    f"dataset key '{key}' is used twice; dataset keys are unique across the "
                    f"map (first at {where.file}:{where.line})",
                )
            else:
                first[key] = site

    def _category(self, category: str | None, site: Site) -> None:
        if self.policy is None or category is None or self.policy.category(category):
            return
        known = ", ".join(c.id for c in self.policy.categories)
        self.add(site, f"unknown category '{category}': the policy's categories are {known}")

    def _dataset(self, part: DatasetPart, system: SystemPart) -> None:
        dataset = part.dataset
        files = system.system.store is StoreKind.FILES
        if files and dataset.schema_name is not None:
            self.add(part.site.at("schema_name"), "schema_name is for sql systems only")
        seen: set[str] = set()
        for c, collection in enumerate(dataset.collections):
            if collection.name in seen:
                self.add(
                    part.collection_site(c, "name"),
                    f"collection '{collection.name}' is listed twice in dataset '{dataset.key}'",
                )
            seen.add(collection.name)
            self._store(part, c, collection, files=files)
            self._category(collection.category, part.collection_site(c, "category"))
            self._collection(part, c, collection)

    def _store(self, part: DatasetPart, c: int, collection: Collection, *, files: bool) -> None:
        if files:
            for attr in ("path", "format"):
                if getattr(collection, attr) is None:
                    self.add(
                        part.collection_site(c),
                        f"a files system's collection needs '{attr}' (path: relative to the "
                        "map's file; format: csv or parquet)",
                    )
        else:
            for attr in ("path", "format"):
                if getattr(collection, attr) is not None:
                    self.add(
                        part.collection_site(c, attr),
                        f"'{attr}' is for collections of a files system (store: files)",
                        key=True,
                    )

    def _collection(self, part: DatasetPart, c: int, collection: Collection) -> None:
        address = f"{part.dataset.key}.{collection.name}"
        if collection.erasure not in (None, Strategy.DELETE_ROW, Strategy.KEEP):
            self.add(
                part.collection_site(c, "erasure"),
                "a collection's erasure is delete_row or keep; set other strategies per field",
            )
        hold = collection.retention_hold
        if hold and hold.since_field and collection.field(hold.since_field) is None:
            self.add(
                part.collection_site(c, "retention_hold", "since_field"),
                f"no field '{hold.since_field}' in collection '{collection.name}'",
            )
        seen: set[str] = set()
        for f, item in enumerate(collection.fields):
            if item.name in seen:
                self.add(
                    part.field_site(c, f, "name"),
                    f"field '{item.name}' is listed twice in collection '{collection.name}'",
                )
            seen.add(item.name)
            self._field(part, c, f, item, collection)
        reason = self._needs_row_key(part, collection, address)
        if reason and not collection.primary_key:
            self.add(
                part.collection_site(c),
                f"collection '{address}' {reason} but has no primary key: mark its key "
                "field(s) primary_key: true",
            )

    def _needs_row_key(self, part: DatasetPart, collection: Collection, address: str) -> str:
        if address in self.targets:
            return "is referenced by other fields"
        if collection.erasure is Strategy.DELETE_ROW:
            return "deletes rows on erasure"
        if collection.erasure is Strategy.KEEP:
            return ""
        for item in collection.fields:
            if item.erasure is not None and item.erasure.strategy is not Strategy.KEEP:
                return "erases fields"
            linked = item.primary_key or item.references
            if item.erasure is None and item.personal and not linked:
                return "holds personal fields that erasure sets to null"
        return ""

    def _field(
        self, part: DatasetPart, c: int, f: int, item: MapField, collection: Collection
    ) -> None:
        address = f"{part.dataset.key}.{collection.name}"
        if self.kinds is not None and not part.fides:
            for k, kind in enumerate(item.kinds):
                if kind not in self.kinds:
                    self.add(
                        part.field_site(c, f, "kinds", k),
                        f"unknown discovery kind '{kind}' (known: {', '.join(sorted(self.kinds))})",
                    )
        for r, ref in enumerate(item.references):
            problem = self._resolve(ref.dataset, ref.collection, ref.field)
            if f"{ref.dataset}.{ref.collection}.{ref.field}" == f"{address}.{item.name}":
                problem = "a field cannot reference itself"
            if problem:
                self.add(part.field_site(c, f, "references", r), problem)
        if item.erasure is not None:
            site = part.field_site(c, f, "erasure")
            whole = collection.erasure
            if whole is not None and item.erasure.strategy is not Strategy.KEEP:
                self.add(
                    site,
                    f"the collection's erasure '{whole}' applies to the whole row: remove the "
                    "field's erasure",
                )
            self._erasure(site, item, item.erasure, address)

    def _resolve(self, dataset: str, collection: str, field: str) -> str:
        target = f"{dataset}.{collection}.{field}"
        if f"{dataset}.{collection}" in self.skipped or target in self.fields:
            return ""
        if dataset not in self.datasets:
            return f"reference to '{target}': there is no dataset '{dataset}'"
        if f"{dataset}.{collection}" not in self.collections:
            return f"reference to '{target}': dataset '{dataset}' has no collection '{collection}'"
        return f"reference to '{target}': collection '{collection}' has no field '{field}'"

    def _erasure(self, site: Site, item: MapField, erasure: Erasure, address: str) -> None:
        strategy = erasure.strategy
        if strategy is Strategy.DELETE_ROW:
            self.add(
                site.into("strategy"),
                "delete_row is a collection's erasure: write 'erasure: delete_row' on the "
                "collection",
            )
        elif strategy is Strategy.FIXED and erasure.value is None:
            self.add(site, "erasure 'fixed' needs a value (erasure: {strategy: fixed, value: ...})")
        elif strategy is not Strategy.FIXED and erasure.value is not None:
            self.add(site.into("value"), f"only erasure 'fixed' takes a value, not '{strategy}'")
        if strategy in (Strategy.KEEP, Strategy.DELETE_ROW):
            return
        if strategy is Strategy.HMAC and not item.primary_key:
            # the same value gives the same token in every store: links whose both ends are
            # tokenised still join
            return
        what = (
            "primary key"
            if item.primary_key
            else "referencing field"
            if item.references
            else "referenced field"
            if f"{address}.{item.name}" in self.referenced
            else ""
        )
        if what:
            self.add(site.into("strategy"), _LINK_MESSAGE.format(strategy=strategy, what=what))


def check_parts(
    parts: list[SystemPart],
    *,
    skipped: AbstractSet[str] = frozenset(),
    policy: Policy | None = None,
    kinds: AbstractSet[str] | None = None,
) -> list[DataMapIssue]:
    """Every problem across `parts` (references to the `skipped` collections ``d.c`` of Fides
    files are not problems: they are dropped from the map)."""
    return _Checker(parts, skipped=skipped, policy=policy, kinds=kinds).run()
