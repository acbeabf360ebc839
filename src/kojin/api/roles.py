"""Who may call what: the role sets the routers declare (R-SEC-2 access control; R-MN-9 designated
handlers of specific personal information).

Every route under ``/api/v1`` declares exactly one of these sets through
:func:`kojin.api.security.allow`; :func:`kojin.api.app.create_app` refuses to build an
application with an undeclared route.
"""

from __future__ import annotations

from kojin.auth.roles import Role
from kojin.law.policy_facts import PolicyFacts
from kojin.registry.subjects.scope import SubjectScope

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
#: ``handler`` reads subjects without their decrypted fields; ``mynumber_handler`` reads and
#: writes only subjects (and their consents) of specific personal information, every other role
#: only the others (see :func:`subject_scope`)
SUBJECTS_READ = frozenset({Role.PRIVACY_OFFICER, Role.ADMIN, Role.HANDLER, Role.MYNUMBER_HANDLER})
SUBJECTS_WRITE = frozenset({Role.PRIVACY_OFFICER, Role.ADMIN, Role.MYNUMBER_HANDLER})
CONSENTS_READ = frozenset(
    {Role.PRIVACY_OFFICER, Role.ADMIN, Role.HANDLER, Role.AUDITOR, Role.MYNUMBER_HANDLER}
)
#: consents matter for specific personal information too (MNA Art. 19(4), (16))
CONSENTS_WRITE = frozenset({Role.PRIVACY_OFFICER, Role.ADMIN, Role.HANDLER, Role.MYNUMBER_HANDLER})
PROVISIONS_READ = frozenset({Role.PRIVACY_OFFICER, Role.ADMIN, Role.AUDITOR})
PROVISIONS_PURGE = frozenset({Role.PRIVACY_OFFICER, Role.ADMIN})
AUDIT_READ = frozenset({Role.PRIVACY_OFFICER, Role.ADMIN, Role.AUDITOR})
TOKENS_MANAGE = frozenset({Role.ADMIN})

#: the My Number vault (R-MN-9): only a ``mynumber_handler`` with a designation registers,
#: reveals and provides numbers, within it; the privacy office and auditors list records masked
MYNUMBER_HANDLE = frozenset({Role.MYNUMBER_HANDLER})
MYNUMBER_RECORDS_READ = frozenset(
    {Role.PRIVACY_OFFICER, Role.ADMIN, Role.AUDITOR, Role.MYNUMBER_HANDLER}
)
#: ending affairs and disposing of records: the privacy office, or a handler within the designation
MYNUMBER_DISPOSE = frozenset({Role.PRIVACY_OFFICER, Role.ADMIN, Role.MYNUMBER_HANDLER})
MYNUMBER_HANDLERS_READ = frozenset({Role.PRIVACY_OFFICER, Role.ADMIN, Role.AUDITOR})
MYNUMBER_HANDLERS_MANAGE = frozenset({Role.PRIVACY_OFFICER, Role.ADMIN})

#: the incident register (R-BR-0..8): the privacy office records incidents, their steps, the
#: affected people and the notices; auditors read them and their drafts; nobody else sees them
INCIDENTS_READ = frozenset({Role.PRIVACY_OFFICER, Role.ADMIN, Role.AUDITOR})
INCIDENTS_WRITE = frozenset({Role.PRIVACY_OFFICER, Role.ADMIN})

#: obligation tasks (the duties decisions create): the privacy office assigns and closes them;
#: auditors and business systems (``system``) read them, overdue ones included
OBLIGATIONS_READ = frozenset({Role.PRIVACY_OFFICER, Role.ADMIN, Role.AUDITOR, Role.SYSTEM})
OBLIGATIONS_WRITE = frozenset({Role.PRIVACY_OFFICER, Role.ADMIN})
#: the register of entrustees and foreign recipients (R-SEC-4, R-MN-8, R-TP-FX-3)
RECIPIENTS_READ = frozenset({Role.PRIVACY_OFFICER, Role.ADMIN, Role.AUDITOR})
RECIPIENTS_WRITE = frozenset({Role.PRIVACY_OFFICER, Role.ADMIN})
#: the management system (R-PM-2, R-PM-4, R-PM-8): risk assessments, training, reviews
MANAGEMENT_READ = frozenset({Role.PRIVACY_OFFICER, Role.ADMIN, Role.AUDITOR})
MANAGEMENT_WRITE = frozenset({Role.PRIVACY_OFFICER, Role.ADMIN})
#: internal audits (R-PM-5, R-PM-7): auditors record checks and findings as the office does
AUDITS_WRITE = frozenset({Role.PRIVACY_OFFICER, Role.ADMIN, Role.AUDITOR})
#: roles that may see decrypted subject fields (of the subjects they see at all)
SUBJECTS_DECRYPTED = frozenset({Role.PRIVACY_OFFICER, Role.ADMIN, Role.MYNUMBER_HANDLER})

#: roles with My Number authority (R-MN-9 designated handlers): only they see subjects of a
#: category the policy marks as specific personal information, or decide about such a subject
MYNUMBER_AUTHORITY = frozenset({Role.MYNUMBER_HANDLER})


def subject_scope(role: Role, policy: PolicyFacts) -> SubjectScope:
    """The subjects `role` sees under `policy`: with My Number authority only those of the
    specific-personal categories, without it all others."""
    return SubjectScope.for_policy(policy, mynumber_authority=role in MYNUMBER_AUTHORITY)
