"""De-identification as a service: what the command line and the API call.

- :func:`anonymization_spec` and :func:`anonymize_file` — anonymized information (Art. 43) from a
  CSV or Parquet file or a database table, refused when it would hold identifiers (an
  :class:`~kojin.deid.identifier_check.IdentifierCheck` the caller passes in);
- :func:`load_roles` and :func:`pseudonymize_file` — pseudonymized information (Art. 41);
- :func:`rekey_file` — new tokens under a new key for an earlier pseudonymized output.

Nothing is written unless the whole run succeeds. CSV inputs and hierarchy files may be UTF-8
(with or without a BOM) or Shift_JIS/CP932, detected unless an encoding is named.

Importing this module loads only the standard library, the choices and the result values: each
function imports NumPy, PyArrow and the engine it needs when it runs, so a command that does not
de-identify pays for none of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kojin.deid.choices import EngineName, LVariant, Metric, SearchMethod, TDistance, TokenAlgorithm
from kojin.deid.table_source import TableSource, file_format, output_delimiter
from kojin.errors import InputError

if TYPE_CHECKING:
    from kojin.deid.anonymize import AnonymizationSpec
    from kojin.deid.column_roles import RolesSpec
    from kojin.deid.identifier_check import IdentifierCheck
    from kojin.deid.privacy_models import PrivacyModel
    from kojin.deid.pseudonym_tokens import PseudonymKey
    from kojin.deid.pseudonymize import Pseudonymized
    from kojin.deid.results import AnonymizationResult, PseudonymizationResult
    from kojin.deid.search import Progress

__all__ = [
    "MIN_K",
    "TableSource",
    "anonymization_spec",
    "anonymize_file",
    "load_roles",
    "pseudonymize_file",
    "rekey_file",
]


#: the smallest k of k-anonymity: with k = 1 every record may stand alone in its class
MIN_K = 2


def _privacy_models(
    *,
    k: int | None,
    l_value: int | None,
    l_variant: LVariant,
    c: float,
    t: float | None,
    t_distance: TDistance,
) -> tuple[PrivacyModel, ...]:
    from kojin.deid.privacy_models import KAnonymity, LDiversity, TCloseness

    models: list[PrivacyModel] = []
    if k is not None:
        if k < MIN_K:
            raise InputError(
                f"k-anonymity needs k of at least {MIN_K} (--k): with k = {k} a record may stand "
                "alone in its class, which anonymizes nothing",
                field="k",
            )
        models.append(KAnonymity(k))
    if l_value is not None:
        models.append(LDiversity(l_value, l_variant, c))
    if t is not None:
        models.append(TCloseness(t, t_distance))
    return tuple(models)


def anonymization_spec(
    *,
    hierarchy_files: Mapping[str, Path],
    auto_columns: Sequence[str] = (),
    top_codes: Mapping[str, float] | None = None,
    bottom_codes: Mapping[str, float] | None = None,
    k: int | None = None,
    l_value: int | None = None,
    l_variant: LVariant = LVariant.DISTINCT,
    c: float = 1.0,
    t: float | None = None,
    t_distance: TDistance = TDistance.EQUAL,
    sensitive: str | None = None,
    sensitive_hierarchy_file: Path | None = None,
    keep: Sequence[str] = (),
    metric: Metric = Metric.LOSS,
    suppression: float = 0.0,
    sampling_fraction: float = 1.0,
    encoding: str | None = None,
) -> AnonymizationSpec:
    """What to anonymize and under which models.

    Quasi-identifiers come from hierarchy files (column → CSV, in `encoding` or the detected
    one), then from ``auto_columns``, whose hierarchies kojin builds from the values (numbers or
    ISO dates), optionally top and bottom coded first. k must be at least :data:`MIN_K`.
    """
    from kojin.deid.anonymize import AnonymizationSpec, QuasiIdentifier
    from kojin.deid.auto_hierarchy import OutlierCoding
    from kojin.deid.hierarchy import load_hierarchy_csv

    tops, bottoms = top_codes or {}, bottom_codes or {}
    for column in [*tops, *bottoms]:
        if column not in auto_columns:
            raise InputError(
                f"top and bottom coding apply to --qi-auto columns; {column!r} is not one",
                field=column,
            )
    models = _privacy_models(
        k=k, l_value=l_value, l_variant=l_variant, c=c, t=t, t_distance=t_distance
    )
    quasi = [
        QuasiIdentifier(column, load_hierarchy_csv(column=column, path=path, encoding=encoding))
        for column, path in hierarchy_files.items()
    ]
    for column in auto_columns:
        coded = column in tops or column in bottoms
        coding = OutlierCoding(top=tops.get(column), bottom=bottoms.get(column)) if coded else None
        quasi.append(QuasiIdentifier(column, None, coding))
    hierarchy = (
        load_hierarchy_csv(column=sensitive, path=sensitive_hierarchy_file, encoding=encoding)
        if sensitive is not None and sensitive_hierarchy_file is not None
        else None
    )
    return AnonymizationSpec(
        quasi_identifiers=tuple(quasi),
        models=models,
        sensitive=sensitive,
        sensitive_hierarchy=hierarchy,
        keep=tuple(keep),
        metric=metric,
        suppression=suppression,
        sampling_fraction=sampling_fraction,
    )


def anonymize_file(
    *,
    source: TableSource,
    output: Path | str,
    spec: AnonymizationSpec,
    identifier_check: IdentifierCheck,
    engine: EngineName | None = None,
    method: SearchMethod = SearchMethod.OPTIMAL,
    report: Path | None = None,
    purposes: Sequence[str] = (),
    progress: Progress | None = None,
    spark_master: str | None = None,
) -> AnonymizationResult:
    """Anonymize a CSV/Parquet file or database table into ``output`` (CSV or Parquet).

    Without an engine, tables up to :data:`kojin.deid.engines.MEMORY_ROWS` rows use the memory
    engine and larger ones DuckDB. The JSON report goes to ``report`` when given.

    `identifier_check` keeps identifiers out of the release (R-AN-1(1)-(3)): a column released
    as recorded (kept or sensitive) that holds any is refused before the search, and the release
    is checked again, every column, before anything is written. A refusal is an
    :class:`InputError` naming the columns, the kinds found and input rows, never a value.

    With the Spark engine the input is a CSV or Parquet file or folder at any path Spark reads,
    the output a folder of parts, and the job runs on `spark_master` (default ``local[N]``):
    see :func:`_anonymize_on_spark`.
    """
    import orjson

    if engine is EngineName.SPARK:
        return _anonymize_on_spark(
            source=source,
            output=str(output),
            spec=spec,
            identifier_check=identifier_check,
            method=method,
            report=report,
            purposes=purposes,
            progress=progress,
            spark_master=spark_master,
        )
    output = Path(output)

    from kojin.deid.anonymize import anonymize_table, released_as
    from kojin.deid.engines import choose_engine, make_engine
    from kojin.deid.identifier_check import refuse_identifying_input, refuse_identifying_release
    from kojin.deid.table_io import read_table, write_bytes, write_table

    file_format(output)  # reject an unsupported output type before any work
    delimiter = output_delimiter(source, output, *([report] if report is not None else []))
    table = read_table(source, dictionary_columns=spec.coded_columns)
    as_recorded = [*spec.keep, *([spec.sensitive] if spec.sensitive is not None else [])]
    refuse_identifying_input(
        table=table, options=released_as(spec, as_recorded), check=identifier_check
    )
    anonymized = anonymize_table(
        table=table,
        spec=spec,
        engine=make_engine(choose_engine(engine, rows=table.num_rows)),
        method=method,
        source=source.label,
        output=output.name,
        purposes=purposes,
        progress=progress,
    )
    refuse_identifying_release(
        table=anonymized.table,
        options=released_as(spec, anonymized.table.column_names),
        check=identifier_check,
        source_rows=anonymized.source_rows,
    )
    report_bytes = orjson.dumps(anonymized.result.report(), option=orjson.OPT_INDENT_2)
    write_table(anonymized.table, output, delimiter=delimiter)
    if report is not None:
        write_bytes(report_bytes, report)
    return anonymized.result


def spark_location(source: TableSource) -> str:
    """The location of a table Spark reads; a database table is refused (it runs on the
    embedded engines)."""
    from kojin.spark.tables import is_file_system

    if source.table is not None or not is_file_system(source.location):
        raise InputError(
            "--engine spark reads CSV and Parquet files and folders; a database table runs on "
            "the memory or duckdb engine",
            field="engine",
        )
    return source.location


def _anonymize_on_spark(
    *,
    source: TableSource,
    output: str,
    spec: AnonymizationSpec,
    identifier_check: IdentifierCheck,
    method: SearchMethod,
    report: Path | None,
    purposes: Sequence[str],
    progress: Progress | None,
    spark_master: str | None,
) -> AnonymizationResult:
    """Anonymize on Spark (:mod:`kojin.deid.spark.anonymize`): the rows stay in the executors,
    the search runs here over the classes they send back, the report is written here."""
    import orjson

    from kojin.deid.spark.anonymize import anonymize_on_spark
    from kojin.deid.table_io import write_bytes
    from kojin.spark.failures import spark_failures
    from kojin.spark.session import spark_session
    from kojin.spark.tables import output_format, same_place, spark_input

    location = spark_location(source)
    output_format(output)
    if any(same_place(location, target) for target in (output, *([str(report)] if report else []))):
        raise InputError("the output must not overwrite the input")
    table = spark_input(location, encoding=source.encoding)
    with spark_session(spark_master, app="kojin-anonymize") as spark, spark_failures(table.label):
        result = anonymize_on_spark(
            spark=spark,
            source=table,
            output=output,
            spec=spec,
            identifier_check=identifier_check,
            method=method,
            purposes=purposes,
            progress=progress,
        )
    if report is not None:
        write_bytes(orjson.dumps(result.report(), option=orjson.OPT_INDENT_2), report)
    return result


def load_roles(path: Path) -> RolesSpec:
    """Read and validate a roles file (the role of every column); errors name the field."""
    from kojin.deid.column_roles import load_roles as read_roles_file

    return read_roles_file(path)


def default_key_file() -> Path:
    """``pseudonym-keys.json`` in the keys folder (``KOJIN_KEYS_DIR``, default ``<home>-keys``
    beside the data folder).

    A key file an earlier release kept in ``<home>/keys`` is never silently replaced by a new
    one: when the keys folder is missing or empty, the old folder is moved there (as
    :mod:`kojin.crypto.keys_folder` does for the keyring, which this layer may not import);
    otherwise the run is refused with what to do.
    """
    import logging
    import os

    from kojin.errors import ConfigurationError
    from kojin.settings import get_settings

    settings = get_settings()
    folder = settings.resolved_keys_dir()
    legacy = settings.home / "keys"
    name = "pseudonym-keys.json"
    if (
        not (legacy / name).is_file()
        or (folder / name).exists()
        or legacy.resolve() == folder.resolve()
    ):
        return folder / name
    if not folder.is_dir() or not any(folder.iterdir()):
        try:
            if folder.is_dir():
                folder.rmdir()  # empty
            folder.parent.mkdir(parents=True, exist_ok=True)
            os.rename(legacy, folder)
        except OSError:
            pass
        else:
            os.chmod(folder, 0o700)
            logging.getLogger("kojin.keys").warning(
                "kojin: moved the keys folder from %s to %s: keys are now kept outside the "
                "data folder",
                legacy,
                folder,
            )
            return folder / name
    raise ConfigurationError(
        f"pseudonym keys are in the old folder {legacy}: move {legacy / name} (and "
        f"deletion-info beside it) to the keys folder {folder}"
    )


@dataclass(frozen=True)
class _Placement:
    """Where a pseudonymization run reads and writes, checked before any work."""

    source: TableSource
    output: Path
    key_file: Path
    deletion_folder: Path
    delimiter: str


def _place(
    *, source: TableSource, output: Path, key_file: Path, deletion_folder: Path
) -> _Placement:
    """Check that the key file and the deletion information are kept apart from the output and
    that no output overwrites the input; the CSV delimiter follows the input."""
    from kojin.deid.deletion_info import keep_apart

    keep_apart(key_file.parent, output, what="key file")
    keep_apart(deletion_folder, output, what="deletion information")
    return _Placement(
        source=source,
        output=output,
        key_file=key_file,
        deletion_folder=deletion_folder,
        delimiter=output_delimiter(source, output),
    )


def _release_pseudonymized(
    *,
    done: Pseudonymized,
    place: _Placement,
    key: PseudonymKey,
    purposes: Sequence[str],
    now: datetime | None,
    extra: Mapping[str, object] | None = None,
) -> PseudonymizationResult:
    """Write the deletion information, then the output; return what was created."""
    from kojin.deid.deletion_info import write_deletion_info
    from kojin.deid.results import PseudonymizationResult
    from kojin.deid.table_io import write_table

    created = now or datetime.now(UTC)
    info_path = write_deletion_info(
        folder=place.deletion_folder,
        output=place.output,
        created=created,
        source=place.source.label,
        key_file=place.key_file,
        key=key,
        items=done.items,
        mappings=done.mappings,
        extra=extra,
    )
    write_table(done.table, place.output, delimiter=place.delimiter)
    return PseudonymizationResult(
        source=place.source.label,
        output=place.output.name,
        created_at=created,
        items=done.items,
        records=done.table.num_rows,
        key_id=key.key_id,
        algorithm=key.algorithm.value,
        deletion_info=str(info_path),
        purposes=tuple(purposes),
    )


def pseudonymize_file(
    *,
    source: TableSource,
    output: Path,
    roles: RolesSpec,
    key_file: Path | None = None,
    deletion_dir: Path | None = None,
    rotate: bool = False,
    keep_mapping: bool = False,
    algorithm: TokenAlgorithm | None = None,
    purposes: Sequence[str] = (),
    now: datetime | None = None,
) -> PseudonymizationResult:
    """Pseudonymize a table into ``output``; deletion info goes to ``deletion_dir``.

    The key file defaults to the roles file's ``key_file``, then the keys folder; the
    deletion info folder defaults to ``deletion-info`` beside the key file.
    """
    from kojin.deid.pseudonym_tokens import open_key_ring
    from kojin.deid.pseudonymize import check_roles, pseudonymize_table
    from kojin.deid.table_io import read_table

    file_format(output)
    key_path = key_file or roles.key_file or default_key_file()
    folder = deletion_dir or key_path.parent / "deletion-info"
    place = _place(source=source, output=output, key_file=key_path, deletion_folder=folder)
    table = read_table(source)
    check_roles(table=table, roles=roles)  # before a key is created or rotated
    key = open_key_ring(path=key_path, algorithm=algorithm or roles.algorithm, rotate=rotate).active
    done = pseudonymize_table(table=table, roles=roles, key=key, keep_mapping=keep_mapping)
    return _release_pseudonymized(done=done, place=place, key=key, purposes=purposes, now=now)


def rekey_file(
    *,
    source: TableSource,
    deletion_info: Path,
    output: Path,
    key_file: Path | None = None,
    algorithm: TokenAlgorithm | None = None,
    purposes: Sequence[str] = (),
    now: datetime | None = None,
) -> PseudonymizationResult:
    """Re-tokenize a pseudonymized table under a new key, through the kept token tables.

    ``source`` is the output of the run that ``deletion_info`` describes; the new deletion
    information goes beside the old one and names the key it replaces.
    """
    from kojin.deid.key_rotation import kept_token_tables, read_previous, retokenize_table
    from kojin.deid.pseudonym_tokens import open_key_ring
    from kojin.deid.table_io import read_table

    file_format(output)
    previous = read_previous(deletion_info)
    key_path = key_file or previous.key_file
    folder = deletion_info.parent
    place = _place(source=source, output=output, key_file=key_path, deletion_folder=folder)
    mappings = kept_token_tables(previous=previous, folder=folder)
    table = read_table(source)
    ring = open_key_ring(path=key_path, algorithm=algorithm or previous.algorithm, rotate=True)
    done = retokenize_table(table=table, mappings=mappings, key=ring.active)
    return _release_pseudonymized(
        done=done,
        place=place,
        key=ring.active,
        purposes=purposes,
        now=now,
        extra={"rotated_from": previous.key_id},
    )
