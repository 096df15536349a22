"""Eligibility report, attachments and publicity on the applications read model; the registries.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("applications", sa.Column("eligible", sa.Boolean, nullable=True))
    op.add_column(
        "applications", sa.Column("failed_rules", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb"))
    )
    op.add_column("applications", sa.Column("eligibility", JSONB, nullable=True))
    op.add_column(
        "applications", sa.Column("attachments", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb"))
    )
    op.add_column("applications", sa.Column("publicity_starts_on", sa.Date, nullable=True))
    op.create_table(
        "registry_entries",
        sa.Column("registry", sa.Text, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("entry", JSONB, nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("registry", "key"),
    )
    op.create_table(
        "published_schedules",
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("series", sa.Text, nullable=False),
        sa.Column("push_month", sa.Integer, nullable=False),
        sa.Column("grassroots", sa.Boolean, nullable=False),
        sa.Column("published_by", sa.Text, nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("year", "series"),
    )


def downgrade() -> None:
    op.drop_table("published_schedules")
    op.drop_table("registry_entries")
    for column in ("publicity_starts_on", "attachments", "eligibility", "failed_rules", "eligible"):
        op.drop_column("applications", column)
