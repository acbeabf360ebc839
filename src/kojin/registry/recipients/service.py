"""The recipient register's service functions, in one place for the interfaces.

Keyword-only, on the caller's session; none commits (the unit of work does). Every change is
one ``recipient.*`` entry in the audit chain naming fields, kinds, results and dates, never a
name or a note. Roles are the interfaces' to enforce.
"""

from __future__ import annotations

from kojin.registry.recipients.figures import recipient_figures
from kojin.registry.recipients.register import (
    add_recipient,
    end_recipient,
    get_recipient,
    list_recipients,
    record_check,
    update_recipient,
)
from kojin.registry.recipients.statement import statement

__all__ = [
    "add_recipient",
    "end_recipient",
    "get_recipient",
    "list_recipients",
    "recipient_figures",
    "record_check",
    "statement",
    "update_recipient",
]
