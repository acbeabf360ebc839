"""The vault's service functions in one place (each lives in the module named beside it).

Every function takes keyword arguments and works in the caller's transaction
(:meth:`kojin.mynumber.vault.Vault.transaction`), except :func:`dispose_and_shred` and
:func:`rotate_vault_key`, which own theirs.
"""

from __future__ import annotations

from kojin.mynumber.access import provide_number, reveal_number
from kojin.mynumber.disposal import dispose_and_shred, dispose_records, rotate_vault_key
from kojin.mynumber.documents import (
    add_document,
    housekeeping_step,
    list_documents,
    purge_expired_documents,
)
from kojin.mynumber.handlers import (
    HandlerScope,
    designate_handler,
    handler_scope,
    list_handlers,
    revoke_handler,
)
from kojin.mynumber.records import end_affairs, get_record, list_records
from kojin.mynumber.registration import register_number
from kojin.mynumber.sealing import open_numbers

__all__ = [
    "HandlerScope",
    "add_document",
    "designate_handler",
    "dispose_and_shred",
    "dispose_records",
    "end_affairs",
    "get_record",
    "handler_scope",
    "housekeeping_step",
    "list_documents",
    "list_handlers",
    "list_records",
    "open_numbers",
    "provide_number",
    "purge_expired_documents",
    "register_number",
    "reveal_number",
    "revoke_handler",
    "rotate_vault_key",
]
