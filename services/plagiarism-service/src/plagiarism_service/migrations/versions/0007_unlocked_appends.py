"""Appends without a store-wide lock: positions given after the commit, in write order (kernel eventstore).

Revision ID: 0007
Revises: 0006
"""

from alembic import op
from zhicheng_kernel.migrations import position_events_after_commit

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    position_events_after_commit()


def downgrade() -> None:
    op.drop_index("event_store_unpositioned", table_name="event_store")
    op.drop_column("event_store", "seq")
    op.alter_column("event_store", "position", nullable=False)
