"""Kernel tables (event store, outbox cursor, consumer tracking) and the org-service read models.

Revision ID: 0001
"""

from alembic import op
from org_service.adapters.tables import metadata
from zhicheng_kernel.migrations import create_kernel_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_kernel_tables(op.get_bind())
    metadata.create_all(op.get_bind())


def downgrade() -> None:
    metadata.drop_all(op.get_bind())
