"""The access audit of external clients (provincial systems reading the filings).

Revision ID: 0011
Revises: 0010
"""

from alembic import op
from zhicheng_kernel.migrations import create_external_access_table

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_external_access_table()


def downgrade() -> None:
    op.drop_table("external_access")
