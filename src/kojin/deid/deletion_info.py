"""Deletion information (削除情報等, R-PS-2): kept apart from the output, owner-only.

One JSON file per run: when, from what, which key (file and id), which columns were tokenized,
deleted or coded, and the token tables when they are kept. Values of deleted columns are never
written.
"""

from __future__ import annotations

import stat
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from kojin.deid.pseudonym_tokens import PseudonymKey
from kojin.deid.results import ItemTreatment, Treatment
from kojin.deid.table_io import atomic_path, write_bytes
from kojin.errors import ConfigurationError, InputError


def keep_apart(folder: Path, output: Path, *, what: str) -> None:
    """The key file and deletion information must not sit in the output's folder."""
    if folder.resolve() == output.resolve().parent:
        raise InputError(
            f"the {what} must be kept apart from the output: choose a folder other than "
            f"{output.resolve().parent}",
            field=what,
        )


def private_folder(folder: Path) -> None:
    """Create the folder owner-only, or refuse an existing one that others can enter (R-PS-2)."""
    if folder.exists():
        mode = stat.S_IMODE(folder.stat().st_mode)
        if mode & 0o077:
            raise ConfigurationError(
                f"the deletion information folder {folder} is open to other users "
                f"(mode {mode:o}); use a folder only its owner can read (chmod 700)"
            )
        return
    folder.mkdir(parents=True, mode=0o700)
    folder.chmod(0o700)


def _run_stem(output: Path, created: datetime) -> str:
    return f"{output.stem}-{created.strftime('%Y%m%dT%H%M%S%fZ')}"


def mapping_name(*, output: Path, created: datetime, column: str) -> str:
    """The name of a column's token table in the deletion information folder."""
    return f"{_run_stem(output, created)}-{column}.parquet"


def write_deletion_info(
    *,
    folder: Path,
    output: Path,
    created: datetime,
    source: str,
    key_file: Path,
    key: PseudonymKey,
    items: Sequence[ItemTreatment],
    mappings: Mapping[str, pa.Table],
    written_mappings: Mapping[str, str] | None = None,
    extra: Mapping[str, object] | None = None,
) -> Path:
    """Write the run's deletion information (and token tables) with mode 0600; return its path.

    `written_mappings` names token tables already in `folder` (column → the
    :func:`mapping_name` they were written under, e.g. by Spark as a folder of parts).
    """
    private_folder(folder)
    info_path = folder / f"{_run_stem(output, created)}.json"
    mapping_files: dict[str, str] = dict(written_mappings or {})
    for column, mapping in mappings.items():
        target = folder / mapping_name(output=output, created=created, column=column)
        with atomic_path(target) as temporary:
            pq.write_table(mapping, temporary)
            temporary.chmod(0o600)
        mapping_files[column] = target.name
    info: dict[str, object] = {
        "created_at": created.isoformat(),
        "source": source,
        "output": output.name,
        "key_file": str(key_file),
        "key_id": key.key_id,
        "algorithm": key.algorithm.value,
        "tokenized": [i.column for i in items if i.treatment is Treatment.TOKENIZED],
        "deleted": {i.column: i.detail for i in items if i.treatment is Treatment.DELETED},
        "coded": {i.column: i.detail for i in items if i.treatment is Treatment.CODED},
        "mappings": mapping_files,
        **(extra or {}),
    }
    write_bytes(orjson.dumps(info, option=orjson.OPT_INDENT_2), info_path, mode=0o600)
    return info_path
