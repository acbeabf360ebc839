"""The audit chain: an append-only, SHA-256 hash-chained log of decisions and registry changes.

Entries carry ids and hashes only, never personal data.
"""

from kojin.audit.schemas import AppendedEntry, AuditEvent, VerifyResult
from kojin.audit.service import append_entries, append_entry, export_chain, verify_chain

__all__ = [
    "AppendedEntry",
    "AuditEvent",
    "VerifyResult",
    "append_entries",
    "append_entry",
    "export_chain",
    "verify_chain",
]
