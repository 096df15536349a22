"""Appends without a store-wide lock: positions given after the commit, in write order (kernel eventstore).

Revision ID: 0017
Revises: 0016
"""

from alembic import op
from zhicheng_kernel.migrations import position_events_after_commit

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    position_events_after_commit()


def downgrade() -> None:
    op.drop_index("event_store_unpositioned", table_name="event_store")
    op.drop_column("event_store", "seq")
    op.alter_column("event_store", "position", nullable=False)
