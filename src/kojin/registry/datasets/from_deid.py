"""Turning a kojin.deid run into a registry record: published items, counts, report hash."""

from __future__ import annotations

from kojin.audit.canonical import sha256_of
from kojin.deid.results import AnonymizationResult, PseudonymizationResult, published_items
from kojin.registry.datasets.schemas import DatasetCreate


def dataset_from_result(
    result: AnonymizationResult | PseudonymizationResult, *, name: str, category: str
) -> DatasetCreate:
    """The record of a creation: items as they will be published, never values or keys."""
    if isinstance(result, AnonymizationResult):
        return DatasetCreate(
            form="anonymized",
            name=name,
            category=category,
            purposes=list(result.purposes),
            items=published_items(result),
            records=result.records_out,
            report_sha256=sha256_of(result.report()),
        )
    return DatasetCreate(
        form="pseudonymized",
        name=name,
        category=category,
        purposes=list(result.purposes),
        items=published_items(result),
        records=result.records,
        report_sha256=sha256_of(result.report()),
        key_id=result.key_id,
    )
