"""The start outbox of this service's workflows (zhicheng_kernel.workflow_starts).

Revision ID: 0008
Revises: 0007
"""

from alembic import op
from zhicheng_kernel.migrations import create_workflow_start_table

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_workflow_start_table()


def downgrade() -> None:
    op.drop_table("workflow_start")
