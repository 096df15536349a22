"""Kernel tables (event store, outbox cursor, consumer tracking) and review-service's read models.

Revision ID: 0001
Revises:
"""

from alembic import op
from review_service.adapters.tables import metadata
from zhicheng_kernel.migrations import create_kernel_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    create_kernel_tables(connection)
    metadata.create_all(connection)


def downgrade() -> None:
    connection = op.get_bind()
    metadata.drop_all(connection)
