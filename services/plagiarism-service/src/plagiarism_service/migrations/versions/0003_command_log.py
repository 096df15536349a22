"""The command log: Idempotency-Keys of commands and their first answers (kernel unit of work).

Revision ID: 0003
Revises: 0002
"""

from alembic import op
from zhicheng_kernel.migrations import create_command_log_table

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_command_log_table()


def downgrade() -> None:
    op.drop_table("command_log")
