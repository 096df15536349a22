"""Each series' push window of a year (SCHED-1): its close, reminders and what its close recorded.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "push_windows",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("series", sa.Text(), nullable=False),
        sa.Column("push_month", sa.Integer(), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("in_schedule", sa.Boolean(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reminders", postgresql.JSONB(), nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pushed_count", sa.Integer(), nullable=True),
        sa.Column("left_behind_count", sa.Integer(), nullable=True),
        sa.Column("left_behind_by_org", postgresql.JSONB(), nullable=True),
        sa.PrimaryKeyConstraint("year", "series"),
    )


def downgrade() -> None:
    op.drop_table("push_windows")
