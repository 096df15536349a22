"""Appends without a store-wide lock: positions given after the commit, in write order (kernel eventstore).

Revision ID: 0017
Revises: 0016
"""

from zhicheng_kernel.migrations import position_events_after_commit, position_events_at_append

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    position_events_after_commit()


def downgrade() -> None:
    position_events_at_append()
