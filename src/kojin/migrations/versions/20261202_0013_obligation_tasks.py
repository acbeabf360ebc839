"""Obligation tasks: the duties recorded decisions create, deduplicated, with owners, due dates and
evidence.

Revision ID: 20261202_0013
Revises: 20261201_0012
Create Date: 2026-12-02 01:00:00
"""

from __future__ import annotations

revision: str = "20261202_0013"
down_revision: str | None = "20261201_0012"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
