"""Turning a kojin.deid run into a registry record: published items, counts, report hash."""

from __future__ import annotations

from kojin.audit.canonical import sha256_of
from kojin.deid.results import AnonymizationResult, PseudonymizationResult, published_items
from kojin.registry.datasets.schemas import DatasetCreate, DatasetForm


def dataset_from_result(
    result: AnonymizationResult | PseudonymizationResult, *, name: str, category: str
) -> DatasetCreate:
    """The record of a creation: items as they will be published, never values or keys."""
    form: DatasetForm
    if isinstance(result, AnonymizationResult):
        form, records, key_id = "anonymized", result.records_out, None
    else:
        form, records, key_id = "pseudonymized", result.records, result.key_id
    return DatasetCreate(
        form=form,
        name=name,
        category=category,
        purposes=list(result.purposes),
        items=published_items(result),
        records=records,
        report_sha256=sha256_of(result.report()),
        key_id=key_id,
    )
