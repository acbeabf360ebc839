"""Which staff roles may open which admin pages (R-SEC-2 access control).

``admin`` and ``privacy_officer`` act on requests; ``auditor`` reads them; ``handler`` reads the
queue; ``mynumber_handler`` and ``system`` have no request pages.

The My Number pages (R-MN-9): a ``mynumber_handler`` works there within the scope of their
designation (the vault checks it on every record); ``admin``, ``privacy_officer`` and
``auditor`` see the records masked, the schedule and the status register; ``admin`` and
``privacy_officer`` also record the end of affairs, dispose of due records and designate the
persons in charge. ``handler`` and ``system`` see nothing.

The incident pages (R-BR-0..8): ``admin`` and ``privacy_officer`` record and change incidents,
record their steps, add the affected people and send the notices; ``auditor`` reads them and
their drafts. ``handler``, ``mynumber_handler`` and ``system`` see nothing of them.

The management pages (R-SEC-4, R-PM-2..8): ``admin`` and ``privacy_officer`` keep the obligation
tasks, the register of entrustees and foreign recipients, risk assessments, training records and
management reviews; ``auditor`` reads them all and also records internal audits.
"""

from __future__ import annotations

from kojin.auth.roles import Role

REQUESTS_ACT = frozenset({Role.ADMIN, Role.PRIVACY_OFFICER})
REQUESTS_READ = REQUESTS_ACT | {Role.AUDITOR}
QUEUE_READ = REQUESTS_READ | {Role.HANDLER}
DASHBOARD = QUEUE_READ
#: identity and authority documents and disclosure packages: only those who act
DOCUMENTS_READ = REQUESTS_ACT
OUTBOX_READ = REQUESTS_ACT

#: the My Number pages at all: records (masked unless revealed), schedule, status register
MYNUMBER_READ = frozenset({Role.MYNUMBER_HANDLER, Role.PRIVACY_OFFICER, Role.ADMIN, Role.AUDITOR})
#: registering, revealing, payment records: only a person in charge (and, record by record,
#: only within their designation)
MYNUMBER_HANDLE = frozenset({Role.MYNUMBER_HANDLER})
#: recording the end of affairs and disposing of records: the privacy office, or a person in
#: charge within their designation
MYNUMBER_DISPOSE = frozenset({Role.MYNUMBER_HANDLER, Role.PRIVACY_OFFICER, Role.ADMIN})
#: the list of designations
MYNUMBER_DESIGNATIONS_READ = REQUESTS_READ
#: designating and revoking persons in charge
MYNUMBER_DESIGNATE = REQUESTS_ACT
#: the incident register, an incident's page and its drafts
INCIDENTS_ACT = frozenset({Role.ADMIN, Role.PRIVACY_OFFICER})
INCIDENTS_READ = INCIDENTS_ACT | {Role.AUDITOR}
#: obligation tasks: the privacy office assigns and closes them, auditors read them
OBLIGATIONS_ACT = frozenset({Role.ADMIN, Role.PRIVACY_OFFICER})
OBLIGATIONS_READ = OBLIGATIONS_ACT | {Role.AUDITOR}
#: the register of entrustees and foreign recipients and their checks
RECIPIENTS_ACT = frozenset({Role.ADMIN, Role.PRIVACY_OFFICER})
RECIPIENTS_READ = RECIPIENTS_ACT | {Role.AUDITOR}
#: risk assessments, training records and management reviews
MANAGEMENT_ACT = frozenset({Role.ADMIN, Role.PRIVACY_OFFICER})
MANAGEMENT_READ = MANAGEMENT_ACT | {Role.AUDITOR}
#: internal audits: auditors record checks, findings and follow-up as the office does
AUDITS_ACT = MANAGEMENT_ACT | {Role.AUDITOR}
AUDITS_READ = AUDITS_ACT
#: the staff home: the requests dashboard, or the My Number vault's card alone
HOME = DASHBOARD | MYNUMBER_READ
