"""Who may call what: the role sets the routers declare (R-SEC-2 access control; R-MN-9 designated
handlers of specific personal information).

Every route under ``/api/v1`` declares exactly one of these sets through
:func:`kojin.api.security.allow`; :func:`kojin.api.app.create_app` refuses to build an
application with an undeclared route.
"""

from __future__ import annotations

from kojin.auth.roles import Role

EVERYONE: frozenset[Role] = frozenset(Role)

#: asking for a decision; ``mynumber_handler`` only for specific personal information and
#: ``handler`` never for it (checked per request against the policy's category)
DECIDE = frozenset(
    {Role.SYSTEM, Role.HANDLER, Role.MYNUMBER_HANDLER, Role.PRIVACY_OFFICER, Role.ADMIN}
)
#: reading recorded decisions (auditors read records; R-SEC-2 operation records)
DECISIONS_READ = frozenset({Role.PRIVACY_OFFICER, Role.ADMIN, Role.AUDITOR})
POLICY_READ = EVERYONE
LEDGER_READ = frozenset({Role.PRIVACY_OFFICER, Role.ADMIN, Role.AUDITOR, Role.HANDLER})
LEDGER_WRITE = frozenset({Role.PRIVACY_OFFICER, Role.ADMIN})
#: ``handler`` reads subjects without their decrypted fields
SUBJECTS_READ = frozenset({Role.PRIVACY_OFFICER, Role.ADMIN, Role.HANDLER})
SUBJECTS_WRITE = frozenset({Role.PRIVACY_OFFICER, Role.ADMIN})
CONSENTS_READ = frozenset({Role.PRIVACY_OFFICER, Role.ADMIN, Role.HANDLER, Role.AUDITOR})
CONSENTS_WRITE = frozenset({Role.PRIVACY_OFFICER, Role.ADMIN, Role.HANDLER})
PROVISIONS_READ = frozenset({Role.PRIVACY_OFFICER, Role.ADMIN, Role.AUDITOR})
PROVISIONS_PURGE = frozenset({Role.PRIVACY_OFFICER, Role.ADMIN})
AUDIT_READ = frozenset({Role.PRIVACY_OFFICER, Role.ADMIN, Role.AUDITOR})
TOKENS_MANAGE = frozenset({Role.ADMIN})

#: roles that may see decrypted subject fields
SUBJECTS_DECRYPTED = frozenset({Role.PRIVACY_OFFICER, Role.ADMIN})

#: roles with My Number authority (R-MN-9 designated handlers): only they see subjects of a
#: category the policy marks as specific personal information, or decide about such a subject
MYNUMBER_AUTHORITY = frozenset({Role.MYNUMBER_HANDLER})
