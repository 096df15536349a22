"""Appends without a store-wide lock: positions given after the commit, in write order (kernel eventstore).

Revision ID: 0019
Revises: 0018
"""

from zhicheng_kernel.migrations import position_events_after_commit, position_events_at_append

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    position_events_after_commit()


def downgrade() -> None:
    position_events_at_append()
