"""The personal-information ledger (JIS Q 15001; R-PM-1), with CSV import and export."""

from kojin.registry.ledger.csvio import LEDGER_COLUMNS, LedgerImportError, export_csv, import_csv
from kojin.registry.ledger.schemas import (
    LedgerAcquisition,
    LedgerEntryCreate,
    LedgerEntryOut,
    LedgerEntryUpdate,
    LedgerImportResult,
    Medium,
)
from kojin.registry.ledger.service import (
    create_entry,
    entries_due_for_review,
    get_entry,
    list_entries,
    update_entry,
)

__all__ = [
    "LEDGER_COLUMNS",
    "LedgerAcquisition",
    "LedgerEntryCreate",
    "LedgerEntryOut",
    "LedgerEntryUpdate",
    "LedgerImportError",
    "LedgerImportResult",
    "Medium",
    "create_entry",
    "entries_due_for_review",
    "export_csv",
    "get_entry",
    "import_csv",
    "list_entries",
    "update_entry",
]
