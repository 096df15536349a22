"""POL-FI-1: each push batch's provincial filing, the province's applied webhooks, and the verdict on
each application.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "filings",
        sa.Column("push_id", sa.Text(), primary_key=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("series", sa.Text(), nullable=False),
        sa.Column("level", sa.Text(), nullable=False),
        sa.Column("office_org_id", sa.Text(), nullable=False),
        sa.Column("office_path", sa.Text(), nullable=False),
        sa.Column("application_ids", postgresql.JSONB(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duplicate", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("verdicts", postgresql.JSONB(), nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("escalations", postgresql.JSONB(), nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_filings_year_series", "filings", ["year", "series"])
    op.create_table(
        "provincial_webhooks",
        sa.Column("webhook_id", sa.Text(), primary_key=True),
        sa.Column("push_id", sa.Text(), nullable=False),
        sa.Column("application_id", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.add_column("applications", sa.Column("filing", postgresql.JSONB(), nullable=True))


def downgrade() -> None:
    op.drop_column("applications", "filing")
    op.drop_table("provincial_webhooks")
    op.drop_index("ix_filings_year_series", table_name="filings")
    op.drop_table("filings")
