"""The business audit: one row per command, done or refused (zhicheng_kernel.audit, finding 16).

Revision ID: 0015
Revises: 0013
"""

from alembic import op
from zhicheng_kernel.migrations import create_audit_log_table

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_audit_log_table()


def downgrade() -> None:
    op.drop_table("audit_log")
