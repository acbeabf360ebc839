"""Which staff roles may open which admin pages (R-SEC-2 access control).

``admin`` and ``privacy_officer`` act on requests; ``auditor`` reads them; ``handler`` reads the
queue; ``mynumber_handler`` and ``system`` have no request pages.
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
