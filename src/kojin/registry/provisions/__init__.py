"""Provision records (APPI Arts. 29-31; R-TP-REC-1..4, R-PRI-3) with retention and purge."""

from kojin.registry.provisions.schemas import (
    ProvisionDetails,
    ProvisionKind,
    ProvisionOut,
    RecordForm,
)
from kojin.registry.provisions.service import (
    build_provision_rows,
    list_provisions,
    purge_expired,
    retention_years,
)

__all__ = [
    "ProvisionDetails",
    "ProvisionKind",
    "ProvisionOut",
    "RecordForm",
    "build_provision_rows",
    "list_provisions",
    "purge_expired",
    "retention_years",
]
