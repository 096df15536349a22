"""The command log: Idempotency-Keys of commands and their first answers (kernel unit of work).

Revision ID: 0002
Revises: 0001
"""

from alembic import op
from zhicheng_kernel.migrations import create_command_log_table

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_command_log_table()


def downgrade() -> None:
    op.drop_table("command_log")
