"""The ground a stop request rests on (APPI Art. 35) and the incident it refers to.

``data_requests.stop_ground`` holds a :class:`kojin.law.breach_vocabulary.StopGround` value for
cessation of use, erasure and cessation of provision; ``incident_reference`` the public
reference of the incident the request was made about (R-BR-8).

Revision ID: 20261201_0011
Revises: 20261201_0010
Create Date: 2026-12-01 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "20261201_0011"
down_revision: str | None = "20261201_0010"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("data_requests") as batch:
        batch.add_column(sa.Column("stop_ground", sa.String(length=30), nullable=True))
        batch.add_column(sa.Column("incident_reference", sa.String(length=24), nullable=True))
        batch.create_index(
            "ix_data_requests_incident_reference", ["incident_reference"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("data_requests") as batch:
        batch.drop_index("ix_data_requests_incident_reference")
        batch.drop_column("incident_reference")
        batch.drop_column("stop_ground")
