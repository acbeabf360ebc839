"""The request services in one place: what the portal, the staff pages and the CLI call.

The work is done in :mod:`~kojin.requests.intake`, :mod:`~kojin.requests.verification` and
:mod:`~kojin.requests.status` (the person), :mod:`~kojin.requests.queue`
(what staff see), :mod:`~kojin.requests.workflow` (what staff do),
:mod:`~kojin.requests.packages` (disclosure packages, refusal notices) and
:mod:`~kojin.requests.purge` (holding periods).
"""

from __future__ import annotations

from kojin.requests.intake import add_documents, submit_request
from kojin.requests.packages import (
    refusal_notice,
    requester_package,
    requester_refusal_notice,
    staff_package,
)
from kojin.requests.purge import purge_closed
from kojin.requests.queue import dashboard, list_queue, read_document, request_detail
from kojin.requests.status import request_status
from kojin.requests.verification import (
    MAX_CODE_ATTEMPTS,
    VerificationFailed,
    resend_code,
    verify_email,
)
from kojin.requests.workflow import act

__all__ = [
    "MAX_CODE_ATTEMPTS",
    "VerificationFailed",
    "act",
    "add_documents",
    "dashboard",
    "list_queue",
    "purge_closed",
    "read_document",
    "refusal_notice",
    "request_detail",
    "request_status",
    "requester_package",
    "requester_refusal_notice",
    "resend_code",
    "staff_package",
    "submit_request",
    "verify_email",
]
