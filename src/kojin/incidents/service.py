"""The incident register's service functions, in one place for the interfaces.

Keyword-only, on the caller's session; none commits (the unit of work does). Every change is
one history entry and one ``incident.*`` entry in the audit chain naming fields, steps, counts
and dates, never a value. Roles are the interfaces' to enforce: ``admin`` and
``privacy_officer`` record and change, ``auditor`` reads.
"""

from __future__ import annotations

from kojin.incidents.drafts import ppc_report_html, ppc_report_pdf, publication_html, record_draft
from kojin.incidents.figures import incident_figures
from kojin.incidents.notices import notice_text, send_notices
from kojin.incidents.people import add_person, import_people, list_people
from kojin.incidents.register import (
    get_incident,
    incident_id_for,
    list_incidents,
    open_for_requests,
    record_incident,
    update_incident,
)
from kojin.incidents.reminders import reminder_step, send_reminders
from kojin.incidents.steps import record_step

__all__ = [
    "add_person",
    "get_incident",
    "import_people",
    "incident_figures",
    "incident_id_for",
    "list_incidents",
    "list_people",
    "notice_text",
    "open_for_requests",
    "ppc_report_html",
    "ppc_report_pdf",
    "publication_html",
    "record_draft",
    "record_incident",
    "record_step",
    "reminder_step",
    "send_notices",
    "send_reminders",
    "update_incident",
]
