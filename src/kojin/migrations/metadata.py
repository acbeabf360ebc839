"""Every ORM table of kojin in one ``MetaData``: what the migrations must create.

Each domain package owns its models; this module is the one place that imports them all, for
the Alembic environment and for tests that compare or empty the whole schema.
"""

from __future__ import annotations

from sqlalchemy import MetaData

from kojin.audit import models as audit_models
from kojin.auth import models as auth_models
from kojin.db.base import Base
from kojin.drp import models as drp_models
from kojin.fulfilment import models as fulfilment_models
from kojin.incidents import models as incident_models
from kojin.mail import models as mail_models
from kojin.management.audits import models as internal_audit_models
from kojin.management.review import models as review_models
from kojin.management.risks import models as risk_models
from kojin.management.training import models as training_models
from kojin.mynumber.filing import models as filing_models
from kojin.registry.consents import models as consent_models
from kojin.registry.datasets import models as dataset_models
from kojin.registry.decisions import models as decision_models
from kojin.registry.ledger import models as ledger_models
from kojin.registry.obligations import models as obligation_models
from kojin.registry.provisions import models as provision_models
from kojin.registry.recipients import models as recipient_models
from kojin.registry.subjects import models as subject_models
from kojin.requests import models as request_models

#: the model modules whose tables make up the registry schema
MODEL_MODULES = (
    audit_models,
    auth_models,
    consent_models,
    dataset_models,
    decision_models,
    drp_models,
    filing_models,
    fulfilment_models,
    incident_models,
    ledger_models,
    mail_models,
    internal_audit_models,
    obligation_models,
    provision_models,
    recipient_models,
    request_models,
    review_models,
    risk_models,
    subject_models,
    training_models,
)

#: the registry schema: every table of the modules above
metadata: MetaData = Base.metadata


#: the prefix of the tables the job queue library (procrastinate) keeps in a PostgreSQL registry;
#: it creates and upgrades them itself, so kojin's migrations leave them alone
QUEUE_TABLE_PREFIX = "procrastinate_"
#: the prefix of the My Number vault's tables (and its version table): the vault's own
#: migrations (:mod:`kojin.migrations.vault`) make them, in the registry's database by default
VAULT_TABLE_PREFIX = "mynumber_"
_OTHERS = (QUEUE_TABLE_PREFIX, VAULT_TABLE_PREFIX)


def include_name(name: str | None, type_: str, _parents: object) -> bool:
    """For Alembic's comparisons: every object but the job queue library's and the vault's
    tables."""
    return not (type_ == "table" and name is not None and name.startswith(_OTHERS))
