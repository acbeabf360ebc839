"""Writing a map as kojin YAML (what ``kojin datamap infer`` drafts, and what a Fides map
becomes when converted): values at their defaults are left out, small fields take one line,
and the text loads back to the same map (:func:`kojin.datamap.load.parse_datamap`).
"""

from __future__ import annotations

from typing import Any

import yaml

from kojin.datamap.kojin_format import FORMAT_VERSION
from kojin.datamap.model import DataMap, MapField, System

#: a field whose one-line form is longer than this is written as a block
_FLOW_WIDTH = 88


class _Flow(dict[str, Any]):
    """A mapping written on one line (``{name: id, primary_key: true}``)."""


class _Dumper(yaml.SafeDumper):
    """Block style, with :class:`_Flow` mappings inline; lists in block mappings indented."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_flow(dumper: yaml.SafeDumper, data: _Flow) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    """Strings as PyYAML writes them, except that a string holding a Unicode line break other
    than ``\\n`` is double-quoted with escapes: PyYAML's single quotes would fold it."""
    style = '"' if any(c in data for c in "\x85\u2028\u2029") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(_Flow, _represent_flow)
_Dumper.add_representer(str, _represent_str)


#: mappings that hold the map's structure: always written as blocks
_BLOCKS = frozenset({"systems", "datasets", "collections", "fields"})


def _styled(value: Any) -> Any:
    """`value` with each small mapping (a field, a reference, a text in two languages) made
    :class:`_Flow` when its one-line form fits, inner ones first."""
    if isinstance(value, list):
        return [_styled(v) for v in value]
    if not isinstance(value, dict):
        return value
    data = {k: _styled(v) for k, v in value.items()}
    if _BLOCKS.intersection(data):
        return data
    one_line = yaml.dump(
        _Flow(data), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000
    )
    return _Flow(data) if len(one_line) <= _FLOW_WIDTH else data


def _field(item: MapField) -> dict[str, Any]:
    data = item.model_dump(mode="json", exclude_defaults=True)
    erasure = data.get("erasure")
    if isinstance(erasure, dict) and set(erasure) == {"strategy"}:
        data["erasure"] = erasure["strategy"]  # the short form: erasure: set_null
    return data


def _system(system: System) -> dict[str, Any]:
    data = system.model_dump(mode="json", exclude_defaults=True, exclude={"datasets"})
    datasets = []
    for dataset in system.datasets:
        out = dataset.model_dump(mode="json", exclude_defaults=True, exclude={"collections"})
        out["collections"] = [
            {
                **collection.model_dump(mode="json", exclude_defaults=True, exclude={"fields"}),
                "fields": [_field(f) for f in collection.fields],
            }
            for collection in dataset.collections
        ]
        datasets.append(out)
    data["datasets"] = datasets
    return data


def dump_datamap(datamap: DataMap) -> str:
    """`datamap` as kojin YAML (its ``base_dir`` is where the file is written, not in it)."""
    systems = [_styled(_system(s)) for s in datamap.systems]
    document = {"datamap": FORMAT_VERSION, "systems": systems}
    text = yaml.dump(
        document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100, indent=2
    )
    return str(text)
