"""The access audit of external clients (provincial systems reading results and documents).

Revision ID: 0008
Revises: 0007
"""

from alembic import op
from zhicheng_kernel.migrations import create_external_access_table

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_external_access_table()


def downgrade() -> None:
    op.drop_table("external_access")
