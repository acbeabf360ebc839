"""Imports every ORM model so that ``Base.metadata`` is complete (migrations, tests)."""

from __future__ import annotations

from kojin.audit import models as audit_models
from kojin.auth import models as auth_models
from kojin.db.base import Base
from kojin.registry.consents import models as consent_models
from kojin.registry.datasets import models as dataset_models
from kojin.registry.decisions import models as decision_models
from kojin.registry.ledger import models as ledger_models
from kojin.registry.provisions import models as provision_models
from kojin.registry.subjects import models as subject_models

__all__ = [
    "Base",
    "audit_models",
    "auth_models",
    "consent_models",
    "dataset_models",
    "decision_models",
    "ledger_models",
    "provision_models",
    "subject_models",
]
