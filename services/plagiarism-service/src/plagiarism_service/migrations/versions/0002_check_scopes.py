"""Checks are read within an org subtree: the requester's org of an api check, the application's org.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("checks", sa.Column("org_path", sa.Text, nullable=True))
    op.create_table(
        "application_orgs",
        sa.Column("application_id", sa.Text, primary_key=True),
        sa.Column("org_path", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("application_orgs")
    op.drop_column("checks", "org_path")
