"""The My Number vault's rules in one place: identity verification on receipt (R-MN-4), the
closed list of MNA Art. 19 cases (R-MN-5) and document retention (R-MN-7).

The vault and its filing services import from here; each topic lives in its own module
(:mod:`~kojin.law.mynumber_identity`, :mod:`~kojin.law.mynumber_article19`,
:mod:`~kojin.law.mynumber_retention`). The vocabularies these rules give meaning to are in
:mod:`kojin.law.mynumber_vocabulary`.
"""

from __future__ import annotations

from kojin.law.mynumber_article19 import (
    ARTICLE_19,
    GROUP_COMPANY_IS_A_THIRD_PARTY,
    Article19Case,
    Article19Consent,
    article_19_finding,
)
from kojin.law.mynumber_identity import (
    NUMBER_DOCUMENTS,
    OTHER_IDENTITY_DOCUMENTS,
    PHOTO_IDENTITY_DOCUMENTS,
    VERIFICATION_RULES,
    verification_problems,
)
from kojin.law.mynumber_retention import (
    STATUTORY_RETENTION,
    RetentionRule,
    RetentionStart,
    disposal_due,
    retention_until,
)

__all__ = [
    "ARTICLE_19",
    "GROUP_COMPANY_IS_A_THIRD_PARTY",
    "NUMBER_DOCUMENTS",
    "OTHER_IDENTITY_DOCUMENTS",
    "PHOTO_IDENTITY_DOCUMENTS",
    "STATUTORY_RETENTION",
    "VERIFICATION_RULES",
    "Article19Case",
    "Article19Consent",
    "RetentionRule",
    "RetentionStart",
    "article_19_finding",
    "disposal_due",
    "retention_until",
    "verification_problems",
]
