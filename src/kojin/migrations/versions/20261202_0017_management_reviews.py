"""Management reviews: the inputs of a review (a snapshot of the period's figures), the changes in
law and the top manager's decisions.

Revision ID: 20261202_0017
Revises: 20261202_0016
Create Date: 2026-12-02 01:00:00
"""

from __future__ import annotations

revision: str = "20261202_0017"
down_revision: str | None = "20261202_0016"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
