"""The start outbox of this service's workflows (zhicheng_kernel.workflow_starts): the review year's.

Revision ID: 0007
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workflow_start",
        sa.Column("workflow_id", sa.Text(), primary_key=True),
        sa.Column("workflow_name", sa.Text(), nullable=False),
        sa.Column("workflow_input", postgresql.JSONB(), nullable=False),
        sa.Column("search_attributes", postgresql.JSONB(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("started", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_table("workflow_start")
