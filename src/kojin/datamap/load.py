"""Loading a data map: kojin YAML, Fides dataset YAML, or a folder of both; every problem
positioned.

Each file is parsed with positions (:mod:`kojin.policy.yaml_source`) and validated on its own;
Fides files a kojin map names (``fides: [...]``) join that map's system. Only when every file's
schema is valid are the checks across the map run (:mod:`kojin.datamap.checks`), so that one
mistake is not reported again as a dozen broken references. All problems are collected and
raised together as :class:`~kojin.errors.DataMapError`, whose ``issues`` are
:class:`DataMapIssue` items printed ``FILE:LINE:COLUMN: systems.0.datasets.1.key: message``.
"""

from __future__ import annotations

import os
from collections.abc import Collection as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kojin.datamap.checks import check_parts
from kojin.datamap.fides import FidesDocument, read_fides, system_key_of
from kojin.datamap.issues import DataMapIssue, Site, document_issue, dotted, raise_issues
from kojin.datamap.kojin_format import FidesInclude, KojinDocument, read_kojin
from kojin.datamap.model import DataMap, MapField, StoreKind, System
from kojin.datamap.parts import DatasetPart, SystemPart
from kojin.policy.model import Policy
from kojin.policy.yaml_source import YamlSyntaxError, parse_yaml

__all__ = ["DataMapIssue", "load_datamap", "parse_datamap"]

#: the files a folder map is made of
SUFFIXES = (".yml", ".yaml")

_NEITHER = (
    "neither a kojin data map ('datamap: 1' and 'systems:') nor a Fides dataset file "
    "('dataset:' and a list of datasets)"
)


def load_datamap(
    path: Path, *, policy: Policy | None = None, kinds: AbstractSet[str] | None = None
) -> DataMap:
    """The map in `path`: a kojin YAML file, a Fides dataset YAML file, or a folder of such
    files (read in name order). With `policy`, categories must be the policy's; with `kinds`
    (the discovery kinds known), the kinds of kojin-format fields must be among them.

    Raises :class:`kojin.errors.DataMapError` with every problem found.
    """
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in SUFFIXES and p.is_file())
        loader = _Loader(str(path))
        if not files:
            loader.issues.append(document_issue(str(path), "no .yml or .yaml files in the folder"))
    else:
        files = [path]
        loader = _Loader(str(path.parent))
    for file in files:
        text = loader.read(str(file))
        if text is not None:
            loader.add(text, source=str(file))
    return loader.finish(str(path), policy=policy, kinds=kinds)


def parse_datamap(
    text: str,
    *,
    source: str,
    base_dir: str,
    policy: Policy | None,
    kinds: AbstractSet[str] | None = None,
) -> DataMap:
    """The map in `text` (kojin or Fides YAML); `source` names it in problems and, for a Fides
    file, gives its system's key; `base_dir` is where its relative paths (Fides files named by
    ``fides:``, files collections) are resolved."""
    loader = _Loader(base_dir)
    loader.add(text, source=source)
    return loader.finish(source, policy=policy, kinds=kinds)


@dataclass
class _Loader:
    base_dir: str
    issues: list[DataMapIssue] = field(default_factory=list)
    #: problems that do not keep the checks across the map from running
    credentials: list[DataMapIssue] = field(default_factory=list)
    kojin: list[tuple[KojinDocument, str]] = field(default_factory=list)
    fides: list[tuple[FidesDocument, str]] = field(default_factory=list)

    def read(self, source: str, *, site: Site | None = None) -> str | None:
        """The text of `source`; None, with the problem recorded (at `site` when given)."""
        try:
            return Path(source).read_text(encoding="utf-8")
        except FileNotFoundError:
            problem = "file not found"
        except IsADirectoryError:
            problem = "is a folder, not a file"
        except UnicodeDecodeError as exc:
            problem = f"not UTF-8 text ({exc.reason})"
        except OSError as exc:
            problem = f"cannot read the file ({exc.strerror})"
        self.issues.append(
            site.issue(f"{source}: {problem}") if site else document_issue(source, problem)
        )
        return None

    def parse(self, text: str, source: str) -> tuple[dict[str, Any], Site] | None:
        try:
            data, index, yaml_issues = parse_yaml(text)
        except YamlSyntaxError as exc:
            where = exc.position
            self.issues.append(
                document_issue(source, exc.message, line=where.line, column=where.column)
            )
            return None
        self.issues.extend(
            DataMapIssue(source, i.position.line, i.position.column, dotted(i.path), i.message)
            for i in yaml_issues
        )
        site = Site(source, index)
        if not isinstance(data, dict):
            self.issues.append(site.issue("the file is empty" if data is None else _NEITHER))
            return None
        return data, site

    def add(self, text: str, *, source: str) -> None:
        parsed = self.parse(text, source)
        if parsed is None:
            return
        data, site = parsed
        if "datamap" in data and "dataset" in data:
            self.issues.append(
                site.at("dataset").issue("a file is either a kojin map or a Fides file", key=True)
            )
        elif "datamap" in data:
            doc = read_kojin(data, site)
            self.issues.extend(doc.issues)
            self.credentials.extend(doc.credentials)
            self.kojin.append((doc, source))
        elif "dataset" in data:
            fides = read_fides(data, site)
            self.issues.extend(fides.issues)
            self.fides.append((fides, source))
        else:
            self.issues.append(site.issue(_NEITHER))

    def include(self, item: FidesInclude) -> FidesDocument | None:
        source = os.path.normpath(os.path.join(self.base_dir, item.path))
        text = self.read(source, site=item.site)
        parsed = None if text is None else self.parse(text, source)
        if parsed is None:
            return None
        data, site = parsed
        if "dataset" not in data or "datamap" in data:
            self.issues.append(item.site.issue(f"{item.path} is not a Fides dataset file"))
            return None
        doc = read_fides(data, site)
        self.issues.extend(doc.issues)
        return doc

    def finish(
        self, source: str, *, policy: Policy | None, kinds: AbstractSet[str] | None
    ) -> DataMap:
        parts: list[SystemPart] = []
        skipped: set[str] = set()
        included: set[str] = set()
        for doc, _ in self.kojin:
            extra: dict[int, list[DatasetPart]] = {}
            for item in doc.includes:
                fides = self.include(item)
                included.add(os.path.realpath(os.path.join(self.base_dir, item.path)))
                if fides is not None:
                    extra.setdefault(item.system, []).extend(fides.datasets)
                    skipped |= fides.skipped
            for n, (system, site) in enumerate(zip(doc.systems, doc.sites, strict=True)):
                own = [
                    DatasetPart(d, site.at("datasets", j)) for j, d in enumerate(system.datasets)
                ]
                datasets = (*own, *extra.get(n, []))
                merged = system.model_copy(update={"datasets": tuple(d.dataset for d in datasets)})
                parts.append(SystemPart(merged, site, datasets))
        for fides, name in self.fides:
            if os.path.realpath(name) in included:
                continue
            skipped |= fides.skipped
            system = System(
                key=system_key_of(name),
                store=StoreKind.SQL,
                datasets=tuple(d.dataset for d in fides.datasets),
            )
            if fides.site is not None:
                parts.append(
                    SystemPart(system, fides.site, tuple(fides.datasets), named_by_file=True)
                )
        if self.issues:
            raise_issues(source, self.issues + self.credentials)
        checked = check_parts(parts, skipped=skipped, policy=policy, kinds=kinds)
        raise_issues(source, self.credentials + checked)
        systems = tuple(_without_skipped(p.system, skipped) for p in parts)
        return DataMap(systems=systems, base_dir=self.base_dir)


def _without_skipped(system: System, skipped: set[str]) -> System:
    """`system` without references to collections a Fides file leaves out."""
    if not skipped:
        return system

    def keep(f: MapField) -> MapField:
        refs = tuple(r for r in f.references if f"{r.dataset}.{r.collection}" not in skipped)
        return f if refs == f.references else f.model_copy(update={"references": refs})

    return system.model_copy(
        update={
            "datasets": tuple(
                d.model_copy(
                    update={
                        "collections": tuple(
                            c.model_copy(update={"fields": tuple(map(keep, c.fields))})
                            for c in d.collections
                        )
                    }
                )
                for d in system.datasets
            )
        }
    )
