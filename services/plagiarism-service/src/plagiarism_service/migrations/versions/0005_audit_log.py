"""The business audit: one row per command, done or refused (zhicheng_kernel.audit, finding 16).

Revision ID: 0005
Revises: 0003
"""

from alembic import op
from zhicheng_kernel.migrations import create_audit_log_table

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_audit_log_table()


def downgrade() -> None:
    op.drop_table("audit_log")
