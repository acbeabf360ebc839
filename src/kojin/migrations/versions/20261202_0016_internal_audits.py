"""Internal audits: checklists, evidence, findings and corrective actions; management reviews.

Revision ID: 20261202_0016
Revises: 20261202_0015
Create Date: 2026-12-02 01:00:00
"""

from __future__ import annotations

revision: str = "20261202_0016"
down_revision: str | None = "20261202_0015"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
