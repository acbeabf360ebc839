"""Risk assessments per ledger row, and training records.

Revision ID: 20261202_0015
Revises: 20261202_0014
Create Date: 2026-12-02 01:00:00
"""

from __future__ import annotations

revision: str = "20261202_0015"
down_revision: str | None = "20261202_0014"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
