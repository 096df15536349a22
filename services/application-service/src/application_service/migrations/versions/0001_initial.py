"""Kernel tables (event store, outbox cursor, consumer tracking) and the first read models.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB
from zhicheng_kernel.migrations import create_kernel_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_kernel_tables()
    # Spelled out (not metadata.create_all) so later revisions can alter these tables safely.
    op.create_table(
        "orgs",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("level", sa.Text, nullable=False),
        sa.Column("division_code", sa.Text, nullable=False, server_default=""),
        sa.Column("parent_id", sa.Text, nullable=True),
        sa.Column("path", sa.Text, nullable=False),
    )
    op.create_table(
        "applicants",
        sa.Column("account_id", sa.Text, primary_key=True),
        sa.Column("org_id", sa.Text, nullable=False),
        sa.Column("org_path", sa.Text, nullable=False),
        sa.Column("display_name", sa.Text, nullable=False),
        sa.Column("on_staff", sa.Boolean, nullable=False),
    )
    op.create_table(
        "applications",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("applicant_id", sa.Text, nullable=False),
        sa.Column("applicant_name", sa.Text, nullable=False),
        sa.Column("org_id", sa.Text, nullable=False),
        sa.Column("org_path", sa.Text, nullable=False),
        sa.Column("county_code", sa.Text, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("series", sa.Text, nullable=False),
        sa.Column("specialty", sa.Text, nullable=False),
        sa.Column("level", sa.Text, nullable=False),
        sa.Column("track", sa.Text, nullable=False),
        sa.Column("chain", JSONB, nullable=False),
        sa.Column("current_step", sa.Text, nullable=True),
        sa.Column("papers", JSONB, nullable=False),
        sa.Column("checks", JSONB, nullable=False),
        sa.Column("history", JSONB, nullable=False),
        sa.Column("push_id", sa.Text, nullable=True),
        sa.Column("outcome", sa.Text, nullable=True),
        sa.Column("document_number", sa.Text, nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_applications_org_path", "applications", ["org_path"], postgresql_ops={"org_path": "text_pattern_ops"}
    )
    op.create_index("ix_applications_applicant", "applications", ["applicant_id"])
    op.create_table(
        "pushes",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("series", sa.Text, nullable=False),
        sa.Column("level", sa.Text, nullable=False),
        sa.Column("office_org_id", sa.Text, nullable=False),
        sa.Column("application_ids", JSONB, nullable=False),
        sa.Column("pushed_by", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in ("pushes", "applications", "applicants", "orgs"):
        op.drop_table(table)
